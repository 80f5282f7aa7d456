"""The home page: what awaits the user (待我办理), then the user's area in headline figures and
one chart."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jingzhun.areas.choices import Level
from jingzhun.areas.models import Area
from jingzhun.registry import choices as c
from jingzhun.registry.models import Household, Person

from . import awaiting


def incidence_by_area(user: object) -> list[dict]:
    """Poverty incidence per township (per county for users above county level).

    Registered poor persons (households registered or relapsed) ÷ the villages' rural population,
    both as GROUP BY queries over the user's scope, joined in Python by area code.
    """
    scope = user.scope_prefix() or ""
    width = 9 if len(scope) >= 6 else 6  # township codes are 9 digits, county codes 6
    poor = dict(
        Person.objects.visible_to(user)
        .filter(household__status__in=c.POOR_STATUSES)
        .annotate(unit=Substr("household__village_id", 1, width))
        .order_by()
        .values("unit")
        .annotate(n=Count("id"))
        .values_list("unit", "n")
    )
    population = {
        row["unit"]: row
        for row in Area.objects.visible_to(user)
        .filter(level=Level.VILLAGE)
        .annotate(unit=Substr("code", 1, width))
        .order_by()
        .values("unit")
        .annotate(
            population=Sum("rural_population"),
            villages=Count("code"),
            poor_villages=Count("code", filter=Q(poor_village=True)),
        )
    }
    units = sorted(set(poor) | set(population))
    names = dict(
        Area.objects.filter(code__in=[u.ljust(12, "0") for u in units]).values_list("code", "name")
    )
    rows = []
    for unit in units:
        pop = (population.get(unit) or {}).get("population") or 0
        count = poor.get(unit, 0)
        rate = (
            (Decimal(count) * 100 / pop).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if pop
            else None
        )
        rows.append(
            {
                "code": unit.ljust(12, "0"),
                "name": names.get(unit.ljust(12, "0"), unit),
                "poor_persons": count,
                "population": pop,
                "villages": (population.get(unit) or {}).get("villages", 0),
                "poor_villages": (population.get(unit) or {}).get("poor_villages", 0),
                "incidence": rate,
            }
        )
    return rows


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    # First: its one query also reads the user's area, which the page shows below.
    waiting = awaiting.summary(user, items=awaiting.ITEMS_SHOWN)
    households = dict(
        Household.objects.visible_to(user)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    persons = dict(
        Person.objects.visible_to(user)
        .order_by()
        .values("household__status")
        .annotate(n=Count("id"))
        .values_list("household__status", "n")
    )
    by_status = [
        {
            "status": value,
            "label": label,
            "households": households.get(value, 0),
            "persons": persons.get(value, 0),
        }
        for value, label in c.Status.choices
    ]
    incidence = incidence_by_area(user)
    chart = {
        "names": [row["name"] for row in incidence],
        "values": [float(row["incidence"] or 0) for row in incidence],
    }
    return render(
        request,
        "core/home.html",
        {
            "by_status": by_status,
            "total_households": sum(households.values()),
            "total_persons": sum(persons.values()),
            "poor_households": sum(households.get(s, 0) for s in c.POOR_STATUSES),
            "poor_persons": sum(persons.get(s, 0) for s in c.POOR_STATUSES),
            "incidence": incidence,
            "chart": chart,
            "area": user.area,
            "awaiting_summary": waiting,
            "may_await": awaiting.may_await(user),
        },
    )
