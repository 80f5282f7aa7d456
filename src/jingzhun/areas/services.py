"""Writes to the area tree: single audited changes (`create_area`, `update_area`, `delete_area`:
the admin and pages), and synthetic townships and villages under real, current county codes.

Province, city and county rows come from python-stdnum's birthplace table (the maintained list of
GB/T 2260 codes); townships (9-digit `county + 100..`) and villages (12-digit `township + 201..`)
are generated with plausible names, because no public table of 12-digit codes ships offline.
Everything is written with `bulk_create` (set-based).
"""

from __future__ import annotations

import datetime
import random
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jingzhun import areacodes
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action, AuditEntry
from jingzhun.core import bulk

from .choices import Level
from .models import Area

# Syllables of rural place names in south-west China; pairs give ~1,500 distinct names.
_FIRST = (
    "东西南北中大小新老上下前后龙凤马白黑青石金银红黄花高平安永兴长清水"
    "云松柏桃李杨柳竹梅兰双三五六坡岩营"
)
_SECOND = "山河溪沟坡坪塘湾岭寨坝营桥庄田冲箐村堡哨铺街屯甸关场门口湖阳"
_TOWNSHIP_SUFFIXES = ("镇", "镇", "镇", "乡")


@dataclass(frozen=True)
class CountyShape:
    """How many townships and villages to generate and how the poor villages fall among them."""

    townships: int = 15
    villages: int = 139
    poor_villages: int = 100
    exited_poor_villages: int = 30
    # Poor villages not yet exited that the county plans to exit in `planned_exit_year`.
    planned_poor_villages: int = 41
    planned_exit_year: int = 2018
    rural_population: int = 304_000
    exit_years: tuple[int, ...] = (2016, 2017, 2018)


def current_county_codes(province: str) -> list[str]:
    """Current 6-digit county-level codes of a province (2 digits), in code order.

    Reads stdnum's table directly: a label whose last validity range is closed (`[1983-1997]`)
    is a former code; `市辖区` rows are placeholders for a city's districts, not a county.
    """
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    labels: dict[str, str] = {}
    inside = False
    for line in text.splitlines():
        if not line.startswith(" "):
            inside = line.startswith(province + " ")
        elif inside:
            digits, _, rest = line.strip().partition(" ")
            labels[digits] = rest.partition('county="')[2].rstrip('"').split(",")[-1]
    closed = re.compile(r"^\[\d*-\d+\]")

    def current(label: str | None) -> bool:
        return label is not None and not closed.match(label)

    return [
        province + digits
        for digits, label in labels.items()
        if not digits.endswith("00")
        and current(label)
        and not label.endswith("市辖区")
        and current(labels.get(digits[:2] + "00"))
    ]


def ensure_county(county: str) -> Area:
    """The province → city → county chain of a current 6-digit code, created where missing."""
    province_name, city_name, county_name = areacodes.county_names(county)
    chain = [
        (areacodes.pad(county[:2]), Level.PROVINCE, province_name),
        (areacodes.pad(county[:4]), Level.CITY, city_name),
        (areacodes.pad(county), Level.COUNTY, county_name),
    ]
    existing = set(Area.objects.filter(code__in=[c for c, _, _ in chain]).values_list("code"))
    existing = {code for (code,) in existing}
    missing = [
        Area(code=code, level=level, name=name, parent_id=areacodes.parent_code(code))
        for code, level, name in chain
        if code not in existing
    ]
    Area.objects.bulk_create(missing)
    return Area.objects.get(code=chain[-1][0])


