"""Workbooks of one assessment run: the whole report (概况, 可退出户, 未达标指标, 各区域未达标,
各村情况, 县退出测算) and the drill-down lists. Rows come from `reports` (streamed, a fixed
number of queries); openpyxl writes in write-only mode. Every export is audited."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from jingzhun import rates
from jingzhun.areas.models import Area
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.workbook.safe import append_row

from . import reports
from .choices import Level
from .models import AssessmentRun, Verdict

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FONT = Font(bold=True)
# Sheet titles stay Chinese in every language: other tools look sheets up by name.
SUMMARY, CANDIDATES, BLOCKERS, AREAS, VILLAGES, COUNTIES = (
    "概况",
    "可退出户",
    "未达标指标",
    "各区域未达标",
    "各村情况",
    "县退出测算",
)
HOUSEHOLDS = "贫困户名单"


def _sheet(book: Workbook, title: str, headers: list[tuple[str, int]]) -> Any:
    """A write-only sheet with a styled, frozen header row; headers are (text, width)."""
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, (_text, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    cells = []
    for text, _width in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cells.append(cell)
    append_row(sheet, cells)
    return sheet


def _rate(sheet: Any, value: float | None) -> Any:
    """A rate cell: the number as it is, shown with two decimals ("5.40") under its "（%）"
    header; empty when there is none."""
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = rates.RATE_NUMBER_FORMAT
    return cell


def _yes(value: bool | None) -> str:
    if value is None:
        return ""
    return _("是") if value else _("否")


def _met(value: bool | None) -> str:
    if value is None:
        return ""
    return _("达标") if value else _("未达标")


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def audit_export(
    run: AssessmentRun,
    user: Any,
    report: str,
    counts: dict,
    filters: dict,
    *,
    area_code: str | None = None,
    message: str | None = None,
) -> None:
    """The audit entry of one report of a run leaving the system (a workbook, a printed
    sheet): filed under `area_code` (default the user's scope)."""
    with transaction.atomic():
        audit.record(
            actor=user,
            action=Action.EXPORT,
            model="assessment.assessmentrun",
            object_id=str(run.pk),
            object_repr=str(run),
            changes={"report": report, "filter": filters, "counts": counts},
            area_code=(user.scope_prefix() or "") if area_code is None else area_code,
            message=message or _("导出评估报表 #{run}({report})").format(run=run.pk, report=report),
        )


def scope_name(run: AssessmentRun) -> str:
    if not run.area_code:
        return _("全部")
    area = Area.objects.filter(code=run.area_code).first()
    return area.full_name() if area else run.area_code


# ---------------------------------------------------------------- sheets


def _summary_sheet(book: Workbook, run: AssessmentRun, user: Any) -> int:
    sheet = _sheet(book, SUMMARY, [(_("项目"), 28), (_("内容"), 48)])
    household = reports.blockers(run, user, Level.HOUSEHOLD)
    rows: list[tuple[str, Any]] = [
        (_("评估运行编号"), run.pk),
        (_("退出标准"), reports.standard_name(run)),
        (_("标准代码"), run.standard_id),
        (_("标准版本"), run.standard_version),
        (_("评估年度"), run.year),
        (_("计算引擎"), run.get_engine_display()),
        (_("评估范围"), scope_name(run)),
        (
            _("数据读取时间"),
            timezone.localtime(run.data_date).strftime("%Y-%m-%d %H:%M") if run.data_date else "",
        ),
        (_("说明"), reports.snapshot_note(run)),
        (
            _("完成时间"),
            timezone.localtime(run.finished).strftime("%Y-%m-%d %H:%M") if run.finished else "",
        ),
        (_("状态"), run.get_status_display()),
    ]
    for row in reports.summary(run, user):
        rows += [
            (_("{level}：评估对象数").format(level=row.label), row.entities),
            (_("{level}：达标数").format(level=row.label), row.met),
            (_("{level}：达标比例（%）").format(level=row.label), _rate(sheet, row.share)),
        ]
    rows += [
        (_("未脱贫户（含返贫）评估户数"), household.population),
        (_("可退出户数（全部指标达标）"), household.met),
        (_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        (_("导出人"), str(user)),
    ]
    for row in rows:
        append_row(sheet, row)
    return len(rows)


HOUSEHOLD_HEADERS = [
    (N_("户编号"), 22),
    (N_("县"), 12),
    (N_("乡镇"), 14),
    (N_("行政村"), 16),
    (N_("户主姓名"), 12),
    (N_("家庭人口"), 10),
    (N_("贫困户状态"), 12),
]


def _household_sheet(
    book: Workbook,
    title: str,
    run: AssessmentRun,
    user: Any,
    queryset: QuerySet[Verdict],
    *,
    reasons: bool,
) -> int:
    headers = [(_(text), width) for text, width in HOUSEHOLD_HEADERS]
    if reasons:
        headers += [(_("综合达标"), 10), (_("未达标指标"), 30), (_("未达标原因"), 70)]
    sheet = _sheet(book, title, headers)
    count = 0
    for row in reports.household_export_rows(run, user, queryset):
        values = [
            row["number"],
            row["county"],
            row["township"],
            row["village"],
            row["head"],
            row["size"],
            row["status"],
        ]
        if reasons:
            values += [_met(row["met"]), row["unmet"], row["reasons"]]
        append_row(sheet, values)
        count += 1
    return count


def _blockers_sheet(book: Workbook, run: AssessmentRun, user: Any) -> int:
    sheet = _sheet(
        book,
        BLOCKERS,
        [
            (_("层级"), 8),
            (_("统计口径"), 20),
            (_("评估数"), 10),
            (_("指标代码"), 18),
            (_("指标"), 44),
            (_("未达标数"), 10),
            (_("占比（%）"), 10),
            (_("唯一未达标数"), 12),
            (_("唯一未达标占比（%）"), 14),
        ],
    )
    count = 0
    populations = {
        Level.HOUSEHOLD: _("未脱贫户（含返贫）"),
        Level.VILLAGE: _("未出列贫困村"),
    }
    for level, population in populations.items():
        result = reports.blockers(run, user, level)
        for row in result.rows:
            append_row(
                sheet,
                [
                    str(Level(level).label),
                    population,
                    result.population,
                    row.indicator.id,
                    row.indicator.label,
                    row.unmet,
                    _rate(sheet, row.share),
                    row.only,
                    _rate(sheet, row.only_share),
                ],
            )
            count += 1
    return count


def _areas_sheet(book: Workbook, run: AssessmentRun, user: Any) -> int:
    breakdown = reports.blockers_by_area(run, user, Level.HOUSEHOLD)
    headers = [
        (_("区划代码"), 14),
        (_("区划"), 16),
        (_("评估户数"), 10),
        (_("达标户数"), 10),
        (_("达标比例（%）"), 10),
    ]
    headers += [(_("{label}未达标").format(label=i.label), 16) for i in breakdown.indicators]
    sheet = _sheet(book, AREAS, headers)
    for row in breakdown.rows:
        append_row(
            sheet,
            [row.code, row.name, row.population, row.met, _rate(sheet, row.met_share)]
            + [cell.unmet for cell in row.rows],
        )
    return len(breakdown.rows)


def _villages_sheet(
    book: Workbook, run: AssessmentRun, user: Any, queryset: QuerySet[Area], *, area: str = ""
) -> int:
    indicators = reports.indicators_of(run, Level.VILLAGE)
    headers = [
        (_("县"), 12),
        (_("乡镇"), 14),
        (_("行政村"), 16),
        (_("区划代码"), 14),
        (_("贫困村"), 8),
        (_("出列日期"), 12),
        (_("计划出列年度"), 12),
        (_("贫困发生率（%）"), 12),
    ]
    headers += [(i.label, 14) for i in indicators]
    headers += [(_("综合达标"), 10), (_("分类"), 22), (_("未达标原因"), 70)]
    sheet = _sheet(book, VILLAGES, headers)
    count = 0
    for row in reports.village_export_rows(run, user, queryset, area=area):
        append_row(
            sheet,
            [
                row["county"],
                row["township"],
                row["name"],
                row["code"],
                _yes(row["poor"]),
                row["exited_on"],
                row["planned_exit_year"],
                _rate(sheet, row["incidence"]),
            ]
            + [_met(cell["met"]) for cell in row["cells"]]
            + [_met(row["ready"]), str(row["klass_label"]), ";".join(row["missing"])],
        )
        count += 1
    return count


def _value(sheet: Any, item: reports.CountyIndicator, value: float | None) -> Any:
    """An indicator's value or threshold: a rate cell for a rate indicator, else the number."""
    return _rate(sheet, value) if item.indicator.kind == "rate" else value


def _counties_sheet(book: Workbook, run: AssessmentRun, user: Any) -> int:
    indicators = reports.indicators_of(run, Level.COUNTY)
    headers = [
        (_("县"), 12),
        (_("区划代码"), 14),
        (_("贫困村数"), 10),
        (_("已出列（早于本年度）"), 12),
        (_("本年度计划出列"), 12),
        (_("其中已达标"), 10),
        (_("其中未达标"), 10),
        (_("应出列数（90%，向上取整）"), 14),
        (_("缺口"), 8),
        (_("已达标未列入计划的贫困村数"), 14),
        (_("已达标未列入计划的贫困村"), 40),
        (_("县综合达标"), 10),
    ]
    for ind in indicators:
        headers += [
            (_("{label}：指标值").format(label=ind.label), 14),
            (_("{label}：标准").format(label=ind.label), 12),
            (_("{label}：达标").format(label=ind.label), 10),
        ]
    headers.append((_("未达标说明"), 70))
    # "As if the candidates exited" (reports.CountyProjection.project), after the run's columns.
    headers += [(_("农村人口"), 10), (_("贫困人口"), 10), (_("其中退出候选户人口"), 12)]
    for ind in indicators:
        headers += [
            (_("{label}：测算值").format(label=ind.label), 14),
            (_("{label}：测算达标").format(label=ind.label), 12),
        ]
    headers.append((_("测算县综合达标"), 12))
    sheet = _sheet(book, COUNTIES, headers)
    projections = reports.county_projection(run, user)
    for county in projections:
        values: list[Any] = [
            county.name,
            county.code,
            county.poor_villages,
            county.exited,
            county.planned,
            county.planned_ready,
            county.planned_not_ready,
            county.required,
            county.gap,
            len(county.ready_unplanned),
            "、".join(f"{v['township']}{v['name']}" for v in county.ready_unplanned),
            _met(county.met),
        ]
        for item in county.indicators:
            values += [_value(sheet, item, item.value), _value(sheet, item, item.threshold)]
            values.append(_met(item.met))
        values.append(";".join(i.sentence for i in county.indicators if not i.met and i.sentence))
        values += [county.rural_population, county.poor_persons, county.candidate_persons]
        for item in county.indicators:
            verdict = _met(item.projected_met)
            if not item.projectable:
                verdict = _("{met}（不变）").format(met=verdict)
            values += [_value(sheet, item, item.projected), verdict]
        values.append(_met(county.projected_met))
        append_row(sheet, values)
    return len(projections)


# ---------------------------------------------------------------- workbooks


def run_workbook(run: AssessmentRun, user: Any) -> bytes:
    """The report of one run, every sheet over what the user may see. Audited."""
    book = Workbook(write_only=True)
    counts = {
        SUMMARY: _summary_sheet(book, run, user),
        CANDIDATES: _household_sheet(
            book, CANDIDATES, run, user, reports.exit_candidates(run, user), reasons=False
        ),
        BLOCKERS: _blockers_sheet(book, run, user),
        AREAS: _areas_sheet(book, run, user),
        VILLAGES: _villages_sheet(book, run, user, reports.villages(run, user)),
        COUNTIES: _counties_sheet(book, run, user),
    }
    content = _save(book)
    audit_export(run, user, "run", counts, {})
    return content


def households_workbook(
    run: AssessmentRun, user: Any, queryset: QuerySet[Verdict], filters: dict[str, Any]
) -> bytes:
    """One drill-down list (the page's filter, every row). Audited."""
    book = Workbook(write_only=True)
    count = _household_sheet(book, HOUSEHOLDS, run, user, queryset, reasons=True)
    content = _save(book)
    audit_export(run, user, "households", {HOUSEHOLDS: count}, filters)
    return content


def villages_workbook(
    run: AssessmentRun,
    user: Any,
    queryset: QuerySet[Area],
    filters: dict[str, Any],
    *,
    area: str = "",
) -> bytes:
    """The village readiness list (the page's filter, every row). Audited."""
    book = Workbook(write_only=True)
    count = _villages_sheet(book, run, user, queryset, area=area)
    content = _save(book)
    audit_export(run, user, "villages", {VILLAGES: count}, filters)
    return content


def sheet_titles() -> Iterable[str]:
    return (SUMMARY, CANDIDATES, BLOCKERS, AREAS, VILLAGES, COUNTIES)
