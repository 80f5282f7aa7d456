"""Comparison run pages: start a run (editors), the runs of the user's area, one run's progress
(polled while it works) and its counts per rule, each linking to its findings."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jingzhun.core.paging import page_number
from jingzhun.standards import rules

from .models import ComparisonRun
from .tasks import start_run

SHOWN_RUNS = 100  # per page


def _ruleset_choices() -> list[tuple[str, str]]:
    """The rule sets by name in the reader's language (called when a form is made)."""
    if translation.get_language() == "en":
        return [(r.id, f"{r.name_en} ({r.id} v{r.version})") for r in rules.available().values()]
    return [(r.id, f"{r.name}（{r.id} v{r.version}）") for r in rules.available().values()]


class RunForm(forms.Form):
    ruleset = forms.ChoiceField(label=_("规则集"), choices=_ruleset_choices)
    year = forms.IntegerField(label=_("比对年度"), min_value=2013, max_value=2100)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


@never_cache
@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    runs = ComparisonRun.objects.visible_to(request.user).select_related("area", "created_by")
    page = Paginator(runs, SHOWN_RUNS).get_page(page_number(request.GET.get("page")))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "comparison/run_list.html",
        {
            "runs": page.object_list,
            "page": page,
            "query": query.urlencode(),
            "form": RunForm() if request.user.can_edit() else None,
        },
    )


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    if not request.user.can_edit():
        raise PermissionDenied(gettext("您没有发起数据比对的权限"))
    form = RunForm(request.POST)
    if not form.is_valid():
        runs = ComparisonRun.objects.visible_to(request.user)[:SHOWN_RUNS]
        return render(request, "comparison/run_list.html", {"runs": runs, "form": form})
    run = start_run(
        ruleset_id=form.cleaned_data["ruleset"],
        year=form.cleaned_data["year"],
        acting_user=request.user,
    )
    return redirect("comparison-run", run.pk)


def _run_context(request: HttpRequest, pk: int) -> dict[str, object]:
    run = get_object_or_404(
        ComparisonRun.objects.visible_to(request.user).select_related("area", "created_by"), pk=pk
    )
    try:
        ruleset = rules.load(run.ruleset)
        rows = [(rule, run.counts.get(rule.id, {})) for rule in ruleset.rules]
    except Exception:  # noqa: BLE001 - a ruleset file since removed: show the stored counts
        rows = []
    return {"run": run, "rows": rows, "meanings": rules.MEANINGS}


@never_cache
@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "comparison/run_detail.html", _run_context(request, pk))


@never_cache
@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The status fragment, polled by htmx while the run works; the poll that sees it end
    reloads the page (HX-Refresh) to show the counts."""
    context = _run_context(request, pk)
    response = render(request, "comparison/_run_status.html", context)
    if request.headers.get("HX-Request") and not context["run"].is_live:
        response["HX-Refresh"] = "true"
    return response
