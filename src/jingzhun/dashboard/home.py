"""The home page: what awaits the user (待我办理), then the user's area in headline figures and
one chart."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from jingzhun import rates
from jingzhun.areas.choices import Level
from jingzhun.areas.models import Area
from jingzhun.core import awaiting
from jingzhun.exports.sheets import Table, list_export_response
from jingzhun.registry import choices as c
from jingzhun.registry.models import Household, Person


def incidence_by_area(user: object) -> list[dict]:
    """Poverty incidence per area one level below the user's: per township for a county user,
    per village for a township user (a village user: their village); per county above county
    level.

    Registered poor persons (households registered or relapsed) ÷ the villages' rural population,
    both as GROUP BY queries over the user's scope, joined in Python by area code.
    """
    scope = user.scope_prefix() or ""
    # The children's code length: county codes are 6 digits, townships 9, villages 12.
    width = {6: 9, 9: 12, 12: 12}.get(len(scope), 6)
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


def status_figures(user: Any) -> list[dict[str, Any]]:
    """Households and persons per status (贫困户状态) within the user's scope: two GROUP BY."""
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
    return [
        {
            "status": value,
            "label": label,
            "households": households.get(value, 0),
            "persons": persons.get(value, 0),
        }
        for value, label in c.Status.choices
    ]


def headline(by_status: list[dict[str, Any]]) -> dict[str, int]:
    """The four cards: all registered, and those not out of poverty (relapsed included)."""
    poor = [row for row in by_status if row["status"] in c.POOR_STATUSES]
    return {
        "total_households": sum(row["households"] for row in by_status),
        "total_persons": sum(row["persons"] for row in by_status),
        "poor_households": sum(row["households"] for row in poor),
        "poor_persons": sum(row["persons"] for row in poor),
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.GET.get("format") == "xlsx":
        return home_xlsx(request)
    user = request.user
    # First: its one query also reads the user's area, which the page shows below.
    waiting = awaiting.summary(user, items=awaiting.ITEMS_SHOWN)
    by_status = status_figures(user)
    incidence = incidence_by_area(user)
    chart = {
        "names": [row["name"] for row in incidence],
        "values": [float(row["incidence"] or 0) for row in incidence],
    }
    return render(
        request,
        "dashboard/home.html",
        {
            "by_status": by_status,
            **headline(by_status),
            "incidence": incidence,
            "chart": chart,
            "area": user.area,
            "awaiting_summary": waiting,
            "may_await": awaiting.may_await(user),
        },
    )


@never_cache
@login_required
def home_xlsx(request: HttpRequest) -> HttpResponse:
    """The home page's figures (概况, 按贫困户状态, 贫困发生率) as .xlsx, the page's rows and
    columns. Audited. Reached as /?format=xlsx (the page's 导出 Excel)."""
    user = request.user
    by_status = status_figures(user)
    cards = headline(by_status)
    summary = Table(
        "概况",  # sheet titles stay Chinese (other tools look sheets up by name)
        [(gettext("指标"), 24), (gettext("数值"), 12)],
        [
            [gettext("建档立卡户数"), cards["total_households"]],
            [gettext("建档立卡人数"), cards["total_persons"]],
            [gettext("未脱贫户数（含返贫）"), cards["poor_households"]],
            [gettext("未脱贫人数（含返贫）"), cards["poor_persons"]],
        ],
    )
    statuses = Table(
        "按贫困户状态",
        [(gettext("贫困户状态"), 16), (gettext("户数"), 10), (gettext("人数"), 10)],
        [[str(row["label"]), row["households"], row["persons"]] for row in by_status],
    )
    incidence = Table(
        "贫困发生率",
        [
            (gettext("区划"), 18),
            (gettext("区划代码"), 15),
            (gettext("行政村数"), 10),
            (gettext("贫困村数"), 10),
            (gettext("农村户籍人口"), 12),
            (gettext("未脱贫人口"), 12),
            (gettext("贫困发生率（%）"), 14),
        ],
        [
            [
                row["name"],
                row["code"],
                row["villages"],
                row["poor_villages"],
                row["population"],
                row["poor_persons"],
                row["incidence"],
            ]
            for row in incidence_by_area(user)
        ],
        number_formats={6: rates.RATE_NUMBER_FORMAT},
    )
    return list_export_response(
        [summary, statuses, incidence],
        acting_user=user,
        report="core.home",
        file_prefix="overview",
        filters={},
        message=gettext("导出工作概况（{area}）").format(
            area=user.area.name if user.area_id else gettext("全部区划")
        ),
    )
