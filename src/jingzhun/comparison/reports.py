"""Reports of the comparison (比对报表, issue #12 item 8): per area and per rule, how many
findings were flagged, confirmed, dismissed, resolved, are still open or overdue, how many
households were flagged out of those checked, and the identification accuracy rates.

Every figure is a set-based aggregate (ORM `values().annotate()`: a fixed number of queries,
whatever the number of findings) over querysets that start at `visible_to(user)`; the page
(views_reports.py), its workbook and the API share the plain data returned here.

Populations and rates
---------------------
* **households checked** (比对户): every household the comparison checks — the engine compares
  every household not deregistered (engine/comparison.py::person_input) — plus a deregistered
  household that carries a finding (it was checked while registered; a confirmed exclusion ends
  in its deregistration, and it must not then drop out of the rate it counts in).
* **flagged households**: those of them with at least one finding (any status).
* **错评率 (wrong-identification rate)**. `reference.md` §4.5 names 精准识别 (the accuracy of
  identification and exit) as an area of the yearly 考核 but gives no formula; the formulas are
  the third-party assessment's (§1.3, 国开办发〔2017〕56号): verified cases ÷ the population
  examined, e.g. 脱贫人口错退率 = 抽样错退人口数 ÷ 抽样脱贫人口数 × 100%. Read the same way,
  错评率 = households whose exclusion finding was verified on site (核实属实的“不符合条件”) ÷
  households checked × 100%, and, as the assessment counts people, the members of those
  households ÷ the members of the households checked. The comparison checks every household of
  the area: the "sample" is all of them.
* **漏评率 (omission rate)**, exactly as §1.3: 贫困人口漏评率 = 调查核实的漏评人口数 ÷ 抽查村未建档
  立卡农村人口数 × 100% — persons of a confirmed omission finding (疑似漏评 verified 属实; distinct
  ID number, or token) ÷ (the villages' 农村户籍人口 − the members of their 建档立卡 households:
  未脱贫、已脱贫、返贫). Only villages with a rural population on record count in the
  denominator; without any the rate is not given ("—"). A person registered after being found
  omitted (by ID number) stays in the denominator as unregistered: the rate is of what the
  check found; one found on a tokenised list (no number) is subtracted once registered.

Areas: a report is about one area (the user's, or one under it) and breaks down by the areas one
level under it (county → townships → villages). A finding recorded at the report's own area — an
omission on a county-wide list without a village — is its own row, 本级.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Substr
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from jingzhun import areacodes, rates
from jingzhun.areas.models import Area
from jingzhun.registry import choices as rc
from jingzhun.registry.models import Household, Person
from jingzhun.standards import rules

from .choices import OPEN_TASKS, FindingStatus, Meaning
from .models import ComparisonRun, Finding

# The length of the next level's prefix under a prefix of this length.
CHILD_LENGTH = {0: 2, 2: 4, 4: 6, 6: 9, 9: 12, 12: 12}
# 建档立卡 households: identified as poor, whether still poor or exited (the 漏评率 subtracts
# their members from the rural population).
IDENTIFIED = (rc.Status.REGISTERED, rc.Status.EXITED, rc.Status.RELAPSED)


# ---------------------------------------------------------------- the figures


@dataclass
class Figures:
    """One row of the report (an area, a rule or the total)."""

    flagged: int = 0
    open: int = 0
    confirmed: int = 0
    dismissed: int = 0
    resolved: int = 0
    overdue: int = 0  # findings whose task is still open past its deadline
    flagged_households: int = 0
    households: int = 0  # households checked (see the module's docstring)
    wrong_households: int = 0  # households with a confirmed exclusion
    persons: int = 0  # members of the households checked
    wrong_persons: int = 0  # members of the households with a confirmed exclusion
    omitted: int = 0  # persons of a confirmed omission
    rural_population: int | None = None  # 农村户籍人口 of the villages that have one
    identified_persons: int = 0  # members of 建档立卡 households in those villages

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            mine, theirs = getattr(self, name), getattr(other, name)
            if theirs is not None:
                setattr(self, name, (mine or 0) + theirs)

    @property
    def flagged_share(self) -> float | None:
        return rates.percent(self.flagged_households, self.households)

    @property
    def wrong_rate(self) -> float | None:
        """错评率 (households), percent."""
        return rates.percent(self.wrong_households, self.households)

    @property
    def wrong_person_rate(self) -> float | None:
        """错评率 (persons), percent."""
        return rates.percent(self.wrong_persons, self.persons)

    @property
    def unregistered(self) -> int | None:
        """未建档立卡农村人口数; None when no village has its rural population on record."""
        if not self.rural_population:
            return None
        return max(self.rural_population - self.identified_persons, 0)

    @property
    def omission_rate(self) -> float | None:
        """漏评率, percent."""
        return rates.percent(self.omitted, self.unregistered or 0)


@dataclass
class AreaRow:
    code: str  # 12 digits
    name: str
    figures: Figures
    drillable: bool  # has areas under it
    own: bool = False  # the report's own area (findings not placed in an area under it)

    @property
    def prefix(self) -> str:
        """What the findings page's area filter (a code prefix) takes for this row: the
        significant prefix, or for the report's own area its whole code (that area alone)."""
        return self.code if self.own else areacodes.prefix(self.code)


