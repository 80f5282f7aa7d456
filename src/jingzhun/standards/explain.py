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

from jingzhun import rates
from jingzhun.standards.schema import Indicator, Standard
from jingzhun.standards.vocabulary import PERCENT_FIELDS

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
    "zh": "{label}未达标：{value}（要求{op} {threshold}）",
    "en": "{label} not met: {value} (required: {op} {threshold})",
}
DEFAULT_BOOL = {"zh": "{label}未达标", "en": "{label} not met"}
MISSING = {
    "zh": "{label}未达标：无数据（缺少记录或分母为零）",
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


def is_rate(indicator: Indicator) -> bool:
    """Whether the indicator's value is a rate: every field it reads is in percent (incidence,
    exited village share, income growth minus the province's in percentage points)."""
    fields = indicator.fields
    return bool(fields) and all(name in PERCENT_FIELDS for name in fields)


def _shown(indicator: Indicator, value: object) -> str:
    # A year threshold/value ("certified in 2019") reads wrong as "2,019".
    if indicator.threshold == "year" and value is not None:
        return str(int(Decimal(str(value))))
    # Rates with two decimals, as official reports print them: "42.86%", "3.00%".
    if is_rate(indicator):
        return rates.rate(value)
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


# Fixed-width digits of |cents|: a leading "1", 12 digits of yuan, 2 of fen. Money is
# decimal(14, 2), so no compared value reaches 10**12 yuan.
_DIGITS = 10**14
_HALF_UP = 0.5 + 1e-7


def number_expr(value: ir.NumericValue, *, rate: bool = False) -> ir.StringValue:
    """The engine's rendering of a number like `explain.number()`: thousands separators, at most
    two decimals, no trailing zeros (2870 → "2,870", 2000.01 → "2,000.01", 12.5 → "12.5");
    with `rate`, like `rates.rate()`: always two decimals (5.4 → "5.40", 30 → "30.00").

    Built from CAST(integer AS text), fixed-position substrings and two anchored regular
    expressions, so SQLite (Ibis's regex UDF), PostgreSQL, DuckDB and Spark print the same text
    (casting a float to text differs between them). The value is referenced only a few times:
    Ibis does not share repeated sub-expressions, and an expression that repeats its input
    dozens of times grows past Spark's 64 KB generated-code limit (slow, interpreted fallback)."""
    if rate:
        # Half up like rates.rate() (39.575 → "39.58", though the float is 39.57499…): a half
        # and a little more than the float's error added to |value| × 100, then floor, which
        # every engine computes alike.
        number = value.cast("float64")
        size = (number.abs() * 100 + _HALF_UP).floor().cast("int64")
        cents = ibis.ifelse(number < 0, -size, size)
    else:
        cents = (value.cast("float64") * 100).round().cast("int64")
    digits = (cents.abs() + _DIGITS).cast("string")
    grouped = (
        digits.substr(1, 3)
        + ","
        + digits.substr(4, 3)
        + ","
        + digits.substr(7, 3)
        + ","
        + digits.substr(10, 3)
    )
    # "000,001,234,567" → "1,234,567"; all zeros → "0".
    whole = grouped.re_replace("^[0,]+", "").nullif("").fill_null("0")
    decimals = "." + digits.substr(13, 2)
    if not rate:
        # ".00" → "", ".50" → ".5", ".05" → ".05". No backslashes: Spark SQL literals unescape them.
        decimals = decimals.re_replace("[.]?0+$", "")
    sign = ibis.ifelse(cents < 0, "-", "")
    return sign + whole + decimals


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
        before, found, after = fixed.partition(marker)
        if not found:  # a sentence without {value} ("no measure received")
            present = ibis.literal(fixed)
        else:
            if indicator.threshold == "year":  # a year reads wrong as "2,019"
                shown = value.round().cast("int64").cast("string")
            else:
                shown = number_expr(value, rate=is_rate(indicator))
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
