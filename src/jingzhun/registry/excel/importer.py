"""Import the registry workbook: parse → validate every row → write all of it in one transaction.

Nothing is written unless every row of every sheet is valid. Rows are matched to the database by
natural key (户编号, 证件号码, household + year, …) and compared first, so re-importing the same
file writes nothing. Members present in the database but absent from the file are kept.
"""

from __future__ import annotations

import datetime
import io
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from jingzhun import idcodes, namekeys
from jingzhun.areas.models import Area
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action, AuditEntry
from jingzhun.core import bulk

from .. import choices as c
from .. import validation
from ..models import Helper, Household, Income, Measure, Person, PersonNameKey, StatusChange
from ..services import PROCEDURE_FIELDS
from ..validation import MIN_YEAR
from . import cells
from .columns import (
    BY_TITLE,
    HELPERS,
    HOUSEHOLD_NUMBER,
    HOUSEHOLDS,
    INCOMES,
    MEASURES,
    PERSONS,
    Sheet,
    is_example,
)

CHUNK = 2000  # keys per IN (...) lookup: well under SQLite's 32,766 parameters


class SystemActor:
    """The command line without --user: full scope, may edit, recorded as no user ("命令行")."""

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    username = "命令行"

    def scope_prefix(self) -> str:
        return ""

    def can_edit(self) -> bool:
        return True

    def __str__(self) -> str:
        return "命令行"


SYSTEM = SystemActor()


@dataclass(frozen=True)
class RowError:
    """One problem: sheet title, Excel row number (1 = header), column header, Chinese message."""

    sheet: str
    row: int
    column: str
    message: str


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    counts: dict[str, SheetCounts] = field(
        default_factory=lambda: {s.title: SheetCounts() for s in BY_TITLE.values()}
    )
    errors: list[RowError] = field(default_factory=list)
    batch: uuid.UUID | None = None
    dry_run: bool = False
    year: int | None = None  # the data year the rows were checked against (数据年度)
    year_source: str = ""  # "given" | "incomes" | "current"

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return ";".join(
            _("{sheet}:新增{created},修改{updated},未变{unchanged}").format(
                sheet=title, created=n.created, updated=n.updated, unchanged=n.unchanged
            )
            for title, n in self.counts.items()
        )


@dataclass
class Row:
    sheet: Sheet
    number: int  # Excel row number
    values: dict[str, Any]


class _Errors(list):
    layout = False  # a sheet's columns are wrong: its rows are not read, cross-sheet checks skipped

    def add(self, sheet: Sheet | str, row: int, column: str, message: str) -> None:
        title = sheet if isinstance(sheet, str) else sheet.title
        self.append(RowError(title, row, column, message))


def _chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _in(model: type[models.Model], lookup: str, keys: Iterable[Any]) -> list[Any]:
    """Instances whose `lookup` is one of `keys`, in chunked queries (never one per row)."""
    found: list[Any] = []
    for chunk in _chunks(set(keys)):
        found.extend(model.objects.filter(**{f"{lookup}__in": chunk}))
    return found


# Parsing -----------------------------------------------------------------------------------------


def read_rows(source: str | Path | IO[bytes], errors: _Errors) -> dict[str, list[Row]]:
    """Every non-empty data row of the known sheets, parsed; cell problems go to `errors`."""
    try:
        if isinstance(source, str | Path):
            book = CalamineWorkbook.from_path(str(source))
        else:
            book = CalamineWorkbook.from_filelike(source)
    except Exception:  # noqa: BLE001 - calamine raises several types for an unreadable file
        errors.add("", 0, "", _("无法读取文件,请上传 Excel (.xlsx) 格式的登记表"))
        return {}
    rows: dict[str, list[Row]] = {title: [] for title in BY_TITLE}
    known = [name for name in book.sheet_names if name.strip() in BY_TITLE]
    if not known:
        errors.add(
            "",
            0,
            "",
            _("文件中没有可导入的工作表(应为:{names})").format(names="、".join(BY_TITLE)),
        )
        return rows
    for name in known:
        sheet = BY_TITLE[name.strip()]
        rows[sheet.title] = _read_sheet(sheet, book.get_sheet_by_name(name).to_python(), errors)
    return rows


