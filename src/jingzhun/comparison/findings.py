"""Evaluate comparison rules: the findings of a ruleset for a year and an area, each with its
sentence in Chinese and English (issue #12 item 2), on the application database, DuckDB or Spark
with identical findings.

Each rule is one Ibis expression (`standards.compiler.rule_findings`) over the person input and
the current rows of its dataset kind (`engine.comparison`); only the findings come back to
Python (as Arrow, so ints, decimals, booleans and YYYYMMDD dates arrive as the same Python
values from every engine), where their sentences are written (names masked, codes as labels,
dates and amounts as people read them).

How to call it::

    evaluate("national-2016", year=2019)                           # the application database
    evaluate("national-2016", year=2019, prefix="532527", engine="duckdb")  # over a snapshot
    with engine_tables("duckdb", prefix) as tables:                # several calls, one snapshot
        inputs = RuleInputs(tables, 2019, prefix)
        for rule in ruleset.rules:
            found += evaluate_rule(ruleset, rule, inputs)

`engine` "duckdb" / "spark" first writes the comparison's tables under the prefix to Parquet
(`engine.snapshot.write_snapshot`, a temporary directory under settings.SNAPSHOT_DIR, deleted
afterwards), then reads them back under the same names.
"""

from __future__ import annotations

import contextlib
import datetime
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir
from django.conf import settings
from django.utils import translation
from ibis.backends import BaseBackend

from jingzhun import masking
from jingzhun.engine.comparison import (
    COMPARISON_TABLES,
    Tables,
    comparison_scope,
    comparison_tables,
    dataset_view,
    person_input,
)
from jingzhun.engine.connect import drop_snapshot_views, duckdb_snapshot, spark_snapshot
from jingzhun.engine.django import app_backend, app_vendor
from jingzhun.engine.snapshot import write_snapshot
from jingzhun.registry import choices as c
from jingzhun.standards import dataset_kinds, rules
from jingzhun.standards.compiler import rule_findings
from jingzhun.standards.explain import number

ENGINES = ("db", "duckdb", "spark")  # assessment.choices.Engine's values

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


@dataclass
class RuleInputs:
    """What every rule of one evaluation reads, built once: the person input of the year under
    the prefix, the dataset kinds, and each kind's view of the current rows (on first use)."""

    tables: Tables
    year: int
    prefix: str = ""
    person: ir.Table = field(init=False)
    kinds: dict[str, dataset_kinds.DatasetKind] = field(init=False)
    views: dict[str, ir.Table] = field(init=False, default_factory=dict)
    cached: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        # On DuckDB the inputs are materialised once (in-memory temporary tables, gone with the
        # snapshot's connection): every rule then reads the joined persons and a kind's rows
        # instead of joining the Parquet files again. Not on the application database, whose
        # connection is Django's, nor on Spark.
        backend = self.tables["registry_person"]._find_backend()
        self.cached = backend.name == "duckdb"
        self.person = self._kept(person_input(self.tables, self.year, self.prefix))
        self.kinds = dataset_kinds.available()

    def _kept(self, table: ir.Table) -> ir.Table:
        return table.cache() if self.cached else table

    def dataset(self, kind_id: str) -> ir.Table:
        if kind_id not in self.views:
            view = dataset_view(self.tables, self.kinds[kind_id], self.prefix)
            self.views[kind_id] = self._kept(view)
        return self.views[kind_id]


def evaluate(
    ruleset: str | rules.Ruleset,
    *,
    year: int,
    prefix: str = "",
    only: tuple[str, ...] = (),
    engine: str = "db",
    tables: Tables | None = None,
    backend: BaseBackend | None = None,
    spark_master: str | None = None,
) -> list[Finding]:
    """The findings of every rule of `ruleset` (or those in `only`) for `year` under the area
    code `prefix`, in rule order, then by village, household, person and department row.
    Read from `tables` (`engine.comparison.comparison_tables` of any backend), else from
    `backend`'s, else on `engine`: the application database ("db") or a snapshot of it read by
    DuckDB or Spark ("duckdb", "spark"). The same findings whichever is used."""
    ruleset = ruleset if isinstance(ruleset, rules.Ruleset) else rules.load(ruleset)
    chosen = [r for r in ruleset.rules if not only or r.id in only]
    with contextlib.ExitStack() as stack:
        if tables is None and backend is not None:
            tables = comparison_tables(backend)
        if tables is None:
            kinds = {r.dataset for r in chosen if r.dataset}
            tables = stack.enter_context(
                engine_tables(engine, prefix, kinds, spark_master=spark_master)
            )
        inputs = RuleInputs(tables, year, prefix)
        return [f for rule in chosen for f in evaluate_rule(ruleset, rule, inputs)]


