"""The board (动态管理): the year's batches with their stages, 超期未办 and 待我办理, each
paged. Its export is views_excel.board_xlsx, which reads the same lists (`board_lists`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from jingzhun.areas.choices import Level as AreaLevel
from jingzhun.areas.models import Area
from jingzhun.core.paging import fetch_page, make_pager, page_number

from . import queries, services
from .flows import Kind
from .models import Batch, Procedure
from .views import AREA_SELECT_LIMIT, _int, _proposal_kinds, _visible_area

ROWS_SHOWN = 50  # rows per page of 待我办理 and 超期未办
BATCHES_SHOWN = 500


def _area_choices(user: Any) -> list[tuple[str, str]]:
    """Counties, townships and villages the user sees, indented (villages dropped when many)."""
    levels = [AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
    visible = Area.objects.visible_to(user)
    areas = list(
        visible.filter(level__in=levels).values_list("code", "name", "level")[
            : AREA_SELECT_LIMIT + 1
        ]
    )
    if len(areas) > AREA_SELECT_LIMIT:
        areas = list(visible.filter(level__in=levels[:2]).values_list("code", "name", "level"))
    indent = {AreaLevel.TOWNSHIP: "\u3000", AreaLevel.VILLAGE: "\u3000\u3000"}
    return [(code, indent.get(level, "") + name) for code, name, level in areas]


def _rows(queryset: QuerySet[Procedure], page: int = 1, limit: int | None = -1) -> list[Procedure]:
    """Page `page` of `queryset`, ROWS_SHOWN rows (every row when `limit` is None: the
    board's export). ROWS_SHOWN is read at the call, so a test may lower it."""
    limit = ROWS_SHOWN if limit == -1 else limit
    queryset = queryset.select_related("household", "batch__area", "village", "notice")
    if limit is None:
        return queries.with_heads(list(queryset))
    # Deferred join: a deep page walks the offset on keys only (core/paging.py).
    return queries.with_heads(fetch_page(queryset, (page - 1) * limit, limit))


def _years(user: Any, this_year: int, chosen: int) -> list[int]:
    """The years that have batches the user sees, this year and the chosen one, newest first."""
    years = set(Batch.objects.visible_to(user).order_by().values_list("year", flat=True).distinct())
    return sorted(years | {this_year, chosen}, reverse=True)


def overdue_rows(queryset: QuerySet[Procedure], today: Any, **paging: Any) -> list[Procedure]:
    """The rows of 超期未办 with their due date and days late."""
    rows = _rows(queryset, **paging)
    for row in rows:
        row.due = queries.due_date(row)
        row.late_days = (today - row.due).days if row.due else None
    return rows


def awaiting_rows(queryset: QuerySet[Procedure], **paging: Any) -> list[Procedure]:
    """The rows of 待我办理 with why the step cannot be taken yet ('' when it can)."""
    rows = _rows(queryset, **paging)
    for row in rows:
        row.blocked = queries.blocked_reason(row)
    return rows


def board_lists(request: HttpRequest) -> dict[str, Any]:
    """What the board shows for the request's filter (year, area): the year's batches with
    their stages, and the querysets of the overdue and awaiting procedures. The page and its
    export (views_excel.board_xlsx) read the same lists."""
    user = request.user
    today = services.today()
    # Default: the newest year with batches (exit lists are worked on into the next year).
    latest = Batch.objects.visible_to(user).aggregate(latest=Max("year"))["latest"]
    year = _int(request.GET.get("year"), latest or today.year)
    chosen = _visible_area(user, request.GET.get("area", "").strip())
    area_code = chosen.code if chosen else ""

    batches = list(
        queries.within(Batch.objects.visible_to(user).filter(year=year), "area_id", area_code)
        .select_related("area")
        .order_by("kind", "area_id")[: BATCHES_SHOWN + 1]
    )
    more_batches = len(batches) > BATCHES_SHOWN
    batches = batches[:BATCHES_SHOWN]
    procedures = queries.within(Procedure.objects.visible_to(user), "village_id", area_code)
    stages = queries.batch_stages(procedures, batches, today)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for batch in batches:
        by_kind.setdefault(batch.kind, []).append({"batch": batch, "stages": stages[batch.pk]})
    groups = [(Kind(kind).label, by_kind[kind]) for kind in Kind.values if kind in by_kind]
    return {
        "today": today,
        "year": year,
        "area": chosen,
        "area_code": area_code,
        "groups": groups,
        "more_batches": more_batches,
        "overdue": procedures.filter(queries.overdue_q(today)).order_by("state_since", "id"),
        "awaiting": queries.awaiting(user, procedures, today).order_by("state_since", "id"),
    }


def _board_query(request: HttpRequest) -> QueryDict:
    """The board's filter (year, area) without the pages: kept by its pagers and export."""
    query = request.GET.copy()
    for name in ("overdue_page", "awaiting_page"):
        query.pop(name, None)
    return query


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """Batches of the year by kind with their counts per stage; overdue procedures; what awaits
    the user, each list paged. Overdue and awaiting are not limited to the year: a late step is
    late whatever the batch's year."""
    user = request.user
    lists = board_lists(request)
    query = _board_query(request)
    pagers, shown = {}, {}
    for name in ("overdue", "awaiting"):
        param = f"{name}_page"
        number = page_number(request.GET.get(param))
        total = lists[name].count()
        rows = (
            overdue_rows(lists[name], lists["today"], page=number)
            if name == "overdue"
            else awaiting_rows(lists[name], page=number)
        )
        shown[name] = rows
        pagers[name] = make_pager(
            number=number, per_page=ROWS_SHOWN, total=total, params=query, param=param
        )
    return render(
        request,
        "procedures/board.html",
        {
            "year": lists["year"],
            "years": _years(user, lists["today"].year, lists["year"]),
            "areas": _area_choices(user),
            "chosen_area": lists["area_code"],
            "groups": lists["groups"],
            "more_batches": lists["more_batches"],
            "overdue": shown["overdue"],
            "overdue_count": pagers["overdue"].total,
            "overdue_pager": pagers["overdue"],
            "awaiting": shown["awaiting"],
            "awaiting_count": pagers["awaiting"].total,
            "awaiting_pager": pagers["awaiting"],
            "rows_shown": ROWS_SHOWN,
            "query": query.urlencode(),
            "proposal_kinds": _proposal_kinds(user),
            "today": lists["today"],
        },
    )
