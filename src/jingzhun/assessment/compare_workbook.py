"""The comparison of two runs (and a draft preview) as people read it: reasons as text and the
.xlsx workbook, written in the request for a small comparison or by the task worker as a
background export (`export_kinds.COMPARISON`, its writer `write_job`) for a large one."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from jingzhun import rates
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.standards.explain import number
from jingzhun.standards.schema import LEVEL_ZH
from jingzhun.workbook.safe import append_row

from .choices import Level
from .compare import (
    CHANGE_LABELS,
    CHANGES,
    LEVEL_GROUPINGS,
    LEVELS,
    MET,
    ONLY_A,
    ONLY_B,
    UNMET,
    Comparison,
)
from .models import AssessmentRun

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FONT = Font(bold=True)
PROGRESS_EVERY = 1_000  # rows between two progress reports

Sheet = tuple[str, list[str], list[list[Any]]]


# ------------------------------------------------------------------------------ reasons as text


def _value(value: Any, yes_no: bool, present: Any, rate: bool = False) -> str:
    """A compared value for people: 是/否 for yes/no indicators, '无数据' for NULL, '未列入'
    when the indicator is not in that side's standard (`present` is its met flag)."""
    if present is None:
        return gettext("未列入")
    if value is None:
        return gettext("无数据")
    if yes_no:
        return gettext("是") if value else gettext("否")
    return rates.rate(value) if rate else number(value)


def _side(reason: dict[str, Any], side: str, show_threshold: bool) -> str:
    rate = reason.get("rate", False)
    text = _value(reason[f"{side}_value"], reason.get("yes_no", False), reason[f"{side}_met"], rate)
    threshold = reason[f"{side}_threshold"]
    if show_threshold and threshold is not None:
        shown = rates.rate(threshold) if rate else number(threshold)
        text += gettext("（标准 {threshold}）").format(threshold=shown)
    return text


def format_reasons(rows: list[dict[str, Any]]) -> None:
    """`before_text` / `after_text` of each reason; thresholds shown when they differ."""
    for row in rows:
        for reason in row.get("reasons", []):
            moved = reason["before_threshold"] != reason["after_threshold"]
            both = reason["before_met"] is not None and reason["after_met"] is not None
            reason["before_text"] = _side(reason, "before", moved and both)
            reason["after_text"] = _side(reason, "after", moved and both)


def reasons_text(row: dict[str, Any]) -> str:
    return ";".join(
        "{label}:{before} → {after}{why}".format(
            label=r["label"],
            before=r["before_text"],
            after=r["after_text"],
            why=f"({r['explanation']})" if r["explanation"] else "",
        )
        for r in row.get("reasons", [])
    )


def yes_no(flag: bool | None) -> str:
    if flag is None:
        return ""
    return gettext("是") if flag else gettext("否")


def entity_columns(level: str) -> list[str]:
    if level == Level.HOUSEHOLD:
        return [gettext("户编号"), gettext("户主姓名"), gettext("所在行政村")]
    return [gettext("区划代码"), gettext("名称")]


def entity_cells(level: str, row: dict[str, Any]) -> list[Any]:
    if level == Level.HOUSEHOLD:
        return [row.get("number") or row["entity"], row.get("head_name") or "", row["area_name"]]
    return [row["entity"], row.get("area_name") or ""]


# ------------------------------------------------------------------------------ the workbook


def write_workbook(
    sheets: list[Sheet], target: IO[bytes], progress: Callable[[int, int], None] | None = None
) -> None:
    """The sheets into `target`; sheet titles stay Chinese in every language (other tools look
    sheets up by name). `progress(done, total)` every PROGRESS_EVERY rows and at the end."""
    total, done = sum(len(rows) for _title, _headers, rows in sheets), 0
    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.freeze_panes = "A2"
        header = []
        for text in headers:
            cell = WriteOnlyCell(sheet, value=str(text))
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            header.append(cell)
        append_row(sheet, header)
        for row in rows:
            append_row(sheet, row)
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, total)
    book.save(target)
    if progress is not None:
        progress(total, total)


def export_size(comparison: Comparison) -> int:
    """Entities the export lists (changed or in one run only), from the totals' three queries."""
    listed = (MET, UNMET, ONLY_A, ONLY_B)
    return sum(counts[c] for counts in comparison.totals().values() for c in listed)


def comparison_sheets(comparison: Comparison) -> tuple[list[Sheet], dict[str, int]]:
    """Totals, the counts by area and every changed entity with its reasons, one sheet each;
    and the number of listed entities per level."""
    labels = [str(CHANGE_LABELS[c]) for c in CHANGES]
    totals = comparison.totals()
    sheets: list[Sheet] = [
        (
            "汇总",
            [gettext("层级"), *labels, gettext("合计")],
            [
                [str(Level(lv).label), *[c[ch] for ch in CHANGES], c["total"]]
                for lv, c in totals.items()
            ],
        )
    ]
    for level in LEVELS:
        areas, _totals = comparison.by_area(level, LEVEL_GROUPINGS[level][0])
        sheets.append(
            (
                f"{LEVEL_ZH[level]}·按区域",
                [gettext("区划代码"), gettext("名称"), *labels, gettext("合计")],
                [[r["code"], r["name"], *[r[c] for c in CHANGES], r["total"]] for r in areas],
            )
        )
    counts = {}
    for level in LEVELS:
        rows = comparison.export_rows(level)
        format_reasons(rows)
        counts[level] = len(rows)
        headers = [
            gettext("变化"),
            *entity_columns(level),
            gettext("运行 A 达标"),
            gettext("运行 B 达标"),
            gettext("原因"),
        ]
        body = [
            [
                str(CHANGE_LABELS[r["change"]]),
                *entity_cells(level, r),
                yes_no(r["before"]),
                yes_no(r["after"]),
                reasons_text(r),
            ]
            for r in rows
        ]
        sheets.append((f"{LEVEL_ZH[level]}·变化名单", headers, body))
    return sheets, counts


def write_comparison(
    comparison: Comparison,
    target: IO[bytes],
    *,
    acting_user: Any,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """The comparison's workbook into `target`, audited as an export by `acting_user`."""
    sheets, counts = comparison_sheets(comparison)
    write_workbook(sheets, target, progress)
    a, b = comparison.a, comparison.b
    with transaction.atomic():
        audit.record(
            actor=acting_user,
            action=Action.EXPORT,
            instance=b,
            model="assessment.assessmentrun",
            area_code=acting_user.scope_prefix() or "",
            changes={"a": a.pk, "b": b.pk, "counts": counts},
            message=gettext("导出评估对比 #{a} → #{b}").format(a=a.pk, b=b.pk),
        )


def comparison_of(user: Any, a_id: int, b_id: int, language: str) -> Comparison:
    """The two runs, both readable by `user` (DoesNotExist otherwise), compared in the user's
    scope: the pages' rule, applied again when a queued job runs."""
    visible = AssessmentRun.objects.readable_by(user)
    a, b = visible.get(pk=a_id), visible.get(pk=b_id)
    return Comparison(a, b, scope=user.scope_prefix() or "", language=language)


def write_job(
    parameters: dict[str, Any], *, acting_user: Any, target: IO[bytes], progress: Any
) -> None:
    language = parameters.get("language", "zh")
    comparison = comparison_of(acting_user, int(parameters["a"]), int(parameters["b"]), language)
    # The whole workbook in the language of the page that asked for it (the worker's own is
    # Chinese): headers and labels like the sentences, never mixed.
    with translation.override(language):
        write_comparison(comparison, target, acting_user=acting_user, progress=progress)
