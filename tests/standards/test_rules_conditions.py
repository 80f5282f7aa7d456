"""The rule language's conditions beyond a field against a threshold: `field` (a field against
another field), a list field's `contains` and `is_empty`; what they may name, a broken one named
by file, rule and key, and what they compile to on DuckDB and SQLite."""

from __future__ import annotations

import ibis
import pytest

from jingzhun.standards import rules
from jingzhun.standards.compiler import condition_met
from jingzhun.standards.errors import StandardError

RULE = """
id = "draft"
name = "草稿"
name_en = "Draft"
version = "1"

[[rule]]
id = "cause"
label = "其他致贫原因与主要致贫原因相同"
label_en = "Secondary cause repeats the main one"
meaning = "quality"
severity = "low"
subject = "household"
step = "核对"
sentence = "户主 {person_name} 户主要致贫原因为{main_cause}"

[[rule.when]]
value = "other_causes"
op = "contains"
field = "main_cause"

[[rule.when]]
value = "household_kind"
op = "is_empty"
"""


def test_a_condition_may_compare_a_field_with_another_field():
    rule = rules.loads(RULE, "draft.toml").rule("cause")
    first, second = rule.when
    assert (first.op, first.other, first.threshold) == ("contains", "main_cause", None)
    assert (second.op, second.other) == ("is_empty", None)
    # The other field is read too (kept in the finding's values).
    assert rule.fields == ("other_causes", "main_cause", "household_kind", "person_name")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('field = "main_cause"', 'field = "cause"'), "when[1]: field: 未知字段 'cause'"),
        (
            ('field = "main_cause"', 'field = "main_cause"\nthreshold = "illness"'),
            "when[1]: field 与 threshold 只能写一个",
        ),
        (('op = "contains"', 'op = ">"'), "when[1]: field 只能用 ==, !=, contains 比较"),
        # contains reads a list field; == compares two text fields.
        (('value = "other_causes"', 'value = "main_cause"'), "when[1]: contains field 需要列表"),
        (('op = "contains"', 'op = "=="'), "when[1]: == field 需要文本字段和文本字段"),
        (('field = "main_cause"', 'field = "members"'), "when[1]: contains field 需要列表"),
        (
            ('op = "contains"\nfield = "main_cause"', 'op = "=="\nthreshold = "illness"'),
            "when[1]: 列表字段只能用 contains",
        ),
        (
            ('op = "contains"\nfield = "main_cause"', 'op = "contains"\nthreshold = 3'),
            "when[1]: contains 用于列表字段和一个文本",
        ),
        (('value = "household_kind"', 'value = "members"'), "when[2]: is_empty 只能用于文本字段"),
        (
            ('op = "is_empty"', 'op = "is_empty"\nthreshold = ""'),
            "when[2]: is_empty 用于单个字段，不带阈值",
        ),
    ],
)
def test_a_broken_condition_is_named(change, message):
    with pytest.raises(StandardError) as refused:
        rules.loads(RULE.replace(*change), "draft.toml")
    assert str(refused.value).startswith("draft.toml: 规则 cause: ")
    assert message in str(refused.value)


def test_a_list_holds_a_whole_code_and_empty_is_null_or_blank():
    ruleset = rules.loads(RULE, "draft.toml")
    contains, empty = ruleset.rule("cause").when
    lists = [
        "capital,illness", "capital, illness", "illness", "chronic_illness", "", None,
        "capital,illness", "illness,capital",
    ]  # fmt: skip
    mains = ["illness", "illness", "illness", "illness", "illness", "illness", None, "capital"]
    kinds = ["ordinary", "", "  ", None, "dibao", "ordinary", "ordinary", "ordinary"]
    table = ibis.memtable(
        {"other_causes": lists, "main_cause": mains, "household_kind": kinds},
        schema={"other_causes": "string", "main_cause": "string", "household_kind": "string"},
    )
    capital = rules.Condition("other_causes", "contains", "capital", ("name", "other_causes"))
    expression = table.select(
        contains=condition_met(ruleset, contains, table, 2019),
        empty=condition_met(ruleset, empty, table, 2019),
        capital=condition_met(ruleset, capital, table, 2019),  # a list holds a constant code
    )
    for backend in (ibis.duckdb.connect(), ibis.sqlite.connect()):
        frame = backend.execute(expression)
        # A part of a code is not the code; NULL on either side is not met.
        assert frame["contains"].tolist() == [True, True, True, False, False, False, False, True]
        assert frame["empty"].tolist() == [False, True, True, True, False, False, False, False]
        assert frame["capital"].tolist() == [True, True, False, False, False, False, True, True]
