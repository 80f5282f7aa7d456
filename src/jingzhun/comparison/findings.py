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

`engine` "duckdb" / "spark" reads the comparison's tables under the prefix as Parquet
(`snapshots.snapshot_files`: the registry's snapshot reused while the registry is unchanged, one
file per department list, written at load or by the first run that reads it), under the same
names.
"""

from __future__ import annotations

import contextlib
import datetime
import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ibis.expr.types as ir
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import translation
from ibis.backends import BaseBackend

from jingzhun import masking
from jingzhun.engine.comparison import (
    COMPARISON_TABLES,
    ROW_KEY,
    Tables,
    comparison_scope,
    comparison_tables,
    dataset_view,
    has_links,
    person_input,
)
from jingzhun.engine.connect import drop_snapshot_views, duckdb_files, spark_files
from jingzhun.engine.django import app_backend, app_vendor
from jingzhun.engine.snapshot import write_snapshot
from jingzhun.registry import choices as c
from jingzhun.standards import dataset_kinds, rules
from jingzhun.standards.compiler import rule_findings
from jingzhun.standards.explain import number

from .snapshots import snapshot_files

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
            links = has_links(self.tables, kind_id, self.prefix)
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
            row_key=_ROW_KEY(record) if record.get("row_id") is not None else None,
            row_area=record.get("row_area"),
        )
        for record in records
    ]
    kinds = {name: types.get(name, "") for name in fields}
    for language, template, target in (
        ("zh-hans", rule.sentence, "sentence"),
        ("en", rule.sentence_en or rule.sentence, "sentence_en"),
    ):
        with translation.override(language):
            # A rule's values repeat (codes, amounts, dates, yes/no): each is written once per
            # language (170 k findings at 3.5 M persons; a label's lookup costs ~10 µs).
            written: dict[str, dict[Any, str]] = {name: {} for name in fields}
            label = rule.label
            for finding in found:
                shown = {}
                for name, value in finding.values.items():
                    try:
                        text = written[name][value]
                    except KeyError:
                        text = written[name][value] = _shown(name, value, kinds[name])
                    except TypeError:  # an unhashable value: written every time
                        text = _shown(name, value, kinds[name])
                    shown[name] = text
                setattr(finding, target, template.format(label=label, **shown))
    return found


_NATIVE = frozenset({int, str, bool, Decimal, datetime.date})
_ROW_KEY = operator.itemgetter(*ROW_KEY)


def _plain(value: Any) -> Any:
    """A pandas/numpy value as a plain Python one (NaN/NaT/None → None). Arrow's values are
    already plain (only a float may be NaN): returned at once."""
    if value is None or type(value) in _NATIVE:
        return value
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
