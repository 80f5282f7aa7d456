"""Build the synthetic demo county (泸西县) or a province-sized registry for benchmarks.

Every figure of the demo is a parameter of `CountyPlan`; `CountyPlan.scaled(s)` keeps the shares
(incidence, household size, statuses) and multiplies the counts, so tests run at 5 % scale.
Rows stream through a `BulkWriter` in chunks: memory stays flat however many persons are asked.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.areas.models import Area, exited_by, planned_in
from jingzhun.areas.services import CountyShape, current_county_codes, generate_county
from jingzhun.registry import choices as c
from jingzhun.registry.models import Household, Person

from .households import REFERENCE_DATE, SIZE_WEIGHTS, Gaps, HouseholdGenerator
from .writer import BulkWriter, refresh_statistics

DEMO_COUNTY = "532527"  # 云南省红河州泸西县
DEMO_PASSWORD = "jingzhun-demo"  # noqa: S105 - a published demo login, printed on purpose
# Forced first registered households: each exit gap (and the exact-line edge) exists at any scale.
FORCED_GAPS = (
    Gaps(income_exactly_line=True),
    Gaps(income=True),
    Gaps(housing=True),
    Gaps(dropout=True),
    Gaps(uninsured=True),
    Gaps(water=True),
    Gaps(pension=True),
    Gaps(income_exactly_line=True, housing=True),
)


@dataclass(frozen=True)
class CountyPlan:
    """What one synthetic county holds. Defaults: the demo as asked in issue #2."""

    shape: CountyShape = field(default_factory=CountyShape)
    registered_persons: int = 16_400  # status registered or relapsed (the incidence numerator)
    exited_persons: int = 16_000  # already out (2016–2018): roughly as many again
    deregistered_households: int = 25
    monitored_households: int = 40
    relapse_share: float = 0.02
    # Share of registered households missing each part of the 2018 exit standard.
    income_gap: float = 0.22
    housing_gap: float = 0.05
    dropout_gap: float = 0.03
    uninsured_gap: float = 0.04
    water_gap: float = 0.04
    pension_gap: float = 0.03

    def scaled(self, scale: float) -> CountyPlan:
        """The same county with `scale` × the people (and rural population); villages unchanged."""
        return replace(
            self,
            shape=replace(self.shape, rural_population=round(self.shape.rural_population * scale)),
            registered_persons=round(self.registered_persons * scale),
            exited_persons=round(self.exited_persons * scale),
            deregistered_households=max(1, round(self.deregistered_households * scale)),
            monitored_households=max(1, round(self.monitored_households * scale)),
        )

    @property
    def persons(self) -> int:
        """About how many persons of every status the plan yields."""
        others = (self.deregistered_households + self.monitored_households) * 3.8
        return round(self.registered_persons + self.exited_persons + others)


def village_targets(
    villages: list[Area], plan: CountyPlan, rng: random.Random
) -> list[tuple[Area, int, int]]:
    """(village, registered persons, exited persons) so that the county matches the plan.

    Exited poor villages stay below 3 % incidence (the western exit threshold) and non-poor
    villages below it too; the unexited poor villages carry the rest.
    """
    registered: dict[str, int] = {}
    for v in villages:
        if not v.poor_village or v.poor_village_exited_on:
            low, high = (0.010, 0.026) if v.poor_village else (0.008, 0.025)
            registered[v.code] = int(v.rural_population * rng.uniform(low, high))
    rest = [v for v in villages if v.code not in registered]
    remaining = max(0, plan.registered_persons - sum(registered.values()))
    weights = [v.rural_population * rng.uniform(0.7, 1.3) for v in rest]
    shares = [int(remaining * w / sum(weights)) for w in weights] if rest else []
    for i in range(remaining - sum(shares)):
        shares[i % len(shares)] += 1
    registered.update({v.code: n for v, n in zip(rest, shares, strict=True)})

    weights = [v.rural_population * (2.5 if v.poor_village else 1.0) for v in villages]
    total = sum(weights)
    exited = [int(plan.exited_persons * w / total) for w in weights]
    return [(v, registered[v.code], e) for v, e in zip(villages, exited, strict=True)]


