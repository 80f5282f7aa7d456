"""The headline figures year by year, from what the registry records: the households and members
by entry year, exit year and status (`spells_of`, or the dashboard's own per-village query), and
the dated status changes to 返贫, 监测户 and 销号 (one GROUP BY query).

What each year's figure means (also said on the page and in docs/user-guide.md):

- 新识别 (registered) in Y: households whose 识别年度 (entry_year) is Y and that were registered
  poor (status 未脱贫, 已脱贫, 返贫 or 销号; applicants and 监测户 were never counted poor);
- 脱贫 (exited) in Y: households whose 脱贫年度 (exit_year) is Y;
- 返贫 (relapsed) and 监测 (monitored) in Y: status changes to 返贫 / 监测户 dated in Y;
- 年末未脱贫 (poor at the end of Y): registered poor households from their entry year until the
  year before their exit year; a household now 返贫 again from the year of its relapse record;
  a household now 销号 until the year before its deregistration record;
- 贫困发生率 of Y: the members of the poor-at-year-end households ÷ the villages' rural
  population. Members and population are today's: the registry keeps no history of either.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.db.models.functions import ExtractYear

from jingzhun import rates
from jingzhun.procedures.queries import within
from jingzhun.registry import choices as c
from jingzhun.registry.models import Household, Person, StatusChange

S = c.Status
# Statuses of a household that was registered poor at some time.
EVER_POOR = (S.REGISTERED, S.EXITED, S.RELAPSED, S.DEREGISTERED)
# Those whose first spell of poverty runs from the entry year to the exit year.
FIRST_SPELL = (S.REGISTERED, S.EXITED, S.RELAPSED)
EVENTS = (S.RELAPSED, S.MONITORED, S.DEREGISTERED)


@dataclass
class Year:
    year: int
    registered: int = 0  # households
    exited: int = 0
    relapsed: int = 0
    monitored: int = 0
    poor_households: int = 0  # at the end of the year
    poor_persons: int = 0
    incidence: float | None = None


def spells_of(user: Any, code: str) -> dict[tuple[int, int | None, str], list[int]]:
    """(entry year, exit year, status) → [households, members] over area `code` (the
    dashboard gets the same from `figures.picture`, grouped by village too)."""
    households = within(Household.objects.visible_to(user), "village_id", code)
    persons = within(Person.objects.visible_to(user), "household__village_id", code)
    spells: dict[tuple[int, int | None, str], list[int]] = defaultdict(lambda: [0, 0])
    for entry, exit_year, status, n in (
        households.order_by()
        .values("entry_year", "exit_year", "status")
        .annotate(n=Count("id"))
        .values_list("entry_year", "exit_year", "status", "n")
    ):
        spells[(entry, exit_year, status)][0] += n
    for entry, exit_year, status, n in (
        persons.order_by()
        .values("household__entry_year", "household__exit_year", "household__status")
        .annotate(n=Count("id"))
        .values_list("household__entry_year", "household__exit_year", "household__status", "n")
    ):
        spells[(entry, exit_year, status)][1] += n
    return dict(spells)


def trend(
    user: Any,
    code: str,
    population: int,
    last_year: int,
    spells: dict[tuple[int, int | None, str], list[int]] | None = None,
) -> list[Year]:
    """Year rows from the first entry year to `last_year` (or the last year with a record) over
    area `code` ('' = the user's whole scope); `population` is the incidence's denominator;
    `spells` as `spells_of` gives them (read when not given)."""
    if spells is None:
        spells = spells_of(user, code)
    changes = within(StatusChange.objects.visible_to(user), "household__village_id", code)
    # (year of the change, new status, the household's status now, its entry year) → counts.
    # Persons: the members of the changed households (a join, so one row per member).
    events = list(
        changes.filter(new_status__in=EVENTS)
        .annotate(year=ExtractYear("date"))
        .order_by()
        .values("year", "new_status", "household__status", "household__entry_year")
        .annotate(households=Count("household", distinct=True), persons=Count("household__members"))
        .values_list(
            "year",
            "new_status",
            "household__status",
            "household__entry_year",
            "households",
            "persons",
        )
    )
    years = {entry for entry, _e, _s in spells} | {e for _n, e, _s in spells if e}
    years |= {row[0] for row in events}
    if not years:
        return []
    rows = {y: Year(y) for y in range(min(years), max(max(years), last_year) + 1)}

    def poor_from_to(first: int, until: int | None, n_households: int, n_persons: int) -> None:
        """Count as poor at the end of each year from `first` up to the year before `until`."""
        for row in rows.values():
            if first <= row.year and (until is None or row.year < until):
                row.poor_households += n_households
                row.poor_persons += n_persons

    for (entry, exit_year, status), (n_households, n_persons) in spells.items():
        if status in EVER_POOR and entry in rows:
            rows[entry].registered += n_households
        if exit_year in rows:
            rows[exit_year].exited += n_households
        if status in FIRST_SPELL:
            poor_from_to(entry, exit_year, n_households, n_persons)
    for year, new, status_now, entry, n_households, n_persons in events:
        row = rows[year]
        if new == S.RELAPSED:
            row.relapsed += n_households
            if status_now == S.RELAPSED:
                poor_from_to(year, None, n_households, n_persons)
        elif new == S.MONITORED:
            row.monitored += n_households
        elif new == S.DEREGISTERED and status_now == S.DEREGISTERED:
            poor_from_to(entry, year, n_households, n_persons)
    for row in rows.values():
        row.incidence = rates.percent(row.poor_persons, population)
    return [rows[y] for y in sorted(rows)]
