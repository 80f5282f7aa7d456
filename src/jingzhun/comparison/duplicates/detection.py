"""Detecting duplicates within the registry, set-based: one SQL statement per kind of pair,
portable between SQLite and PostgreSQL, over the registry's own tables.

- **Persons** (人员疑似重复): two persons of households not deregistered, in the same county
  (first 6 digits of the village code), with different ID numbers, the same birth date and the
  same name reading: the same characters, or one of the stored pinyin-initial keys
  (`registry.PersonNameKey`, 张三 → zs) in common. The initials are a coarse reading (张三 and
  赵四 share zs); the birth date and the county keep the pairs few, and a reviewer decides.
- **Households** (户疑似拆分或合并): two households of one county (deregistered ones included)
  with a member each matching as above, where one household was created within `days` (default
  90, `DUPLICATE_HOUSEHOLD_DAYS`) of a status change of the other (its deregistration, exit,
  return…; the status history's dated entries, not its first 建档立卡 entry). That is the trace
  a split (a new household for part of a family) or a merge leaves when the people were keyed in
  again under other numbers.

`find_duplicates` stores what it found: a new pair once (its key is the ordered ids), a pair
found again keeps its status (a decided pair is never reopened), a gone pair found again opens
again, and an open pair no longer found is marked 原因已消除. One audit entry per detection.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun import masking
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.registry.models import Household, Person, PersonNameKey

from ..choices import Basis, PairKind, PairStatus
from ..models import DuplicatePair

CHUNK = 500  # keys per IN list (SQLite limits the parameters of one statement)

# The name-reading test shared by both statements: same characters, or a pinyin key in common.
_SAME_READING = """(
    a.name = b.name OR EXISTS (
        SELECT 1 FROM registry_personnamekey ka
        JOIN registry_personnamekey kb ON kb.key = ka.key
        WHERE ka.person_id = a.id AND kb.person_id = b.id
    )
)"""


def window_days() -> int:
    return int(settings.DUPLICATE_HOUSEHOLD_DAYS)


def _persons(prefix: str, params: dict[str, Any]) -> str:
    """The persons under `prefix` with their household's facts, as a CTE both sides of the
    self-join read: joining the whole person table by birth date first costs seconds per
    statement at 1 M persons (SQLite builds a transient index over all of them)."""
    where = ""
    if prefix:
        params["low"], params["high"] = prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
        where = "WHERE h.village_id >= %(low)s AND h.village_id < %(high)s"
    return f"""WITH p AS (
        SELECT x.id, x.name, x.id_number, x.birth_date, x.household_id,
               h.village_id, h.status, h.created
        FROM registry_person x JOIN registry_household h ON h.id = x.household_id
        {where}
    )"""  # noqa: S608 - fixed text; values are parameters


def _days(expression: str) -> str:
    """Whole days since a fixed day of a date or timestamp column, on either database."""
    if connection.vendor == "postgresql":
        return f"(CAST({expression} AS date) - DATE '2000-01-01')"
    return f"CAST(julianday(date({expression})) AS INTEGER)"


def person_rows(prefix: str = "") -> list[tuple]:
    """(first id, second id, first village, second village, same name) of every person pair."""
    params: dict[str, Any] = {"deregistered": "deregistered"}
    sql = f"""{_persons(prefix, params)}
    SELECT a.id, b.id, a.village_id, b.village_id, CASE WHEN a.name = b.name THEN 1 ELSE 0 END
    FROM p a JOIN p b ON b.birth_date = a.birth_date AND b.id > a.id
    WHERE substr(b.village_id, 1, 6) = substr(a.village_id, 1, 6)
      AND a.id_number <> b.id_number
      AND a.status <> %(deregistered)s AND b.status <> %(deregistered)s
      AND {_SAME_READING}
    """  # noqa: S608 - fixed table names; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def household_rows(prefix: str = "", days: int | None = None) -> list[tuple]:
    """(household created, household changed, their villages, same name) of every household
    pair: a member of each matches and the first was created within `days` of a dated status
    change of the second (both orders come out of the one statement)."""
    params: dict[str, Any] = {"days": window_days() if days is None else days}
    sql = f"""{_persons(prefix, params)}
    SELECT DISTINCT a.household_id, b.household_id, a.village_id, b.village_id,
           CASE WHEN a.name = b.name THEN 1 ELSE 0 END
    FROM p a JOIN p b ON b.birth_date = a.birth_date AND b.household_id <> a.household_id
    WHERE substr(b.village_id, 1, 6) = substr(a.village_id, 1, 6)
      AND a.id_number <> b.id_number
      AND {_SAME_READING}
      AND EXISTS (
        SELECT 1 FROM registry_statuschange s
        WHERE s.household_id = b.household_id AND s.old_status <> ''
          AND {_days("s.date")} - {_days("a.created")} BETWEEN -%(days)s AND %(days)s
      )
    """  # noqa: S608 - fixed table names; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def counties(prefix: str = "") -> list[str]:
    """The county codes (6 digits) with households under `prefix`: a pair never crosses a
    county, so a detection wider than a county runs county by county (each statement small)."""
    if len(prefix) >= 6:
        return [prefix]
    households = Household.objects.all()
    if prefix:
        households = households.filter(village_id__startswith=prefix)
    villages = households.order_by().values_list("village_id", flat=True).distinct()
    return sorted({code[:6] for code in villages})


def common_area(first: str, second: str) -> str:
    """The smallest area holding both villages: the village, the township, else the county."""
    for length in (12, 9, 6):
        if first[:length] == second[:length]:
            return first[:length]
    return first[:6]


@dataclasses.dataclass(frozen=True)
class Found:
    kind: str
    key: str
    first: int
    second: int
    area_code: str
    basis: str


def found_pairs(prefix: str = "", days: int | None = None) -> dict[str, Found]:
    """Every pair under `prefix` now, by key (a household pair once, whichever order)."""
    found: dict[str, Found] = {}
    rows_by_kind = [
        (kind, rows)
        for county in counties(prefix)
        for kind, rows in (
            (PairKind.PERSON, person_rows(county)),
            (PairKind.HOUSEHOLD, household_rows(county, days)),
        )
    ]
    for kind, rows in rows_by_kind:
        for one, two, village_one, village_two, same_name in rows:
            first, second = min(one, two), max(one, two)
            key = f"{kind}:{first}:{second}"
            basis = Basis.NAME if same_name else Basis.READING
            if key in found and (found[key].basis == Basis.NAME or basis == Basis.READING):
                continue
            area = common_area(village_one, village_two)
            found[key] = Found(kind, key, first, second, area, basis)
    return found


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def shown_persons(person_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The side of a pair as the review shows it: names and ID numbers masked."""
    rows: dict[int, dict[str, Any]] = {}
    fields = (
        "pk", "name", "id_number", "sex", "birth_date", "relation", "household_id",
        "household__number", "household__village_id", "household__village__name",
        "household__status",
    )  # fmt: skip
    for chunk in _chunks(person_ids):
        for row in Person.objects.filter(pk__in=chunk).values(*fields):
            rows[row["pk"]] = {
                "person": row["pk"],
                "name": masking.mask_name(row["name"]),
                "id_number": masking.mask_id_number(row["id_number"]),
                "sex": row["sex"],
                "birth_date": row["birth_date"].isoformat(),
                "relation": row["relation"],
                "household": row["household_id"],
                "household_number": row["household__number"],
                "village": row["household__village_id"],
                "village_name": row["household__village__name"],
                "household_status": row["household__status"],
            }
    return rows


