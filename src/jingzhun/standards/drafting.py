"""Draft standards built from a form: the edits an officer makes to the adopted standard (a
threshold changed, an indicator switched off, one added from the vocabulary) written as TOML,
the stored and reviewed format. Pure (no Django).

The draft `extends` the adopted standard and says only what differs, so the reviewer reads the
changes and nothing else:

    extends = "yunnan-2018"
    remove = ["household.pension"]        # switched off
    [parameters]  incidence_max = 2.5     # a parameter changed
    [[household]] id = "education" threshold = 1          # a threshold changed
    [[household]] id = "dropouts" label = … value = … op = … threshold = …   # added

`draft_toml(adopted, edits)` writes it; `edits_of(adopted, loaded_draft)` reads the edits back
from any draft of that standard (the form is filled again from a pasted or uploaded draft).
`loads(draft_toml(a, e))` always loads, and `edits_of` gives back `normalised(a, e)`: the
property tests in tests/standards/test_drafting.py hold the two to it.

A small writer rather than a TOML library: the draft has a fixed shape (strings, integers,
decimals, one list of strings, one table, arrays of tables), so the values need escaping and
nothing more; the adopted file's comments and layout stay in the shipped file it extends.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jingzhun.standards import vocabulary
from jingzhun.standards.expression import names
from jingzhun.standards.schema import LEVEL_ZH, Indicator, Standard

LEVELS = tuple(LEVEL_ZH)
COMPARISONS = (">", ">=", "<", "<=", "==", "!=")
# Fields an added indicator may read: numbers and years are compared, yes/no fields are is_true.
ADDABLE_TYPES = ("number", "year", "bool")
MAX_DECIMALS = 4


@dataclass(frozen=True)
class NewIndicator:
    """An indicator added from the vocabulary: one field, compared with a number (or is_true)."""

    level: str
    field: str
    op: str
    threshold: Decimal | None
    label: str
    label_en: str


@dataclass(frozen=True)
class DraftEdits:
    """What the officer changed. `thresholds` and `off` are keyed by (level, indicator id);
    `parameters` holds the parameters' new values."""

    name: str
    name_en: str
    parameters: dict[str, Decimal] = field(default_factory=dict)
    thresholds: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    off: frozenset[tuple[str, str]] = frozenset()
    added: tuple[NewIndicator, ...] = ()


def addable_fields(level: str) -> list[vocabulary.Field]:
    """The vocabulary fields an added indicator of `level` may read."""
    key = vocabulary.KEYS[level]
    return [
        f for f in vocabulary.LEVELS[level].values() if f.type in ADDABLE_TYPES and f.name != key
    ]


def numeric_threshold(indicator: Indicator) -> bool:
    """Whether the indicator's threshold is a number typed in the file (editable as such); a
    parameter, the poverty line or the year is edited where it is defined, or not at all."""
    return isinstance(indicator.threshold, Decimal)


def changed_parameters(values: Mapping[str, Any], adopted: Standard) -> dict[str, Any]:
    """The parameters of `values` that the adopted standard has and that differ from its own."""
    return {
        name: value
        for name, value in values.items()
        if name in adopted.parameters and value != adopted.parameters[name]
    }


def normalised(adopted: Standard, edits: DraftEdits) -> DraftEdits:
    """The edits with what changes nothing left out: a value equal to the adopted one, the
    threshold of an indicator switched off, an unknown indicator or parameter."""
    known = {(level, i.id): i for level in LEVELS for i in adopted.indicators(level)}
    off = frozenset(key for key in edits.off if key in known)
    thresholds = {
        key: value
        for key, value in edits.thresholds.items()
        if key in known
        and key not in off
        and numeric_threshold(known[key])
        and value != known[key].threshold
    }
    parameters = changed_parameters(edits.parameters, adopted)
    return DraftEdits(
        name=edits.name,
        name_en=edits.name_en,
        parameters=parameters,
        thresholds=thresholds,
        off=off,
        # Written level by level (households first), as the loaded draft lists them.
        added=tuple(sorted(edits.added, key=lambda new: LEVELS.index(new.level))),
    )


def new_ids(adopted: Standard, added: tuple[NewIndicator, ...]) -> list[str]:
    """The id of each added indicator: its field's name, made unique within its level (and
    never a reserved name such as household_id)."""
    taken = {level: {i.id for i in adopted.indicators(level)} for level in LEVELS}
    reserved = {"met", *vocabulary.KEYS.values()}
    ids = []
    for indicator in added:
        candidate, n = indicator.field, 1
        while candidate in taken[indicator.level] or candidate in reserved:
            n += 1
            candidate = f"{indicator.field}_{n}"
        taken[indicator.level].add(candidate)
        ids.append(candidate)
    return ids


def draft_id(adopted: Standard) -> str:
    return f"{adopted.id}-draft"


