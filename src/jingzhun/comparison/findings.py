"""Evaluate comparison rules now, on the application database: the findings of a ruleset for a
year and an area, each with its sentence in Chinese and English (issue #12 item 2).

Each rule is one Ibis expression (`standards.compiler.rule_findings`) over the person input and
the current rows of its dataset kind (`engine.comparison`); only the findings come back to
Python, where their sentences are written (names masked, codes as labels, dates and amounts as
people read them). Runs, stored findings and verification tasks are the next step.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from jingzhun import masking
from jingzhun.engine.comparison import comparison_tables, dataset_view, person_input
from jingzhun.engine.django import app_backend
from jingzhun.registry import choices as c
from jingzhun.standards import dataset_kinds, rules
from jingzhun.standards.compiler import rule_findings
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
}
NAMES = ("person_name", "name")  # masked: 李四 → 李*


@dataclass
class Finding:
    rule: rules.Rule
    person_id: int | None
    household_id: int | None
    village_code: str | None
    row_id: int | None
    values: dict[str, Any] = field(default_factory=dict)
    sentence: str = ""
    sentence_en: str = ""


def evaluate(
    ruleset: str | rules.Ruleset, *, year: int, prefix: str = "", only: tuple[str, ...] = ()
) -> list[Finding]:
    """The findings of every rule of `ruleset` (or those in `only`) for `year` under the area
    code `prefix`, in rule order, then by village, household and person."""
    ruleset = ruleset if isinstance(ruleset, rules.Ruleset) else rules.load(ruleset)
    tables = comparison_tables(app_backend())
    person = person_input(tables, year, prefix)
    kinds = dataset_kinds.available()
    found: list[Finding] = []
    for rule in ruleset.rules:
        if only and rule.id not in only:
            continue
        kind = kinds[rule.dataset] if rule.dataset else None
        dataset = dataset_view(tables, kind, prefix) if kind else None
        expression = rule_findings(ruleset, rule, person, dataset, year)
        frame = expression.order_by(["village_code", "household_id", "person_id", "row_id"])
        types = rules.fields_of(rule.subject, kind)
        for record in frame.execute().to_dict("records"):
            found.append(_finding(rule, record, types))
    return found


def _finding(rule: rules.Rule, record: dict[str, Any], types: dict[str, str]) -> Finding:
    values = {name: _plain(record.get(name)) for name in rule.fields}
    finding = Finding(
        rule=rule,
        person_id=_plain(record.get("person_id")),
        household_id=_plain(record.get("household_id")),
        village_code=_plain(record.get("village_code")),
        row_id=_plain(record.get("row_id")),
        values=values,
    )
    for language, template, target in (
        ("zh-hans", rule.sentence, "sentence"),
        ("en", rule.sentence_en or rule.sentence, "sentence_en"),
    ):
        with translation.override(language):
            shown = {n: _shown(n, value, types.get(n, "")) for n, value in values.items()}
            setattr(finding, target, template.format(label=rule.label, **shown))
    return finding


def _plain(value: Any) -> Any:
    """A pandas/numpy value as a plain Python one (NaN/NaT/None → None)."""
    if value is None:
        return None
    try:
        if value != value:  # NaN
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    return value


def _shown(name: str, value: Any, kind: str) -> str:
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
