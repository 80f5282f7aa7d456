"""The map's shapes: a deployment's own GeoJSON (settings.MAP_GEOJSON, from JINGZHUN_MAP_GEOJSON)
or, without one, the schematic layout generated from the area tree (layout.py).

A deployment's file holds features whose property `code` is a 12-digit area code (townships,
villages or both; shorter codes are padded). Only the features of the areas shown are sent to
the browser, so nobody receives the shapes of an area outside their scope. The file is read
once and kept until it changes on disk.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

from jingzhun import areacodes

from .layout import Group, layout

_cache: dict[str, Any] = {}
_lock = threading.Lock()


def _features(path: Path) -> list[dict[str, Any]]:
    """The file's features with a valid padded `code` (kept until the file changes)."""
    stamp = path.stat().st_mtime_ns
    with _lock:
        if _cache.get("path") == str(path) and _cache.get("stamp") == stamp:
            return _cache["features"]
    data = json.loads(path.read_text(encoding="utf-8"))
    features = []
    for feature in data.get("features", []):
        properties = feature.get("properties") or {}
        try:
            code = areacodes.pad(str(properties.get("code", "")))
        except ValueError:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": str(properties.get("name") or code)},
                "geometry": feature.get("geometry"),
            }
        )
    with _lock:
        _cache.update(path=str(path), stamp=stamp, features=features)
    return features


def deployment_map(codes: set[str]) -> dict[str, Any] | None:
    """The deployment's features of the areas `codes` (None: no file configured)."""
    configured = getattr(settings, "MAP_GEOJSON", "")
    if not configured:
        return None
    features = [f for f in _features(Path(configured)) if f["properties"]["code"] in codes]
    return {"type": "FeatureCollection", "features": features, "labels": [], "schematic": False}


def shapes(groups: list[Group]) -> dict[str, Any]:
    """The map of `groups` (child areas with their villages): the deployment's features of
    those villages, else of the child areas, else the schematic layout."""
    villages = {code for group in groups for code, _name in group.cells}
    children = {group.code for group in groups}
    own = deployment_map(villages | children)
    if own is not None and own["features"]:
        found = {f["properties"]["code"] for f in own["features"]}
        # One level only: village shapes if the file has any of ours, else the child areas'.
        level = villages if found & villages else children
        own["features"] = [f for f in own["features"] if f["properties"]["code"] in level]
        own["level"] = "village" if level is villages else "child"
        return own
    generated = layout(groups)
    generated.update(schematic=True, level="village")
    return generated
