"""Area pages: the user's subtree with the figures each village carries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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


@login_required
def area_tree(request: HttpRequest) -> HttpResponse:
    roots = build_tree(request.user)
    ancestors = request.user.area.ancestors() if request.user.area_id else []
    return render(request, "areas/area_tree.html", {"roots": roots, "ancestors": ancestors})
