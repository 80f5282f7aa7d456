"""Check the rows of the registry workbook: the shared validation of each record, the
references between sheets (户编号, 证件号码), the user's scope, one head per household.

Every problem is collected (`Errors`); nothing is written here. The lookups are chunked `IN`
queries, never one per row.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from jingzhun import idcodes
from jingzhun.areas.models import Area
from jingzhun.audit import services as audit
from jingzhun.workbook import RowError, SheetCounts

from .. import choices as c
from .. import validation
from ..models import Household, Person
from ..services import PROCEDURE_FIELDS
from .columns import BY_TITLE, HOUSEHOLD_NUMBER, HOUSEHOLDS, PERSONS, Sheet
from .reading import Errors, Row

CHUNK = 2000  # keys per IN (...) lookup: well under SQLite's 32,766 parameters


@dataclass
class ImportResult:
    """What `import_workbook` answers: counts per sheet, the errors, the batch id of a write."""

    counts: dict[str, SheetCounts] = field(
        default_factory=lambda: {s.title: SheetCounts() for s in BY_TITLE.values()}
    )
    errors: list[RowError] = field(default_factory=list)
    batch: uuid.UUID | None = None
    dry_run: bool = False
    year: int | None = None  # the data year the rows were checked against (数据年度)
    year_source: str = ""  # "given" | "incomes" | "current"
    # Seconds per step (read, check, plan, write: the write alone holds the write lock).
    timings: dict[str, float] = field(default_factory=dict)
    rechecked: bool = False  # data changed while checking: checked again inside the lock

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


def chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def lookup_in(model: type[models.Model], lookup: str, keys: Iterable[Any]) -> list[Any]:
    """Instances whose `lookup` is one of `keys`, in chunked queries (never one per row)."""
    found: list[Any] = []
    for chunk in chunks(set(keys)):
        found.extend(model.objects.filter(**{f"{lookup}__in": chunk}))
    return found


class Importer:
    """One import's state: the user and scope, the rows' database counterparts found while
    checking (households, persons, member counts), the errors and the result."""

    def __init__(self, acting_user: Any, today: datetime.date, year: int | None = None) -> None:
        self.user = acting_user
        self.scope = acting_user.scope_prefix()
        self.today = today
        self.year = year  # 数据年度; settled by `data_year` once the rows are read
        self.errors = Errors()
        self.result = ImportResult()

    def households_read(self) -> set[int]:
        """The existing households the check read (by 户编号, or as the household of a person
        found by ID number): a change to any of them may change its outcome."""
        found = {h.pk for h in getattr(self, "existing_hh", {}).values()}
        return found | set(getattr(self, "hh_by_id", {}))

    def in_scope(self, code: str) -> bool:
        return self.scope is not None and code.startswith(self.scope)

    # -- households
    def households(self, rows: list[Row]) -> None:
        sheet = HOUSEHOLDS
        seen: dict[str, int] = {}
        numbers = {r.values.get("number") for r in rows} - {None}
        self.existing_hh = {h.number: h for h in lookup_in(Household, "number", numbers)}
        codes = {r.values.get("village_id") for r in rows} - {None}
        villages = {
            a["code"]: a["level"]
            for chunk in chunks(codes)
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
        self.existing_persons = {p.id_number: p for p in lookup_in(Person, "id_number", seen)}

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
        for h in lookup_in(Household, "number", missing):
            self.existing_hh[h.number] = h
        known_ids = {h.pk for h in self.existing_hh.values()}
        self.hh_by_id = {h.pk: h for h in self.existing_hh.values()}
        for h in lookup_in(Household, "pk", owner_ids - known_ids):
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
        for chunk in chunks(touched_ids):
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
            # The other household is named only inside the user's scope, as on the form and
            # the API (services._check_person_unique): its number locates the person.
            if not self.in_scope(owner.village_id):
                self.errors.add(
                    sheet, row.number, id_header, _("该证件号码已登记在您管辖范围以外的户中")
                )
            elif self.status_of(owner) in c.ACTIVE_STATUSES:
                self.errors.add(
                    sheet,
                    row.number,
                    id_header,
                    _("该证件号码已登记在户 {number} 中").format(number=owner.number),
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
