"""驾驶舱: the leader's picture of an area (the user's own, or one under it with ?area=): the
headline figures and their trend, exit progress against the county rule, the latest
assessment's blockers, procedures by stage, open tasks, overdue work by child area, and a map.
Each figure links to the list that holds exactly its rows."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun import areacodes
from jingzhun.areas.models import Area
from jingzhun.assessment import reports
from jingzhun.assessment.choices import Level
from jingzhun.assessment.choices import Status as RunStatus
from jingzhun.assessment.models import AssessmentRun, containing_codes
from jingzhun.procedures.queries import within
from jingzhun.registry import choices as c

from . import figures, mapfile, trend
from .layout import Group

BLOCKERS_SHOWN = 5
POOR = (("status", c.Status.REGISTERED), ("status", c.Status.RELAPSED))
EVER_POOR = [("status", s) for s in trend.EVER_POOR]


def _base(request: HttpRequest) -> Area | None:
    """The area shown: ?area= if the user sees it (404 otherwise), else the user's own area;
    None for a user who sees everything (no area)."""
    user = request.user
    asked = request.GET.get("area", "").strip()
    if asked:
        try:
            code = areacodes.pad(asked)
        except ValueError:
            raise Http404 from None
        found = Area.objects.visible_to(user).filter(code=code).first()
        if found is None:
            raise Http404
        return found
    if user.area_id:
        return user.area
    if user.scope_prefix() == "":
        return None
    raise Http404


def _year(request: HttpRequest, run: AssessmentRun | None, today: datetime.date) -> int:
    """The exit year: ?year=, else the latest assessment's year, else this year."""
    asked = request.GET.get("year", "")
    if asked.isascii() and asked.isdigit() and 2000 <= int(asked) <= 2100:
        return int(asked)
    return run.year if run else today.year


def latest_run(user: Any, base: Area | None) -> AssessmentRun | None:
    """The newest finished run the user reads whose subtree holds the area shown."""
    prefix = base.prefix if base else ""
    return (
        AssessmentRun.objects.readable_by(user)
        .filter(status=RunStatus.FINISHED, area_code__in=containing_codes(prefix))
        .order_by("-year", "-finished", "-pk")
        .first()
    )


def page_url(name: str, **query: Any) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


def households_url(code: str, pairs: list[tuple[str, Any]] | tuple = ()) -> str:
    return "{}?{}".format(reverse("household-list"), urlencode([("area", code), *pairs]))


def _links(run: AssessmentRun | None) -> dict[str, str]:
    """Each map indicator's list, '{code}' standing for the region's area code."""
    bases = {
        "households": reverse("household-list"),
        "procedures": reverse("procedures-board"),
        "tasks": reverse("comparison-tasks"),
        "areas": (reverse("assessment-villages", args=[run.pk]) if run else reverse("area-tree")),
    }
    links = {}
    for key, _label, target in figures.INDICATORS:
        page, query = target.split(":", 1)
        if page == "areas" and run:
            query = "?poor=1&area={code}"
        links[key] = bases[page] + query
    return links


def _blockers(run: AssessmentRun | None, user: Any, code: str) -> dict[str, Any] | None:
    if run is None:
        return None
    found = reports.blockers(run, user, Level.HOUSEHOLD, code)
    rows = sorted((r for r in found.rows if r.unmet), key=lambda r: -r.unmet)[:BLOCKERS_SHOWN]
    households = reverse("assessment-list", args=[run.pk])
    return {
        "run": run,
        "population": found.population,
        "met": found.met,
        "met_share": found.met_share,
        "rows": [
            {
                "label": row.indicator.label,
                "unmet": row.unmet,
                "share": row.share,
                "only": row.only,
                "url": "{}?{}".format(
                    households, urlencode({"indicator": row.indicator.id, "area": code})
                ),
            }
            for row in rows
        ],
        "url": "{}?{}".format(
            reverse("assessment-blockers", args=[run.pk]), urlencode({"area": code})
        ),
    }


def _trail(user: Any, base: Area | None) -> list[Area]:
    """From the user's own area down to the area shown (links back up; one query)."""
    if base is None or base.code == user.area_id:
        return []
    top = len(user.scope_prefix() or "")
    return [a for a in base.ancestors() if len(a.prefix) >= top]