def _unique_names(rng: random.Random, count: int, suffixes: tuple[str, ...]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = rng.choice(_FIRST) + rng.choice(_SECOND) + rng.choice(suffixes)
        if name[:2] not in seen:
            seen.add(name[:2])
            names.append(name)
    return names


def _split(rng: random.Random, total: int, parts: int, low: float, high: float) -> list[int]:
    """`total` split into `parts` random integers (weights in [low, high]) that sum exactly."""
    weights = [rng.uniform(low, high) for _ in range(parts)]
    scale = total / sum(weights)
    values = [int(w * scale) for w in weights]
    for i in range(total - sum(values)):
        values[i % parts] += 1
    return values


def generate_county(
    county: str, shape: CountyShape | None = None, *, rng: random.Random | None = None
) -> list[Area]:
    """Create a county's townships and villages (with village-standard attributes); return villages.

    The county must not have townships yet. Poor villages are picked at random; of them,
    `exited_poor_villages` have an exit date and fully meet the infrastructure indicators, the
    next `planned_poor_villages` are planned to exit in `planned_exit_year`.
    """
    shape = shape or CountyShape()
    rng = rng or random.Random(0)
    county_area = ensure_county(county)
    if county_area.rural_income_per_capita is None:
        Area.objects.filter(pk=county_area.pk).update(
            rural_income_per_capita=Decimal(rng.randrange(880_000, 1_050_000)) / 100,
            rural_income_growth=Decimal(rng.randrange(1000, 1200)) / 100,
            province_income_growth=Decimal("9.20"),
            education_balance_year=rng.choice((2016, 2017, 2018)),
        )

    township_names = _unique_names(rng, shape.townships, _TOWNSHIP_SUFFIXES)
    townships = [
        Area(
            code=areacodes.pad(f"{county}{100 + i:03d}"),
            level=Level.TOWNSHIP,
            name=name,
            parent_id=county_area.code,
        )
        for i, name in enumerate(township_names)
    ]
    Area.objects.bulk_create(townships)

    per_township = _split(rng, shape.villages, shape.townships, 0.7, 1.3)
    populations = _split(rng, shape.rural_population, shape.villages, 0.55, 1.6)
    order = list(range(shape.villages))
    rng.shuffle(order)
    poor = set(order[: shape.poor_villages])
    exited = set(order[: shape.exited_poor_villages])
    planned = set(
        order[shape.exited_poor_villages : shape.exited_poor_villages + shape.planned_poor_villages]
    )

    villages: list[Area] = []
    index = 0
    for township, count in zip(townships, per_township, strict=True):
        for j, name in enumerate(_unique_names(rng, count, ("村",))):
            is_poor, has_exited = index in poor, index in exited
            # An exit is announced late in its year; it was planned for that year.
            exit_year = rng.choice(shape.exit_years) if has_exited else None
            exited_on = (
                datetime.date(exit_year, rng.choice((11, 12)), rng.randint(1, 30))
                if (exit_year)
                else None
            )
            # Unexited poor villages lack some infrastructure; the rest meet every indicator.
            lacking = is_poor and not has_exited
            villages.append(
                Area(
                    code=township.code[:9] + f"{201 + j:03d}",
                    level=Level.VILLAGE,
                    name=name,
                    parent_id=township.code,
                    rural_population=populations[index],
                    poor_village=is_poor,
                    poor_village_exited_on=exited_on,
                    poor_village_planned_exit_year=exit_year
                    or (shape.planned_exit_year if index in planned else None),
                    hardened_road=not (lacking and rng.random() < 0.3),
                    safe_water=not (lacking and rng.random() < 0.2),
                    grid_power=not (lacking and rng.random() < 0.05),
                    broadband=not (lacking and rng.random() < 0.4),
                    radio_tv=not (lacking and rng.random() < 0.1),
                    clinic_with_doctor=not (lacking and rng.random() < 0.25),
                    public_space=not (lacking and rng.random() < 0.3),
                    collective_income=Decimal(
                        rng.randrange(0, 40_000)
                        if lacking
                        else rng.randrange(30_000, 80_000)
                        if has_exited
                        else rng.randrange(20_000, 150_000)
                    ),
                )
            )
            index += 1
    Area.objects.bulk_create(villages, batch_size=500)
    return villages


# Audited writes of single areas (the admin, and any page that edits one area) ----------------


def _scope_check(code: str, acting_user: Any) -> None:
    scope = acting_user.scope_prefix() if acting_user is not None else None
    if scope is None or not code.startswith(scope):
        raise PermissionDenied(_("区划「{code}」不在您的管辖范围内").format(code=code))


def _validate(area: Area) -> None:
    """Model checks (the code's level and parent, exit facts …) and the sibling-name rule."""
    area.full_clean(validate_unique=False, validate_constraints=False)
    siblings = Area.objects.filter(parent_id=area.parent_id, name=area.name).exclude(pk=area.pk)
    if siblings.exists():
        message = _("同一上级下已有名为「{name}」的区划").format(name=area.name)
        raise ValidationError({"name": message})
    if area.parent_id and not Area.objects.filter(pk=area.parent_id).exists():
        raise ValidationError({"parent": _("上级区划「{code}」不存在").format(code=area.parent_id)})


@transaction.atomic
def create_area(values: dict[str, Any], *, acting_user: Any) -> Area:
    """A new area (the code padded to 12 digits; level and parent taken from the code when
    not given), validated and audited."""
    values = dict(values)
    values["code"] = areacodes.pad(values["code"])
    values.setdefault("level", areacodes.level_of(values["code"]))
    if "parent" not in values and "parent_id" not in values:
        values["parent_id"] = areacodes.parent_code(values["code"])
    area = Area(**values)
    _scope_check(area.code, acting_user)
    if Area.objects.filter(pk=area.code).exists():
        raise ValidationError({"code": _("区划代码「{code}」已存在").format(code=area.code)})
    _validate(area)
    area.save(force_insert=True)
    audit.record(
        actor=acting_user,
        action=Action.CREATE,
        instance=area,
        changes=audit.diff({}, audit.snapshot(area)),
        area_code=area.code,
    )
    return area


@transaction.atomic
def update_area(area: Area, changes: dict[str, Any], *, acting_user: Any) -> Area:
    """Change fields of a stored area (never its code), validated; audited with before/after
    of each changed field. Changing nothing writes nothing."""
    stored = Area.objects.select_for_update().get(pk=area.pk)
    _scope_check(stored.code, acting_user)
    if "code" in changes and changes["code"] != stored.code:
        raise ValidationError({"code": _("区划代码不能修改")})
    before = audit.snapshot(stored)
    for name, value in changes.items():
        if name != "code":
            setattr(stored, stored._meta.get_field(name).attname, value)
    diff = audit.diff(before, audit.snapshot(stored))
    if not diff:
        return stored
    _validate(stored)
    stored.save()
    audit.record(
        actor=acting_user,
        action=Action.UPDATE,
        instance=stored,
        changes=diff,
        area_code=stored.code,
    )
    return stored


@transaction.atomic
def delete_areas(areas: Iterable[Area], *, acting_user: Any) -> int:
    """Delete areas with nothing under them or pointing at them (PROTECT refuses otherwise, and
    the whole deletion rolls back); one audit entry each, with the values deleted."""
    areas = list(areas)
    for area in areas:
        _scope_check(area.code, acting_user)
    batch = uuid.uuid4() if len(areas) > 1 else None  # one admin action, one batch
    entries = [
        audit.entry_values(
            actor=acting_user if getattr(acting_user, "pk", None) else None,
            action=Action.DELETE,
            instance=area,
            changes=audit.diff(audit.snapshot(area), {}),
            area_code=area.code,
            batch=batch,
        )
        for area in areas
    ]
    Area.objects.filter(pk__in=[a.pk for a in areas]).delete()
    bulk.insert_dicts(AuditEntry, entries)
    return len(areas)


def delete_area(area: Area, *, acting_user: Any) -> None:
    delete_areas([area], acting_user=acting_user)
