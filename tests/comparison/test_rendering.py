"""Findings' text written over whole Arrow columns (`comparison.rendering`) must equal what one
finding at a time gives: `masking.mask_name`, `json.dumps`, `str.format` with `shown`, and the
key as runs first wrote it (SHA-256 in Python). Property tests over the values rules meet."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from decimal import Decimal

import pyarrow as pa
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from jingzhun.audit.services import plain
from jingzhun.comparison import rendering
from jingzhun.masking import mask_name
from jingzhun.standards import rules

texts = st.one_of(st.none(), st.text(max_size=8))
ids = st.one_of(st.none(), st.integers(min_value=1, max_value=2**40))
dates = st.one_of(
    st.none(),
    st.just(0),
    st.dates(datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)).map(
        lambda d: d.year * 10000 + d.month * 100 + d.day
    ),
)
years = st.one_of(st.none(), st.just(0), st.integers(min_value=1950, max_value=2100))


def _key(person_id, row_id, number, token, category, detail, date, year) -> str:
    """The key as runs.py wrote it one finding at a time before the columns (stop 17)."""
    if row_id is None:
        return f"p{person_id}"
    if date:
        date = f"{date // 10000:04d}-{date // 100 % 100:02d}-{date % 100:02d}"
    natural = "|".join(str(part or "") for part in (number, token, category, detail, date, year))
    return f"p{person_id or '-'}:{hashlib.sha256(natural.encode()).hexdigest()[:24]}"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(ids, ids, texts, texts, texts, texts, dates, years), max_size=30))
def test_keys_equal_the_keys_written_one_finding_at_a_time(rows) -> None:
    names = ["person_id", "row_id", *rendering.ROW_KEY]
    types = [pa.int64(), pa.int64(), *[pa.string()] * 4, pa.int64(), pa.int64()]
    table = pa.table(
        {name: pa.array([row[i] for row in rows], kind) for i, (name, kind) in
         enumerate(zip(names, types, strict=True))}
    )  # fmt: skip
    assert rendering.keys(table).to_pylist() == [_key(*row) for row in rows]


def test_a_key_without_the_row_identity_columns_is_the_person() -> None:
    table = pa.table({"person_id": pa.array([7, None], pa.int64())})
    assert rendering.keys(table).to_pylist() == ["p7", "pNone"]


@settings(max_examples=60, deadline=None)
@given(st.lists(texts, max_size=30))
def test_names_are_masked_as_mask_name_masks_them(names) -> None:
    masked = rendering.masked_names(pa.array(names, pa.string())).to_pylist()
    assert masked == ["—" if name is None else mask_name(name) for name in names]


values = st.one_of(
    st.none(),
    st.text(max_size=6),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.booleans(),
    st.decimals(min_value=-99999, max_value=99999, places=2, allow_nan=False),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(values, values), max_size=20), st.data())
def test_values_are_the_json_of_each_finding(rows, data) -> None:
    # One type per column, as an engine returns them.
    columns = {}
    for i, name in enumerate(("名称", "amount")):
        column = [row[i] for row in rows]
        kinds = {type(v) for v in column if v is not None}
        if len(kinds) > 1:
            column = [None if v is None else str(v) for v in column]
        columns[name] = pa.array(column, pa.decimal128(12, 2) if kinds == {Decimal} else None)
    table = pa.table(columns) if rows else pa.table({n: pa.array([]) for n in columns})
    written = rendering.values_json(table, ["名称", "amount", "absent"]).to_pylist()
    expected = [
        json.dumps(
            {name: plain(value) for name, value in (*record.items(), ("absent", None))},
            ensure_ascii=False,
        )
        for record in table.to_pylist()
    ]
    assert written == expected


def test_sentences_equal_str_format_of_each_finding_in_both_languages() -> None:
    rule = rules.load("national-2016").rules[0]
    rule = dataclasses.replace(
        rule,
        sentence="{label}：成员 {person_name}（{relation}）{died_on} {amount} 元 {flag}",
        sentence_en="{label}: {person_name} ({relation}) {died_on} {amount!r:>12} {flag}",
    )
    types = {"died_on": "date", "amount": "number", "flag": "bool"}
    table = pa.table(
        {
            "person_name": pa.array(["欧阳娜娜", "李四", None], pa.string()),
            "relation": pa.array(["spouse", "no-such-code", None], pa.string()),
            "died_on": pa.array([20190501, None, 20191231], pa.int64()),
            "amount": pa.array([Decimal("86000.00"), Decimal("2995.50"), None]),
            "flag": pa.array([True, False, None]),
        }
    )
    found = rendering.with_text(rule, table, types)
    for language, column, template in (
        ("zh-hans", "sentence", rule.sentence),
        ("en", "sentence_en", rule.sentence_en),
    ):
        with translation.override(language):
            expected = [
                template.format(
                    label=rule.label,
                    **{n: rendering.shown(n, v, types.get(n, "")) for n, v in record.items()},
                )
                for record in table.to_pylist()
            ]
        assert found[column].to_pylist() == expected
    assert found["sentence"][0].as_py().endswith("86,000 元 是")
    assert found["sentence_en"][0].as_py().endswith("'86,000' Yes")
