"""Comparison rules (数据比对规则): rules as data over the registry and department datasets, in
the standards' TOML style and expression language. Pure (no Django, no Ibis).

A ruleset file holds rules; each rule names its subject (registered persons, optionally joined
with a dataset kind on the ID number; a dataset's rows that match no registered person; or
registered households), its meaning (exclusion 不符合条件 / omission 疑似漏评 / mismatch
信息不一致 / risk 风险预警 / quality 数据质量), severity, the village's expected step, conditions
that must all hold, and a sentence.
A `household` rule reads one row per registered household with counts of its members
(`vocabulary.HOUSEHOLD_FACTS`): the national data-quality checks over the registry alone.
Every problem raises StandardError naming the file, the rule and the key:
``national-2016.toml: 规则 vehicle: when[1]: value: 未知字段 'price'``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from jingzhun.standards import dataset_kinds, vocabulary
from jingzhun.standards.errors import StandardError
from jingzhun.standards.expression import ExpressionError, Node, names, parse

RULESETS = Path(__file__).parent / "comparison"
MEANINGS = {
    "exclusion": ("不符合条件", "not eligible"),
    "omission": ("疑似漏评", "possibly omitted"),
    "mismatch": ("信息不一致", "records disagree"),
    "risk": ("风险预警", "risk alert"),
    "quality": ("数据质量", "data quality"),
}
SEVERITIES = ("high", "medium", "low")
# Registered persons (+ a dataset), a dataset's rows nobody registered has, or registered
# households with counts of their members (the registry alone: no dataset).
SUBJECTS = ("person", "unregistered", "household")
NUMBER_OPS = (">", ">=", "<", "<=", "==", "!=")
# `is_empty`: a text field NULL or blank (重要指标为空); `contains`: a list field (comma-separated
# codes, `other_causes`) holds a text or another field's value.
OPS = (*NUMBER_OPS, "in", "not_in", "is_true", "is_false", "is_null", "not_null", "is_empty",
       "contains")  # fmt: skip
# The ops a condition may use to compare its field with another `field` (instead of a threshold).
FIELD_OPS = ("==", "!=", "contains")
# Threshold words resolved from the compared year (`threshold_value`).
WORDS = ("poverty_line", "year", "year_start", "year_end")
TOP_KEYS = {"id", "name", "name_en", "version", "parameters", "rule"}
REQUIRED_TOP = ("id", "name", "name_en", "version", "rule")
RULE_KEYS = {
    "id", "label", "label_en", "meaning", "severity", "step", "step_en", "subject", "dataset",
    "sentence", "sentence_en", "when",
}  # fmt: skip
CONDITION_KEYS = {"value", "op", "threshold", "field"}


@dataclass(frozen=True)
class Condition:
    value: str
    op: str
    threshold: Decimal | str | tuple[str, ...] | None
    tree: Node = field(compare=False, repr=False, default=("num", Decimal(0)))
    other: str | None = None  # the field compared with, when not a threshold


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    label_en: str
    meaning: str
    severity: str
    step: str
    step_en: str
    subject: str
    dataset: str | None
    sentence: str
    sentence_en: str
    when: tuple[Condition, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field the rule reads (conditions, then the sentences' placeholders)."""
        found: list[str] = []
        for condition in self.when:
            found += [n for n in names(condition.tree) if n not in found]
            if condition.other and condition.other not in found:
                found.append(condition.other)
        for text in (self.sentence, self.sentence_en):
            found += [n for n in _placeholders(text) if n not in found and n != "label"]
        return tuple(found)


@dataclass(frozen=True)
class Ruleset:
    id: str
    name: str
    name_en: str
    version: str
    parameters: dict[str, Decimal]
    rules: tuple[Rule, ...]
    path: Path | None = None

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def fields_of(subject: str, kind: dataset_kinds.DatasetKind | None) -> dict[str, str]:
    """Field name → type a rule of `subject` over `kind` may name."""
    available: dict[str, str] = {}
    if subject == "person":
        available.update({name: f.type for name, f in vocabulary.PERSON.items()})
    if subject == "household":
        available.update({name: f.type for name, f in vocabulary.HOUSEHOLD_FACTS.items()})
    if kind is not None:
        for column in kind.columns:
            if column.slot != "id_number":
                available[column.name] = {"area_code": "text", "date": "date"}.get(
                    column.type, column.type
                )
    return available


