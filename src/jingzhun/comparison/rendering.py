"""The text of a rule's findings, written for all of them at once over the Arrow table the
engine returned (172 k findings at 3.5 M persons): each field's distinct values are rendered
once in Python — names masked, codes as their labels, dates and amounts as people read them —
and spread over the rows by Arrow; a sentence is its template's literals and those columns
joined element-wise; the stored values are JSON joined the same way; the key naming a
finding's cause is DuckDB's SHA-256 of the department row's identity. Nothing runs once per
finding in Python.

How to call it::

    table = rendering.with_text(rule, table, types)   # + sentence, sentence_en
    keys = rendering.keys(table)                       # the findings' keys (runs._keep)
    values = rendering.values_json(table, rule.fields)
"""

from __future__ import annotations

import datetime
import json
import string
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from django.utils import translation

from jingzhun import masking
from jingzhun.audit.services import plain
from jingzhun.engine.comparison import ROW_KEY
from jingzhun.registry import choices as c
from jingzhun.standards import rules
from jingzhun.standards.explain import number

# Registry codes shown as their labels in sentences.
LABELS = {
    "relation": c.Relation,
    "sex": c.Sex,
    "health": c.Health,
    "schooling": c.Schooling,
    "labour": c.Labour,
    "household_status": c.Status,
    "household_kind": c.Kind,
    "main_cause": c.Cause,
    "work_status": c.WorkStatus,
}
NAMES = ("person_name", "name")  # masked: 李四 → 李*
# The order findings are kept in: by village, household, person and department row, NULL
# first (the engines disagree on where ORDER BY puts NULLs, so Arrow sorts).
ORDER = ("village_code", "household_id", "person_id", "row_id")
LANGUAGES = (("zh-hans", "sentence"), ("en", "sentence_en"))

_NATIVE = frozenset({int, str, bool, Decimal, datetime.date})


def ordered(table: pa.Table) -> pa.Table:
    """`table` sorted by ORDER, NULL first."""
    keys = [(name, "ascending", "at_start") for name in ORDER if name in table.column_names]
    return table.take(pc.sort_indices(table, sort_keys=keys)) if keys else table


def with_text(rule: rules.Rule, table: pa.Table, types: dict[str, str]) -> pa.Table:
    """`table` with the rule's sentence in Chinese (`sentence`) and English (`sentence_en`).
    The language is switched once per rule; each distinct value of a field is rendered once,
    and once for both languages unless its text depends on the language (a label, yes/no)."""
    shown_columns: dict[tuple, pa.Array] = {}
    for language, column in LANGUAGES:
        template = rule.sentence if column == "sentence" else rule.sentence_en or rule.sentence
        with translation.override(language):
            text = sentences(template, table, types, label=rule.label, cache=shown_columns)
        table = table.append_column(column, text)
    return table


def sentences(
    template: str,
    table: pa.Table,
    types: dict[str, str],
    *,
    label: str,
    cache: dict[tuple, pa.Array] | None = None,
) -> pa.Array:
    """`template` ("成员 {person_name} 名下{vehicle_type}…") filled in for every row of `table`
    in the active language, as `str.format` would with each field's shown value. `cache`
    keeps the shown columns for the next language's sentence."""
    cache = {} if cache is None else cache
    pieces: list[Any] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if literal:
            pieces.append(literal)
        if name is None:
            continue
        if name == "label":
            pieces.append(_formatted(label, spec, conversion))
            continue
        if name not in table.column_names:
            raise KeyError(name)
        kind = types.get(name, "")
        worded = name in LABELS or kind == "bool"  # its text is the language's
        key = (name, spec, conversion, translation.get_language() if worded else None)
        if key not in cache:
            cache[key] = _shown_column(table[name], name, kind, spec, conversion)
        pieces.append(cache[key])
    arrays = [piece for piece in pieces if not isinstance(piece, str)]
    if not arrays:  # a sentence without a field: the same for every row
        return pa.array(["".join(pieces)] * table.num_rows, pa.string())
    return pc.binary_join_element_wise(*pieces, "")


def _shown_column(
    column: pa.ChunkedArray, name: str, kind: str, spec: str, conversion: str | None
) -> pa.Array:
    if name in NAMES and not spec and conversion is None and pa.types.is_string(column.type):
        # Nearly every name differs: masked by Arrow, not one Python call per name.
        return masked_names(column)

    def render(value: Any) -> str:
        return _formatted(shown(name, plain_value(value), kind), spec, conversion)

    return per_value(column, render)


