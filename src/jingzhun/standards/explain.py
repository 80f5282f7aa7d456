"""Sentences for unmet indicators ("人均纯收入 2,870 元,未超过 2018 年标准 2,995 元").

Labels and templates come from the standard (Chinese and English in the file); the default
sentences below cover indicators without a template and NULL values. Pure: the language is an
argument, not Django's active language, so stored results can be rendered in either.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from jingzhun.standards.schema import Indicator, Standard

OP_TEXT = {
    "zh": {">": "高于", ">=": "不低于", "<": "低于", "<=": "不高于", "==": "等于", "!=": "不等于"},
    "en": {
        ">": "above",
        ">=": "at least",
        "<": "below",
        "<=": "at most",
        "==": "equal to",
        "!=": "not equal to",
    },
}
DEFAULT = {
    "zh": "{label}未达标:{value}(要求{op} {threshold})",
    "en": "{label} not met: {value} (required: {op} {threshold})",
}
DEFAULT_BOOL = {"zh": "{label}未达标", "en": "{label} not met"}
MISSING = {
    "zh": "{label}未达标:无数据(缺少记录或分母为零)",
    "en": "{label} not met: no data (missing record or zero denominator)",
}


def number(value: object) -> str:
    """Thousands separators, at most two decimals, no trailing zeros: 2870 → "2,870",
    2995.5 → "2,995.5", 2.456 → "2.46". Years are numbers too: format them with str()."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount:,.2f}".rstrip("0")


def _shown(indicator: Indicator, value: object) -> str:
    # A year threshold/value ("certified in 2019") reads wrong as "2,019".
    if indicator.threshold == "year" and value is not None:
        return str(int(Decimal(str(value))))
    return number(value)


def sentence(
    indicator: Indicator, value: object, threshold: object, *, year: int, language: str = "zh"
) -> str:
    """The sentence for one unmet indicator."""
    en = language.startswith("en")
    lang = "en" if en else "zh"
    label = indicator.label_en if en else indicator.label
    if value is None or _is_nan(value):
        return MISSING[lang].format(label=label)
    template = indicator.explain_en if en else indicator.explain
    if template:
        return template.format(
            value=_shown(indicator, value),
            threshold=_shown(indicator, threshold),
            year=year,
            label=label,
        )
    if indicator.op == "is_true":
        return DEFAULT_BOOL[lang].format(label=label)
    return DEFAULT[lang].format(
        label=label,
        value=_shown(indicator, value),
        op=OP_TEXT[lang][indicator.op],
        threshold=_shown(indicator, threshold),
    )


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and value != value


def explain(
    standard: Standard, level: str, row: Mapping, *, year: int | None = None, language: str = "zh"
) -> list[str]:
    """Sentences for the unmet indicators of one result row of compiler.evaluate(), in order."""
    year = standard.year if year is None else year
    out = []
    for indicator in standard.indicators(level):
        met = row.get(f"{indicator.id}__met")
        if met is True or (met is not None and not _is_nan(met) and bool(met)):
            continue
        out.append(
            sentence(
                indicator,
                row.get(f"{indicator.id}__value"),
                row.get(f"{indicator.id}__threshold"),
                year=year,
                language=language,
            )
        )
    return out


def _pad3(n: ir.IntegerValue) -> ir.StringValue:
    # Zero-padded to 3 digits without lpad (SQLite has none): 7 → "1007" → "007".
    return (n + 1000).cast("string").substr(1)


def _int(n: ir.IntegerValue) -> ir.IntegerValue:
    """Force an integer: SQLite's MOD() and `//` return REAL although Ibis types them int64 (so
    a plain cast to int64 is elided), and CAST(2.0 AS text) is "2.0". Exact below 2**53."""
    return n.cast("float64").cast("int64")


def _mod(n: ir.IntegerValue, divisor: int) -> ir.IntegerValue:
    return _int(n % divisor)


def _div(n: ir.IntegerValue, divisor: int) -> ir.IntegerValue:
    """Integer division of a non-negative integer, exact on every engine."""
    return ((n - _mod(n, divisor)) / divisor).cast("int64")