def fields_of(sheet: Sheet) -> set[str]:
    return {col.field for col in sheet.columns}


def _read_sheet(sheet: Sheet, data: list[list[Any]], errors: _Errors) -> list[Row]:
    if not data:
        return []
    by_header = {col.header: col for col in sheet.importable()}
    positions: dict[str, int] = {}
    for index, value in enumerate(data[0]):
        header = cells.text(value) if not cells.is_blank(value) else ""
        column = by_header.get(header)
        if column is None:
            continue  # read-only, unknown or our own 错误信息 column: ignored
        if column.field in positions:
            errors.add(sheet, 1, header, _("列重复"))
            errors.layout = True
        positions[column.field] = index
    missing = [
        col.header for col in sheet.importable() if col.required and col.field not in positions
    ]
    for header in missing:
        # One error per missing column: the sheet's rows are not read (each would miss it).
        errors.add(
            sheet,
            1,
            header,
            _("工作表「{sheet}」缺少必填列「{header}」").format(sheet=sheet.title, header=header),
        )
    if missing:
        errors.layout = True
        return []
    columns = [(sheet.column(name), index) for name, index in positions.items()]
    absent_keys = [f for f in sheet.key if f in fields_of(sheet) and f not in positions]
    lookups = {col.field: cells.choice_lookup(col) for col, _i in columns if col.choices}
    key_column = positions["number" if sheet is HOUSEHOLDS else "household_number"]
    rows = []
    for offset, raw in enumerate(data[1:], start=2):
        if all(cells.is_blank(v) for v in raw):
            continue
        if key_column < len(raw) and is_example(raw[key_column]):
            continue  # the template's example row (户编号 marked 示例), not data
        # A key column left out of the sheet takes its default (a measure without 内容 is "").
        values: dict[str, Any] = {f: sheet.column(f).default for f in absent_keys}
        for column, index in columns:
            value = raw[index] if index < len(raw) else None
            try:
                values[column.field] = cells.parse_cell(value, column, lookups.get(column.field))
            except cells.CellError as exc:
                errors.add(sheet, offset, column.header, str(exc))
                values[column.field] = None
        rows.append(Row(sheet, offset, values))
    return rows


# Validation and planning -------------------------------------------------------------------------