def _map_data(picture: figures.Picture, links: dict[str, str]) -> dict[str, Any]:
    """What the map script needs besides the shapes: the indicators, and each village's and
    child area's values (the table under the map shows the same numbers)."""

    def region(f: figures.Figures) -> dict[str, Any]:
        return {"code": f.code, "name": f.name, "values": f.values()}

    return {
        "indicators": [
            {"key": key, "label": str(label), "url": links[key]}
            for key, label, _target in figures.INDICATORS
        ],
        "villages": [region(f) for f in picture.villages],
        "children": [region(f) for f in picture.children],
        "shapes": reverse("dashboard-map") + (f"?area={picture.base.code}" if picture.base else ""),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    base = _base(request)
    today = timezone.localdate()
    run = latest_run(user, base)
    year = _year(request, run, today)
    code = base.code if base else ""
    picture = figures.picture(user, base, year, today)
    total = picture.total
    years = trend.trend(user, code, total.population, year, picture.spells)
    links = _links(run)
    for row in years:
        row.registered_url = households_url(code, [("entry_year", row.year), *EVER_POOR])
        row.exited_url = households_url(code, [("exit_year", row.year)])
    chart = {
        "years": [row.year for row in years],
        "registered": [row.registered for row in years],
        "exited": [row.exited for row in years],
        "relapsed": [row.relapsed for row in years],
        "monitored": [row.monitored for row in years],
        "incidence": [row.incidence for row in years],
    }
    for child in picture.children:
        child.poor_url = households_url(child.code, POOR)
        child.exited_url = households_url(child.code, [("status", c.Status.EXITED)])
        child.monitored_url = households_url(child.code, [("status", c.Status.MONITORED)])
        child.dashboard_url = page_url("dashboard", area=child.code)
        child.procedures_url = page_url("procedures-board", area=child.code)
        child.tasks_url = page_url("comparison-tasks", status="open", area=child.code)
        child.exit_url = links["exit_share"].replace("{code}", child.code)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "base": base,
            "area_code": code,
            "trail": _trail(user, base),
            "year": year,
            "picture": picture,
            "total": total,
            "child_is_village": figures.child_length(base.prefix if base else "") == 12,
            "years": years,
            "chart": chart,
            "map_data": _map_data(picture, links),
            "blockers": _blockers(run, user, code),
            "links": {
                "poor": households_url(code, POOR),
                "exited": households_url(code, [("status", c.Status.EXITED)]),
                "relapsed": households_url(code, [("status", c.Status.RELAPSED)]),
                "monitored": households_url(code, [("status", c.Status.MONITORED)]),
                "procedures": page_url("procedures-board", area=code),
                "tasks": page_url("comparison-tasks", status="open", area=code),
                "overdue_tasks": page_url("comparison-tasks", overdue="1", area=code),
                "exit": links["exit_share"].replace("{code}", code),
            },
        },
    )


@login_required
def map_shapes(request: HttpRequest) -> JsonResponse:
    """The map's shapes for the area shown (the deployment's GeoJSON or the schematic one)."""
    user = request.user
    base = _base(request)
    code = base.code if base else ""
    length = figures.child_length(base.prefix if base else "")
    level = figures.LEVEL_OF_LENGTH[length]
    rows = list(
        within(Area.objects.visible_to(user), "code", code)
        .filter(level__in={level, "village"})
        .order_by("code")
        .values_list("code", "name", "level")
    )
    if level == "village":
        name = base.name if base else _("全部区划")
        groups = [Group(code, name, [(a, n) for a, n, _lv in rows])]
    else:
        cells: dict[str, list[tuple[str, str]]] = {a: [] for a, _n, lv in rows if lv == level}
        for area, name, lv in rows:
            parent = areacodes.pad(area[:length])
            if lv == "village" and parent in cells:
                cells[parent].append((area, name))
        names = {a: n for a, n, lv in rows if lv == level}
        groups = [Group(a, names[a], cells[a]) for a in cells]
    response = JsonResponse(mapfile.shapes(groups))
    response["Cache-Control"] = "private, max-age=300"
    return response
