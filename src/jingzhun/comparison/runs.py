"""Comparison runs: record one (queued, audited), execute it (in the task worker or the command
line) and keep its findings — new ones added (each with a verification task), those found again
kept once (open, confirmed or dismissed), those no longer found marked resolved (原因已消除, their
open tasks closed). The evaluation is the rules' Ibis expressions (`findings.evaluate_rule`) on
the run's engine (the application database, or DuckDB / Spark over a snapshot of the comparison's
tables, `findings.engine_tables`); the write, always into the application database, is one short
transaction of set-based statements.

How to call it (the command line, a benchmark)::

    run = create_run(ruleset_id="national-2016", year=2019, engine="duckdb", acting_user=SYSTEM)
    execute_run(run)   # evaluates, stores the findings and their tasks; run.counts per rule
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun import areacodes
from jingzhun.areas.models import Area
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.core.bulk import write_arrow
from jingzhun.engine.comparison import areas_above
from jingzhun.standards import rules

from . import rendering, verification
from .choices import KEPT_FINDINGS, Engine, FindingStatus, RunStatus
from .findings import RuleInputs, engine_tables, found_table
from .linkage.keys import KeyFileError
from .linkage.linking import link_datasets
from .models import ComparisonRun, Dataset, Finding

logger = logging.getLogger(__name__)

CHUNK = 2000


def create_run(
    *,
    ruleset_id: str,
    year: int,
    area_code: str = "",
    acting_user: Any,
    engine: str | None = None,
) -> ComparisonRun:
    """Check and record a run (queued) with its audit entry. `engine`: db, duckdb or spark
    (default the deployment's settings.COMPARISON_ENGINE). Refused before anything is written:
    an unknown ruleset (StandardError), an unknown engine (ValueError), an area outside the
    user's scope or a user who may not edit (PermissionDenied)."""
    if acting_user is None or not acting_user.can_edit():
        raise PermissionDenied(_("您没有发起数据比对的权限"))
    engine = engine or settings.COMPARISON_ENGINE
    if engine not in Engine.values:
        raise ValueError(_("未知计算引擎 {engine}").format(engine=engine))
    ruleset = rules.load(ruleset_id)
    scope = acting_user.scope_prefix()
    code = areacodes.pad(area_code) if area_code else getattr(acting_user, "area_id", None)
    area = Area.objects.get(code=code) if code else None
    if scope is None or (area is None and scope) or (area and not area.code.startswith(scope)):
        raise PermissionDenied(_("该区划不在您的管辖范围内"))
    text = Path(ruleset.path).read_bytes() if ruleset.path else b""
    with transaction.atomic():
        run = ComparisonRun.objects.create(
            ruleset=ruleset.id,
            ruleset_version=ruleset.version,
            ruleset_checksum=hashlib.sha256(text).hexdigest(),
            year=year,
            area=area,
            engine=engine,
            rules_total=len(ruleset.rules),
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        audit.record(
            actor=run.created_by,
            action=Action.CREATE,
            instance=run,
            model="comparison.comparisonrun",
            object_repr=str(run),
            changes={
                "ruleset": ruleset.id,
                "version": ruleset.version,
                "year": year,
                "engine": engine,
            },
            area_code=area.code if area else "",
            message=_("数据比对 {ruleset} {year} 年度").format(ruleset=ruleset.id, year=year),
        )
    return run


def execute_run(run: ComparisonRun, *, spark_master: str | None = None) -> ComparisonRun:
    """Evaluate every rule on the run's engine (the inputs built once; progress saved after
    each rule), then keep the findings in one transaction of the application database. A run
    no longer queued (another worker took it) is left alone; a failure marks the run failed and
    is re-raised. `spark_master`: of a spark run (default settings.SPARK_MASTER)."""
    now = timezone.now()
    if not ComparisonRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started=now
    ):
        run.refresh_from_db()
        return run
    run.status, run.started = RunStatus.RUNNING, now
    try:
        ruleset = rules.load(run.ruleset)
        prefix = areacodes.prefix(run.area_id) if run.area_id else ""
        # The lists the run reads, taken once: their token links are renewed and the run
        # records them.
        datasets = _datasets_used(ruleset, prefix)
        _relink_tokens(run, datasets)
        found: list[tuple[rules.Rule, pa.Table]] = []
        kinds = {rule.dataset for rule in ruleset.rules if rule.dataset}
        with engine_tables(run.engine, prefix, kinds, spark_master=spark_master) as tables:
            inputs = RuleInputs(tables, run.year, prefix, ruleset.rules)
            for done, rule in enumerate(ruleset.rules, start=1):
                found.append((rule, found_table(ruleset, rule, inputs)))
                ComparisonRun.objects.filter(pk=run.pk).update(rules_done=done)
        with transaction.atomic():
            run.datasets = datasets
            run.counts = _keep(run, ruleset, prefix, found)
            run.status, run.finished = RunStatus.FINISHED, timezone.now()
            run.rules_done = len(ruleset.rules)
            run.save(update_fields=["datasets", "counts", "status", "finished", "rules_done"])
    except Exception as error:
        run.status, run.finished = RunStatus.FAILED, timezone.now()
        run.error = f"{type(error).__name__}: {error}"[:4000]
        run.save(update_fields=["status", "finished", "error"])
        raise
    return run


def _relink_tokens(run: ComparisonRun, datasets: list[int]) -> None:
    """Match the tokenised lists the run reads with the registry as it is now (a person
    registered since the list was loaded is linked, not reported as an omission). Token links
    only: fuzzy suggestions are made when a list is loaded or by `jingzhun link_datasets`. A key
    file that may not be used leaves the earlier links (the run goes on; logged)."""
    tokenised = Dataset.objects.filter(pk__in=datasets).exclude(key_id="")
    if not tokenised.exists():
        return
    try:
        link_datasets(tokenised, acting_user=run.created_by, fuzzy_too=False)
    except KeyFileError:
        logger.exception("comparison run %s: token links not renewed", run.pk)


def _in_scope(field: str, prefix: str) -> Q:
    if not prefix:
        return Q()
    low, high = areacodes.prefix_range(prefix)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def _datasets_used(ruleset: rules.Ruleset, prefix: str) -> list[int]:
    kinds = {rule.dataset for rule in ruleset.rules if rule.dataset}
    current = Dataset.objects.filter(kind__in=kinds, current=True)
    if prefix:
        current = current.filter(_in_scope("area_id", prefix) | Q(area_id__in=areas_above(prefix)))
    return sorted(current.values_list("pk", flat=True))


def _keep(
    run: ComparisonRun,
    ruleset: rules.Ruleset,
    prefix: str,
    found: list[tuple[rules.Rule, pa.Table]],
) -> dict[str, dict[str, int]]:
    """Insert the new findings, keep those found again open (last_run = this run), resolve the
    open ones of these rules in this area that were not found; the counts per rule. The
    findings stay Arrow columns throughout (`_stored`); a finding found twice in one run (the
    same cause through two rows) is kept once."""
    table = _first_of_each(
        pa.concat_tables([_stored(rule, found_of_rule) for rule, found_of_rule in found])
        if found
        else _stored_schema().empty_table()
    )
    open_ = Finding.objects.filter(
        _in_scope("area_code", prefix),
        ruleset=ruleset.id,
        status__in=KEPT_FINDINGS,
        rule__in=[r.id for r in ruleset.rules],
    )
    existing = list(open_.values_list("pk", "rule", "key"))
    known = pa.array([f"{rule}\x1f{key}" for _pk, rule, key in existing], pa.string())
    identity = pc.binary_join_element_wise(table["rule"], table["key"], "\x1f")
    again_mask = pc.is_in(known, value_set=identity).to_pylist()
    new = table.filter(pc.invert(pc.is_in(identity, value_set=known)))
    again = [row[0] for row, kept in zip(existing, again_mask, strict=True) if kept]
    gone = [row for row, kept in zip(existing, again_mask, strict=True) if not kept]
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"found": 0, "new": 0, "resolved": 0})
    for rule_id, number in _per_rule(table).items():
        counts[rule_id]["found"] = number
    for rule_id, number in _per_rule(new).items():
        counts[rule_id]["new"] = number
    for _pk, rule_id, _k in gone:
        counts[rule_id]["resolved"] += 1
    now = timezone.now()
    for start in range(0, len(again), CHUNK):
        Finding.objects.filter(pk__in=again[start : start + CHUNK]).update(
            last_run=run, updated=now
        )
    gone_pks = [row[0] for row in gone]
    for start in range(0, len(gone_pks), CHUNK):
        chunk = gone_pks[start : start + CHUNK]
        Finding.objects.filter(pk__in=chunk).update(
            status=FindingStatus.RESOLVED, resolved_run=run, updated=now
        )
        verification.close_gone(chunk)
    _insert_new(run, ruleset, new)
    verification.assign_new(run)
    return {rule.id: counts[rule.id] for rule in ruleset.rules}