@dataclass
class _Plan:
    """What the write phase does, per model: new instances and (instance, changed fields, diff)."""

    creates: dict[type, list[tuple[models.Model, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # (instance, household number)
    updates: dict[type, list[tuple[models.Model, list[str], dict]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    renamed: list[Person] = field(default_factory=list)


def _compare(instance: models.Model, new: dict[str, Any]) -> tuple[list[str], dict]:
    """Set `new` on `instance`; return the fields that changed and their audit diff."""
    before = audit.snapshot(instance, list(new))
    after = {}
    for name, value in new.items():
        attname = instance._meta.get_field(name).attname
        after[name] = audit.plain(value)
        setattr(instance, attname, value)
    changes = audit.diff(before, after)
    # diff() masks sensitive values; the changed field names are what the write needs.
    return [instance._meta.get_field(n).attname for n in changes], changes


class _Importer:
    def __init__(self, acting_user: Any, today: datetime.date, year: int | None = None) -> None:
        self.user = acting_user
        self.scope = acting_user.scope_prefix()
        self.today = today
        self.year = year  # 数据年度; settled by `data_year` once the rows are read
        self.errors = _Errors()
        self.result = ImportResult()
        self.plan = _Plan()

    def in_scope(self, code: str) -> bool:
        return self.scope is not None and code.startswith(self.scope)

    # -- households
    def households(self, rows: list[Row]) -> None:
        sheet = HOUSEHOLDS
        seen: dict[str, int] = {}
        numbers = {r.values.get("number") for r in rows} - {None}
        self.existing_hh = {h.number: h for h in _in(Household, "number", numbers)}
        codes = {r.values.get("village_id") for r in rows} - {None}
        villages = {
            a["code"]: a["level"]
            for chunk in _chunks(codes)
            for a in Area.objects.filter(code__in=chunk).values("code", "level")
        }
        self.file_hh: dict[str, Row] = {}
        for row in rows:
            number, code = row.values.get("number"), row.values.get("village_id")
            if number:
                if number in seen:
                    errors_msg = _("户编号在文件中重复(与第{row}行)").format(row=seen[number])
                    self.errors.add(sheet, row.number, HOUSEHOLD_NUMBER, errors_msg)
                    continue
                seen[number] = row.number
                self.file_hh[number] = row
            header = sheet.column("village_id").header
            if code:
                if code not in villages:
                    self.errors.add(
                        sheet, row.number, header, _("区划代码「{code}」不存在").format(code=code)
                    )
                elif villages[code] != "village":
                    self.errors.add(
                        sheet,
                        row.number,
                        header,
                        _("区划代码「{code}」不是行政村").format(code=code),
                    )
                elif not self.in_scope(code):
                    self.errors.add(sheet, row.number, header, _("该村不在您的管辖范围内"))
            existing = self.existing_hh.get(number)
            if existing is not None and not self.in_scope(existing.village_id):
                self.errors.add(
                    sheet, row.number, HOUSEHOLD_NUMBER, _("该户编号已登记在您管辖范围以外的村")
                )
            new = {k: v for k, v in row.values.items() if k != "number"}
            new["village"] = new.pop("village_id", None)
            if existing is not None:
                # As on the form: a registered household's status changes through a procedure.
                for name in PROCEDURE_FIELDS:
                    value = new.get(name)
                    if value not in (None, "") and value != getattr(existing, name):
                        self.errors.add(
                            sheet,
                            row.number,
                            sheet.column(name).header,
                            _("贫困户状态和脱贫年度只能通过动态管理程序变更"),
                        )
            merged = audit.snapshot(existing) if existing else {}
            merged.update(new)
            typed = dict(new) if existing is not None else {**new, "number": number}
            # The number is checked against the county of a village that exists (a wrong code is
            # its own error), else only for its digits.
            county = code[:6] if code in villages else ""
            for problem in validation.check_values(typed, county=county):
                self.errors.add(
                    sheet, row.number, sheet.column(problem.field).header, problem.message
                )
            for problem in validation.check_household(merged):
                self.errors.add(
                    sheet, row.number, sheet.column(problem.field).header, problem.message
                )
            row.values = new

    # -- persons
    def persons(self, rows: list[Row]) -> None:
        sheet = PERSONS
        id_header = sheet.column("id_number").header
        seen: dict[str, int] = {}
        for row in rows:
            values = row.values
            number = idcodes.normalise(values.get("id_number") or "")
            values["id_number"] = number
            if not number:
                continue
            if number in seen:
                self.errors.add(
                    sheet,
                    row.number,
                    id_header,
                    _("证件号码在文件中重复(与第{row}行)").format(row=seen[number]),
                )
                continue
            seen[number] = row.number
            if None in (values.get("sex"), values.get("birth_date")) and idcodes.is_valid(number):
                facts = idcodes.parse(number)
                values["sex"] = values.get("sex") or facts.sex
                values["birth_date"] = values.get("birth_date") or facts.birth_date
            for problem in validation.check_person(values, self.year or self.today.year):
                self.errors.add(
                    sheet, row.number, sheet.column(problem.field).header, problem.message
                )
        self.existing_persons = {p.id_number: p for p in _in(Person, "id_number", seen)}

    def resolve_households(self, child_rows: dict[str, list[Row]]) -> None:
        """Every 户编号 on the other sheets names a household in the file or in the user's scope."""
        referenced = {
            r.values.get("household_number")
            for rows in child_rows.values()
            for r in rows
            if r.values.get("household_number")
        }
        owner_ids = {p.household_id for p in self.existing_persons.values()}
        missing = referenced - set(self.existing_hh)
        for h in _in(Household, "number", missing):
            self.existing_hh[h.number] = h
        known_ids = {h.pk for h in self.existing_hh.values()}
        self.hh_by_id = {h.pk: h for h in self.existing_hh.values()}
        for h in _in(Household, "pk", owner_ids - known_ids):
            self.hh_by_id[h.pk] = h
        for title, rows in child_rows.items():
            for row in rows:
                number = row.values.get("household_number")
                if not number or number in self.file_hh:
                    continue
                existing = self.existing_hh.get(number)
                if existing is None:
                    self.errors.add(
                        title,
                        row.number,
                        HOUSEHOLD_NUMBER,
                        _("户编号「{number}」不存在").format(number=number),
                    )
                elif not self.in_scope(existing.village_id):
                    self.errors.add(
                        title, row.number, HOUSEHOLD_NUMBER, _("该户不在您的管辖范围内")
                    )

    def status_of(self, household: Household) -> str:
        row = self.file_hh.get(household.number)
        if row is not None and row.values.get("status"):
            return row.values["status"]
        return household.status

    def members(self, person_rows: list[Row]) -> None:
        """Persons move only out of inactive households; every household has exactly one head."""
        sheet = PERSONS
        id_header = sheet.column("id_number").header
        file_ids = {r.values["id_number"] for r in person_rows if r.values.get("id_number")}
        touched = set(self.file_hh) | {
            r.values["household_number"] for r in person_rows if r.values.get("household_number")
        }
        touched_ids = {self.existing_hh[n].pk for n in touched if n in self.existing_hh}
        members: dict[str, dict[str, str]] = defaultdict(dict)  # household number → id → relation
        kept = []
        for chunk in _chunks(touched_ids):
            kept.extend(
                Person.objects.filter(household_id__in=chunk).values(
                    "household_id", "id_number", "relation"
                )
            )
        for p in kept:
            if p["id_number"] not in file_ids:
                members[self.hh_by_id[p["household_id"]].number][p["id_number"]] = p["relation"]
        first_row: dict[str, Row] = {}
        for row in person_rows:
            number, id_number = row.values.get("household_number"), row.values.get("id_number")
            if not number or not id_number:
                continue
            first_row.setdefault(number, row)
            members[number][id_number] = row.values.get("relation") or ""
            existing = self.existing_persons.get(id_number)
            if existing is None:
                continue
            owner = self.hh_by_id[existing.household_id]
            if owner.number == number:
                continue
            if self.status_of(owner) in c.ACTIVE_STATUSES:
                self.errors.add(
                    sheet,
                    row.number,
                    id_header,
                    _("该证件号码已登记在户 {number} 中").format(number=owner.number),
                )
            elif not self.in_scope(owner.village_id):
                self.errors.add(
                    sheet, row.number, id_header, _("该证件号码已登记在您管辖范围以外的户中")
                )
        self.member_counts = {n: len(m) for n, m in members.items()}
        for number in sorted(touched):
            listed = [{"id_number": k, "relation": v} for k, v in members[number].items()]
            for problem in validation.check_members(listed):
                if number in self.file_hh:
                    where = (HOUSEHOLDS, self.file_hh[number].number, HOUSEHOLD_NUMBER)
                else:
                    where = (sheet, first_row[number].number, sheet.column("relation").header)
                self.errors.add(*where, f"{number} {problem.message}")

    def values(self, sheet: Sheet, rows: list[Row]) -> None:
        """The shared single-value checks (years, amounts, phone) of a child sheet's rows."""
        for row in rows:
            for problem in validation.check_values(row.values):
                self.errors.add(
                    sheet, row.number, sheet.column(problem.field).header, problem.message
                )

    def unique_rows(self, sheet: Sheet, rows: list[Row], fields: tuple[str, ...]) -> None:
        seen: dict[tuple, int] = {}
        for row in rows:
            key = tuple(row.values.get(f) for f in fields)
            if None in key:
                continue
            if key in seen:
                self.errors.add(
                    sheet,
                    row.number,
                    sheet.column(fields[1]).header,
                    _("与第{row}行重复").format(row=seen[key]),
                )
            else:
                seen[key] = row.number

    # -- planning (after validation passed): what to create and what changed
    def plan_households(self) -> None:
        counts = self.result.counts[HOUSEHOLDS.title]
        for number, row in self.file_hh.items():
            existing = self.existing_hh.get(number)
            if existing is None:
                household = Household(number=number)
                for name, value in row.values.items():
                    setattr(household, Household._meta.get_field(name).attname, value)
                self.plan.creates[Household].append((household, number))
                counts.created += 1
                continue
            changed, diff = _compare(existing, row.values)
            if changed:
                self.plan.updates[Household].append((existing, changed, diff))
                counts.updated += 1
            else:
                counts.unchanged += 1

    def plan_persons(self, rows: list[Row]) -> None:
        counts = self.result.counts[PERSONS.title]
        for row in rows:
            values = dict(row.values)
            number = values.pop("household_number")
            existing = self.existing_persons.get(values["id_number"])
            if existing is None:
                person = Person(**values)
                self.plan.creates[Person].append((person, number))
                counts.created += 1
                continue
            old_name = existing.name
            old_household = self.hh_by_id[existing.household_id]
            changed, diff = _compare(existing, values)
            if old_household.number != number:
                diff["household"] = [old_household.number, number]
                changed.append("household_id")
                existing._move_to = number  # type: ignore[attr-defined]
            if changed:
                self.plan.updates[Person].append((existing, changed, diff))
                counts.updated += 1
                if existing.name != old_name:
                    self.plan.renamed.append(existing)
            else:
                counts.unchanged += 1

    def plan_children(self, sheet: Sheet, rows: list[Row]) -> None:
        model = sheet.model
        counts = self.result.counts[sheet.title]
        referenced = self.referenced(rows)
        ids = {h.pk for n, h in self.existing_hh.items() if n in referenced}
        existing: dict[tuple, Any] = {}
        for item in _in(model, "household_id", ids):
            number = self.hh_by_id[item.household_id].number
            key = (number, *(getattr(item, f) for f in sheet.key[1:]))
            existing[key] = item
        for row in rows:
            values = dict(row.values)
            number = values.pop("household_number")
            if model is Income and values.get("members_count") is None:
                values["members_count"] = self.member_counts.get(number, 0)
            key = (number, *(values[f] for f in sheet.key[1:]))
            item = existing.get(key)
            if item is None:
                item = model(**values)
                if model is Income:
                    item.recompute()
                self.plan.creates[model].append((item, number))
                counts.created += 1
                continue
            if model is Income:
                probe = Income(**values)
                probe.recompute()
                values.update({f: getattr(probe, f) for f in ("transfer_income", "net_income")})
                values["income_per_capita"] = probe.income_per_capita
            changed, diff = _compare(item, values)
            if changed:
                self.plan.updates[model].append((item, changed, diff))
                counts.updated += 1
            else:
                counts.unchanged += 1

    @staticmethod
    def referenced(rows: list[Row]) -> set[str]:
        return {r.values["household_number"] for r in rows}


# Writing -----------------------------------------------------------------------------------------


def _write(imp: _Importer, batch: uuid.UUID, name: str, message: str) -> None:
    plan, user = imp.plan, imp.user
    now = timezone.now()
    entries: list[dict[str, Any]] = []
    actor = user if getattr(user, "pk", None) else None

    def log(action: str, instance: Any, household: Household, changes: dict) -> None:
        entries.append(
            audit.entry_values(
                actor=actor,
                action=action,
                instance=instance,
                changes=changes,
                household_id=household.pk,
                area_code=household.village_id,
                batch=batch,
                message=message,
            )
        )

    # Households first: children point at them.
    new_households = [h for h, _n in plan.creates[Household]]
    bulk.insert(Household, new_households)
    by_number = {h.number: h for h in imp.existing_hh.values()}
    by_number.update({h.number: h for h in new_households})
    by_pk = {h.pk: h for h in by_number.values()}
    _update(Household, plan.updates[Household], now)
    bulk.insert(
        StatusChange,
        [
            StatusChange(
                household_id=h.pk,
                date=imp.today,
                old_status="",
                new_status=h.status,
                reason=_("建档立卡(导入)"),
                actor=actor,
            )
            for h in new_households
        ],
    )
    for h in new_households:
        log(Action.CREATE, h, h, _created(h))
    for h, _fields, changes in plan.updates[Household]:
        log(Action.UPDATE, h, h, changes)

    # Persons: demote heads before anyone is promoted (one head per household is a constraint).
    for person, number in plan.creates[Person]:
        person.household_id = by_number[number].pk
    for person, _f, _d in plan.updates[Person]:
        target = getattr(person, "_move_to", None)
        if target:
            person.household_id = by_number[target].pk
    demoting = [u for u in plan.updates[Person] if u[0].relation != c.Relation.HEAD]
    promoting = [u for u in plan.updates[Person] if u[0].relation == c.Relation.HEAD]
    _update(Person, demoting, now)
    new_persons = [p for p, _n in plan.creates[Person]]
    bulk.insert(Person, new_persons)
    _update(Person, promoting, now)
    for person in new_persons:
        log(
            Action.CREATE,
            person,
            by_pk[person.household_id],
            _created(person),
        )
    for person, _fields, changes in plan.updates[Person]:
        log(Action.UPDATE, person, by_pk[person.household_id], changes)
    for chunk in _chunks([p.pk for p in plan.renamed]):
        PersonNameKey.objects.filter(person_id__in=chunk).delete()
    bulk.insert_dicts(
        PersonNameKey,
        [
            {"person_id": p.pk, "key": k}
            for p in [*new_persons, *plan.renamed]
            for k in namekeys.name_keys(p.name)
        ],
    )

    for model in (Income, Helper, Measure):
        created = []
        for item, number in plan.creates[model]:
            item.household_id = by_number[number].pk
            created.append(item)
        bulk.insert(model, created)
        _update(model, plan.updates[model], now)
        for item in created:
            log(Action.CREATE, item, by_pk[item.household_id], _created(item))
        for item, _fields, changes in plan.updates[model]:
            log(Action.UPDATE, item, by_pk[item.household_id], changes)

    entries.append(
        audit.entry_values(
            actor=actor,
            action=Action.IMPORT,
            model="registry.household",
            object_repr=name[:200],
            changes={
                title: {"created": n.created, "updated": n.updated, "unchanged": n.unchanged}
                for title, n in imp.result.counts.items()
            },
            area_code=imp.scope or "",
            batch=batch,
            message="{}{}".format(message + ": " if message else "", imp.result.summary()),
        )
    )
    bulk.insert_dicts(AuditEntry, entries)


def _update(
    model: type, updates: list[tuple[Any, list[str], dict]], now: datetime.datetime
) -> None:
    """bulk_update grouped by the set of changed fields (one UPDATE … CASE per group and batch)."""
    groups: dict[tuple[str, ...], list[Any]] = defaultdict(list)
    for instance, fields, _diff in updates:
        instance.updated = now
        groups[tuple(sorted(set(fields)))].append(instance)
    for fields, instances in groups.items():
        model.objects.bulk_update(instances, [*fields, "updated"], batch_size=500)


def _created(instance: models.Model) -> dict[str, list[Any]]:
    """audit.diff({}, audit.snapshot(instance)) in one pass (this runs once per created row)."""
    changes = {}
    for name, value in sorted(audit.snapshot(instance).items()):
        if value is not None:
            mask = audit.MASKED_FIELDS.get(name)
            changes[name] = [None, mask(value) if mask else value]
    return changes


def _error_order(error: RowError) -> tuple[int, int, int]:
    """Sheet order, then row, then the column's place in the template."""
    titles = list(BY_TITLE)
    if error.sheet not in BY_TITLE:
        return (-1, error.row, 0)
    headers = [col.header for col in BY_TITLE[error.sheet].columns]
    column = headers.index(error.column) if error.column in headers else len(headers)
    return (titles.index(error.sheet), error.row, column)


# Entry point -------------------------------------------------------------------------------------


def data_year(
    rows: dict[str, list[Row]], given: int | None, today: datetime.date
) -> tuple[int, str]:
    """The 数据年度 the rows describe, and where it came from.

    Given (`--year`, the form's field) it is used as is; else the latest income year the workbook
    states (an export of 2018 data has 2018 incomes); else the current year.
    """
    if given:
        return given, "given"
    years = [r.values.get("year") for r in rows.get(INCOMES.title, [])]
    years = [y for y in years if isinstance(y, int) and MIN_YEAR <= y <= today.year + 1]
    if years:
        return max(years), "incomes"
    return today.year, "current"


def import_workbook(
    source: str | Path | IO[bytes] | bytes,
    *,
    acting_user: Any,
    dry_run: bool = False,
    name: str = "",
    year: int | None = None,
) -> ImportResult:
    """Validate the whole workbook; unless `dry_run` or an error, write it in one transaction.

    `year` is the data year (数据年度) age-dependent checks use; None: the workbook's latest
    income year, else the current year (`data_year`).
    """
    if acting_user is None or not acting_user.can_edit():
        raise PermissionDenied(_("您没有修改建档立卡数据的权限"))
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    if not name:
        name = Path(source).name if isinstance(source, str | Path) else "upload.xlsx"
    imp = _Importer(acting_user, timezone.localdate())
    if year is not None and not MIN_YEAR <= year <= imp.today.year + 1:
        imp.errors.add(
            "",
            0,
            "",
            _("数据年度应在{low}至{high}之间，实际为「{value}」").format(
                low=MIN_YEAR, high=imp.today.year + 1, value=year
            ),
        )
        imp.result.errors = list(imp.errors)
        imp.result.dry_run = dry_run
        return imp.result
    rows = read_rows(source, imp.errors)
    imp.year, imp.result.year_source = data_year(rows, year, imp.today)
    imp.result.year = imp.year
    # Validation and writing share one transaction: what was checked is what gets written.
    with transaction.atomic():
        _run(imp, rows, dry_run, name)
    return imp.result


def _run(imp: _Importer, rows: dict[str, list[Row]], dry_run: bool, name: str) -> None:
    if rows and not imp.errors.layout:
        children = {s.title: rows[s.title] for s in (PERSONS, INCOMES, HELPERS, MEASURES)}
        imp.households(rows[HOUSEHOLDS.title])
        imp.persons(rows[PERSONS.title])
        imp.resolve_households(children)
        imp.members(rows[PERSONS.title])
        for sheet in (INCOMES, HELPERS, MEASURES):
            imp.values(sheet, rows[sheet.title])
        imp.unique_rows(INCOMES, rows[INCOMES.title], ("household_number", "year"))
        imp.unique_rows(HELPERS, rows[HELPERS.title], ("household_number", "name", "unit"))
        imp.unique_rows(
            MEASURES, rows[MEASURES.title], ("household_number", "kind", "year", "description")
        )
    result = imp.result
    result.dry_run = dry_run
    result.errors = sorted(imp.errors, key=_error_order)
    if result.errors:
        return
    imp.plan_households()
    imp.plan_persons(rows[PERSONS.title])
    for sheet in (INCOMES, HELPERS, MEASURES):
        imp.plan_children(sheet, rows[sheet.title])
    if dry_run:
        return
    result.batch = uuid.uuid4()
    message = _("命令行") if imp.user is SYSTEM else ""
    _write(imp, result.batch, name, message)