@dataclass
class RuleRow:
    rule: str
    label: str
    meaning: str
    meaning_label: str
    figures: Figures


@dataclass
class Report:
    base: Area | None  # None: everything (a user without an area limit)
    prefix: str  # the significant prefix of `base` ('' for everything)
    areas: list[AreaRow] = field(default_factory=list)
    rules: list[RuleRow] = field(default_factory=list)
    total: Figures = field(default_factory=Figures)
    today: datetime.date | None = None
    year: int | None = None  # the compared year (None: the findings of every run)

    @property
    def code(self) -> str:
        return self.base.code if self.base else ""


# ---------------------------------------------------------------- scoping


def _within(queryset: QuerySet, path: str, prefix: str) -> QuerySet:
    """Rows whose `path` code lies under `prefix` (a range, so the index serves it)."""
    if not prefix:
        return queryset
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return queryset.filter(**{f"{path}__gte": prefix, f"{path}__lt": upper})


def report_prefix(user: Any, area: str = "") -> str | None:
    """The prefix a report is about: `area` if it lies in the user's scope, else the user's
    scope ('' everything; None nothing)."""
    scope = user.scope_prefix()
    if scope is None:
        return None
    try:
        asked = areacodes.prefix(area) if area else ""
    except ValueError:
        asked = ""
    return asked if asked.startswith(scope) else scope


def findings(user: Any, prefix: str, year: int | None = None) -> QuerySet[Finding]:
    """The findings of the user's area under `prefix`; with `year`, those a run comparing that
    year found (first, or again)."""
    found = _within(Finding.objects.visible_to(user), "area_code", prefix)
    return found.filter(of_year(year)) if year else found


def of_year(year: int | None, path: str = "") -> Q:
    """Findings (at `path`, e.g. "finding__") found by a run comparing `year`, first or again."""
    if not year:
        return Q()
    return Q(**{f"{path}first_run__year": year}) | Q(**{f"{path}last_run__year": year})


# ---------------------------------------------------------------- aggregates


def _finding_aggregates(today: datetime.date) -> dict[str, Any]:
    # A person of an omission is the department row's person: its ID number, else its token.
    omitted_person = Coalesce(
        NullIf(F("dataset_row__id_number"), Value("")),
        NullIf(F("dataset_row__id_token"), Value("")),
        Concat(Value("#"), F("key")),
    )
    confirmed = Q(status=FindingStatus.CONFIRMED)
    return {
        "flagged": Count("id"),
        "open": Count("id", filter=Q(status=FindingStatus.OPEN)),
        "confirmed": Count("id", filter=confirmed),
        "dismissed": Count("id", filter=Q(status=FindingStatus.DISMISSED)),
        "resolved": Count("id", filter=Q(status=FindingStatus.RESOLVED)),
        "overdue": Count("id", filter=Q(task__status__in=OPEN_TASKS, task__due__lt=today)),
        "flagged_households": Count("household", distinct=True),
        "wrong_households": Count(
            "household", distinct=True, filter=confirmed & Q(meaning=Meaning.EXCLUSION)
        ),
        "omitted": Count(
            omitted_person, distinct=True, filter=confirmed & Q(meaning=Meaning.OMISSION)
        ),
    }


def _figures(row: dict[str, Any]) -> Figures:
    names = Figures.__dataclass_fields__
    return Figures(**{k: v for k, v in row.items() if k in names and v is not None})


def _grouped(queryset: QuerySet, path: str, length: int, **aggregates: Any) -> dict[str, dict]:
    """`aggregates` per area prefix of `length` of the code at `path`, keyed by 12-digit code."""
    rows = (
        queryset.annotate(_child=Substr(path, 1, length))
        .order_by()
        .values("_child")
        .annotate(**aggregates)
    )
    return {areacodes.pad(row.pop("_child")): row for row in rows}


def _by_village(queryset: QuerySet, path: str, length: int, **aggregates: Any) -> dict[str, dict]:
    """Additive `aggregates` (counts, sums) grouped by the village code at `path` in SQL, then
    added up per prefix of `length` over the few hundred village rows: grouping on the plain
    indexed column halves the time of grouping on SUBSTR over every person."""
    out: dict[str, dict] = {}
    for row in queryset.order_by().values(path).annotate(**aggregates):
        key = areacodes.pad(row.pop(path)[:length])
        into = out.setdefault(key, dict.fromkeys(aggregates, 0))
        for name, value in row.items():
            into[name] += value or 0
    return out