def load(id_or_path: str | Path) -> Ruleset:
    path = Path(id_or_path)
    if not str(id_or_path).endswith(".toml"):
        path = RULESETS / f"{id_or_path}.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise StandardError(f"{path.name}: 找不到规则文件 (rule file not found)") from None
    return loads(text, path.name, path)


def available() -> dict[str, Ruleset]:
    return {r.id: r for r in (load(p) for p in sorted(RULESETS.glob("*.toml")))}


def loads(text: str, name: str = "draft.toml", path: Path | None = None) -> Ruleset:
    raw = dataset_kinds.read_toml(text, name, TOP_KEYS, REQUIRED_TOP)
    parameters = {}
    for key, value in (raw.get("parameters") or {}).items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise StandardError(f"{name}: parameters.{key}: 必须是数值 (must be a number)")
        parameters[key] = Decimal(str(value))
    kinds = dataset_kinds.available()
    rules: list[Rule] = []
    for raw_rule in raw["rule"]:
        rule = _rule(raw_rule, name, parameters, kinds)
        if any(r.id == rule.id for r in rules):
            raise StandardError(f"{name}: 规则 {rule.id}: id 重复 (duplicate rule id)")
        rules.append(rule)
    return Ruleset(
        id=str(raw["id"]),
        name=str(raw["name"]),
        name_en=str(raw["name_en"]),
        version=str(raw["version"]),
        parameters=parameters,
        rules=tuple(rules),
        path=path,
    )


def _placeholders(text: str) -> list[str]:
    return [p[1] for p in string.Formatter().parse(text) if p[1]]


