"""The rule language's household subject: what it may name, and a broken household rule named by
file, rule and key."""

from __future__ import annotations

import pytest

from jingzhun.standards import rules, vocabulary
from jingzhun.standards.errors import StandardError

RULE = """
id = "draft"
name = "草稿"
name_en = "Draft"
version = "1"

[[rule]]
id = "heads"
label = "户主人数"
label_en = "Heads"
meaning = "quality"
severity = "low"
subject = "household"
step = "核对"
sentence = "户主 {person_name} 户登记户主 {heads} 名"

[[rule.when]]
value = "heads"
op = "!="
threshold = 1
"""


def test_a_household_rule_reads_the_household_facts():
    ruleset = rules.loads(RULE, "draft.toml")
    rule = ruleset.rule("heads")
    assert rule.subject == "household" and rule.dataset is None
    assert rule.fields == ("heads", "person_name")
    assert rules.fields_of("household", None) == {
        name: f.type for name, f in vocabulary.HOUSEHOLD_FACTS.items()
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # A household has no age: the person fields are not the household's.
        (('value = "heads"', 'value = "age"'), "规则 heads: when[1]: value: 未知字段 'age'"),
        (
            ('subject = "household"', 'subject = "household"\ndataset = "vehicles"'),
            "规则 heads: dataset: household 规则只读登记数据，不带数据类型",
        ),
        (("{heads} 名", "{plate} 名"), "规则 heads: sentence: 未知占位符 ['plate']"),
        (('op = "!="\nthreshold = 1', 'op = "is_true"'), "when[1]: is_true 只能用于布尔字段"),
        (('subject = "household"', 'subject = "family"'), "规则 heads: subject: 应为"),
        # The assessment's household fields are another vocabulary (`kind`, not household_kind).
        (('value = "heads"', 'value = "heads - kind"'), "when[1]: value: 未知字段 'kind'"),
    ],
)
def test_a_broken_household_rule_is_named(change, message):
    with pytest.raises(StandardError) as refused:
        rules.loads(RULE.replace(*change), "draft.toml")
    assert str(refused.value).startswith("draft.toml: ") and message in str(refused.value)


def test_a_person_rule_cannot_name_a_household_count():
    text = RULE.replace('subject = "household"', 'subject = "person"')
    with pytest.raises(StandardError, match="规则 heads: when\\[1\\]: value: 未知字段 'heads'"):
        rules.loads(text, "draft.toml")