def masked_names(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """`masking.mask_name` of every name (张三 → 张*, 王小明 → 王*明; one character kept as
    it is; NULL → "—" as `shown` writes it)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    length = pc.utf8_length(column)
    first = pc.utf8_slice_codeunits(column, 0, 1)
    last = pc.utf8_slice_codeunits(column, -1)
    middle = pc.binary_repeat(masking.MASK, pc.max_element_wise(pc.subtract(length, 2), 0))
    two = pc.binary_join_element_wise(first, masking.MASK, "")
    more = pc.binary_join_element_wise(first, middle, last, "")
    masked = pc.if_else(
        pc.less_equal(length, 1), column, pc.if_else(pc.equal(length, 2), two, more)
    )
    return masked.fill_null(shown("name", None, ""))


def values_json(table: pa.Table, fields: Iterable[str]) -> pa.Array:
    """Each row's values of `fields` as the JSON object `json.dumps` writes of
    {name: value} (Decimal as text, dates in ISO; NULL and NaN as null)."""
    fields = list(fields)
    if not fields:
        return pa.array(["{}"] * table.num_rows, pa.string())
    pieces: list[Any] = ["{"]
    for index, name in enumerate(fields):
        pieces.append(("" if index == 0 else ", ") + json.dumps(name, ensure_ascii=False) + ": ")
        if name in table.column_names:
            pieces.append(_json_column(table[name]))
        else:
            pieces.append("null")
    pieces.append("}")
    if len(pieces) == 1 + 2 * len(fields) + 1 and all(isinstance(p, str) for p in pieces):
        return pa.array(["".join(pieces)] * table.num_rows, pa.string())
    return pc.binary_join_element_wise(*pieces, "")


def keys(table: pa.Table) -> pa.Array:
    """Each finding's key, the cause it names, stable across runs and across a newer file of
    the same list: `p<person>` without a department row; with one, the person (or `-`) and a
    hash of the row's own identity (`ROW_KEY`: number, token, category, detail, date as
    2019-05-01, year; each empty when NULL, 0 or ''), not its row number or file."""
    names = ["person_id", "row_id", *ROW_KEY]
    columns = {
        name: table[name] if name in table.column_names else pa.nulls(table.num_rows, pa.int64())
        for name in names
    }
    with duckdb.connect() as con:
        con.register("frame", pa.table(columns))
        result = con.sql(_KEY_SQL).to_arrow_table()
    return result.column("key").combine_chunks()


def _text(name: str) -> str:
    return f"coalesce(CAST({name} AS VARCHAR), '')"


def _whole(name: str) -> str:  # str(part or ""): 0 and NULL both empty
    return f"CASE WHEN coalesce({name}, 0) = 0 THEN '' ELSE CAST({name} AS VARCHAR) END"


def _iso(name: str) -> str:
    # YYYYMMDD → 2019-05-01, as the date was written when keys were first made.
    return (
        f"CASE WHEN coalesce({name}, 0) = 0 THEN '' ELSE "
        f"lpad(CAST({name} // 10000 AS VARCHAR), 4, '0') || '-' || "
        f"lpad(CAST({name} // 100 % 100 AS VARCHAR), 2, '0') || '-' || "
        f"lpad(CAST({name} % 100 AS VARCHAR), 2, '0') END"
    )


_NATURAL = " || '|' || ".join(
    [
        _text("row_key_number"),
        _text("row_key_token"),
        _text("row_key_category"),
        _text("row_key_detail"),
        _iso("row_key_date"),
        _whole("row_key_year"),
    ]
)
# Order kept: DuckDB preserves the input's order through a plain projection. Column names
# only, no value: nothing to inject.
_KEY = (
    "CASE WHEN row_id IS NULL THEN 'p' || coalesce(CAST(person_id AS VARCHAR), 'None') "
    "ELSE 'p' || coalesce(CAST(person_id AS VARCHAR), '-') || ':' || "
    f"substr(sha256({_NATURAL}), 1, 24) END"
)
_KEY_SQL = f"SELECT {_KEY} AS key FROM frame"  # noqa: S608


def per_value(column: pa.ChunkedArray | pa.Array, render: Callable[[Any], str]) -> pa.Array:
    """`render` of every value of `column`, called once per distinct value (and once for
    NULL) and spread over the rows."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_null(column.type):
        return pa.array([render(None)] * len(column), pa.string())
    encoded = pc.dictionary_encode(column)
    texts = pa.array([render(v) for v in encoded.dictionary.to_pylist()], pa.string())
    return texts.take(encoded.indices).fill_null(render(None))


def _json_column(column: pa.ChunkedArray) -> pa.Array:
    """`json.dumps` of every value. Text that needs no escaping (no quote, backslash or
    control character: names, codes) is quoted by Arrow; anything else once per value."""
    if pa.types.is_string(column.type):
        column = column.combine_chunks()
        escaped = pc.any(pc.match_substring_regex(column, r'[\x00-\x1f"\\]')).as_py()
        if not escaped:
            return pc.binary_join_element_wise('"', column, '"', "").fill_null("null")
    return per_value(column, _json_value)


def _json_value(value: Any) -> str:
    return json.dumps(plain(plain_value(value)), ensure_ascii=False)


def _formatted(value: str, spec: str, conversion: str | None) -> str:
    if conversion == "r":
        value = repr(value)
    elif conversion == "a":
        value = ascii(value)
    return format(value, spec) if spec else value


def plain_value(value: Any) -> Any:
    """A pandas/numpy value as a plain Python one (NaN/NaT/None → None). Arrow's values are
    already plain (only a float may be NaN): returned at once."""
    if value is None or type(value) in _NATIVE:
        return value
    try:
        if value != value:  # NaN
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    return value


def shown(name: str, value: Any, kind: str) -> str:
    """One value as a sentence shows it, in the active language."""
    if value is None:
        return "—"
    if name in NAMES:
        return masking.mask_name(value)
    if name in LABELS:
        try:
            return str(LABELS[name](value).label)
        except ValueError:
            return str(value)
    if kind == "date" and isinstance(value, int):
        return datetime.date(value // 10000, value // 100 % 100, value % 100).isoformat()
    if kind == "bool":
        return translation.gettext("是") if value else translation.gettext("否")
    if kind == "number":
        return number(value)
    return str(value)