def shown_households(household_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """A household side (keyed by its negated id, beside the persons'): number, village, status,
    when it was created and the head's masked name."""
    rows: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(household_ids):
        for row in Household.objects.filter(pk__in=chunk).values(
            "pk", "number", "village_id", "village__name", "status", "created"
        ):
            rows[-row["pk"]] = {
                "household": row["pk"],
                "household_number": row["number"],
                "village": row["village_id"],
                "village_name": row["village__name"],
                "household_status": row["status"],
                "created": timezone.localtime(row["created"]).date().isoformat(),
            }
        heads = Person.objects.filter(household_id__in=chunk, relation="head")
        for household_id, name in heads.values_list("household_id", "name"):
            rows[-household_id]["head"] = masking.mask_name(name)
    return rows


def shown_members(household_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The members of each household as the review shows them (masked, as `shown_persons`),
    the head first: the two lists of a household pair's side-by-side review."""
    ids = list(household_ids)
    people = Person.objects.filter(household_id__in=ids).order_by("household_id", "pk")
    persons = list(people.values_list("pk", "household_id"))
    sides = shown_persons(pk for pk, _household in persons)
    members: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    for pk, household_id in persons:
        members[household_id].append(sides[pk])
    for rows in members.values():
        rows.sort(key=lambda row: row["relation"] != "head")
    return members


def likely_same(kept_id: int, other_id: int) -> dict[int, int]:
    """Member of `other_id` → the member of `kept_id` they are likely the same person as, by the
    detection's test (the same birth date and the same name or a pinyin-initial key in common):
    the review's suggestion of which members to drop as duplicates rather than move."""
    rows = list(
        Person.objects.filter(household_id__in=[kept_id, other_id])
        .order_by("pk")
        .values_list("pk", "household_id", "name", "birth_date")
    )
    keys: dict[int, set[str]] = {pk: set() for pk, *_rest in rows}
    name_keys = PersonNameKey.objects.filter(person_id__in=list(keys))
    for person_id, key in name_keys.values_list("person_id", "key"):
        keys[person_id].add(key)
    kept = [row for row in rows if row[1] == kept_id]
    found: dict[int, int] = {}
    for pk, household_id, name, born in rows:
        if household_id != other_id:
            continue
        for other_pk, _household, other_name, other_born in kept:
            if born == other_born and (name == other_name or keys[pk] & keys[other_pk]):
                found[pk] = other_pk
                break
    return found


def differing_positions(first: str, second: str) -> list[int]:
    """1-based positions where two ID numbers differ (the digits themselves are not shown)."""
    if len(first) != len(second):
        return []
    return [i + 1 for i, (x, y) in enumerate(zip(first, second, strict=True)) if x != y]


def current_shown(pair: DuplicatePair) -> dict[str, Any]:
    """Both sides as they are now while the pair is open (an edit since the detection shows);
    a decided or gone pair as it was stored."""
    if pair.status != PairStatus.OPEN:
        return pair.shown or {}
    found = Found(
        pair.kind,
        pair.key,
        (pair.first_person_id if pair.kind == PairKind.PERSON else pair.first_household_id) or 0,
        (pair.second_person_id if pair.kind == PairKind.PERSON else pair.second_household_id) or 0,
        pair.area_code,
        pair.basis,
    )
    now = _snapshot([found]).get(pair.key, {})
    stored = pair.shown or {}
    return {
        "first": now.get("first") or stored.get("first", {}),
        "second": now.get("second") or stored.get("second", {}),
        "differing": now.get("differing", stored.get("differing", [])),
    }


@dataclasses.dataclass
class Outcome:
    new: int = 0
    again: int = 0
    reopened: int = 0
    gone: int = 0


def _snapshot(found: list[Found]) -> dict[str, dict[str, Any]]:
    """`shown` of each new pair: both persons (masked); for a household pair, its households."""
    persons = [f for f in found if f.kind == PairKind.PERSON]
    ids = {i for f in persons for i in (f.first, f.second)}
    sides = shown_persons(ids)
    numbers: dict[int, str] = {}
    for chunk in _chunks(ids):
        numbers.update(Person.objects.filter(pk__in=chunk).values_list("pk", "id_number"))
    shown: dict[str, dict[str, Any]] = {}
    households = [f for f in found if f.kind == PairKind.HOUSEHOLD]
    sides = sides | shown_households({i for f in households for i in (f.first, f.second)})
    for f in households:
        shown[f.key] = {"first": sides.get(-f.first, {}), "second": sides.get(-f.second, {})}
    for f in persons:
        shown[f.key] = {
            "first": sides.get(f.first, {}),
            "second": sides.get(f.second, {}),
            "differing": differing_positions(numbers.get(f.first, ""), numbers.get(f.second, "")),
        }
    return shown


def _new_pair(f: Found, shown: dict[str, Any], now: Any) -> DuplicatePair:
    person = f.kind == PairKind.PERSON
    return DuplicatePair(
        kind=f.kind,
        key=f.key,
        basis=f.basis,
        area_code=f.area_code,
        first_person_id=f.first if person else None,
        second_person_id=f.second if person else None,
        first_household_id=None if person else f.first,
        second_household_id=None if person else f.second,
        shown=shown,
        status=PairStatus.OPEN,
        first_found=now,
        last_found=now,
    )


@transaction.atomic
def find_duplicates(
    *, prefix: str = "", acting_user: Any = None, days: int | None = None
) -> Outcome:
    """Detect the pairs under `prefix` and store them (see the module's docstring)."""
    found = found_pairs(prefix, days)
    now = timezone.now()
    existing: dict[str, str] = {}
    for chunk in _chunks(found):
        existing.update(DuplicatePair.objects.filter(key__in=chunk).values_list("key", "status"))
    outcome = Outcome()
    new = [f for key, f in found.items() if key not in existing]
    shown = _snapshot(new)
    # ignore_conflicts: a detection of the same county running at the same moment (a second
    # click) has inserted the same keys; the pair is stored once either way.
    DuplicatePair.objects.bulk_create(
        [_new_pair(f, shown.get(f.key, {}), now) for f in new],
        batch_size=CHUNK,
        ignore_conflicts=True,
    )
    outcome.new = len(new)
    gone_again = [key for key, status in existing.items() if status == PairStatus.GONE]
    for chunk in _chunks(gone_again):
        DuplicatePair.objects.filter(key__in=chunk).update(status=PairStatus.OPEN, gone=None)
    outcome.reopened = len(gone_again)
    for chunk in _chunks(existing):
        DuplicatePair.objects.filter(key__in=chunk).update(last_found=now)
    outcome.again = len(existing) - len(gone_again)
    open_pairs = DuplicatePair.objects.filter(status=PairStatus.OPEN)
    if prefix:
        open_pairs = open_pairs.filter(area_code__startswith=prefix)
    lost = [pk for pk, key in open_pairs.values_list("pk", "key") if key not in found]
    for chunk in _chunks(lost):
        DuplicatePair.objects.filter(pk__in=chunk).update(status=PairStatus.GONE, gone=now)
    outcome.gone = len(lost)
    message = _("查找疑似重复：新发现 {new} 对，再次发现 {again} 对，重新出现 {reopened} 对，"
                "原因已消除 {gone} 对").format(**dataclasses.asdict(outcome))  # fmt: skip
    audit.record(
        actor=acting_user if getattr(acting_user, "pk", None) else None,
        action=Action.CREATE,
        model="comparison.duplicatepair",
        object_repr=_("查找疑似重复"),
        changes={"area": prefix, **dataclasses.asdict(outcome)},
        area_code=prefix,
        message=message,
    )
    return outcome
