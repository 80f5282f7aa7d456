"""驾驶舱 figures of one area: per village, rolled up to the areas one level under it (a county's
townships, a township's villages, a province's or city's counties) and to the whole area.

Every query starts from `visible_to(user)` and is narrowed to the area shown; each is one
GROUP BY by village (or task area), so the number of queries is fixed whatever the number of
townships and villages. The roll-up to child areas is a loop over the grouped rows in Python,
never a query per area.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.utils.translation import gettext_lazy as _

from jingzhun import areacodes, rates
from jingzhun.areas.models import Area, exited_by, planned_in
from jingzhun.assessment.reports import CHILD_LENGTH, required_villages
from jingzhun.comparison.choices import OPEN_TASKS
from jingzhun.comparison.models import VerificationTask
from jingzhun.procedures.flows import FLOWS, Kind, StepId
from jingzhun.procedures.models import Procedure
from jingzhun.procedures.queries import IN_NOTICE, open_q, overdue_q, stage_label, within
from jingzhun.registry import choices as c
from jingzhun.registry.models import Household, Person

LEVEL_OF_LENGTH = {length: level for level, length in areacodes.PREFIX_LENGTH.items()}


@dataclass
class Figures:
    """The figures of one area (a village, a child area or the whole area shown)."""

    code: str
    name: str
    level: str
    parent: str = ""  # the child area a village belongs to
    households: Counter = field(default_factory=Counter)  # status → households
    persons: Counter = field(default_factory=Counter)  # status → members
    population: int = 0  # the villages' rural population (农村户籍人口)
    villages: int = 0
    poor_villages: int = 0
    exited_villages: int = 0  # exit announced in or before the year (areas.models.exited_by)
    planned_villages: int = 0  # not exited, planned for the year (areas.models.planned_in)
    open_procedures: int = 0
    overdue_procedures: int = 0
    open_tasks: int = 0
    overdue_tasks: int = 0

    def add(self, other: Figures) -> None:
        self.households.update(other.households)
        self.persons.update(other.persons)
        for name in (
            "population",
            "villages",
            "poor_villages",
            "exited_villages",
            "planned_villages",
            "open_procedures",
            "overdue_procedures",
            "open_tasks",
            "overdue_tasks",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def poor_households(self) -> int:
        return sum(self.households[s] for s in c.POOR_STATUSES)

    @property
    def poor_persons(self) -> int:
        return sum(self.persons[s] for s in c.POOR_STATUSES)

    @property
    def incidence(self) -> float | None:
        """Poor persons (registered or relapsed households' members) × 100 ÷ rural population,
        two decimals half up (the same definition as the home page and the county standard)."""
        return rates.percent(self.poor_persons, self.population)

    @property
    def overdue(self) -> int:
        return self.overdue_procedures + self.overdue_tasks

    @property
    def required_villages(self) -> int:
        """Poor villages that must have exited for the county rule: ceil(90%)."""
        return required_villages(self.poor_villages)

    @property
    def exit_gap(self) -> int:
        return max(0, self.required_villages - self.exited_villages - self.planned_villages)

    @property
    def exit_share(self) -> float | None:
        """Exited and planned poor villages as a share of all poor villages (%)."""
        return rates.percent(self.exited_villages + self.planned_villages, self.poor_villages)

    def value(self, indicator: str) -> float | int | None:
        """The value the map colours by (INDICATORS' keys)."""
        return _READ[indicator](self)

    def values(self) -> list[float | int | None]:
        """Every indicator's value, in INDICATORS' order (each computed once)."""
        return [_READ[key](self) for key, _label, _target in INDICATORS]


# key, label, the list that holds exactly the counted rows ({code}: the region's code)
POOR_LIST = "households:?area={code}&status=registered&status=relapsed"
INDICATORS: list[tuple[str, Any, str]] = [
    ("incidence", _("贫困发生率（%）"), POOR_LIST),
    ("poor_persons", _("未脱贫人口"), POOR_LIST),
    ("poor_households", _("未脱贫户数（含返贫）"), POOR_LIST),
    ("exited_households", _("已脱贫户数"), "households:?area={code}&status=exited"),
    ("monitored_households", _("监测户数"), "households:?area={code}&status=monitored"),
    ("overdue", _("逾期工作（程序和核查任务）"), "procedures:?area={code}"),
    ("open_tasks", _("待办核查任务"), "tasks:?status=open&area={code}"),
    ("exit_share", _("贫困村已出列和计划出列占比（%）"), "areas:?area={code}"),
]
# How each indicator's value is read from a Figures (a property, or a method for counts by status).
_READ = {
    "incidence": lambda f: f.incidence,
    "poor_persons": lambda f: f.poor_persons,
    "poor_households": lambda f: f.poor_households,
    "exited_households": lambda f: f.households[c.Status.EXITED],
    "monitored_households": lambda f: f.households[c.Status.MONITORED],
    "overdue": lambda f: f.overdue,
    "open_tasks": lambda f: f.open_tasks,
    "exit_share": lambda f: f.exit_share,
}


@dataclass
class Picture:
    """Everything the dashboard shows of one area."""

    base: Area | None  # None: everything the user sees (a user without an area)
    year: int
    total: Figures
    children: list[Figures]
    villages: list[Figures]
    stages: list[dict[str, Any]]  # open procedures by kind and stage
    outside_tasks: int = 0  # open tasks recorded above the child areas (a county-level task)
    # (entry year, exit year, status) → [households, members]: the trend's input (trend.py)
    spells: dict = field(default_factory=dict)


def child_length(prefix: str) -> int:
    return CHILD_LENGTH[len(prefix)]


def _child_of(code: str, length: int) -> str:
    return areacodes.pad(code[:length])


def _stage_order(item: tuple[tuple[str, str, str, str, bool], int]) -> tuple[str, float]:
    """Kinds in order, then their stages in the flow's order (公示中 right after 待公示)."""
    kind, key = item[0][0], item[0][1]
    steps = [step.id for step in FLOWS[kind].steps]
    if key == IN_NOTICE and StepId.NOTICE in steps:
        return kind, steps.index(StepId.NOTICE) + 0.5
    return kind, float(steps.index(key)) if key in steps else float(len(steps))


def picture(user: Any, base: Area | None, year: int, today: datetime.date) -> Picture:
    """The figures of `base` (None: the user's whole scope), its child areas and its villages,
    for the exit `year`. Seven queries."""
    code = base.code if base else ""
    prefix = base.prefix if base else ""
    length = child_length(prefix)
    child_level = LEVEL_OF_LENGTH[length]
    total = Figures(code, base.name if base else str(_("全部区划")), base.level if base else "")

    # 1. The child areas and the villages (names, population, exit facts): one query.
    areas = (
        within(Area.objects.visible_to(user), "code", code)
        .filter(level__in={child_level, "village"})
        .annotate(
            exited=ExpressionWrapper(exited_by(year), output_field=BooleanField()),
            planned=ExpressionWrapper(planned_in(year), output_field=BooleanField()),
        )
        .order_by("code")
        .values_list(
            "code", "name", "level", "rural_population", "poor_village", "exited", "planned"
        )
    )
    children: dict[str, Figures] = {}
    villages: dict[str, Figures] = {}
    for area_code, name, level, population, poor, exited, planned in areas:
        if level == child_level:
            children[area_code] = Figures(area_code, name, level)
        if level == "village":
            villages[area_code] = Figures(
                area_code,
                name,
                level,
                parent=_child_of(area_code, length),
                population=population or 0,
                villages=1,
                poor_villages=int(bool(poor)),
                exited_villages=int(bool(exited)),
                planned_villages=int(bool(planned)),
            )

    def village(area_code: str) -> Figures:
        # A row of a village the area query did not return cannot be (foreign keys), but a
        # figure is never dropped: it still counts in the totals.
        found = villages.get(area_code)
        if found is None:  # built only when missing: this runs once per grouped row
            found = villages[area_code] = Figures(
                area_code, area_code, "village", _child_of(area_code, length)
            )
        return found

    # 2. Households and 3. members by village, status, entry and exit year: the village's
    # figures, and (summed over villages) the trend's spells, so the trend scans neither table
    # again.
    spells: dict[tuple[int, int | None, str], list[int]] = defaultdict(lambda: [0, 0])
    for village_code, status, entry, exit_year, n in (
        within(Household.objects.visible_to(user), "village_id", code)
        .order_by()
        .values("village_id", "status", "entry_year", "exit_year")
        .annotate(n=Count("id"))
        .values_list("village_id", "status", "entry_year", "exit_year", "n")
    ):
        village(village_code).households[status] += n
        spells[(entry, exit_year, status)][0] += n
    for village_code, status, entry, exit_year, n in (
        within(Person.objects.visible_to(user), "household__village_id", code)
        .order_by()
        .values(
            "household__village_id",
            "household__status",
            "household__entry_year",
            "household__exit_year",
        )
        .annotate(n=Count("id"))
        .values_list(
            "household__village_id",
            "household__status",
            "household__entry_year",
            "household__exit_year",
            "n",
        )
    ):
        village(village_code).persons[status] += n
        spells[(entry, exit_year, status)][1] += n
    # 4. Open procedures by village, kind and state: overdue ones and those in a running notice.
    stage_counts: Counter = Counter()
    for row in (
        within(Procedure.objects.visible_to(user), "village_id", code)
        .filter(open_q())
        .order_by()
        .values("village_id", "kind", "state")
        .annotate(
            n=Count("id"),
            late=Count("id", filter=overdue_q(today)),
            running=Count("id", filter=Q(state=StepId.NOTICE, notice__end__gte=today)),
        )
    ):
        figures = village(row["village_id"])
        figures.open_procedures += row["n"]
        figures.overdue_procedures += row["late"]
        if row["running"]:
            stage_counts[(row["kind"], *stage_label(row["kind"], row["state"], True))] += row[
                "running"
            ]
        if row["n"] - row["running"]:
            stage_counts[(row["kind"], *stage_label(row["kind"], row["state"]))] += (
                row["n"] - row["running"]
            )

    total_villages = Figures("", "", "")
    for figures in villages.values():
        total_villages.add(figures)
        if figures.parent in children and figures.level != child_level:
            children[figures.parent].add(figures)
    if child_level == "village":
        children = villages
    total.add(total_villages)

    # 5. Open verification tasks by the area they were sent to (a village, or a township or
    # county for a finding without a village).
    outside = 0
    for area_code, n, late in (
        within(VerificationTask.objects.visible_to(user), "area_code", code)
        .filter(status__in=OPEN_TASKS)
        .order_by()
        .values("area_code")
        .annotate(n=Count("id"), late=Count("id", filter=Q(due__lt=today)))
        .values_list("area_code", "n", "late")
    ):
        total.open_tasks += n
        total.overdue_tasks += late
        if area_code in villages:
            villages[area_code].open_tasks += n
            villages[area_code].overdue_tasks += late
        child = children.get(_child_of(area_code, length))
        if child is not None and child_level != "village":
            child.open_tasks += n
            child.overdue_tasks += late
        elif child is None:
            outside += n

    stages = [
        {
            "kind": kind,
            "kind_label": Kind(kind).label,
            "key": key,
            "label": label,
            "count": n,
        }
        for (kind, key, label, _closed), n in sorted(stage_counts.items(), key=_stage_order)
    ]
    return Picture(
        base=base,
        year=year,
        total=total,
        children=sorted(children.values(), key=lambda f: f.code),
        villages=sorted(villages.values(), key=lambda f: f.code),
        stages=stages,
        outside_tasks=outside,
        spells=dict(spells),
    )
