"""Write the registry workbook: the empty template and an export.

The template and the export are the same layout (columns.py), so an export imports back unchanged.
Exports read with values() querysets (a handful of queries whatever the size) and stream rows
through openpyxl's write-only mode.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.workbook import SYSTEM, cells
from jingzhun.workbook.safe import append_row
from jingzhun.workbook.styles import MAX_ROWS, example_row, header_cell

from ..models import Helper, Household, Income, Measure, Person
from .columns import HOUSEHOLDS, SHEETS, Sheet

OPTIONS_SHEET = "选项"  # hidden sheet holding the lists behind the drop-downs
PROGRESS_EVERY = 1000  # rows between two progress calls of an export


def _option_columns() -> tuple[list[list[str]], dict[str, str]]:
    """Each distinct choice list once (header + labels) and, per sheet.field, its range formula."""
    columns: list[list[str]] = []
    ranges: dict[tuple[str, ...], str] = {}
    formulas: dict[str, str] = {}
    for spec in SHEETS:
        for col in spec.columns:
            if col.readonly or col.kind not in {"choice", "bool"}:
                continue
            labels = ("是", "否") if col.kind == "bool" else tuple(lab for _c, lab in col.choices)
            if labels not in ranges:
                columns.append([col.header, *labels])
                letter = get_column_letter(len(columns))
                ranges[labels] = (
                    f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$2:${letter}${len(labels) + 1}"
                )
            formulas[f"{spec.title}.{col.field}"] = ranges[labels]
    return columns, formulas


def _option_sheet(book: Workbook) -> None:
    """The hidden sheet holding the lists behind the drop-downs."""
    sheet = book.create_sheet(OPTIONS_SHEET)
    columns, _formulas = _option_columns()
    for index in range(max(len(c) for c in columns)):
        append_row(sheet, [c[index] if index < len(c) else None for c in columns])
    sheet.sheet_state = "hidden"


def _new_sheet(book: Workbook, spec: Sheet, formulas: dict[str, str]) -> Any:
    sheet = book.create_sheet(spec.title)
    sheet.freeze_panes = "B2"
    for index, col in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = col.width
        formula = formulas.get(f"{spec.title}.{col.field}")
        if formula:
            # A warning, not a stop: the import also accepts the codes.
            rule = DataValidation(
                type="list", formula1=formula, allow_blank=True, errorStyle="warning"
            )
            rule.error = _("请从列表中选择")
            rule.add(f"{letter}2:{letter}{MAX_ROWS}")
            sheet.data_validations.append(rule)
    append_row(sheet, [header_cell(sheet, col) for col in spec.columns])
    return sheet


def _book() -> tuple[Workbook, dict[str, Any]]:
    book = Workbook(write_only=True)
    sheets: dict[str, Any] = {}
    _columns, formulas = _option_columns()  # the options sheet itself is written by _finish
    for spec in SHEETS:
        sheets[spec.title] = _new_sheet(book, spec, formulas)
    return book, sheets


def _finish(book: Workbook) -> bytes:
    _option_sheet(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _row(spec: Sheet, values: dict[str, Any], labels: list[dict[str, str] | None]) -> list[Any]:
    return [
        cells.format_cell(values.get(col.field), col, label)
        for col, label in zip(spec.columns, labels, strict=True)
    ]


def _labels(spec: Sheet) -> list[dict[str, str] | None]:
    return [dict(col.choices) if col.choices else None for col in spec.columns]


def template_workbook() -> bytes:
    """The empty registry template with one example row per sheet, its 户编号 marked 【示例】
    (grey, italic): the import skips it until the marker is deleted."""
    book, sheets = _book()
    for spec in SHEETS:
        values = _row(spec, spec.example, _labels(spec))
        append_row(
            sheets[spec.title],
            example_row(sheets[spec.title], spec.columns, values, {"number", "household_number"}),
        )
    return _finish(book)


def _sheet_rows(households: QuerySet[Household]) -> dict[str, Iterable[dict[str, Any]]]:
    """values() rows per sheet, each keyed by column field, in a fixed query count."""
    ids = households.values("pk")
    h_fields = [col.field for col in HOUSEHOLDS.columns if col.field != "village_name"]
    number_of: dict[int, str] = {}

    def household_rows() -> Iterable[dict[str, Any]]:
        for row in households.order_by("number").values("pk", *h_fields, "village__name"):
            number_of[row["pk"]] = row["number"]
            row["village_name"] = row.pop("village__name")
            yield row

    def child_rows(model: type, spec: Sheet, order: list[str]) -> Iterable[dict[str, Any]]:
        fields = [col.field for col in spec.columns if col.field != "household_number"]
        for row in (
            model.objects.filter(household_id__in=ids)
            .order_by(*order)
            .values("household_id", *fields)
        ):
            row["household_number"] = number_of[row["household_id"]]
            yield row

    persons, incomes, helpers, measures = SHEETS[1:]
    return {
        HOUSEHOLDS.title: household_rows(),
        persons.title: child_rows(Person, persons, ["household__number", "id"]),
        incomes.title: child_rows(Income, incomes, ["household__number", "year"]),
        helpers.title: child_rows(Helper, helpers, ["household__number", "name", "unit"]),
        measures.title: child_rows(
            Measure, measures, ["household__number", "year", "kind", "description"]
        ),
    }


def _row_total(households: QuerySet[Household]) -> int:
    """The rows an export of `households` writes, all sheets together (one COUNT per sheet)."""
    ids = households.values("pk")
    return households.count() + sum(
        model.objects.filter(household_id__in=ids).count()
        for model in (Person, Income, Helper, Measure)
    )


def export_workbook(
    households: QuerySet[Household],
    *,
    acting_user: Any,
    filters: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> bytes:
    """The households (intersected with what the user may see) and their records, full ID numbers.

    An export is audited: one entry with the filter used and the row count of each sheet.
    `progress(done, total)`, if given, is called before the first row (total counted first),
    every `progress_every` rows and once more when the workbook is complete (done = total = the
    rows written); the workbook is the same with or without it.
    """
    buffer = io.BytesIO()
    write_export(
        households,
        buffer,
        acting_user=acting_user,
        filters=filters,
        progress=progress,
        progress_every=progress_every,
    )
    return buffer.getvalue()


def write_export(
    households: QuerySet[Household],
    target: IO[bytes],
    *,
    acting_user: Any,
    filters: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> None:
    """`export_workbook` written into `target` (a background export's file: the workbook is never
    held in memory whole)."""
    # Re-scoped here whatever the caller passed: exports go through the same chokepoint.
    households = Household.objects.visible_to(acting_user).filter(pk__in=households.values("pk"))
    book, sheets = _book()
    counts: dict[str, int] = {}
    rows = _sheet_rows(households)
    total = _row_total(households) if progress is not None else 0
    done = 0
    if progress is not None:
        progress(0, total)
    for spec in SHEETS:
        labels, sheet, count = _labels(spec), sheets[spec.title], 0
        for values in rows[spec.title]:
            append_row(sheet, _row(spec, values, labels))
            count += 1
            if progress is not None:
                done += 1
                if done % progress_every == 0:
                    progress(done, max(total, done))
        counts[spec.title] = count
    _option_sheet(book)
    book.save(target)
    scope = acting_user.scope_prefix() or ""
    with transaction.atomic():
        audit.record(
            actor=acting_user,
            action=Action.EXPORT,
            model="registry.household",
            object_repr=_("建档立卡登记表导出"),
            changes={"filter": filters or {}, "counts": counts},
            area_code=scope,
            message=(_("命令行") + ": " if acting_user is SYSTEM else "")
            + _("导出 {households} 户 {persons} 人(含完整证件号码)").format(
                households=counts[HOUSEHOLDS.title], persons=counts[SHEETS[1].title]
            ),
        )
    if progress is not None:
        progress(done, done)
