"""The reports of one stored run: the run page (the hub), blockers by area, the household
drill-down list, village readiness, the county projection, and their .xlsx exports.

Every query goes through `reports` (which starts at `visible_to`); a run the user cannot read
(`AssessmentRun.objects.readable_by`) is a 404, and the report pages of a run that has not
finished send the user back to the run page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from jingzhun import areacodes
from jingzhun.areas.models import Area
from jingzhun.core.paging import DeferredJoinPaginator

from . import excel, reports, village_sheet
from .choices import LIVE, Level, Status
from .models import AssessmentRun

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOUSEHOLDS_PER_PAGE = 50
VILLAGES_PER_PAGE = 100
AREA_SELECT_LIMIT = 2_000


def _run(request: HttpRequest, pk: int) -> AssessmentRun:
    """A run the user may read (404 otherwise): theirs, or a finished run of an area above
    theirs (`readable_by`), whose reports then hold the user's rows only. Every view here only
    reads; stop, cancel and delete (views.py) look the run up with `visible_to`."""
    return get_object_or_404(
        AssessmentRun.objects.readable_by(request.user).select_related("created_by"), pk=pk
    )


def finished_run(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A report view of a readable run (404 otherwise), called with the run instead of its pk;
    a run that has not finished sends the user to its page, which shows its status."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        run = _run(request, pk)
        if run.status != Status.FINISHED:
            return redirect("assessment-run", pk=run.pk)
        return view(request, run, **kwargs)

    return wrapper


def _optional_url(name: str, *args: Any) -> str:
    """A url of a page another part builds (compare): '' until it exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def _page_number(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1


def _query(params: QueryDict) -> str:
    """The query string minus paging, for pager and export links."""
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


def _area_choices(run: AssessmentRun, user: Any) -> list[tuple[str, str]]:
    """Counties, townships and villages under the run's root that the user sees (indented)."""
    areas = reports._within(
        Area.objects.visible_to(user).filter(level__in=["county", "township", "village"]),
        "code",
        reports.area_prefix(run.area_code),
    ).values_list("code", "name", "level")[: AREA_SELECT_LIMIT + 1]
    areas = list(areas)
    if len(areas) > AREA_SELECT_LIMIT:
        return []
    indent = {"county": "", "township": "\u3000", "village": "\u3000\u3000"}
    return [(code, indent[level] + name) for code, name, level in areas]


def _area(request: HttpRequest) -> str:
    area = request.GET.get("area", "").strip()
    return area if reports.area_prefix(area) else ""


def _trail(run: AssessmentRun, user: Any, area: str) -> list[Area]:
    """The areas from the report's root down to `area`, for the breadcrumb (one query)."""
    if not area:
        return []
    top = len(reports.base_prefix(run, user))
    target = Area.objects.filter(code=area).first()
    if target is None:
        return []
    chain = [*target.ancestors(), target]
    return [a for a in chain if len(a.prefix) >= top]


def _run_context(run: AssessmentRun, user: Any) -> dict[str, Any]:
    """`partial`: the run's root is wider than the user's area, so every figure shown is the
    user's share (the reports' own scoping) and the page says so."""
    return {
        "run": run,
        "standard_name": reports.standard_name(run),
        "scope_name": excel.scope_name(run),
        "partial": run.wider_than(user.scope_prefix()),
        "snapshot_note": reports.snapshot_note(run) if run.status == Status.FINISHED else "",
    }


# ---------------------------------------------------------------- the run page


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    context = _run_context(run, request.user)
    context["compare_url"] = _optional_url("assessment-compare")
    context["live"] = LIVE  # for the progress fragment
    if run.status == Status.FINISHED:
        household = reports.blockers(run, request.user, Level.HOUSEHOLD)
        village = reports.blockers(run, request.user, Level.VILLAGE)
        context.update(
            summary=reports.summary(run, request.user),
            household=household,
            village=village,
            village_classes=_class_rows(run, request.user),
            chart={
                "names": [str(r.indicator.label) for r in household.rows],
                "values": [r.unmet for r in household.rows],
                "only": [r.only for r in household.rows],
                "series": [gettext("未达标户数"), gettext("仅此一项未达标")],
            },
        )
    return render(request, "assessment/run_detail.html", context)


def _class_rows(run: AssessmentRun, user: Any, area: str = "") -> list[dict[str, Any]]:
    counts = reports.village_class_counts(run, user, area)
    return [
        {"klass": key, "label": label, "count": counts.get(key, 0)}
        for key, label in reports.VillageClass.choices
    ]


# ---------------------------------------------------------------- blockers by area


@login_required
@finished_run
def run_blockers(request: HttpRequest, run: AssessmentRun) -> HttpResponse:
    area = _area(request)
    breakdown = reports.blockers_by_area(run, request.user, Level.HOUSEHOLD, area)
    base = breakdown.base.code if breakdown.base else ""
    context = _run_context(run, request.user)
    context.update(
        area=area,
        base=breakdown.base,
        trail=_trail(run, request.user, area),
        household=reports.blockers(run, request.user, Level.HOUSEHOLD, base),
        village=reports.blockers(run, request.user, Level.VILLAGE, base),
        breakdown=breakdown,
        village_breakdown=reports.blockers_by_area(run, request.user, Level.VILLAGE, area),
    )
    return render(request, "assessment/report_blockers.html", context)


# ---------------------------------------------------------------- household drill-down


def _household_filter(run: AssessmentRun, params: QueryDict) -> dict[str, Any]:
    """The drill-down's filter from the query string; unknown indicator ids are dropped."""
    ids = {i.id for i in reports.indicators_of(run, Level.HOUSEHOLD)}
    indicator = params.get("indicator", "")
    indicator = indicator if indicator in ids else ""
    met_param = params.get("met", "")
    met: bool | None = {"0": False, "1": True}.get(met_param)
    if indicator and met is None and met_param != "all":
        met = False  # a blocker link: the households failing it
    area = params.get("area", "").strip()
    return {
        "indicator": indicator,
        "met": met,
        "only": params.get("only") == "1" and bool(indicator),
        "candidates": params.get("candidates") == "1",
        "area": area if reports.area_prefix(area) else "",
    }


def _household_title(run: AssessmentRun, chosen: dict[str, Any]) -> str:
    labels = {i.id: i.label for i in reports.indicators_of(run, Level.HOUSEHOLD)}
    label = labels.get(chosen["indicator"], "")
    if chosen["candidates"]:
        return gettext("可退出户（全部指标达标）")
    if chosen["only"]:
        return gettext("仅“{label}”一项未达标的户").format(label=label)
    if label and chosen["met"] is False:
        return gettext("“{label}”未达标的户").format(label=label)
    if label and chosen["met"] is True:
        return gettext("“{label}”达标的户").format(label=label)
    if chosen["met"] is False:
        return gettext("未达标户")
    return gettext("未脱贫户（含返贫）评估结果")


@login_required
@finished_run
def run_households(request: HttpRequest, run: AssessmentRun) -> HttpResponse:
    chosen = _household_filter(run, request.GET)
    queryset = reports.household_verdicts(run, request.user, **chosen)
    paginator = DeferredJoinPaginator(queryset, HOUSEHOLDS_PER_PAGE)
    page = paginator.get_page(_page_number(request))
    area_name, sheet_code = "", ""
    if chosen["area"]:
        found = Area.objects.filter(code=areacodes.pad(chosen["area"])).first()
        area_name = found.name if found else chosen["area"]
        if found is not None and found.level == "village":
            sheet_code = found.code  # the list of one village: offer its printable sheet
    context = _run_context(run, request.user)
    context.update(
        title=_household_title(run, chosen),
        chosen=chosen,
        area_name=area_name,
        sheet_code=sheet_code,
        page=page,
        rows=reports.household_page_rows(run, request.user, list(page.object_list)),
        indicators=reports.indicators_of(run, Level.HOUSEHOLD),
        areas=_area_choices(run, request.user),
        query=_query(request.GET),
    )
    return render(request, "assessment/report_households.html", context)


@never_cache
@login_required
@finished_run
def run_households_xlsx(request: HttpRequest, run: AssessmentRun) -> HttpResponse:
    chosen = _household_filter(run, request.GET)
    queryset = reports.household_verdicts(run, request.user, **chosen)
    content = excel.households_workbook(run, request.user, queryset, chosen)
    return _xlsx(content, f"assessment-{run.pk}-households-{_stamp()}.xlsx")


# ---------------------------------------------------------------- villages


def _village_filter(run: AssessmentRun, params: QueryDict) -> dict[str, Any]:
    ids = {i.id for i in reports.indicators_of(run, Level.VILLAGE)}
    indicator = params.get("indicator", "")
    indicator = indicator if indicator in ids else ""
    klass = params.get("klass", "")
    area = params.get("area", "").strip()
    return {
        "area": area if reports.area_prefix(area) else "",
        "klass": klass if klass in reports.VillageClass.labels else "",
        "indicator": indicator,
        "met": {"0": False, "1": True}.get(params.get("met", ""), False),
        "only": params.get("only") == "1" and bool(indicator),
        "poor_only": params.get("poor") == "1",
    }


@login_required
@finished_run
def run_villages(request: HttpRequest, run: AssessmentRun) -> HttpResponse:
    chosen = _village_filter(run, request.GET)
    queryset = reports.villages(run, request.user, **chosen)
    paginator = DeferredJoinPaginator(queryset, VILLAGES_PER_PAGE)
    page = paginator.get_page(_page_number(request))
    context = _run_context(run, request.user)
    context.update(
        chosen=chosen,
        page=page,
        rows=reports.village_rows(run, request.user, page.object_list, area=chosen["area"]),
        indicators=reports.indicators_of(run, Level.VILLAGE),
        classes=_class_rows(run, request.user, chosen["area"]),
        areas=_area_choices(run, request.user),
        query=_query(request.GET),
    )
    return render(request, "assessment/report_villages.html", context)


@never_cache
@login_required
@finished_run
def run_villages_xlsx(request: HttpRequest, run: AssessmentRun) -> HttpResponse:
    chosen = _village_filter(run, request.GET)
    queryset = reports.villages(run, request.user, **chosen)
    content = excel.villages_workbook(run, request.user, queryset, chosen, area=chosen["area"])
    return _xlsx(content, f"assessment-{run.pk}-villages-{_stamp()}.xlsx")


# ---------------------------------------------------------------- one village's sheet


def _village_sheet(
    request: HttpRequest, run: AssessmentRun, code: str
) -> village_sheet.VillageSheet:
    village = village_sheet.find_village(run, request.user, code)
    if village is None:
        raise Http404
    return village_sheet.village_sheet(run, request.user, village)


@never_cache
@login_required
@finished_run
def run_village_sheet(request: HttpRequest, run: AssessmentRun, code: str) -> HttpResponse:
    """The printable sheet of one village (村级评估清单); audited as an export."""
    sheet = _village_sheet(request, run, code)
    village_sheet.record_export(sheet, request.user, "html")
    back = reverse("assessment-villages", args=[run.pk]) + f"?area={sheet.code}"
    return render(
        request,
        village_sheet.TEMPLATE,
        {
            "sheet": sheet,
            "for_pdf": False,
            "back_url": back,
            "pdf_url": reverse("assessment-village-sheet-pdf", args=[run.pk, sheet.code]),
        },
    )


@never_cache
@login_required
@finished_run
def run_village_sheet_pdf(request: HttpRequest, run: AssessmentRun, code: str) -> HttpResponse:
    """The same sheet as an A4 PDF; audited as an export."""
    sheet = _village_sheet(request, run, code)
    content = village_sheet.render_pdf(sheet)
    village_sheet.record_export(sheet, request.user, "pdf")
    response = HttpResponse(content, content_type="application/pdf")
    filename = gettext("村级评估清单-{village}-{run}.pdf").format(village=sheet.place, run=run.pk)
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


# ---------------------------------------------------------------- counties


@login_required
@finished_run
def run_counties(request: HttpRequest, run: AssessmentRun) -> HttpResponse:
    context = _run_context(run, request.user)
    context["counties"] = reports.county_projection(run, request.user)
    return render(request, "assessment/report_counties.html", context)


# ---------------------------------------------------------------- the whole workbook


@never_cache
@login_required
@finished_run
def run_xlsx(request: HttpRequest, run: AssessmentRun) -> HttpResponse:
    content = excel.run_workbook(run, request.user)
    return _xlsx(content, f"assessment-{run.pk}-{_stamp()}.xlsx")