def _stored_schema() -> pa.Schema:
    text = pa.string()
    return pa.schema(
        [
            ("rule", text),
            ("meaning", text),
            ("severity", text),
            ("key", text),
            ("area_code", text),
            ("person_id", pa.int64()),
            ("household_id", pa.int64()),
            ("dataset_row_id", pa.int64()),
            ("values", text),
            ("sentence", text),
            ("sentence_en", text),
        ]
    )


def _stored(rule: rules.Rule, table: pa.Table) -> pa.Table:
    """A rule's `found_table` as the columns a Finding stores: its village (or, for a row
    that matches nobody, its list's area), the key (`rendering.keys`), the values as JSON."""
    count = table.num_rows

    def column(name: str, kind: pa.DataType) -> pa.Array:
        if name not in table.column_names:
            return pa.nulls(count, kind)
        return table[name].combine_chunks().cast(kind)

    village = column("village_code", pa.string())
    has_village = pc.fill_null(pc.not_equal(village, ""), False)
    area = pc.if_else(has_village, village, column("row_area", pa.string())).fill_null("")
    arrays = {
        "rule": pa.array([rule.id] * count, pa.string()),
        "meaning": pa.array([rule.meaning] * count, pa.string()),
        "severity": pa.array([rule.severity] * count, pa.string()),
        "key": rendering.keys(table),
        "area_code": area,
        "person_id": column("person_id", pa.int64()),
        "household_id": column("household_id", pa.int64()),
        "dataset_row_id": column("row_id", pa.int64()),
        "values": rendering.values_json(table, rule.fields),
        "sentence": pc.utf8_slice_codeunits(column("sentence", pa.string()), 0, 500),
        "sentence_en": pc.utf8_slice_codeunits(column("sentence_en", pa.string()), 0, 500),
    }
    return pa.Table.from_pydict(arrays, schema=_stored_schema())


