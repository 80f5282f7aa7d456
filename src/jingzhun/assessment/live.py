"""Evaluate a standard NOW for a few entities, without storing a run.

Procedures use it at approval time: a household proposed for exit on last month's verdict must
still meet the standard on today's registry. The evaluation is the engine's (the same compiled
Ibis expressions as a stored run), on the application database, limited to one area prefix and
to the given entities, inside the caller's transaction (it sees the caller's uncommitted rows).
"""

from __future__ import annotations

from collections.abc import Iterable

from jingzhun.engine.django import app_backend
from jingzhun.engine.inputs import input_view
from jingzhun.engine.tables import base_tables
from jingzhun.standards import loader
from jingzhun.standards.compiler import evaluate
from jingzhun.standards.explain import explain
from jingzhun.standards.vocabulary import KEYS


def unmet_now(
    standard_id: str, year: int, level: str, entities: Iterable[str | int], prefix: str
) -> dict[str, dict[str, list[str]]]:
    """{entity: {"zh": […], "en": […]}}: the sentences of its unmet indicators in both
    languages (what is stored is read later in either), for each of `entities` found under
    `prefix` (empty lists = meets every indicator). An entity missing from the answer is no
    longer assessable (deregistered, or moved out of the area)."""
    wanted = [str(e) for e in entities]
    if not wanted:
        return {}
    standard = loader.load(standard_id)
    backend = app_backend()
    view = input_view(base_tables(backend, prefix), level, year, prefix)
    key = KEYS[level]
    view = view.filter(view[key].cast("string").isin(wanted))
    rows = evaluate(standard, level, view, year=year).to_pyarrow().to_pylist()
    return {
        str(row[key]): {
            language: explain(standard, level, row, year=year, language=language)
            for language in ("zh", "en")
        }
        for row in rows
    }
