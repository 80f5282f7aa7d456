"""Area pages: the user's subtree with the figures each village carries, collapsed to the
user's own area, a search that opens the path to an area, and the figures as .xlsx."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from jingzhun.exports.sheets import Table, list_export_response
from jingzhun.registry import choices as c
from jingzhun.registry.models import Household, Person

from .choices import Level
from .models import Area


@dataclass
class Node:
    """An area with its children and the registry counts summed over its subtree."""

    area: Area
    children: list[Node] = field(default_factory=list)
    households: int = 0
    poor_households: int = 0
    persons: int = 0
    poor_persons: int = 0
    rural_population: int = 0
    depth: int = 0  # 0 for the top of the user's tree (set by `walk`)

    @property
    def is_village(self) -> bool:
        return self.area.level == Level.VILLAGE


def build_tree(user: object) -> list[Node]:
    """Three aggregate queries (areas, households per village, persons per village), then the
    tree is assembled in memory and counts summed bottom-up."""
    areas = list(
        Area.objects.visible_to(user)
        .only("code", "name", "level", "parent_id", "poor_village", "rural_population")
        .order_by("code")
    )
    households = {
        row["village_id"]: row
        for row in Household.objects.visible_to(user)
        .order_by()
        .values("village_id")
        .annotate(n=Count("id"), poor=Count("id", filter=Q(status__in=c.POOR_STATUSES)))
    }
    persons = {
        row["household__village_id"]: row
        for row in Person.objects.visible_to(user)
        .order_by()
        .values("household__village_id")
        .annotate(n=Count("id"), poor=Count("id", filter=Q(household__status__in=c.POOR_STATUSES)))
    }
    nodes = {a.code: Node(a) for a in areas}
    roots = []
    for area in areas:  # ordered by code: parents come before children
        node = nodes[area.code]
        if area.level == Level.VILLAGE:
            h = households.get(area.code, {})
            p = persons.get(area.code, {})
            node.households, node.poor_households = h.get("n", 0), h.get("poor", 0)
            node.persons, node.poor_persons = p.get("n", 0), p.get("poor", 0)
            node.rural_population = area.rural_population or 0
        parent = nodes.get(area.parent_id) if area.parent_id else None
        (parent.children if parent else roots).append(node)

    def total(node: Node) -> None:
        for child in node.children:
            total(child)
            node.households += child.households
            node.poor_households += child.poor_households
            node.persons += child.persons
            node.poor_persons += child.poor_persons
            node.rural_population += child.rural_population

    for root in roots:
        total(root)
    return roots


# Matches of a search listed (and opened) at most; more ask for a longer name or code.
SEARCH_SHOWN = 50
SEARCH_MAX_LENGTH = 30
OPEN_MAX = 50  # areas opened by 展开下级 kept in the address


def search_areas(user: Any, text: str) -> tuple[list[Area], bool]:
    """The areas the user sees whose name contains `text` or whose code starts with it
    (the codes' trailing zeros ignored: "532527100" finds the township), by code; and whether
    there were more than SEARCH_SHOWN."""
    text = text.strip()[:SEARCH_MAX_LENGTH]
    if not text:
        return [], False
    match = Q(name__icontains=text)
    if text.isascii() and text.isdigit():
        digits = text.rstrip("0") or text
        match |= Q(code__startswith=digits[:12])
    found = list(
        Area.objects.visible_to(user)
        .filter(match)
        .only("code", "name", "level", "parent_id")
        .order_by("code")[: SEARCH_SHOWN + 1]
    )
    return found[:SEARCH_SHOWN], len(found) > SEARCH_SHOWN


def open_codes(
    roots: list[Node], user: Any, matches: list[Area], chosen: list[str] | None = None
) -> set[str]:
    """The areas shown open: the user's own area (the top level for a user without one), every
    area above a match (so each match shows in its place), and the `chosen` areas (展开下级)
    with the areas above them. Only what the user sees: codes outside the tree are ignored."""
    opened = {user.area_id} if getattr(user, "area_id", None) else {n.area.code for n in roots}
    visible = {node.area.code: node.area for node in walk(roots)}
    starts = [area.parent_id for area in matches]
    starts += [code for code in chosen or [] if code in visible]
    for code in starts:
        while code and code in visible:
            opened.add(code)
            code = visible[code].parent_id
    return opened


def walk(nodes: list[Node], depth: int = 0) -> Iterator[Node]:
    """Every node, parents before their children (the page's order)."""
    for node in nodes:
        node.depth = depth
        yield node
        yield from walk(node.children, depth + 1)


def _open_query(query: str, chosen: list[str]) -> str:
    params = QueryDict(mutable=True)
    if query:
        params["q"] = query
    params.setlist("open", chosen)
    return params.urlencode()


@login_required
def area_tree(request: HttpRequest) -> HttpResponse:
    roots = build_tree(request.user)
    ancestors = request.user.area.ancestors() if request.user.area_id else []
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    matches, more = search_areas(request.user, query)
    chosen = [c for c in request.GET.getlist("open") if c.isascii() and c.isdigit()][:OPEN_MAX]
    return render(
        request,
        "areas/area_tree.html",
        {
            "roots": roots,
            "ancestors": ancestors,
            "q": query,
            "matches": matches,
            "more_matches": more,
            "matched": {area.code for area in matches},
            "opened": open_codes(roots, request.user, matches, chosen),
            # 展开下级 adds its area to those already opened (and keeps the search).
            "open_query": _open_query(query, chosen),
            "search_shown": SEARCH_SHOWN,
        },
    )


@never_cache
@login_required
def tree_xlsx(request: HttpRequest) -> HttpResponse:
    """The tree's figures, one row per area the user sees (the page's order) with its level
    and parent: the same three GROUP BY queries as the page. Audited."""
    nodes = list(walk(build_tree(request.user)))
    names = {node.area.code: node.area.name for node in nodes}
    # The top's parent lies outside the tree (the page names it above the tree): one query.
    above = {n.area.parent_id for n in nodes if n.area.parent_id and n.area.parent_id not in names}
    names.update(Area.objects.filter(code__in=above).values_list("code", "name"))
    headers = [
        (gettext("区划代码"), 15),
        (gettext("区划名称"), 18),
        (gettext("级别"), 8),
        (gettext("上级区划代码"), 15),
        (gettext("上级区划名称"), 18),
        (gettext("贫困村"), 8),
        (gettext("农村户籍人口"), 12),
        (gettext("建档立卡户数"), 12),
        (gettext("建档立卡人数"), 12),
        (gettext("未脱贫户数（含返贫）"), 14),
        (gettext("未脱贫人数（含返贫）"), 14),
    ]

    def poor(node: Node) -> str:
        if not node.is_village:
            return ""
        return gettext("是") if node.area.poor_village else gettext("否")

    rows = (
        [
            node.area.code,
            node.area.name,
            node.area.get_level_display(),
            node.area.parent_id or "",
            names.get(node.area.parent_id or "", ""),
            poor(node),
            node.rural_population,
            node.households,
            node.persons,
            node.poor_households,
            node.poor_persons,
        ]
        for node in nodes
    )
    user = request.user
    return list_export_response(
        [Table("行政区划", headers, rows)],  # sheet titles stay Chinese (looked up by name)
        acting_user=user,
        report="areas.tree",
        file_prefix="area-tree",
        filters={},
        message=gettext("导出行政区划统计（{area}）").format(
            area=user.area.name if user.area_id else gettext("全部区划")
        ),
    )
