"""Import the area workbook: parse → validate every row → write all of it in one transaction.

The discipline is the registry workbook's: nothing is written unless every row is valid; rows are
matched to stored areas by code and compared first, so re-importing the same file writes nothing;
new areas are created parents first; every created or changed area is audited (before/after per
field) under one batch id with the import's own summary entry. Areas are never deleted here.

Scope: a user loads only areas inside their own area (a county user: the county's own row and
its townships and villages). Province, city and county rows missing above a loaded row are
created from python-stdnum's GB/T 2260 names, for a user without an area (superuser, command
line) only.
"""

from __future__ import annotations

import datetime
import io
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from jingzhun import areacodes
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action, AuditEntry
from jingzhun.core import bulk
from jingzhun.workbook import SYSTEM, RowError, SheetCounts, cells
from jingzhun.workbook.cells import shown
from jingzhun.workbook.columns import Column, is_example
from jingzhun.workbook.guard import NotAnXlsx, WorkbookRejected, check_workbook

from ..choices import Level
from ..models import Area
from ..validation import check_area, normalise_code
from .columns import BY_FIELD, BY_HEADER, COLUMNS, LEVEL_ALIASES, SHEET, header

CHUNK = 2000  # codes per IN (...) lookup
_YEAR = re.compile(r"^(\d{4})\s*年?$")
# Fields an import may write (the code is the key; timestamps are the database's).
FIELDS = tuple(col.field for col in COLUMNS if col.field != "code")
LEVEL_LOOKUP = {
    **{value: value for value in Level.values},
    **{str(label): value for value, label in Level.choices},
    **LEVEL_ALIASES,
}


@dataclass
class AreaImportResult:
    """Counts per level (新增/修改/未变), the errors, the batch id of a write."""

    counts: dict[str, SheetCounts] = field(
        default_factory=lambda: {level: SheetCounts() for level in Level.values}
    )
    completed: list[str] = field(default_factory=list)  # ancestors created from stdnum's names
    errors: list[RowError] = field(default_factory=list)
    batch: uuid.UUID | None = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def total(self, attribute: str) -> int:
        return sum(getattr(n, attribute) for n in self.counts.values())

    def rows(self) -> list[tuple[str, SheetCounts]]:
        """(level label, counts) of the levels the file touched, province first."""
        return [
            (str(Level(level).label), n)
            for level, n in self.counts.items()
            if n.created or n.updated or n.unchanged
        ]

    def summary(self) -> str:
        text = "；".join(
            _("{level}：新增{created}，修改{updated}，未变{unchanged}").format(
                level=label, created=n.created, updated=n.updated, unchanged=n.unchanged
            )
            for label, n in self.rows()
        ) or _("没有数据行")
        if self.completed:
            text += "；" + _("自动补建上级区划{n}个").format(n=len(self.completed))
        return text


@dataclass
class _Row:
    number: int  # Excel row number (1 = header)
    values: dict[str, Any]  # field → parsed value, for the columns the sheet has


