"""Preview a draft standard against the adopted one, without storing anything.

Both standards are compiled over the SAME input view, in ONE projection (each indicator's
value / threshold / met of the adopted standard as `a_<id>__…`, of the draft as `d_<id>__…`,
and each standard's overall `a_met` / `d_met`): the two results are aligned on the entity key by
construction, so no join of two evaluations (and no second scan of the view) is needed. Changes
are then grouped by area in the engine; Python receives the aggregated rows and one page of a
list (exports: the changed rows once). Runs on Django's own connection (`app_backend()`),
limited to an area prefix inside the user's scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from jingzhun.engine.inputs import input_view
from jingzhun.engine.tables import base_tables
from jingzhun.standards import Standard
from jingzhun.standards.compiler import indicator_columns
from jingzhun.standards.explain import is_rate, sentence
from jingzhun.standards.schema import Indicator
from jingzhun.standards.vocabulary import KEYS

from .choices import Level
from .compare import (
    GROUPINGS,
    LEVELS,
    MET,
    SAME_MET,
    SAME_UNMET,
    UNMET,
    in_scope,
    order_of,
    page_of,
    pivot,
    with_names,
)

CHANGES = [MET, UNMET, SAME_MET, SAME_UNMET]
SIDES = {"a": "adopted", "d": "draft"}


def both_results(
    adopted: Standard, draft: Standard, level: str, view: ir.Table, year: int
) -> ir.Table:
    """entity, area_code, household_id (households), a_/d_ indicator columns, a_met, d_met and
    change (adopted → draft), one row per entity of the view."""
    key = KEYS[level]
    area = "village_code" if level == Level.HOUSEHOLD else key
    columns: dict[str, ir.Value] = {}
    overall: dict[str, ir.BooleanValue] = {}
    for side, standard in (("a", adopted), ("d", draft)):
        met: ir.BooleanValue = ibis.literal(True)
        for indicator in standard.indicators(level):
            for name, expr in indicator_columns(standard, indicator, view, year).items():
                columns[f"{side}_{name}"] = expr
            met = met & columns[f"{side}_{indicator.id}__met"]
        overall[f"{side}_met"] = met
    before, after = overall["a_met"], overall["d_met"]
    change = ibis.cases(
        (before & after, SAME_MET),
        (~before & ~after, SAME_UNMET),
        (after, MET),
        else_=UNMET,
    )
    household = view[key].cast("int64") if level == Level.HOUSEHOLD else ibis.null("int64")
    return view.select(
        entity=view[key].cast("string"),
        area_code=view[area],
        household_id=household,
        **columns,
        **overall,
        change=change,
    )


def _union(adopted: Standard, draft: Standard, level: str) -> list[tuple[str, Indicator]]:
    """(id, indicator) of both standards, draft first (its label wins), each id once."""
    seen: dict[str, Indicator] = {}
    for standard in (draft, adopted):
        for indicator in standard.indicators(level):
            seen.setdefault(indicator.id, indicator)
    return list(seen.items())


@dataclass
class Preview:
    """A draft against the adopted standard, for one year, within an area prefix."""

    adopted: Standard
    draft: Standard
    year: int
    prefix: str = ""
    language: str = "zh"
    backend: BaseBackend = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.backend is None:
            from jingzhun.engine.django import app_backend

            self.backend = app_backend()
        # Validates that both standards compile for the year (a missing poverty line raises).
        for standard in (self.adopted, self.draft):
            for level in LEVELS:
                for indicator in standard.indicators(level):
                    standard.threshold(indicator, self.year)
        self._tables = base_tables(self.backend, self.prefix)

    def table(self, level: str) -> ir.Table:
        view = input_view(self._tables, level, self.year, self.prefix)
        return both_results(self.adopted, self.draft, level, view, self.year)

    def indicators(self, level: str) -> list[tuple[str, Indicator]]:
        return _union(self.adopted, self.draft, level)

    def _flags(self, t: ir.Table, level: str) -> dict[str, tuple[ir.BooleanValue, ...]]:
        """Per indicator id: its met flag in the adopted and in the draft standard, an indicator
        absent from one of them counting as met there."""
        adopted = {i.id for i in self.adopted.indicators(level)}
        draft = {i.id for i in self.draft.indicators(level)}
        true = ibis.literal(True)
        return {
            ind: (
                t[f"a_{ind}__met"] if ind in adopted else true,
                t[f"d_{ind}__met"] if ind in draft else true,
            )
            for ind, _indicator in self.indicators(level)
        }

    def summary(
        self, level: str, by: str
    ) -> tuple[list[dict[str, Any]], dict[str, int], list[dict[str, Any]]]:
        """By area (counts per change), the totals, and per indicator the entities that newly
        fail / newly pass it: ONE grouped query; Python adds up the few area rows."""
        t = self.table(level)
        t = t.mutate(area=t.area_code.substr(0, GROUPINGS[by]))
        flags = self._flags(t, level)
        metrics: dict[str, ir.Value] = {"n": t.count()}
        for position, (before, after) in enumerate(flags.values()):
            metrics[f"f{position}"] = (before & ~after).ifelse(1, 0).sum()
            metrics[f"p{position}"] = (~before & after).ifelse(1, 0).sum()
        rows = t.group_by(["area", "change"]).aggregate(**metrics).to_pyarrow().to_pylist()
        areas, totals = pivot(rows, CHANGES)
        totals["met_before"] = totals[SAME_MET] + totals[UNMET]
        totals["met_after"] = totals[SAME_MET] + totals[MET]
        indicators = []
        for position, (ind, indicator) in enumerate(self.indicators(level)):
            failing = sum(int(r[f"f{position}"] or 0) for r in rows)
            passing = sum(int(r[f"p{position}"] or 0) for r in rows)
            indicators.append(
                {
                    "indicator": ind,
                    "label": indicator.label,
                    "failing": failing,
                    "passing": passing,
                    "state": self._state(level, ind),
                }
            )
        return areas, totals, indicators

    def _state(self, level: str, ind: str) -> str:
        """'added', 'removed', 'changed' or '' (same definition and threshold)."""
        try:
            old = self.adopted.indicator(level, ind)
        except KeyError:
            return "added"
        try:
            new = self.draft.indicator(level, ind)
        except KeyError:
            return "removed"
        same = (old.value, old.op, old.when_null) == (new.value, new.op, new.when_null)
        if same and old.op != "is_true":
            same = self.adopted.threshold(old, self.year) == self.draft.threshold(new, self.year)
        return "" if same else "changed"

    def entities(
        self, level: str, change: str, page: int = 1, area: str = ""
    ) -> tuple[list[dict[str, Any]], bool]:
        """One page of the entities of one change (within an area prefix), named, with reasons."""
        t = self.table(level)
        t = t.filter(t.change == change, in_scope(t.area_code, area))
        rows, has_next = page_of(with_names(self.backend, t, level), order_of(level), page)
        for row in rows:
            row["reasons"] = self.reasons(level, row)
        return rows, has_next

    def export_rows(self, level: str) -> list[dict[str, Any]]:
        """Every entity that newly meets or newly misses, named, with reasons (export)."""
        t = self.table(level)
        t = t.filter(t.change.isin([MET, UNMET]))
        order = ["change", *order_of(level)]
        rows = with_names(self.backend, t, level).order_by(order).to_pyarrow().to_pylist()
        for row in rows:
            row["reasons"] = self.reasons(level, row)
        return rows

    def reasons(self, level: str, row: dict[str, Any]) -> list[dict[str, Any]]:
        """The indicators whose met flag differs between the standards for one returned row,
        with the sentence of the side where it is unmet (formatting only, no evaluation)."""
        out = []
        for ind, indicator in self.indicators(level):
            before = row.get(f"a_{ind}__met")
            after = row.get(f"d_{ind}__met")
            flag_before = True if before is None else bool(before)
            flag_after = True if after is None else bool(after)
            if flag_before == flag_after:
                continue
            side, standard = ("d", self.draft) if not flag_after else ("a", self.adopted)
            unmet_indicator = standard.indicator(level, ind)
            out.append(
                {
                    "indicator": ind,
                    "label": indicator.label,
                    "yes_no": indicator.op == "is_true",
                    "rate": is_rate(indicator),
                    "before_met": before,
                    "after_met": after,
                    "before_value": _number(row.get(f"a_{ind}__value")),
                    "after_value": _number(row.get(f"d_{ind}__value")),
                    "before_threshold": row.get(f"a_{ind}__threshold"),
                    "after_threshold": row.get(f"d_{ind}__threshold"),
                    "failing": not flag_after,
                    "explanation": sentence(
                        unmet_indicator,
                        row.get(f"{side}_{ind}__value"),
                        row.get(f"{side}_{ind}__threshold"),
                        year=self.year,
                        language=self.language,
                    ),
                }
            )
        return out


def _number(value: Any) -> Any:
    """A yes/no value as 1.0 / 0.0, like the stored results."""
    return float(value) if isinstance(value, bool) else value
