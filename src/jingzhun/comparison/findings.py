"""Evaluate comparison rules: the findings of a ruleset for a year and an area, each with its
sentence in Chinese and English (issue #12 item 2), on the application database, DuckDB or Spark
with identical findings.

Each rule is one Ibis expression (`standards.compiler.rule_findings`) over the person input and
the current rows of its dataset kind (`engine.comparison`); only the findings come back to
Python (as Arrow, so ints, decimals, booleans and YYYYMMDD dates arrive as the same values
from every engine), where their sentences are written for all of them at once
(`rendering`: names masked, codes as labels, dates and amounts as people read them).

How to call it::

    evaluate("national-2016", year=2019)                           # the application database
    evaluate("national-2016", year=2019, prefix="532527", engine="duckdb")  # over a snapshot
    with engine_tables("duckdb", prefix) as tables:                # several calls, one snapshot
        inputs = RuleInputs(tables, 2019, prefix)
        for rule in ruleset.rules:
            tables.append(found_table(ruleset, rule, inputs))       # Arrow, as a run keeps them

`engine` "duckdb" / "spark" reads the comparison's tables under the prefix as Parquet
(`snapshots.snapshot_files`: the registry's snapshot reused while the registry is unchanged, one
file per department list, written at load or by the first run that reads it), under the same
names.
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import translation
from ibis.backends import BaseBackend

from jingzhun.engine.comparison import (
    COMPARISON_TABLES,
    ROW_KEY,
    Tables,
    comparison_scope,
    comparison_tables,
    dataset_view,
    linked_kinds,
    person_input,
)
from jingzhun.engine.connect import drop_snapshot_views, duckdb_files, spark_files
from jingzhun.engine.django import app_backend, app_vendor
from jingzhun.engine.snapshot import write_snapshot
from jingzhun.standards import dataset_kinds, rules
from jingzhun.standards.compiler import rule_findings

from . import rendering
from .snapshots import snapshot_files

ENGINES = ("db", "duckdb", "spark")  # assessment.choices.Engine's values

# What every rule reads of the person input besides its own fields (compiler.rule_findings).
PERSON_KEYS = ("person_id", "household_id", "village_code", "id_number")


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
    # The department row's identity (engine.comparison.ROW_KEY, in order) and its list's area.
    row_key: tuple | None = None
    row_area: str | None = None


@dataclass
class RuleInputs:
    """What every rule of one evaluation reads, built once: the person input of the year under
    the prefix, the dataset kinds, and each kind's view of the current rows (on first use).
    Given the `rules` to evaluate, the inputs keep only the columns those rules read (on
    DuckDB a narrower input is materialised faster: 3.5 M persons)."""

    tables: Tables
    year: int
    prefix: str = ""
    rules: tuple[rules.Rule, ...] = ()
    person: ir.Table = field(init=False)
    kinds: dict[str, dataset_kinds.DatasetKind] = field(init=False)
    views: dict[str, ir.Table] = field(init=False, default_factory=dict)
    cached: bool = field(init=False, default=False)
    linked: set[str] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        # On DuckDB the inputs are materialised once (in-memory temporary tables, gone with the
        # snapshot's connection): every rule then reads the joined persons and a kind's rows
        # instead of joining the Parquet files again. Not on the application database, whose
        # connection is Django's, nor on Spark.
        backend = self.tables["registry_person"]._find_backend()
        self.cached = backend.name == "duckdb"
        person = person_input(self.tables, self.year, self.prefix)
        self.person = self._kept(self._narrowed(person, PERSON_KEYS, self.rules))
        self.kinds = dataset_kinds.available()
        read = {rule.dataset for rule in self.rules if rule.dataset}
        if read or not self.rules:
            self.linked = linked_kinds(self.tables, read, self.prefix)

    def _kept(self, table: ir.Table) -> ir.Table:
        return table.cache() if self.cached else table

    def _narrowed(
        self, table: ir.Table, keys: Iterable[str], chosen: Iterable[rules.Rule]
    ) -> ir.Table:
        chosen = list(chosen)
        # A household rule reads nearly every column (compiler.household_input): all kept.
        if not chosen or any(rule.subject == "household" for rule in chosen):
            return table
        read = set(keys).union(*(rule.fields for rule in chosen))
        return table.select(*[name for name in table.columns if name in read])

    def dataset(self, kind_id: str) -> ir.Table:
        if kind_id not in self.views:
            links = kind_id in self.linked
            view = dataset_view(self.tables, self.kinds[kind_id], self.prefix, links=links)
            reading = [rule for rule in self.rules if rule.dataset == kind_id]
            declared = {c.name for c in self.kinds[kind_id].columns if c.slot != "id_number"}
            # The view's own columns, and a row's village (where a finding of nobody goes).
            kept = [name for name in view.columns if name not in declared] + ["area_code"]
            view = self._narrowed(view, kept, reading)
            # Materialised only when several rules read it: a kind one rule reads is scanned
            # once anyway, and its Parquet files are read with the rule's filter pushed down.
            self.views[kind_id] = self._kept(view) if len(reading) != 1 else view
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
        inputs = RuleInputs(tables, year, prefix, tuple(chosen))
        return [f for rule in chosen for f in evaluate_rule(ruleset, rule, inputs)]


def evaluate_rule(ruleset: rules.Ruleset, rule: rules.Rule, inputs: RuleInputs) -> list[Finding]:
    """The findings of one rule, ordered by village, household, person and department row."""
    return findings_of(rule, found_table(ruleset, rule, inputs))


def found_table(ruleset: rules.Ruleset, rule: rules.Rule, inputs: RuleInputs) -> pa.Table:
    """The findings of one rule as one Arrow table, ordered by village, household, person and
    department row (NULL first), with their sentences (`sentence`, `sentence_en`): the keys
    (`compiler.rule_findings`), the department row's identity, the rule's fields."""
    kind = inputs.kinds[rule.dataset] if rule.dataset else None
    dataset = inputs.dataset(rule.dataset) if rule.dataset else None
    expression = rule_findings(ruleset, rule, inputs.person, dataset, inputs.year)
    table = rendering.ordered(expression.to_pyarrow())
    return rendering.with_text(rule, table, rules.fields_of(rule.subject, kind))


def findings_of(rule: rules.Rule, table: pa.Table) -> list[Finding]:
    """The rows of a `found_table` as Finding objects (few of them: a page, a test, the
    command line; a run stores the table itself)."""
    return [
        Finding(
            rule=rule,
            person_id=record.get("person_id"),
            household_id=record.get("household_id"),
            village_code=record.get("village_code"),
            row_id=record.get("row_id"),
            values={name: rendering.plain_value(record.get(name)) for name in rule.fields},
            sentence=record["sentence"],
            sentence_en=record["sentence_en"],
            row_key=_ROW_KEY(record) if record.get("row_id") is not None else None,
            row_area=record.get("row_area"),
        )
        for record in table.to_pylist()
    ]


@contextlib.contextmanager
def engine_tables(
    engine: str = "db",
    prefix: str = "",
    kinds: Iterable[str] = (),
    *,
    spark_master: str | None = None,
) -> Iterator[Tables]:
    """The comparison tables on `engine`: the application database's, or those of a snapshot
    of them (under `prefix`, the datasets of `kinds` or all; `snapshots.snapshot_files`: the
    registry's and the lists' files kept between runs, the rest written now) read by DuckDB or
    Spark, which the caller must finish reading inside the `with` (Spark's views over the
    files are dropped on the way out)."""
    if engine not in ENGINES:
        raise ValueError(translation.gettext("未知计算引擎 {engine}").format(engine=engine))
    if engine == "db":
        with _planner_settings():
            yield comparison_tables(app_backend())
        return
    with snapshot_files(prefix, kinds) as read:
        files = read["files"]
        if engine == "spark":
            backend = spark_files(
                files, COMPARISON_TABLES, master=spark_master or settings.SPARK_MASTER
            )
        else:
            backend = duckdb_files(files)
        try:
            yield comparison_tables(backend)
        finally:
            if engine == "spark":
                drop_snapshot_views(backend, COMPARISON_TABLES)


@contextlib.contextmanager
def _planner_settings() -> Iterator[None]:
    """On PostgreSQL, for the rules' queries: no JIT (it compiled each query for 0.7–0.9 s,
    more than most of them then ran at 3.5 M persons), plans for all the rows (Ibis fetches
    through a server-side cursor, which PostgreSQL plans for the first tenth: nested loops
    over 1.6 M vehicles) and settings.COMPARISON_WORK_MEM for their hashes and sorts (the
    default 4 MB spilled the anti-joins to disk). Reset after."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        cursor.execute("SET cursor_tuple_fraction = 1")
        cursor.execute("SELECT set_config('work_mem', %s, false)", [settings.COMPARISON_WORK_MEM])
    try:
        yield
    finally:
        # After a failed query inside an outer transaction the reset itself fails: the error
        # that matters is the query's (and the transaction's end undoes the settings anyway).
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("RESET jit")
            cursor.execute("RESET cursor_tuple_fraction")
            cursor.execute("RESET work_mem")


def write_comparison_snapshot(
    directory: str, prefix: str = "", kinds: Iterable[str] = ()
) -> dict[str, Any]:
    """Write the comparison tables of the application database under `prefix` (the current
    datasets of `kinds`, or of every kind) to `directory` as Parquet; the manifest."""
    app = app_backend()
    scoped = comparison_scope(comparison_tables(app), prefix, kinds)
    return write_snapshot(app, directory, prefix=prefix, vendor=app_vendor(), tables=scoped)


_ROW_KEY = operator.itemgetter(*ROW_KEY)
