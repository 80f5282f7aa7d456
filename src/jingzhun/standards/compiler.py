"""Compile a standard's indicators for one level into ONE Ibis expression over the level's input
view (columns = vocabulary.LEVELS[level]). No per-row Python; runs on any Ibis backend.

Exactness across engines: SQLite stores decimals as REAL, PostgreSQL as NUMERIC, DuckDB as either.
Every value is therefore scaled to an integer number of 1/10,000 units (round(value * 10^4)) and
compared with the threshold scaled the same way in Python (exact Decimal arithmetic). 2995.00,
2995 and 2995.0000000001 all compare equal to the line 2995; 2995.01 is above it, on every engine.
NULL semantics: a NULL value (missing record, division by zero) is not met, unless the indicator
says `when_null = "met"` (not applicable). Division by zero yields NULL (NULLIF), never an error.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from jingzhun import povertylines
from jingzhun.standards import vocabulary
from jingzhun.standards.errors import StandardError
from jingzhun.standards.expression import Node, names
from jingzhun.standards.schema import LEVEL_ZH, Indicator, Standard

SCALE = 10**4  # matches loader.MAX_DECIMALS


def value_expr(tree: Node, table: ir.Table) -> ir.NumericValue:
    """The Ibis expression of a parsed value tree over `table`."""
    kind = tree[0]
    if kind == "name":
        return table[tree[1]]
    if kind == "num":
        number: Decimal = tree[1]
        if number == number.to_integral_value():
            return ibis.literal(int(number), "int64")
        return ibis.literal(float(number), "float64")
    if kind == "neg":
        return -value_expr(tree[1], table)
    left, right = value_expr(tree[2], table), value_expr(tree[3], table)
    op = tree[1]
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    # Division by zero is NULL (then "not met"), never an error or infinity.
    return left.cast("float64") / right.nullif(0)


def _compare(left: ir.IntegerValue, op: str, right: ir.IntegerValue) -> ir.BooleanValue:
    return {
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
        "==": left == right,
        "!=": left != right,
    }[op]


def indicator_columns(
    standard: Standard, indicator: Indicator, table: ir.Table, year: int
) -> dict[str, ir.Value]:
    """`<id>__value`, `<id>__threshold` (float64, NULL for is_true) and `<id>__met` (never NULL)."""
    missing = [name for name in names(indicator.tree) if name not in table.columns]
    if missing:
        raise StandardError(
            f"{standard.id}: {LEVEL_ZH[indicator.level]} {indicator.level} 指标 {indicator.id}: "
            f"value: 输入表缺少字段 {missing} (input table lacks column)"
        )
    if indicator.op == "is_true":
        column = table[indicator.tree[1]]
        value: ir.Value = column.cast("boolean")
        threshold: ir.Value = ibis.null("float64")
        met = value
    else:
        scaled = (value_expr(indicator.tree, table) * SCALE).round().cast("int64")
        limit = standard.threshold(indicator, year)
        assert limit is not None  # the loader refuses a comparison without threshold
        scaled_limit = int((limit * SCALE).to_integral_value())
        # Report the compared (rounded) value, so every engine shows the same figure.
        value = scaled.cast("float64") / SCALE
        limit_scaled = ibis.literal(scaled_limit, "int64")
        # Built like the value (not a float literal, which PostgreSQL returns as NUMERIC).
        threshold = limit_scaled.cast("float64") / SCALE
        met = _compare(scaled, indicator.op, limit_scaled)
    met = met.fill_null(indicator.when_null == "met")
    return {
        f"{indicator.id}__value": value,
        f"{indicator.id}__threshold": threshold,
        f"{indicator.id}__met": met,
    }


def evaluate(
    standard: Standard,
    level: str,
    table: ir.Table,
    *,
    year: int | None = None,
    keep: tuple[str, ...] = (),
) -> ir.Table:
    """One row per entity: the key column, the input columns named in `keep`, per indicator
    value/threshold/met, and `met` (all met).

    `year` is the assessed year (default: the standard's year); it picks the poverty line and
    resolves the `year` threshold."""
    indicators = standard.indicators(level)
    year = standard.year if year is None else year
    key = vocabulary.KEYS[level]
    columns: dict[str, ir.Value] = {}
    for indicator in indicators:
        columns.update(indicator_columns(standard, indicator, table, year))
    mets = [columns[f"{i.id}__met"] for i in indicators]
    overall = ibis.literal(True)
    for met in mets:
        overall = overall & met
    kept = [table[name] for name in keep if name != key]
    return table.select(table[key], *kept, **columns, met=overall)


# Comparison rules (standards/rules.py): the same value expressions and exact scaled comparison,
# over the person input joined with a department dataset (engine/comparison.py).


def rule_threshold(ruleset: Any, condition: Any, year: int) -> Any:
    """A condition's threshold for the compared `year`: a number, a parameter or a year word
    (dates compare as YYYYMMDD numbers) resolved to a Decimal; a text stays a text."""
    threshold = condition.threshold
    if not isinstance(threshold, str):
        return threshold
    if threshold in ruleset.parameters:
        return ruleset.parameters[threshold]
    if threshold == "poverty_line":
        return povertylines.line(year)
    if threshold == "year":
        return Decimal(year)
    if threshold == "year_start":
        return Decimal(year * 10000 + 101)
    if threshold == "year_end":
        return Decimal(year * 10000 + 1231)
    return threshold  # a text a text field is compared with


def condition_met(ruleset: Any, condition: Any, table: ir.Table, year: int) -> ir.BooleanValue:
    """Whether `condition` holds on each row of `table` (NULL: it does not)."""
    op, tree = condition.op, condition.tree
    column = table[tree[1]] if tree[0] == "name" else None
    if condition.other is not None or op == "contains":
        other = table[condition.other] if condition.other else ibis.literal(condition.threshold)
        if op == "contains":
            met = list_contains(column, other)
        else:
            met = column == other if op == "==" else column != other
    elif op == "is_empty":
        met = column.isnull() | (column.strip() == "")
    elif op == "is_true":
        met = column.cast("boolean")
    elif op == "is_false":
        met = ~column.cast("boolean")
    elif op == "is_null":
        met = column.isnull()
    elif op == "not_null":
        met = column.notnull()
    elif op in ("in", "not_in"):
        met = column.isin(list(condition.threshold))
        met = ~met if op == "not_in" else met
    else:
        threshold = rule_threshold(ruleset, condition, year)
        if isinstance(threshold, str):  # a text field == or != a text
            met = column == threshold if op == "==" else column != threshold
        else:
            scaled = (value_expr(tree, table) * SCALE).round().cast("int64")
            limit = ibis.literal(int((threshold * SCALE).to_integral_value()), "int64")
            met = _compare(scaled, op, limit)
    return met.fill_null(False)


def list_contains(column: ir.StringValue, item: ir.StringValue) -> ir.BooleanValue:
    """Whether a comma-separated list of codes ("capital,skills", spaces ignored) holds `item`
    as a whole code: a plain substring test of ",capital,skills," for ",skills," (INSTR,
    POSITION, CONTAINS: every engine), never a split into rows."""
    comma = ibis.literal(",")
    return (comma + column.replace(" ", "") + comma).contains(comma + item + comma)


def _count(condition: ir.BooleanValue) -> ir.IntegerValue:
    """How many members of a group meet `condition` (NULL counts as not)."""
    return ibis.ifelse(condition.fill_null(False), 1, 0).sum().cast("int64")


def household_input(person: ir.Table) -> ir.Table:
    """One row per household of the person input (`engine.comparison.person_input`) with its
    facts and the counts of its members (columns = `vocabulary.HOUSEHOLD_FACTS`). The finding's
    person is the head, or without one the first member (lowest id): one person per household,
    so a stored finding keeps one key per household. Plain group-by and join: any engine."""
    p = person
    head = p.relation == "head"
    spouse = p.relation == "spouse"
    male, female = p.sex == "male", p.sex == "female"
    facts = (
        "village_code", "household_status", "household_kind", "main_cause", "other_causes",
        "entry_year", "exit_year", "income_per_capita", "wage_income", "operating_income",
        "operating_expenses", "dibao_income", "destitute_income",
    )  # fmt: skip
    g = p.group_by(p.household_id).aggregate(
        # Equal on every member of a household: max picks it on every engine.
        **{name: p[name].max() for name in facts},
        members=p.person_id.count().cast("int64"),
        heads=_count(head),
        spouses=_count(spouse),
        heads_male=_count(head & male),
        heads_female=_count(head & female),
        spouses_male=_count(spouse & male),
        spouses_female=_count(spouse & female),
        sick_members=_count(p.health.isin(["chronic", "serious"])),
        disabled_members=_count((p.health == "disabled") | p.disability_grade.notnull()),
        dibao_members=_count(p.dibao),
        destitute_members=_count(p.destitute),
        students=_count(p.schooling.notnull() & (p.schooling != "none")),
        working_age_labourers=_count(
            p.labour.isin(["ordinary", "skilled"]) & (p.age >= 16) & (p.age <= 65)
        ),
        migrant_workers=_count(p.work_status.notnull() & (p.work_status != "none")),
        head_id=ibis.ifelse(head, p.person_id, ibis.null("int64")).min(),
        first_id=p.person_id.min(),
    )
    g = g.mutate(
        shown_id=ibis.coalesce(g.head_id, g.first_id),
        same_sex_spouses=(
            ibis.ifelse(g.heads_male > 0, g.spouses_male, 0)
            + ibis.ifelse(g.heads_female > 0, g.spouses_female, 0)
        ).cast("int64"),
    )
    names = p.select(named_id=p.person_id, named=p.person_name)
    j = g.inner_join(names, g.shown_id == names.named_id)
    return j.select(
        person_id=j.shown_id,
        household_id=j.household_id,
        person_name=j.named,
        **{name: j[name] for name in facts},
        **{
            name: j[name]
            for name in (
                "members",
                "heads",
                "spouses",
                "same_sex_spouses",
                "sick_members",
                "disabled_members",
                "dibao_members",
                "destitute_members",
                "students",
                "working_age_labourers",
                "migrant_workers",
            )  # fmt: skip
        },
    )


def rule_findings(
    ruleset: Any, rule: Any, person: ir.Table, dataset: ir.Table | None, year: int
) -> ir.Table:
    """One row per finding of `rule`: `rule_id`, `person_id`, `household_id`, `village_code`
    (NULL for a dataset row that matches nobody registered), `row_id` (the dataset row; NULL
    without a dataset) and the rule's fields (`Rule.fields`). Registered persons join a dataset
    on the normalised ID number or the row's link (`linked_person_id`: a token, a confirmed
    fuzzy match); an `unregistered` rule keeps the `keyed` dataset rows whose number or link no
    registered person has; a `household` rule reads the households built from the person input
    (`household_input`). No per-row Python: one expression per rule, on any Ibis backend."""
    if rule.subject == "household":
        base = household_input(person)
    elif rule.subject == "unregistered":
        linked = "linked_person_id" in dataset.columns  # tokens and confirmed fuzzy links
        keyed = dataset.filter(
            dataset.keyed if "keyed" in dataset.columns else dataset.id_number != ""
        )
        registered = person.select(registered_id=person.id_number)
        base = keyed.anti_join(registered, keyed.id_number == registered.registered_id)
        if linked:
            ids = person.select(registered_person=person.person_id)
            base = base.anti_join(ids, base.linked_person_id == ids.registered_person)
    elif dataset is None:
        base = person
    else:
        rows = dataset.rename(row_id_number="id_number")
        if "linked_person_id" not in rows.columns:
            rows = rows.filter(rows.row_id_number != "")
            base = person.inner_join(rows, person.id_number == rows.row_id_number)
        else:
            # A row joins by its number, or (a token, a confirmed fuzzy match) by its link:
            # two equi-joins, never an OR join the engines would run as a nested loop.
            by_number = rows.filter((rows.row_id_number != "") & rows.linked_person_id.isnull())
            by_link = rows.filter(rows.linked_person_id.notnull())
            base = person.inner_join(by_number, person.id_number == by_number.row_id_number).union(
                person.inner_join(by_link, person.person_id == by_link.linked_person_id)
            )
    met = ibis.literal(True)
    for condition in rule.when:
        met = met & condition_met(ruleset, condition, base, year)
    found = base.filter(met)
    columns = found.columns
    keys: dict[str, ir.Value] = {
        "rule_id": ibis.literal(rule.id, "string"),
        "person_id": found.person_id if "person_id" in columns else ibis.null("int64"),
        "household_id": found.household_id if "household_id" in columns else ibis.null("int64"),
        "village_code": (
            found.village_code
            if "village_code" in columns
            else found.area_code
            if "area_code" in columns
            else ibis.null("string")
        ),
        "row_id": found.row_id if "row_id" in columns else ibis.null("int64"),
    }
    # A dataset row's identity and its list's area (engine.comparison.ROW_KEY), when there is
    # one: the stored finding's key and, for a row that matches nobody, its area.
    keys.update({name: found[name] for name in columns if name.startswith("row_key_")})
    if "row_area" in columns:
        keys["row_area"] = found.row_area
    fields = {name: found[name] for name in rule.fields if name not in keys}
    return found.select(**keys, **fields)
