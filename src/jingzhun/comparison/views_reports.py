"""比对报表: the comparison's figures per area (drill down by link) and per rule, the 错评率 and
漏评率 with their numerators and denominators, every figure linking to its list (the findings
page filtered), and the same report as .xlsx (audited). Scoped through `reports`, which starts
at `visible_to`: an area outside the user's is ignored (the user's own area is shown)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from openpyxl import Workbook

from jingzhun.areas.models import Area
from jingzhun.workbook.safe import append_row

from . import reports
from .choices import Meaning
from .views_findings import EXPORT_MAX, audited_xlsx


def _trail(user: Any, report: reports.Report) -> list[Area]:
    """The areas from the user's own area down to the report's, for the breadcrumb."""
    if report.base is None:
        return []
    top = len(user.scope_prefix() or "")
    chain = [*report.base.ancestors(), report.base]
    return [a for a in chain if len(a.prefix) >= top]


@never_cache
@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    year = reports.chosen_year(request.GET.get("year"))
    report = reports.comparison_report(request.user, request.GET.get("area", "").strip(), year)
    return render(
        request,
        "comparison/report.html",
        {
            "report": report,
            "trail": _trail(request.user, report),
            "years": reports.years(request.user),
            # Every link of the page keeps the year (drill-down, lists, the export).
            "y": f"&year={year}" if year else "",
        },
    )


# ---------------------------------------------------------------- the workbook


def area_header() -> list[str]:
    return [
        gettext("区划代码"), gettext("区划"), gettext("比对发现"), gettext("待核查"),
        gettext("核实属实"), gettext("核实不属实"), gettext("原因已消除"), gettext("逾期未核查"),
        gettext("涉及户数"), gettext("比对户数"), gettext("涉及户占比（%）"),
        gettext("核实错评户数"), gettext("错评率（户，%）"), gettext("核实错评人数"),
        gettext("比对人数"), gettext("错评率（人，%）"), gettext("核实漏评人数"),
        gettext("未建档立卡农村人口"), gettext("漏评率（%）"),
    ]  # fmt: skip


def area_values(code: str, name: str, f: reports.Figures) -> list[Any]:
    """One area's row of the workbook (the page shows the same figures)."""
    return [
        code, name, f.flagged, f.open, f.confirmed, f.dismissed, f.resolved, f.overdue,
        f.flagged_households, f.households, f.flagged_share, f.wrong_households, f.wrong_rate,
        f.wrong_persons, f.persons, f.wrong_person_rate, f.omitted, f.unregistered,
        f.omission_rate,
    ]  # fmt: skip


def rule_header() -> list[str]:
    return [
        gettext("规则"), gettext("规则名称"), gettext("问题类型"), gettext("比对发现"),
        gettext("待核查"), gettext("核实属实"), gettext("核实不属实"), gettext("原因已消除"),
        gettext("逾期未核查"), gettext("涉及户数"),
    ]  # fmt: skip


def rule_values(row: reports.RuleRow) -> list[Any]:
    f = row.figures
    return [
        row.rule, row.label, row.meaning_label, f.flagged, f.open, f.confirmed, f.dismissed,
        f.resolved, f.overdue, f.flagged_households,
    ]  # fmt: skip


def _list_sheet(book: Workbook, title: str, rows: Iterable, labels: dict[str, str]) -> int:
    sheet = book.create_sheet(title)
    append_row(
        sheet, [gettext("区划代码"), gettext("户编号"), gettext("规则"), gettext("问题描述")]
    )
    count = 0
    for finding in rows:
        household = finding.household.number if finding.household else ""
        rule = labels.get(finding.rule, finding.rule)
        append_row(sheet, [finding.area_code, household, rule, finding.sentence])
        count += 1
    return count


@never_cache
@login_required
def report_export(request: HttpRequest) -> HttpResponse:
    """The report as .xlsx: per area (and the total), per rule, and the lists behind the two
    rates (confirmed exclusions, confirmed omissions; at most EXPORT_MAX rows each). Audited."""
    year = reports.chosen_year(request.GET.get("year"))
    report = reports.comparison_report(request.user, request.GET.get("area", "").strip(), year)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("各区域"))
    append_row(sheet, area_header())
    for row in report.areas:
        append_row(sheet, area_values(row.code, row.name, row.figures))
    append_row(sheet, area_values(report.code, gettext("合计"), report.total))
    sheet = book.create_sheet(gettext("各规则"))
    append_row(sheet, rule_header())
    for rule in report.rules:
        append_row(sheet, rule_values(rule))
    labels = reports.rule_labels()
    listed = {}
    for meaning, title in (
        (Meaning.EXCLUSION, gettext("核实错评名单")),
        (Meaning.OMISSION, gettext("核实漏评名单")),
    ):
        rows = reports.confirmed_list(request.user, report.prefix, meaning, year)[:EXPORT_MAX]
        listed[meaning.value] = _list_sheet(book, title, rows, labels)
    message = gettext("导出比对报表 {area}").format(area=report.base.name if report.base else "")
    changes = {"area": report.code, "year": year, "areas": len(report.areas), "listed": listed}
    return audited_xlsx(request, book, "comparison.finding", message, changes, "comparison-report")
