// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // On a phone the navigation collapses behind the menu button (CSS hides it only once this
  // script has marked the page, so without JavaScript every link stays visible).
  var toggle = document.getElementById("nav-toggle");
  var nav = document.getElementById("main-nav");
  if (toggle && nav) {
    document.documentElement.classList.add("js-nav");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // The language select switches on change (the button remains for no-JS use).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // Forms that destroy data ask first (data-confirm holds the question).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // An ID number typed into the list search box is sent by POST to the ID search instead,
  // so it never appears in a URL, the browser history or an access log.
  var search = document.getElementById("household-search");
  var idForm = document.getElementById("id-search");
  if (search && idForm) {
    search.addEventListener("submit", function (event) {
      var q = search.querySelector("input[name=q]").value.trim();
      if (q.length >= 15 && /^\d+[xX]?$/.test(q)) {
        event.preventDefault();
        idForm.querySelector("input[name=id_number]").value = q;
        idForm.submit();
      }
    });
  }
})();