def _chunks(items: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _areas(codes: Iterable[str]) -> dict[str, Area]:
    return {a.code: a for chunk in _chunks(set(codes)) for a in Area.objects.filter(code__in=chunk)}


# Parsing -----------------------------------------------------------------------------------------


def _exit_date(value: Any, today: datetime.date) -> datetime.date:
    """A date, or a year alone meaning 31 December of that year (the latest day the exit can
    have been announced: it counts as exited in that year and never earlier)."""
    word = cells.text(value)
    match = _YEAR.match(word)
    if match and not isinstance(value, datetime.date):
        day = datetime.date(int(match.group(1)), 12, 31)
        if day > today:
            raise cells.CellError(
                _(
                    "只填年度时按该年12月31日计，晚于今天；请填写出列的具体日期，实际为「{value}」"
                ).format(value=shown(word))
            )
        return day
    return cells.parse_date(value)


def _parse(value: Any, column: Column, today: datetime.date) -> Any:
    if cells.is_blank(value):
        if column.required:
            raise cells.CellError(_("必填"))
        return column.default
    if column.kind == "code":
        try:
            return normalise_code(value)
        except ValueError as exc:
            raise cells.CellError(str(exc)) from None
    if column.kind == "choice":  # 级别: the label, an alias (村, 乡, 镇) or the code
        word = cells.text(value)
        level = LEVEL_LOOKUP.get(word) or LEVEL_LOOKUP.get(word.lower())
        if level is None:
            raise cells.CellError(
                _("级别应为省、市、县、乡镇或村，实际为「{value}」").format(value=shown(word))
            )
        return level
    if column.kind == "count":
        number = cells.parse_int(value)
        if number < 0:
            raise cells.CellError(_("不能为负数，实际为「{value}」").format(value=number))
        return number
    if column.kind == "exit_date":
        return _exit_date(value, today)
    return cells.parse_cell(value, column)


def read_rows(
    source: str | Path | IO[bytes], errors: list[RowError], today: datetime.date
) -> tuple[list[_Row], set[str]]:
    """The data rows of sheet 区划 (example rows skipped) and the fields its columns give."""
    try:
        check_workbook(source)  # size, zip bomb, DOCTYPE, rows: before calamine opens it
    except NotAnXlsx:  # no zip, no xl/workbook.xml (an .xls or .csv renamed): never opened
        errors.append(RowError("", 0, "", _("无法读取文件，请上传 Excel (.xlsx) 格式的区划表")))
        return [], set()
    except WorkbookRejected as exc:
        errors.append(RowError("", 0, "", exc.message))
        return [], set()
    try:
        if isinstance(source, str | Path):
            book = CalamineWorkbook.from_path(str(source))
        else:
            book = CalamineWorkbook.from_filelike(source)
    except Exception:  # noqa: BLE001 - calamine raises several types for an unreadable file
        errors.append(RowError("", 0, "", _("无法读取文件，请上传 Excel (.xlsx) 格式的区划表")))
        return [], set()
    names = [name for name in book.sheet_names if name.strip() == SHEET]
    if not names:
        errors.append(
            RowError("", 0, "", _("文件中没有名为「{sheet}」的工作表").format(sheet=SHEET))
        )
        return [], set()
    data = book.get_sheet_by_name(names[0]).to_python()
    if not data:
        return [], set()
    positions: dict[str, int] = {}
    for index, value in enumerate(data[0]):
        column = BY_HEADER.get(cells.text(value)) if not cells.is_blank(value) else None
        if column is None:
            continue  # unknown, or the 错误信息 column of an earlier error file
        if column.field in positions:
            errors.append(RowError(SHEET, 1, column.header, _("列重复")))
        positions[column.field] = index
    for column in COLUMNS:
        if column.required and column.field not in positions:
            errors.append(
                RowError(
                    SHEET,
                    1,
                    column.header,
                    _("工作表「{sheet}」缺少必填列「{header}」").format(
                        sheet=SHEET, header=column.header
                    ),
                )
            )
    if errors:
        return [], set()
    rows = []
    code_index = positions["code"]
    for number, raw in enumerate(data[1:], start=2):
        if all(cells.is_blank(v) for v in raw):
            continue
        if code_index < len(raw) and is_example(raw[code_index]):
            continue  # the template's example rows (区划代码 marked 【示例】)
        values: dict[str, Any] = {}
        for name, index in positions.items():
            column = BY_FIELD[name]
            try:
                values[name] = _parse(raw[index] if index < len(raw) else None, column, today)
            except cells.CellError as exc:
                errors.append(RowError(SHEET, number, column.header, str(exc)))
                values[name] = None
        rows.append(_Row(number, values))
    return rows, set(positions)


# Validation and planning -------------------------------------------------------------------------


def _stored_values(area: Area) -> dict[str, Any]:
    return {name: getattr(area, name) for name in ("code", *FIELDS)}


def _new_values(code: str) -> dict[str, Any]:
    values = {col.field: col.default for col in COLUMNS}
    values.update(code=code, level=areacodes.level_of(code), parent_id=areacodes.parent_code(code))
    return values


def _stdnum_chain(code: str, known: set[str]) -> list[Area] | None:
    """`code` (a county or above) and its missing ancestors, named from stdnum; None if unknown."""
    chain = []
    while code and code not in known:
        level = areacodes.level_of(code)
        if level not in (Level.PROVINCE, Level.CITY, Level.COUNTY):
            return None
        province, city, county = areacodes.county_names(code[:6])
        name = {Level.PROVINCE: province, Level.CITY: city, Level.COUNTY: county}[level]
        if not name:
            return None
        chain.append(Area(code=code, name=name, level=level, parent_id=areacodes.parent_code(code)))
        code = areacodes.parent_code(code)
    return chain


class _Importer:
    def __init__(self, acting_user: Any, today: datetime.date) -> None:
        self.user = acting_user
        self.scope = acting_user.scope_prefix()
        self.today = today
        self.errors: list[RowError] = []
        self.result = AreaImportResult()
        self.creates: list[Area] = []
        self.completed: list[Area] = []
        self.updates: list[tuple[Area, list[str], dict]] = []
        self.existing: dict[str, Area] = {}
        self.merged: dict[str, dict[str, Any]] = {}  # code → the values the area will have

    def error(self, row: _Row, field_name: str, message: str) -> None:
        self.errors.append(RowError(SHEET, row.number, header(field_name), message))

    def validate(self, rows: list[_Row], present: set[str]) -> None:
        seen: dict[str, int] = {}
        valid: list[_Row] = []
        for row in rows:
            code = row.values.get("code")
            if not code:
                continue  # its own error already
            if code in seen:
                self.error(
                    row,
                    "code",
                    _("区划代码「{code}」在文件中重复（与第{row}行）").format(
                        code=code, row=seen[code]
                    ),
                )
                continue
            seen[code] = row.number
            if self.scope is None or not code.startswith(self.scope):
                self.error(row, "code", _("区划「{code}」不在您的管辖范围内").format(code=code))
                continue
            valid.append(row)
        self.existing = _areas(r.values["code"] for r in valid)
        for row in valid:
            code = row.values["code"]
            stored = self.existing.get(code)
            merged = _stored_values(stored) if stored else _new_values(code)
            for name in present - {"code"}:
                value = row.values.get(name)
                if name in ("level", "parent_id") and value is None:
                    continue  # blank: taken from the code
                merged[name] = value
            if merged.get("poor_village") is None:
                merged["poor_village"] = False
            self.merged[code] = merged
            for problem in check_area(merged, self.today):
                self.error(row, problem.field, problem.message)
        self.parents(valid)
        self.sibling_names(valid)

    def parents(self, rows: list[_Row]) -> None:
        """Each row's parent is in the file or stored; missing county-and-above ancestors are
        completed from stdnum for a user without an area."""
        wanted: set[str] = set()
        for row in rows:
            code = areacodes.parent_code(row.values["code"])
            while code and code not in wanted:
                wanted.add(code)
                code = areacodes.parent_code(code)
        known = set(self.merged) | set(_areas(wanted - set(self.merged)))
        missing: dict[str, list[Area] | None] = {}
        for row in rows:
            # The code's real parent: a wrong 上级区划代码 is its own error, reported once.
            parent = areacodes.parent_code(row.values["code"])
            if parent is None or parent in known:
                continue
            if parent not in missing:
                chain = _stdnum_chain(parent, known) if self.scope == "" else None
                missing[parent] = chain
                if chain is not None:
                    self.completed += chain
                    known |= {a.code for a in chain}
            if missing.get(parent) is None:
                self.error(
                    row,
                    "parent_id",
                    _("上级区划「{code}」不存在（文件和系统中都没有），请先导入上级").format(
                        code=parent
                    ),
                )

    def sibling_names(self, rows: list[_Row]) -> None:
        """Names stay unique among the children of one parent, stored and loaded together."""
        parents = {areacodes.parent_code(r.values["code"]) for r in rows}
        final: dict[str, tuple[str | None, str]] = {}
        for chunk in _chunks(parents - {None}):
            for code, parent, name in Area.objects.filter(parent_id__in=chunk).values_list(
                "code", "parent_id", "name"
            ):
                final[code] = (parent, name)
        for code, merged in self.merged.items():
            final[code] = (areacodes.parent_code(code), merged["name"])
        holders: dict[tuple, list[str]] = defaultdict(list)
        for code, key in sorted(final.items()):
            holders[key].append(code)
        for row in rows:
            code = row.values["code"]
            others = [c for c in holders[final[code]] if c != code]
            if others:
                self.error(
                    row,
                    "name",
                    _("同一上级下已有名为「{name}」的区划（{codes}）").format(
                        name=final[code][1], codes="、".join(others)
                    ),
                )

    def plan(self) -> None:
        for code in sorted(self.merged):  # a parent's code sorts before its children's
            merged = self.merged[code]
            counts = self.result.counts[merged["level"]]
            stored = self.existing.get(code)
            if stored is None:
                self.creates.append(Area(**merged))
                counts.created += 1
                continue
            before = audit.snapshot(stored)
            for name in FIELDS:
                setattr(stored, name, merged[name])
            changes = audit.diff(before, audit.snapshot(stored))
            if changes:
                fields = [Area._meta.get_field(n).attname for n in changes]
                self.updates.append((stored, fields, changes))
                counts.updated += 1
            else:
                counts.unchanged += 1
        self.result.completed = sorted(a.code for a in self.completed)


# Writing -----------------------------------------------------------------------------------------


def _write(imp: _Importer, batch: uuid.UUID, name: str) -> None:
    actor = imp.user if getattr(imp.user, "pk", None) else None
    message = _("命令行") if imp.user is SYSTEM else ""
    now = timezone.now()
    new = sorted([*imp.completed, *imp.creates], key=lambda a: a.code)
    for area in new:
        area.created = area.updated = now
    Area.objects.bulk_create(new, batch_size=500)
    # Renamed areas first take their code as name: siblings may swap names in one import
    # without the unique (parent, name) constraint seeing two equal names half-way.
    renamed = [Area(code=a.code, name=a.code) for a, fields, _c in imp.updates if "name" in fields]
    Area.objects.bulk_update(renamed, ["name"], batch_size=500)
    groups: dict[tuple[str, ...], list[Area]] = defaultdict(list)
    for area, fields, _changes in imp.updates:
        area.updated = now
        groups[tuple(sorted(fields))].append(area)
    for fields, areas in groups.items():
        Area.objects.bulk_update(areas, [*fields, "updated"], batch_size=500)
    completed = {a.code for a in imp.completed}
    entries = [
        audit.entry_values(
            actor=actor,
            action=Action.CREATE,
            instance=area,
            changes=audit.diff({}, audit.snapshot(area)),
            area_code=area.code,
            batch=batch,
            message=_("按国家行政区划代码自动补建") if area.code in completed else message,
        )
        for area in new
    ]
    entries += [
        audit.entry_values(
            actor=actor,
            action=Action.UPDATE,
            instance=area,
            changes=changes,
            area_code=area.code,
            batch=batch,
            message=message,
        )
        for area, _fields, changes in imp.updates
    ]
    result = imp.result
    entries.append(
        audit.entry_values(
            actor=actor,
            action=Action.IMPORT,
            model="areas.area",
            object_repr=name[:200],
            changes={
                "counts": {
                    level: {"created": n.created, "updated": n.updated, "unchanged": n.unchanged}
                    for level, n in result.counts.items()
                },
                "completed": result.completed,
            },
            area_code=imp.scope or "",
            batch=batch,
            message="{}{}".format(message + "：" if message else "", result.summary()),
        )
    )
    bulk.insert_dicts(AuditEntry, entries)


def _error_order(error: RowError) -> tuple[int, int]:
    headers = [col.header for col in COLUMNS]
    return (error.row, headers.index(error.column) if error.column in headers else len(headers))


def import_areas(
    source: str | Path | IO[bytes] | bytes,
    *,
    acting_user: Any,
    dry_run: bool = False,
    name: str = "",
) -> AreaImportResult:
    """Validate the whole area workbook; unless `dry_run` or an error, write it in one
    transaction (validation included, so what was checked is what gets written)."""
    if acting_user is None or not acting_user.can_edit():
        raise PermissionDenied(_("您没有修改区划数据的权限"))
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    if not name:
        name = Path(source).name if isinstance(source, str | Path) else "upload.xlsx"
    imp = _Importer(acting_user, timezone.localdate())
    imp.result.dry_run = dry_run
    rows, present = read_rows(source, imp.errors, imp.today)
    with transaction.atomic():
        if rows:
            imp.validate(rows, present)
        imp.result.errors = sorted(imp.errors, key=_error_order)
        if imp.result.errors:
            return imp.result
        imp.plan()
        if dry_run:
            return imp.result
        imp.result.batch = uuid.uuid4()
        _write(imp, imp.result.batch, name)
    return imp.result
