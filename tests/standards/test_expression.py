from __future__ import annotations

import contextlib

import ibis
from hypothesis import given, settings
from hypothesis import strategies as st

from jingzhun.standards import StandardError, vocabulary
from jingzhun.standards.compiler import value_expr
from jingzhun.standards.expression import ExpressionError, names, parse
from jingzhun.standards.loader import _indicator

NUMBER_FIELDS = sorted(n for n, f in vocabulary.VILLAGE.items() if f.type in ("number", "year"))
VILLAGE_TABLE = ibis.table(
    {n: "float64" if f.type != "bool" else "boolean" for n, f in vocabulary.VILLAGE.items()
     if f.type != "text"} | {"village_code": "string", "county_code": "string"},
    name="village",
)  # fmt: skip

atoms = st.one_of(
    st.sampled_from(NUMBER_FIELDS),
    st.integers(min_value=0, max_value=10**6).map(str),
    st.decimals(min_value=0, max_value=10**4, places=2, allow_nan=False).map(str),
)
expressions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(" ".join),
        inner.map(lambda e: "(" + e + ")"),
        inner.map(lambda e: "-" + e),
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(expressions)
def test_random_valid_expressions_parse_validate_and_compile(text):
    tree = parse(text)
    indicator = _indicator(
        {"id": "x", "label": "x", "label_en": "x", "value": text, "op": ">", "threshold": 0},
        "village",
        "t.toml",
        {},
    )

    assert set(names(tree)) <= set(NUMBER_FIELDS)
    assert indicator.tree == tree
    assert value_expr(tree, VILLAGE_TABLE).type().is_numeric()


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_random_junk_raises_standard_error_and_nothing_else(text):
    raw = {"id": "x", "label": "x", "label_en": "x", "value": text, "op": ">", "threshold": 0}
    try:
        _indicator(raw, "village", "t.toml", {})
    except StandardError as exc:
        assert str(exc).startswith("t.toml: 村 village 指标 x: value: ")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abc_()+-*/.0123456789 <>=!,[]'\"{}:@%", max_size=40))
def test_junk_from_expression_characters_raises_only_expression_error(text):
    with contextlib.suppress(ExpressionError):
        parse(text)


def test_parse_builds_the_tree_and_refuses_everything_else():
    assert parse("(a + 2.5) / -b") == (
        "bin", "/", ("bin", "+", ("name", "a"), ("num", parse("2.5")[1])), ("neg", ("name", "b")),
    )  # fmt: skip
    for text in ["a.b", "a[0]", "f(a)", "a and b", "not a", "a < b", "True", "'x'", "a ** 2",
                 "a // 2", "a % 2", "lambda: 1", "1e999", "", "a if b else c", "[a]"]:  # fmt: skip
        try:
            parse(text)
        except ExpressionError:
            continue
        raise AssertionError(f"accepted {text!r}")