def draft_toml(adopted: Standard, edits: DraftEdits) -> str:
    """The draft as TOML text (loads with `loader.loads`)."""
    edits = normalised(adopted, edits)
    lines = [
        "# 草案标准：继承现行标准，只写出修改之处（由草案编辑表单生成）。",
        "# Draft standard: extends the adopted one and states only the changes.",
        f"id = {_string(draft_id(adopted))}",
        f"name = {_string(edits.name)}",
        f"name_en = {_string(edits.name_en)}",
        f"region = {_string(adopted.region)}",
        f"year = {adopted.year}",
        'version = "draft"',
        f"extends = {_string(adopted.id)}",
    ]
    off = [f"{level}.{ind}" for level in LEVELS for ind in _ids(adopted, level, edits.off)]
    if off:
        lines.append("remove = [{}]".format(", ".join(_string(item) for item in off)))
    if edits.parameters:
        lines += ["", "[parameters]"]
        for name in adopted.parameters:  # the adopted order
            if name in edits.parameters:
                lines.append(f"{name} = {_number(edits.parameters[name])}")
    for level in LEVELS:
        for indicator in adopted.indicators(level):
            key = (level, indicator.id)
            if key in edits.thresholds:
                lines += [
                    "",
                    f"[[{level}]]",
                    f"id = {_string(indicator.id)}",
                    f"threshold = {_number(edits.thresholds[key])}",
                ]
    for ind, new in zip(new_ids(adopted, edits.added), edits.added, strict=True):
        lines += [
            "",
            f"[[{new.level}]]",
            f"id = {_string(ind)}",
            f"label = {_string(new.label)}",
            f"label_en = {_string(new.label_en)}",
            f"value = {_string(new.field)}",
            f"op = {_string(new.op)}",
        ]
        if new.op != "is_true" and new.threshold is not None:
            lines.append(f"threshold = {_number(new.threshold)}")
    return "\n".join(lines) + "\n"


def edits_of(adopted: Standard, draft: Standard) -> DraftEdits:
    """The edits a loaded draft makes to `adopted`, as the form shows them. What the form
    cannot show (a changed expression, label or operator of an adopted indicator, a new
    parameter) is not in the result: `changes_beyond_form` says whether there is any."""
    adopted_ids = {level: {i.id for i in adopted.indicators(level)} for level in LEVELS}
    draft_ids = {level: {i.id for i in draft.indicators(level)} for level in LEVELS}
    off = frozenset(
        (level, ind) for level in LEVELS for ind in adopted_ids[level] - draft_ids[level]
    )
    thresholds: dict[tuple[str, str], Decimal] = {}
    added: list[NewIndicator] = []
    for level in LEVELS:
        for indicator in draft.indicators(level):
            if indicator.id in adopted_ids[level]:
                old = adopted.indicator(level, indicator.id)
                changed = indicator.threshold != old.threshold
                if changed and numeric_threshold(old) and numeric_threshold(indicator):
                    thresholds[(level, indicator.id)] = indicator.threshold  # type: ignore[assignment]
                continue
            added.append(
                NewIndicator(
                    level=level,
                    field=indicator.value.strip(),
                    op=indicator.op,
                    threshold=indicator.threshold
                    if isinstance(indicator.threshold, Decimal)
                    else None,
                    label=indicator.label,
                    label_en=indicator.label_en,
                )
            )
    parameters = changed_parameters(draft.parameters, adopted)
    return DraftEdits(
        name=draft.name,
        name_en=draft.name_en,
        parameters=parameters,
        thresholds=thresholds,
        off=off,
        added=tuple(added),
    )


def changes_beyond_form(adopted: Standard, draft: Standard) -> bool:
    """Whether the draft changes something the form cannot show (it is then edited as text)."""
    if draft.region != adopted.region or draft.year != adopted.year:
        return True
    if set(draft.parameters) - set(adopted.parameters):
        return True
    for level in LEVELS:
        adopted_ids = {i.id for i in adopted.indicators(level)}
        for indicator in draft.indicators(level):
            if indicator.id in adopted_ids:
                old = adopted.indicator(level, indicator.id)
                same = (old.value, old.op, old.when_null, old.label, old.explain) == (
                    indicator.value,
                    indicator.op,
                    indicator.when_null,
                    indicator.label,
                    indicator.explain,
                )
                symbolic = not (numeric_threshold(old) and numeric_threshold(indicator))
                if not same or (symbolic and old.threshold != indicator.threshold):
                    return True
            else:
                # An added indicator the form shows: one field as it is, a number or none.
                single = names(indicator.tree) == (indicator.value.strip(),)
                symbolic = indicator.threshold is not None and not numeric_threshold(indicator)
                if not single or symbolic:
                    return True
    return False


def _ids(adopted: Standard, level: str, keys: frozenset[tuple[str, str]]) -> list[str]:
    """The ids of `keys` in `level`, in the adopted standard's order."""
    return [i.id for i in adopted.indicators(level) if (level, i.id) in keys]


def _string(text: str) -> str:
    """A TOML basic string. JSON's escapes are TOML's (\\" \\\\ \\n \\uXXXX …); DEL is the one
    control character JSON leaves as it is and TOML refuses."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _number(value: Decimal) -> str:
    """A TOML integer or float, never in exponent form; at most MAX_DECIMALS decimals (the
    loader refuses more, the form rounds to them)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    text = format(value.normalize(), "f")
    return text