def _size(rng: random.Random) -> int:
    return rng.choices(range(1, 9), cum_weights=SIZE_WEIGHTS)[0]


def _gaps(rng: random.Random, plan: CountyPlan) -> Gaps:
    return Gaps(
        income=rng.random() < plan.income_gap,
        housing=rng.random() < plan.housing_gap,
        dropout=rng.random() < plan.dropout_gap,
        uninsured=rng.random() < plan.uninsured_gap,
        water=rng.random() < plan.water_gap,
        pension=rng.random() < plan.pension_gap,
    )


def build_county(
    county: str, plan: CountyPlan, writer: BulkWriter, rng: random.Random
) -> HouseholdGenerator:
    """Areas and households of one county; rows go through `writer` (flush is the caller's)."""
    villages = generate_county(county, plan.shape, rng=rng)
    generator = HouseholdGenerator(county, writer, rng)
    forced = list(FORCED_GAPS)
    serials = dict.fromkeys((v.code for v in villages), 0)

    def fill(village: Area, persons: int, status: str) -> None:
        filled = 0
        while filled < persons:
            serials[village.code] += 1
            gaps = None
            household_status = status
            if status == c.Status.REGISTERED:
                unexited_poor = village.poor_village and not village.poor_village_exited_on
                if forced and unexited_poor:
                    gaps = forced.pop(0)
                else:
                    gaps = _gaps(rng, plan)
                    if rng.random() < plan.relapse_share:
                        household_status = c.Status.RELAPSED
            size = min(_size(rng), persons - filled)
            filled += generator.household(
                village.code,
                serials[village.code],
                size,
                status=household_status,
                gaps=gaps,
                grow=village.poor_village and not village.poor_village_exited_on,
            )

    for village, registered, exited in village_targets(villages, plan, rng):
        fill(village, registered, c.Status.REGISTERED)
        fill(village, exited, c.Status.EXITED)
    for status, count in (
        (c.Status.DEREGISTERED, plan.deregistered_households),
        (c.Status.MONITORED, plan.monitored_households),
    ):
        for _ in range(count):
            village = rng.choice(villages)
            serials[village.code] += 1
            generator.household(village.code, serials[village.code], _size(rng), status=status)
    return generator


def build_demo(
    scale: float = 1.0, *, seed: int = 2018, county: str = DEMO_COUNTY, users: bool = True
) -> dict[str, object]:
    """The demo county in one transaction; returns `summary()` of it."""
    rng = random.Random(seed)
    with transaction.atomic():
        writer = BulkWriter()
        build_county(county, CountyPlan().scaled(scale), writer, rng)
        writer.finish()
        if users:
            create_demo_users(county)
    refresh_statistics()
    return summary(county)


def build_province(
    persons: int,
    *,
    seed: int = 2018,
    province: str = DEMO_COUNTY[:2],
    progress: Callable[[str], None] | None = None,
) -> dict[str, object]:
    """About `persons` people over as many real counties of `province` as needed (demo shape).

    Streams county by county through one writer; returns counts and timings.
    """
    started = time.perf_counter()
    per_county = CountyPlan().persons
    counties_needed = max(1, math.ceil(persons / per_county))
    codes = current_county_codes(province)
    codes = (
        [DEMO_COUNTY, *[x for x in codes if x != DEMO_COUNTY]] if DEMO_COUNTY in codes else codes
    )
    if counties_needed > len(codes):
        raise ValueError(
            f"{persons} persons need {counties_needed} counties; "
            f"province {province} has {len(codes)}"
        )
    plan = CountyPlan().scaled(persons / (counties_needed * per_county))
    rng = random.Random(seed)
    total = 0
    with transaction.atomic():
        writer = BulkWriter(chunk_rows=50_000)
        for index, county in enumerate(codes[:counties_needed], start=1):
            total += build_county(county, plan, writer, rng).persons
            writer.flush()
            if progress:
                progress(
                    f"{index}/{counties_needed} {county} {total:,} persons "
                    f"{time.perf_counter() - started:.0f}s"
                )
        writer.finish()
    refresh_statistics()
    return {
        "counties": counties_needed,
        "persons": total,
        "rows": {m._meta.label: n for m, n in writer.written.items()},
        "seconds": round(time.perf_counter() - started, 1),
    }


