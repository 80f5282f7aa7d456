"""Compile a standard's indicators for one level into ONE Ibis expression over the level's input
view (columns = vocabulary.LEVELS[level]). No per-row Python; runs on any Ibis backend.

Exactness across engines: SQLite stores decimals as REAL, PostgreSQL as NUMERIC, DuckDB as either.
Every value is therefore scaled to an integer number of 1/10,000 units (round(value * 10^4)) and
compared with the threshold scaled the same way in Python (exact Decimal arithmetic). 2995.00,
2995 and 2995.0000000001 all compare equal to the line 2995; 2995.01 is above it, on every engine.
NULL semantics: a NULL value (missing record, division by zero) is not met, unless the indicator
says `when_null = "met"` (not applicable). Division by zero yields NULL (NULLIF), never an error.
"""

from __future__ import annotations

from decimal import Decimal

import ibis
import ibis.expr.types as ir

from jingzhun.standards import vocabulary
from jingzhun.standards.errors import StandardError
from jingzhun.standards.expression import Node, names
from jingzhun.standards.schema import LEVEL_ZH, Indicator, Standard

SCALE = 10**4  # matches loader.MAX_DECIMALS


def value_expr(tree: Node, table: ir.Table) -> ir.NumericValue:
    """The Ibis expression of a parsed value tree over `table`."""
    kind = tree[0]
    if kind == "name":
        return table[tree[1]]
    if kind == "num":
        number: Decimal = tree[1]
        if number == number.to_integral_value():
            return ibis.literal(int(number), "int64")
        return ibis.literal(float(number), "float64")
    if kind == "neg":
        return -value_expr(tree[1], table)
    left, right = value_expr(tree[2], table), value_expr(tree[3], table)
    op = tree[1]
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    # Division by zero is NULL (then "not met"), never an error or infinity.
    return left.cast("float64") / right.nullif(0)


def _compare(left: ir.IntegerValue, op: str, right: ir.IntegerValue) -> ir.BooleanValue:
    return {
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
        "==": left == right,
        "!=": left != right,
    }[op]


def indicator_columns(
    standard: Standard, indicator: Indicator, table: ir.Table, year: int
) -> dict[str, ir.Value]:
    """`<id>__value`, `<id>__threshold` (float64, NULL for is_true) and `<id>__met` (never NULL)."""
    missing = [name for name in names(indicator.tree) if name not in table.columns]
    if missing:
        raise StandardError(
            f"{standard.id}: {LEVEL_ZH[indicator.level]} {indicator.level} 指标 {indicator.id}: "
            f"value: 输入表缺少字段 {missing} (input table lacks column)"
        )
    if indicator.op == "is_true":
        column = table[indicator.tree[1]]
        value: ir.Value = column.cast("boolean")
        threshold: ir.Value = ibis.null("float64")
        met = value
    else:
        scaled = (value_expr(indicator.tree, table) * SCALE).round().cast("int64")
        limit = standard.threshold(indicator, year)
        assert limit is not None  # the loader refuses a comparison without threshold
        scaled_limit = int((limit * SCALE).to_integral_value())
        # Report the compared (rounded) value, so every engine shows the same figure.
        value = scaled.cast("float64") / SCALE
        limit_scaled = ibis.literal(scaled_limit, "int64")
        # Built like the value (not a float literal, which PostgreSQL returns as NUMERIC).
        threshold = limit_scaled.cast("float64") / SCALE
        met = _compare(scaled, indicator.op, limit_scaled)
    met = met.fill_null(indicator.when_null == "met")
    return {
        f"{indicator.id}__value": value,
        f"{indicator.id}__threshold": threshold,
        f"{indicator.id}__met": met,
    }


def evaluate(
    standard: Standard,
    level: str,
    table: ir.Table,
    *,
    year: int | None = None,
    keep: tuple[str, ...] = (),
) -> ir.Table:
    """One row per entity: the key column, the input columns named in `keep`, per indicator
    value/threshold/met, and `met` (all met).

    `year` is the assessed year (default: the standard's year); it picks the poverty line and
    resolves the `year` threshold."""
    indicators = standard.indicators(level)
    year = standard.year if year is None else year
    key = vocabulary.KEYS[level]
    columns: dict[str, ir.Value] = {}
    for indicator in indicators:
        columns.update(indicator_columns(standard, indicator, table, year))
    mets = [columns[f"{i.id}__met"] for i in indicators]
    overall = ibis.literal(True)
    for met in mets:
        overall = overall & met
    kept = [table[name] for name in keep if name != key]
    return table.select(table[key], *kept, **columns, met=overall)