def number_expr(value: ir.NumericValue) -> ir.StringValue:
    """The engine's rendering of a number like `explain.number()`: thousands separators, at most
    two decimals, no trailing zeros (2870 → "2,870", 2000.01 → "2,000.01", 12.5 → "12.5").
    Integer arithmetic and CAST(int AS text) only, so SQLite, PostgreSQL and DuckDB print the
    same text (casting a float to text differs between them)."""
    cents = (value.cast("float64") * 100).round().cast("int64")
    whole_cents = cents.abs()
    whole = _div(whole_cents, 100)
    fraction = _mod(whole_cents, 100)
    g0, g1 = _mod(whole, 1000), _mod(_div(whole, 1000), 1000)
    g2, g3 = _mod(_div(whole, 1_000_000), 1000), _div(whole, 1_000_000_000)
    text = ibis.cases(
        (
            whole >= 1_000_000_000,
            g3.cast("string") + "," + _pad3(g2) + "," + _pad3(g1) + "," + _pad3(g0),
        ),
        (whole >= 1_000_000, g2.cast("string") + "," + _pad3(g1) + "," + _pad3(g0)),
        (whole >= 1000, g1.cast("string") + "," + _pad3(g0)),
        else_=g0.cast("string"),
    )
    decimals = ibis.cases(
        (fraction == 0, ibis.literal("")),
        (_mod(fraction, 10) == 0, "." + _div(fraction, 10).cast("string")),
        else_="." + (fraction + 100).cast("string").substr(1),
    )
    sign = ibis.ifelse(cents < 0, "-", "")
    return sign + text + decimals


def indicator_explanation_expr(
    standard: Standard,
    indicator: Indicator,
    result: ir.Table,
    *,
    year: int,
    language: str,
) -> ir.StringValue:
    """The sentence of one indicator per row of an evaluate() result, '' where met.

    Label, threshold and year are constants of the run, filled in by Python with `sentence`'s
    wording; the value is rendered by the engine (`number_expr`), identically on every engine."""
    value = result[f"{indicator.id}__value"]
    met = result[f"{indicator.id}__met"]
    if indicator.op == "is_true":
        present: ir.StringValue = ibis.literal(
            sentence(indicator, False, None, year=year, language=language)
        )
    else:
        marker = "\x00"
        threshold = standard.threshold(indicator, year)
        fixed = _template_with_marker(indicator, threshold, year, language, marker)
        before, _sep, after = fixed.partition(marker)
        if indicator.threshold == "year":  # a year reads wrong as "2,019"
            shown = value.round().cast("int64").cast("string")
        else:
            shown = number_expr(value)
        present = ibis.literal(before) + shown + ibis.literal(after)
    missing = ibis.literal(sentence(indicator, None, None, year=year, language=language))
    return ibis.ifelse(met, ibis.literal(""), ibis.ifelse(value.isnull(), missing, present))


def explain_expr(
    standard: Standard,
    level: str,
    result: ir.Table,
    *,
    year: int | None = None,
    language: str = "zh",
    separator: str = ";",
) -> ir.StringValue:
    """Set-based explanations: one Ibis string expression over an evaluate() result, joining the
    sentences of the unmet indicators ("" when all are met)."""
    year = standard.year if year is None else year
    parts = [
        indicator_explanation_expr(standard, indicator, result, year=year, language=language)
        for indicator in standard.indicators(level)
    ]
    if not parts:
        return ibis.literal("")
    joined = parts[0]
    for part in parts[1:]:
        joined = ibis.ifelse(
            (joined != "") & (part != ""), joined + separator + part, joined + part
        )
    return joined


def _template_with_marker(
    indicator: Indicator, threshold: Decimal | None, year: int, language: str, marker: str
) -> str:
    en = language.startswith("en")
    lang = "en" if en else "zh"
    label = indicator.label_en if en else indicator.label
    template = indicator.explain_en if en else indicator.explain
    shown = _shown(indicator, threshold)
    if template:
        return template.format(value=marker, threshold=shown, year=year, label=label)
    return DEFAULT[lang].format(
        label=label, value=marker, op=OP_TEXT[lang][indicator.op], threshold=shown
    )
