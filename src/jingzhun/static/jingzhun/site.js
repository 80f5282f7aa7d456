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
  // Tables that do not fit a phone's width become cards (site.css, ≤ 600 px, class as-cards):
  // each cell labelled with its column's header, its content wrapped so that it stays one
  // piece beside the label. A table that fits stays a table; "no-cards" opts a table out.
  var phone = window.matchMedia ? window.matchMedia("(max-width: 600px)") : null;
  function labelCells(table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) { return false; }
    var labels = [];
    Array.prototype.forEach.call(head.cells, function (th) {
      for (var span = 0; span < (th.colSpan || 1); span++) { labels.push(th.textContent.trim()); }
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          // A cell spanning the whole row (an empty list's message) needs no label.
          var label = cell.colSpan > 1 ? "" : (labels[column] || "");
          // A column of boxes to tick has no header: the box's own name labels it (选择).
          var box = label ? null : cell.querySelector("input[type=checkbox][aria-label]");
          if (box && cell.colSpan === 1) { label = box.getAttribute("aria-label"); }
          column += cell.colSpan || 1;
          if (cell.hasAttribute("data-label")) { return; }
          cell.setAttribute("data-label", label);
          if (label && cell.childNodes.length) {
            var wrap = document.createElement("div");
            wrap.className = "cell";
            while (cell.firstChild) { wrap.appendChild(cell.firstChild); }
            cell.appendChild(wrap);
          }
        });
      });
    });
    return true;
  }
  function cardTables() {
    document.querySelectorAll("main table:not(.no-cards)").forEach(function (table) {
      table.classList.remove("as-cards");
      if (!phone || !phone.matches) { return; }
      // Measured as a table with every cell on one line: wider than its box means the page
      // would scroll sideways or the cells break into columns a few characters wide.
      var box = table.parentElement;
      var style = window.getComputedStyle(box);
      var room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      table.classList.add("measuring");
      var wide = table.offsetWidth > room + 1;
      table.classList.remove("measuring");
      if (wide && labelCells(table)) {
        table.classList.add("as-cards");
      }
    });
  }
  cardTables();
  if (phone) {
    if (phone.addEventListener) { phone.addEventListener("change", cardTables); }
    else if (phone.addListener) { phone.addListener(cardTables); }
  }
  document.body.addEventListener("htmx:afterSettle", cardTables);
  // A table inside a closed <details> has no width until it is opened.
  document.addEventListener("toggle", function (event) {
    if (event.target.open && event.target.querySelector("table")) { cardTables(); }
  }, true);
  // A form that came back with errors lists them all at its top, each naming its field (and
  // linking to it), and the focus moves there: on a phone the fields with errors may be a long
  // way down. The messages are the server's own, already in the user's language.
  var summarised = false;
  document.querySelectorAll("main form").forEach(function (form) {
    var notes = form.querySelectorAll(".message.error, .field.has-error");
    if (!notes.length || form.querySelector(".form-errors")) { return; }
    var box = document.createElement("div");
    box.className = "message error form-errors";
    box.setAttribute("role", "alert");
    box.setAttribute("tabindex", "-1");
    box.id = (form.id || "form") + "-errors";
    var list = document.createElement("ul");
    notes.forEach(function (note) {
      if (note.classList.contains("field")) {
        var label = note.querySelector("label, legend");
        var control = note.querySelector("input:not([type=hidden]), select, textarea");
        note.querySelectorAll(".errorlist li").forEach(function (error) {
          var item = document.createElement("li");
          var link = document.createElement(control && control.id ? "a" : "span");
          if (control && control.id) { link.href = "#" + control.id; }
          // Django's label ends with the label suffix (：), so label + message reads right.
          link.textContent = (label ? label.textContent.trim() : "") + error.textContent.trim();
          item.appendChild(link);
          list.appendChild(item);
        });
      } else {
        // A message about the whole form moves up into the list.
        note.querySelectorAll("p, li").forEach(function (line) {
          if (line.querySelector("p, li")) { return; }
          var item = document.createElement("li");
          item.textContent = line.textContent.trim();
          list.appendChild(item);
        });
        if (!note.querySelector("p, li") && note.textContent.trim()) {
          var only = document.createElement("li");
          only.textContent = note.textContent.trim();
          list.appendChild(only);
        }
        note.hidden = true;
      }
    });
    if (!list.children.length) { return; }
    box.appendChild(list);
    form.insertBefore(box, form.firstChild);
    if (!summarised) {
      summarised = true;
      box.focus();
    }
  });
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
