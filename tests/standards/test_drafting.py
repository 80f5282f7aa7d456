"""Draft standards built from the form's edits: whatever the form produces loads with the
standard loader and reads back as the same edits (property tests, hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jingzhun.standards import loader
from jingzhun.standards.drafting import (
    COMPARISONS,
    LEVELS,
    DraftEdits,
    NewIndicator,
    addable_fields,
    changes_beyond_form,
    draft_toml,
    edits_of,
    normalised,
    numeric_threshold,
)

ADOPTED = {s.id: s for s in loader.available()}

decimals = st.decimals(
    min_value=Decimal("-1000000000"),
    max_value=Decimal("1000000000"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)

# The form's name fields are required and stripped: never blank.
names = texts.filter(lambda text: text.strip())


@st.composite
def new_indicators(draw):
    level = draw(st.sampled_from(LEVELS))
    field = draw(st.sampled_from(addable_fields(level)))
    if field.type == "bool":
        op, threshold = "is_true", None
    else:
        op, threshold = draw(st.sampled_from(COMPARISONS)), draw(decimals)
    return NewIndicator(level, field.name, op, threshold, draw(texts), draw(texts))


@st.composite
def edits(draw):
    adopted = ADOPTED[draw(st.sampled_from(sorted(ADOPTED)))]
    keys = [(level, i.id) for level in LEVELS for i in adopted.indicators(level)]
    numeric = [k for k in keys if numeric_threshold(adopted.indicator(*k))]
    return adopted, DraftEdits(
        name=draw(names),
        name_en=draw(names),
        parameters={
            name: draw(decimals)
            for name in draw(st.lists(st.sampled_from(sorted(adopted.parameters)), unique=True))
        },
        thresholds={
            key: draw(decimals) for key in draw(st.lists(st.sampled_from(numeric), unique=True))
        },
        off=frozenset(draw(st.lists(st.sampled_from(keys), unique=True))),
        added=tuple(draw(st.lists(new_indicators(), max_size=4))),
    )


@settings(max_examples=150, deadline=None)
@given(edits())
def test_what_the_form_produces_loads_and_round_trips(case):
    adopted, edit = case
    text = draft_toml(adopted, edit)
    draft = loader.loads(text)  # never raises: the form's output is always a valid standard
    assert edits_of(adopted, draft) == normalised(adopted, edit)
    assert not changes_beyond_form(adopted, draft)
    # Written again from what it read: the same text (a stable stored format).
    assert draft_toml(adopted, edits_of(adopted, draft)) == text


@settings(max_examples=60, deadline=None)
@given(edits())
def test_the_loaded_draft_applies_every_edit(case):
    adopted, edit = case
    draft = loader.loads(draft_toml(adopted, edit))
    for level in LEVELS:
        ids = [i.id for i in draft.indicators(level)]
        kept = [i.id for i in adopted.indicators(level) if (level, i.id) not in edit.off]
        added = [a for a in edit.added if a.level == level]
        assert ids[: len(kept)] == kept and len(ids) == len(kept) + len(added)
        for ind in kept:
            expected = edit.thresholds.get((level, ind), adopted.indicator(level, ind).threshold)
            assert draft.indicator(level, ind).threshold == expected
    for name, value in adopted.parameters.items():
        assert draft.parameters[name] == edit.parameters.get(name, value)


def test_an_example_draft_reads_as_a_reviewer_expects():
    adopted = ADOPTED["yunnan-2018"]
    edit = DraftEdits(
        name="云南省贫困退出标准（征求意见稿）",
        name_en="Yunnan standard (draft)",
        parameters={"collective_income_min": Decimal(30000)},
        thresholds={("county", "exited_villages"): Decimal("95.5")},
        off=frozenset({("household", "pension")}),
        added=(NewIndicator("household", "dropouts", "<=", Decimal(0), "无辍学", "No dropout"),),
    )
    assert draft_toml(adopted, edit) == (
        "# 草案标准：继承现行标准，只写出修改之处（由草案编辑表单生成）。\n"
        "# Draft standard: extends the adopted one and states only the changes.\n"
        'id = "yunnan-2018-draft"\n'
        'name = "云南省贫困退出标准（征求意见稿）"\n'
        'name_en = "Yunnan standard (draft)"\n'
        'region = "53"\n'
        "year = 2018\n"
        'version = "draft"\n'
        'extends = "yunnan-2018"\n'
        'remove = ["household.pension"]\n'
        "\n[parameters]\ncollective_income_min = 30000\n"
        '\n[[county]]\nid = "exited_villages"\nthreshold = 95.5\n'
        '\n[[household]]\nid = "dropouts"\nlabel = "无辍学"\nlabel_en = "No dropout"\n'
        'value = "dropouts"\nop = "<="\nthreshold = 0\n'
    )


@pytest.mark.parametrize(
    ("addition", "expected"),
    [
        ('[[household]]\nid = "income"\nvalue = "net_income"\n', True),  # expression changed
        ("[parameters]\nnew_limit = 3\n", True),  # a parameter the form does not know
        ('[[county]]\nid = "exited_villages"\nthreshold = 80\n', False),  # the form shows it
    ],
)
def test_changes_beyond_the_form_are_noticed(addition, expected):
    adopted = ADOPTED["yunnan-2018"]
    text = draft_toml(adopted, DraftEdits(name="草案", name_en="Draft")) + addition
    assert changes_beyond_form(adopted, loader.loads(text)) is expected