def _rule(raw: Any, file: str, parameters: dict, kinds: dict) -> Rule:
    if not isinstance(raw, dict):
        raise StandardError(f"{file}: rule: 必须写成 [[rule]] 表数组 (array of tables)")
    rid = raw.get("id", "?")

    def fail(message: str) -> None:
        raise StandardError(f"{file}: 规则 {rid}: {message}")

    unknown = sorted(set(raw) - RULE_KEYS)
    if unknown:
        fail(f"未知的键 {unknown} (unknown keys)")
    for key in ("id", "label", "label_en", "meaning", "severity", "step", "subject", "sentence"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            fail(f"{key}: 缺少或不是文本 (missing or not a string)")
    if raw["meaning"] not in MEANINGS:
        fail(f"meaning: 应为 {', '.join(MEANINGS)} 之一 (one of)")
    if raw["severity"] not in SEVERITIES:
        fail(f"severity: 应为 {', '.join(SEVERITIES)} 之一 (one of)")
    if raw["subject"] not in SUBJECTS:
        fail(f"subject: 应为 {', '.join(SUBJECTS)} 之一 (one of)")
    kind = None
    if raw["subject"] == "household" and raw.get("dataset") is not None:
        fail(
            "dataset: household 规则只读登记数据，不带数据类型 (a household rule takes no dataset)"
        )
    if raw.get("dataset") is not None:
        kind = kinds.get(raw["dataset"])
        if kind is None:
            fail(f"dataset: 未知数据类型 '{raw['dataset']}' (unknown dataset kind)")
    elif raw["subject"] == "unregistered":
        fail("dataset: unregistered 规则需要数据类型 (an unregistered rule needs a dataset)")
    available = fields_of(raw["subject"], kind)
    clash = sorted(set(vocabulary.PERSON) & {c.name for c in kind.columns}) if kind else []
    if clash and raw["subject"] == "person":
        fail(f"dataset: 列名与登记字段重名 {clash} (column names clash with registry fields)")
    when = raw.get("when")
    if not isinstance(when, list) or not when:
        fail("when: 至少一个条件，写成 [[rule.when]] (at least one condition)")
    conditions = tuple(
        _condition(entry, f"when[{n}]", available, parameters, fail)
        for n, entry in enumerate(when, start=1)
    )
    for key in ("sentence", "sentence_en"):
        text = raw.get(key) or ""
        try:
            used = _placeholders(text)
        except ValueError:
            fail(f"{key}: 模板格式错误 (bad template)")
        bad = [u for u in used if u not in available and u != "label"]
        if bad:
            fail(f"{key}: 未知占位符 {bad} (unknown placeholder)")
    return Rule(
        id=raw["id"],
        label=raw["label"],
        label_en=raw["label_en"],
        meaning=raw["meaning"],
        severity=raw["severity"],
        step=raw["step"],
        step_en=str(raw.get("step_en", "")),
        subject=raw["subject"],
        dataset=kind.id if kind else None,
        sentence=raw["sentence"],
        sentence_en=str(raw.get("sentence_en", "")),
        when=conditions,
    )


def _condition(entry: Any, where: str, available: dict, parameters: dict, fail: Any) -> Condition:
    if not isinstance(entry, dict):
        fail(f"{where}: 必须是表 (must be a table)")
    unknown = sorted(set(entry) - CONDITION_KEYS)
    if unknown:
        fail(f"{where}: 未知的键 {unknown} (unknown keys)")
    op = entry.get("op")
    if op not in OPS:
        fail(f"{where}: op: 未知比较符 '{op}' (one of {', '.join(OPS)})")
    try:
        tree = parse(entry.get("value"))
    except ExpressionError as exc:
        fail(f"{where}: value: {exc}")
    for name in names(tree):
        if name not in available:
            fail(f"{where}: value: 未知字段 '{name}' (unknown field)")
    single = tree[0] == "name"
    kind = available[tree[1]] if single else "number"
    threshold = entry.get("threshold")
    if "field" in entry:
        return _field_condition(entry, where, available, tree, fail)
    if op in ("is_true", "is_false", "is_null", "not_null", "is_empty"):
        if not single or threshold is not None:
            fail(f"{where}: {op} 用于单个字段，不带阈值 (a single field, no threshold)")
        if op in ("is_true", "is_false") and kind != "bool":
            fail(f"{where}: {op} 只能用于布尔字段 (bool fields only)")
        if op == "is_empty" and kind != "text":
            fail(f"{where}: is_empty 只能用于文本字段 (text fields only)")
        return Condition(entry["value"], op, None, tree)
    if op == "contains":
        if not single or kind != "list" or not isinstance(threshold, str):
            fail(f"{where}: contains 用于列表字段和一个文本 (a list field and a string)")
        return Condition(entry["value"], op, threshold, tree)
    if kind == "list":
        fail(f"{where}: 列表字段只能用 contains、is_null、not_null (a list field: contains)")
    if op in ("in", "not_in"):
        if not single or kind != "text":
            fail(f"{where}: {op} 只能用于单个文本字段 (a single text field)")
        if not isinstance(threshold, list) or not all(isinstance(t, str) for t in threshold):
            fail(f"{where}: threshold: {op} 需要文本列表 (a list of strings)")
        return Condition(entry["value"], op, tuple(threshold), tree)
    if single and kind == "text":
        if op not in ("==", "!=") or not isinstance(threshold, str):
            fail(f"{where}: 文本字段只能用 == 或 != 与文本比较 (text: == or != a string)")
        return Condition(entry["value"], op, threshold, tree)
    for name in names(tree):
        if available[name] not in ("number", "year", "date"):
            fail(f"{where}: value: 字段 '{name}' 不是数值 (not a number)")
    if isinstance(threshold, str):
        if threshold not in WORDS and threshold not in parameters:
            fail(f"{where}: threshold: 未知参数 '{threshold}' (unknown parameter)")
        return Condition(entry["value"], op, threshold, tree)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        fail(f"{where}: threshold: 必须是数值或参数名 (a number or a parameter name)")
    return Condition(entry["value"], op, Decimal(str(threshold)), tree)


def _field_condition(entry: dict, where: str, available: dict, tree: Node, fail: Any) -> Condition:
    """A condition comparing its field with another `field`: text == or != text, or a list
    field that contains a text field's value (secondary cause = main cause)."""
    op, other = entry["op"], entry["field"]
    if "threshold" in entry:
        fail(f"{where}: field 与 threshold 只能写一个 (field or threshold, not both)")
    if op not in FIELD_OPS:
        fail(f"{where}: field 只能用 {', '.join(FIELD_OPS)} 比较 (compare a field with)")
    if not isinstance(other, str) or other not in available:
        fail(f"{where}: field: 未知字段 '{other}' (unknown field)")
    kind = available[tree[1]] if tree[0] == "name" else None
    wanted = "list" if op == "contains" else "text"
    if kind != wanted or available[other] != "text":
        fail(
            f"{where}: {op} field 需要{'列表' if op == 'contains' else '文本'}字段和文本字段 "
            f"(a {wanted} field and a text field)"
        )
    return Condition(entry["value"], op, None, tree, other)
