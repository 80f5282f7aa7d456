"""A loaded standard: frozen, validated data. Pure (no Django, no Ibis)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from jingzhun import povertylines
from jingzhun.standards.errors import Problem, StandardError
from jingzhun.standards.expression import Node

OPS = (">", ">=", "<", "<=", "==", "!=", "is_true")
# Threshold words that are not parameters: resolved at evaluation time from the assessed year.
POVERTY_LINE = "poverty_line"
YEAR = "year"
LEVEL_ZH = {"household": "户", "village": "村", "county": "县"}


@dataclass(frozen=True)
class Indicator:
    id: str
    level: str
    label: str
    label_en: str
    value: str  # the expression as written in the file
    op: str
    threshold: Decimal | str | None  # a number, a parameter name, "poverty_line", "year" or None
    explain: str | None = None
    explain_en: str | None = None
    when_null: str = "unmet"  # "met": a NULL value means "not applicable" (see docs)
    tree: Node = field(default=("num", Decimal(0)), compare=False, repr=False)

    @property
    def fields(self) -> tuple[str, ...]:
        from jingzhun.standards.expression import names

        return names(self.tree)


@dataclass(frozen=True)
class Standard:
    id: str
    name: str
    name_en: str
    region: str
    year: int
    version: str
    extends: str | None
    parameters: Mapping[str, Decimal]
    household: tuple[Indicator, ...]
    village: tuple[Indicator, ...]
    county: tuple[Indicator, ...]
    poverty_line_table: str = "national"
    path: Path | None = field(default=None, compare=False)

    def indicators(self, level: str) -> tuple[Indicator, ...]:
        if level not in LEVEL_ZH:
            raise StandardError(f"未知层级 '{level}' (unknown level)")
        return getattr(self, level)

    def indicator(self, level: str, indicator_id: str) -> Indicator:
        for indicator in self.indicators(level):
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)

    def threshold(self, indicator: Indicator, year: int) -> Decimal | None:
        """The indicator's threshold for the assessed `year` (the poverty line comes from the
        table in jingzhun.povertylines, never from code)."""
        threshold = indicator.threshold
        if threshold is None or isinstance(threshold, Decimal):
            return threshold
        if threshold == POVERTY_LINE:
            try:
                return povertylines.line(year, self.poverty_line_table)
            except KeyError as exc:
                message = f"threshold: {year} 年没有扶贫标准线 (no poverty line for {year})"
                raise StandardError(
                    f"{self.id}: {LEVEL_ZH[indicator.level]} {indicator.level} 指标 "
                    f"{indicator.id}: {message}",
                    [Problem.parse(self.id, message, indicator.level, indicator.id)],
                ) from exc
        if threshold == YEAR:
            return Decimal(year)
        return self.parameters[threshold]