def create_demo_users(county: str = DEMO_COUNTY) -> list[tuple[str, str, str, str]]:
    """Admin (county, superuser), a second county officer, township and village operators;
    skips existing names.

    Each gets a display name of its own (the top bar and the procedure records show it): the two
    county users share a role but not a name, so the approver and the announcer of a procedure
    can be told apart. Returns (username, password, display name, area name) for printing.
    """
    county_area = Area.objects.get(code=county.ljust(12, "0"))
    township = Area.objects.filter(parent=county_area).order_by("code").first()
    village = Area.objects.filter(parent=township).order_by("code").first()
    wanted = [
        ("admin", Role.COUNTY_ADMIN, gettext_lazy("县级管理员"), county_area, True),
        # A second county officer: procedures' checker steps need someone other than the
        # approver to announce (separation of duties). Same role, its own name.
        ("leader", Role.COUNTY_ADMIN, gettext_lazy("县级领导"), county_area, False),
        ("township", Role.TOWNSHIP_OPERATOR, gettext_lazy("乡镇操作员"), township, False),
        ("village", Role.VILLAGE_OPERATOR, gettext_lazy("村级操作员"), village, False),
    ]
    existing = set(
        User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", flat=True)
    )
    User.objects.bulk_create(
        User(
            username=name,
            password=make_password(DEMO_PASSWORD),
            role=role,
            area=area,
            is_superuser=admin,
            is_staff=admin,
            first_name=str(title),
        )
        for name, role, title, area, admin in wanted
        if name not in existing
    )
    return [(name, DEMO_PASSWORD, str(title), area.name) for name, _, title, area, _ in wanted]


def summary(county: str = DEMO_COUNTY) -> dict[str, object]:
    """Villages, poor villages, households and persons by status and the incidence of a county."""
    prefix = county[:6]
    # A code range, as in ScopedQuerySet.visible_to: indexed on both databases, no join.
    within = {"gte": prefix, "lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)}
    villages = Area.objects.filter(level="village", code__startswith=prefix).aggregate(
        villages=Count("code"),
        poor=Count("code", filter=Q(poor_village=True)),
        # As of the registry's year: the definitions every report uses.
        exited=Count("code", filter=exited_by(REFERENCE_DATE.year)),
        planned=Count("code", filter=planned_in(REFERENCE_DATE.year)),
        rural_population=Sum("rural_population"),
    )
    households = dict(
        Household.objects.filter(**{"village_id__" + k: v for k, v in within.items()})
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    persons = dict(
        Person.objects.filter(**{"household__village_id__" + k: v for k, v in within.items()})
        .values_list("household__status")
        .annotate(n=Count("id"))
        .order_by()
    )
    poor_persons = sum(persons.get(s, 0) for s in c.POOR_STATUSES)
    rural = villages["rural_population"] or 0
    incidence = Decimal(poor_persons * 100 / rural).quantize(Decimal("0.01")) if rural else None
    return {
        **villages,
        "households": households,
        "persons": persons,
        "poor_households": sum(households.get(s, 0) for s in c.POOR_STATUSES),
        "poor_persons": poor_persons,
        "incidence_percent": incidence,
    }


def demo_exists(county: str = DEMO_COUNTY) -> bool:
    """Whether the demo county's area rows are already there."""
    return Area.objects.filter(code=county.ljust(12, "0"), children__isnull=False).exists()
