"""A schematic map: villages as hexagons, packed around the centre of their township's block,
the blocks on a grid in code order. Pure module (no Django): the same area tree always gives the
same GeoJSON, so a county's picture does not move between visits.

Real boundaries are not available offline; a deployment with its own GeoJSON sets
JINGZHUN_MAP_GEOJSON instead (dashboard/mapfile.py). Coordinates are plain numbers: ECharts
draws them as given (x to the right, y up), no projection.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SQRT3 = math.sqrt(3)
# Axial directions of a hexagonal grid, in ring order.
DIRECTIONS = ((1, 0), (1, -1), (0, -1), (-1, 0), (-1, 1), (0, 1))


@dataclass(frozen=True)
class Group:
    """A block of the map (a township, or a county above county level) and its cells."""

    code: str
    name: str
    cells: Sequence[tuple[str, str]]  # (code, name) of each village, in any order


def spiral(count: int) -> list[tuple[int, int]]:
    """The first `count` axial hex coordinates of a spiral around (0, 0): a compact blob."""
    out = [(0, 0)]
    ring = 1
    while len(out) < count:
        q, r = DIRECTIONS[4][0] * ring, DIRECTIONS[4][1] * ring
        for dq, dr in DIRECTIONS:
            for _step in range(ring):
                out.append((q, r))
                q, r = q + dq, r + dr
        ring += 1
    return out[:count]


def rings_for(count: int) -> int:
    """Rings around the centre a spiral of `count` cells needs (1 + 3k(k+1) cells in k rings)."""
    rings = 0
    while 1 + 3 * rings * (rings + 1) < count:
        rings += 1
    return rings


def hexagon(x: float, y: float, size: float = 1.0) -> list[list[float]]:
    """A pointy-top hexagon's closed ring around (x, y), counter-clockwise (GeoJSON's order)."""
    points = []
    for corner in range(6):
        angle = math.radians(60 * corner - 30)
        points.append([round(x + size * math.cos(angle), 4), round(y + size * math.sin(angle), 4)])
    points.append(points[0])
    return points


def center(q: int, r: int) -> tuple[float, float]:
    """The centre of axial cell (q, r) for unit hexagons (y up)."""
    return SQRT3 * (q + r / 2), -1.5 * r


def layout(groups: Sequence[Group]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection with one hexagon per village (properties: code, name,
    group) and, as the foreign member `labels`, each group's name at its block's centre."""
    ordered = sorted(groups, key=lambda g: g.code)
    rings = max((rings_for(len(g.cells)) for g in ordered), default=0)
    # Block pitch: the widest blob (2 rings + 1 cells across) and a cell of space between.
    pitch = SQRT3 * (2 * rings + 2.5)
    # Wider than tall, as the page's map box is.
    columns = max(1, math.ceil(math.sqrt(len(ordered) * 1.6)))
    features: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    for index, group in enumerate(ordered):
        ox = (index % columns) * pitch
        oy = -(index // columns) * pitch * 0.9
        cells = sorted(group.cells)
        for (code, name), (q, r) in zip(cells, spiral(len(cells)), strict=True):
            x, y = center(q, r)
            features.append(
                {
                    "type": "Feature",
                    "properties": {"code": code, "name": name, "group": group.code},
                    "geometry": {"type": "Polygon", "coordinates": [hexagon(ox + x, oy + y)]},
                }
            )
        # The name just above the block's cells.
        top = oy + 1.5 * rings_for(len(cells)) + 1.6
        labels.append({"code": group.code, "name": group.name, "at": [round(ox, 4), round(top, 4)]})
    return {"type": "FeatureCollection", "features": features, "labels": labels}