def _first_of_each(table: pa.Table) -> pa.Table:
    """The first row of each (rule, key), in the table's order."""
    numbered = table.append_column("position", pa.array(range(table.num_rows), pa.int64()))
    firsts = numbered.group_by(["rule", "key"], use_threads=False).aggregate([("position", "min")])
    if firsts.num_rows == table.num_rows:
        return table
    first = firsts["position_min"]
    return table.take(pc.take(first, pc.sort_indices(first)))


def _per_rule(table: pa.Table) -> dict[str, int]:
    if not table.num_rows:
        return {}
    counted = table.group_by("rule").aggregate([("rule", "count")])
    return dict(zip(counted["rule"].to_pylist(), counted["rule_count"].to_pylist(), strict=True))


def _insert_new(run: ComparisonRun, ruleset: rules.Ruleset, new: pa.Table) -> None:
    """Write the new findings as one Arrow batch (PostgreSQL: COPY of CSV pyarrow writes)."""
    if not new.num_rows:
        return
    count = new.num_rows
    now = str(connection.ops.adapt_datetimefield_value(timezone.now()))
    fixed = {
        "ruleset": ruleset.id,
        "status": FindingStatus.OPEN,
        "first_run_id": run.pk,
        "last_run_id": run.pk,
        "created": now,
        "updated": now,
    }
    for name, value in fixed.items():
        new = new.append_column(name, pa.array([value] * count))
    write_arrow(Finding, new.schema.names, new.to_batches())