def evaluate_rule(ruleset: rules.Ruleset, rule: rules.Rule, inputs: RuleInputs) -> list[Finding]:
    """The findings of one rule, ordered by village, household, person and department row
    (sorted here, NULL first: the engines disagree on where ORDER BY puts NULLs)."""
    kind = inputs.kinds[rule.dataset] if rule.dataset else None
    dataset = inputs.dataset(rule.dataset) if rule.dataset else None
    expression = rule_findings(ruleset, rule, inputs.person, dataset, inputs.year)
    types = rules.fields_of(rule.subject, kind)
    records = expression.to_pyarrow().to_pylist()
    records.sort(key=_order)
    return _findings(rule, records, types)


def _order(record: dict[str, Any]) -> tuple:
    return tuple(
        (record.get(name) is not None, record.get(name) or 0)
        if name != "village_code"
        else (record.get(name) is not None, record.get(name) or "")
        for name in ("village_code", "household_id", "person_id", "row_id")
    )


@contextlib.contextmanager
def engine_tables(
    engine: str = "db",
    prefix: str = "",
    kinds: Iterable[str] = (),
    *,
    spark_master: str | None = None,
) -> Iterator[Tables]:
    """The comparison tables on `engine`: the application database's, or those of a snapshot
    of them (under `prefix`, the datasets of `kinds` or all) written now to a temporary
    directory and read by DuckDB or Spark, which the caller must finish reading inside the
    `with` (the files are deleted on the way out; Spark's views over them dropped first)."""
    if engine not in ENGINES:
        raise ValueError(translation.gettext("未知计算引擎 {engine}").format(engine=engine))
    if engine == "db":
        yield comparison_tables(app_backend())
        return
    with tempfile.TemporaryDirectory(
        prefix="jingzhun-compare-", dir=settings.SNAPSHOT_DIR
    ) as directory:
        write_comparison_snapshot(directory, prefix, kinds)
        if engine == "spark":
            backend = spark_snapshot(
                directory,
                master=spark_master or settings.SPARK_MASTER,
                tables=COMPARISON_TABLES,
            )
        else:
            backend = duckdb_snapshot(directory, tables=COMPARISON_TABLES)
        try:
            yield comparison_tables(backend)
        finally:
            if engine == "spark":
                drop_snapshot_views(backend, COMPARISON_TABLES)


def write_comparison_snapshot(
    directory: str, prefix: str = "", kinds: Iterable[str] = ()
) -> dict[str, Any]:
    """Write the comparison tables of the application database under `prefix` (the current
    datasets of `kinds`, or of every kind) to `directory` as Parquet; the manifest."""
    app = app_backend()
    scoped = comparison_scope(comparison_tables(app), prefix, kinds)
    return write_snapshot(app, directory, prefix=prefix, vendor=app_vendor(), tables=scoped)


def _finding(rule: rules.Rule, record: dict[str, Any], types: dict[str, str]) -> Finding:
    return _findings(rule, [record], types)[0]


def _findings(
    rule: rules.Rule, records: list[dict[str, Any]], types: dict[str, str]
) -> list[Finding]:
    """The findings of a rule's records with their sentences. The language is switched once per
    rule, not per finding (activating a translation cost more than writing the sentence)."""
    fields = rule.fields
    found = [
        Finding(
            rule=rule,
            person_id=_plain(record.get("person_id")),
            household_id=_plain(record.get("household_id")),
            village_code=_plain(record.get("village_code")),
            row_id=_plain(record.get("row_id")),
            values={name: _plain(record.get(name)) for name in fields},
        )
        for record in records
    ]
    kinds = {name: types.get(name, "") for name in fields}
    for language, template, target in (
        ("zh-hans", rule.sentence, "sentence"),
        ("en", rule.sentence_en or rule.sentence, "sentence_en"),
    ):
        with translation.override(language):
            for finding in found:
                shown = {n: _shown(n, v, kinds[n]) for n, v in finding.values.items()}
                setattr(finding, target, template.format(label=rule.label, **shown))
    return found


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
