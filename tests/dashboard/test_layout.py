"""The schematic map: deterministic, one hexagon per village, blocks that do not overlap."""

from __future__ import annotations

from jingzhun.dashboard.layout import Group, layout, rings_for, spiral


def test_spiral_is_compact_and_distinct():
    cells = spiral(19)
    assert len(set(cells)) == 19
    assert cells[:7] == [(0, 0), (-1, 1), (0, 1), (1, 0), (1, -1), (0, -1), (-1, 0)]
    assert [rings_for(n) for n in (1, 2, 7, 8, 19, 20)] == [0, 1, 1, 2, 2, 3]


def groups():
    return [
        Group("532527101000", "乙镇", [(f"532527101{i:03d}", f"乙{i}村") for i in range(1, 4)]),
        Group("532527100000", "甲镇", [(f"532527100{i:03d}", f"甲{i}村") for i in range(1, 10)]),
    ]


def test_layout_one_hexagon_per_village_in_code_order():
    geo = layout(groups())
    assert geo == layout(list(reversed(groups())))  # the same tree, the same map
    codes = [f["properties"]["code"] for f in geo["features"]]
    assert codes == sorted(codes) and len(codes) == 12
    assert [label["name"] for label in geo["labels"]] == ["甲镇", "乙镇"]
    ring = geo["features"][0]["geometry"]["coordinates"][0]
    assert len(ring) == 7 and ring[0] == ring[-1]


def test_blocks_do_not_overlap():
    geo = layout(groups())
    by_group: dict[str, list[float]] = {}
    for feature in geo["features"]:
        xs = [x for x, _y in feature["geometry"]["coordinates"][0]]
        by_group.setdefault(feature["properties"]["group"], []).extend(xs)
    first, second = by_group["532527100000"], by_group["532527101000"]
    assert max(first) < min(second)