def _area_figures(
    user: Any, prefix: str, today: datetime.date, year: int | None = None
) -> dict[str, Figures]:
    """Figures per area one level under `prefix` (four grouped queries)."""
    length = CHILD_LENGTH[len(prefix)]
    out: dict[str, Figures] = {}

    def merge(rows: dict[str, dict]) -> None:
        for code, row in rows.items():
            out.setdefault(code, Figures()).add(_figures(row))

    merge(_grouped(findings(user, prefix, year), "area_code", length, **_finding_aggregates(today)))
    # Households with a finding, and with a confirmed exclusion: evaluated once as IN lists
    # (a correlated EXISTS per person cost a quarter of a second on the demo county).
    in_scope = findings(user, prefix, year).filter(household__isnull=False)
    flagged = in_scope.values("household_id")
    wrong = in_scope.filter(meaning=Meaning.EXCLUSION, status=FindingStatus.CONFIRMED).values(
        "household_id"
    )
    households = _within(Household.objects.visible_to(user), "village_id", prefix)
    checked = ~Q(status=rc.Status.DEREGISTERED) | Q(pk__in=flagged)
    merge(_by_village(households.filter(checked), "village_id", length, households=Count("id")))
    persons = _within(Person.objects.visible_to(user), "household__village_id", prefix)
    member_checked = ~Q(household__status=rc.Status.DEREGISTERED) | Q(household_id__in=flagged)
    # A person found omitted and registered since was unregistered when checked: not
    # subtracted from the rural population (the rate is of what the check found).
    omitted_numbers = (
        findings(user, prefix, year)
        .filter(meaning=Meaning.OMISSION, status=FindingStatus.CONFIRMED)
        .filter(dataset_row__id_number__gt="")
        .values("dataset_row__id_number")
    )
    identified = Q(
        household__status__in=IDENTIFIED, household__village__rural_population__isnull=False
    ) & ~Q(id_number__in=omitted_numbers)
    merge(
        _by_village(
            persons,
            "household__village_id",
            length,
            persons=Count("id", filter=member_checked),
            wrong_persons=Count("id", filter=Q(household_id__in=wrong)),
            identified_persons=Count("id", filter=identified),
        )
    )
    villages = _within(Area.objects.visible_to(user), "code", prefix).filter(
        level="village", rural_population__isnull=False
    )
    merge(_by_village(villages, "code", length, rural_population=Sum("rural_population")))
    return out


def rule_labels() -> dict[str, str]:
    """Every shipped rule's label by its id, in the reader's language (a rule removed since
    keeps its id)."""
    english = translation.get_language() == "en"
    return {
        rule.id: (rule.label_en or rule.label) if english else rule.label
        for rs in rules.available().values()
        for rule in rs.rules
    }


def _rule_rows(
    user: Any, prefix: str, today: datetime.date, year: int | None = None
) -> list[RuleRow]:
    """Figures per rule (one grouped query); rules with no finding are not listed."""
    aggregates = _finding_aggregates(today)
    grouped = (
        findings(user, prefix, year)
        .order_by()
        .values("rule", "meaning")
        .annotate(**aggregates)
        .order_by("meaning", "rule")
    )
    labels = rule_labels()
    meanings = dict(Meaning.choices)
    return [
        RuleRow(
            row["rule"],
            labels.get(row["rule"], row["rule"]),
            row["meaning"],
            str(meanings.get(row["meaning"], row["meaning"])),
            _figures(row),
        )
        for row in grouped
    ]


def comparison_report(user: Any, area: str = "", year: int | None = None) -> Report:
    """The report of `area` (or of the user's whole area): the figures of each area one level
    under it, of each rule, and the total; with `year`, of the findings that runs comparing
    that year found. A fixed number of queries."""
    prefix = report_prefix(user, area)
    today = timezone.localdate()
    if prefix is None:
        return Report(None, "", today=today, year=year)
    base = Area.objects.filter(code=areacodes.pad(prefix)).first() if prefix else None
    report = Report(base, prefix, today=today, year=year)
    per_area = _area_figures(user, prefix, today, year)
    names = dict(Area.objects.filter(code__in=list(per_area)).values_list("code", "name"))
    own_code = areacodes.pad(prefix) if prefix else ""
    drillable = CHILD_LENGTH[len(prefix)] < 12
    for code in sorted(per_area):
        own = code == own_code
        name = str(_("本级（未落实到下级区划）")) if own else names.get(code, code)
        report.areas.append(AreaRow(code, name, per_area[code], drillable and not own, own))
        report.total.add(per_area[code])
    report.rules = _rule_rows(user, prefix, today, year)
    return report


def confirmed_list(
    user: Any, prefix: str, meaning: str, year: int | None = None
) -> QuerySet[Finding]:
    """The findings behind a rate's numerator: confirmed exclusions (错评) or omissions (漏评)."""
    return (
        findings(user, prefix, year)
        .filter(meaning=meaning, status=FindingStatus.CONFIRMED)
        .select_related("household")
        .order_by("area_code", "rule", "pk")
    )


def years(user: Any) -> list[int]:
    """The years compared by runs the user may see, newest first (the report's year choice)."""
    runs = ComparisonRun.objects.visible_to(user)
    return sorted(set(runs.values_list("year", flat=True)), reverse=True)


def chosen_year(value: Any) -> int | None:
    """A year asked in a query string, or None (every year) when absent or not a year."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else None
