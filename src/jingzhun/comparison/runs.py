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
import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
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

from . import verification
from .choices import KEPT_FINDINGS, Engine, FindingStatus, RunStatus
from .findings import Finding as Found
from .findings import RuleInputs, engine_tables, evaluate_rule
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
        _relink_tokens(run, ruleset, prefix)
        found: list[Found] = []
        kinds = {rule.dataset for rule in ruleset.rules if rule.dataset}
        with engine_tables(run.engine, prefix, kinds, spark_master=spark_master) as tables:
            inputs = RuleInputs(tables, run.year, prefix, ruleset.rules)
            for done, rule in enumerate(ruleset.rules, start=1):
                found += evaluate_rule(ruleset, rule, inputs)
                ComparisonRun.objects.filter(pk=run.pk).update(rules_done=done)
        with transaction.atomic():
            run.datasets = _datasets_used(ruleset, prefix)
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


def _relink_tokens(run: ComparisonRun, ruleset: rules.Ruleset, prefix: str) -> None:
    """Match the tokenised lists the run reads with the registry as it is now (a person
    registered since the list was loaded is linked, not reported as an omission). Token links
    only: fuzzy suggestions are made when a list is loaded or by `jingzhun link_datasets`. A key
    file that may not be used leaves the earlier links (the run goes on; logged)."""
    tokenised = Dataset.objects.filter(pk__in=_datasets_used(ruleset, prefix)).exclude(key_id="")
    if not tokenised.exists():
        return
    try:
        link_datasets(tokenised, acting_user=run.created_by, fuzzy_too=False)
    except KeyFileError:
        logger.exception("comparison run %s: token links not renewed", run.pk)


def _in_scope(field: str, prefix: str) -> Q:
    if not prefix:
        return Q()
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def _datasets_used(ruleset: rules.Ruleset, prefix: str) -> list[int]:
    kinds = {rule.dataset for rule in ruleset.rules if rule.dataset}
    current = Dataset.objects.filter(kind__in=kinds, current=True)
    if prefix:
        current = current.filter(_in_scope("area_id", prefix) | Q(area_id__in=areas_above(prefix)))
    return sorted(current.values_list("pk", flat=True))


def _keep(
    run: ComparisonRun, ruleset: rules.Ruleset, prefix: str, found: list[Found]
) -> dict[str, dict[str, int]]:
    """Insert the new findings, keep those found again open (last_run = this run), resolve the
    open ones of these rules in this area that were not found; the counts per rule."""
    keyed: dict[tuple[str, str], Found] = {}
    for finding in found:
        keyed.setdefault((finding.rule.id, _key(finding)), finding)
    open_ = Finding.objects.filter(
        _in_scope("area_code", prefix),
        ruleset=ruleset.id,
        status__in=KEPT_FINDINGS,
        rule__in=[r.id for r in ruleset.rules],
    )
    existing = {(rule, key): pk for pk, rule, key in open_.values_list("pk", "rule", "key")}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"found": 0, "new": 0, "resolved": 0})
    for rule_id, _k in keyed:
        counts[rule_id]["found"] += 1
    again = [pk for identity, pk in existing.items() if identity in keyed]
    gone = [pk for identity, pk in existing.items() if identity not in keyed]
    for identity in existing:
        if identity not in keyed:
            counts[identity[0]]["resolved"] += 1
    now = timezone.now()
    for start in range(0, len(again), CHUNK):
        Finding.objects.filter(pk__in=again[start : start + CHUNK]).update(
            last_run=run, updated=now
        )
    for start in range(0, len(gone), CHUNK):
        chunk = gone[start : start + CHUNK]
        Finding.objects.filter(pk__in=chunk).update(
            status=FindingStatus.RESOLVED, resolved_run=run, updated=now
        )
        verification.close_gone(chunk)
    columns: dict[str, list[Any]] = defaultdict(list)
    for (rule_id, key), finding in keyed.items():
        if (rule_id, key) in existing:
            continue
        counts[rule_id]["new"] += 1
        values = {name: audit.plain(v) for name, v in finding.values.items()}
        for name, value in (
            ("rule", rule_id),
            ("meaning", finding.rule.meaning),
            ("severity", finding.rule.severity),
            ("key", key),
            ("area_code", finding.village_code or finding.row_area or ""),
            ("person_id", finding.person_id),
            ("household_id", finding.household_id),
            ("dataset_row_id", finding.row_id),
            ("values", json.dumps(values, ensure_ascii=False)),
            ("sentence", finding.sentence[:500]),
            ("sentence_en", finding.sentence_en[:500]),
        ):
            columns[name].append(value)
    _insert_new(run, ruleset, columns)
    verification.assign_new(run)
    return {rule.id: counts[rule.id] for rule in ruleset.rules}


def _insert_new(run: ComparisonRun, ruleset: rules.Ruleset, columns: dict[str, list]) -> None:
    """Write the new findings as one Arrow batch (PostgreSQL: COPY of CSV pyarrow writes)."""
    if not columns:
        return
    count = len(columns["rule"])
    now = str(connection.ops.adapt_datetimefield_value(timezone.now()))
    fixed = {
        "ruleset": ruleset.id,
        "status": FindingStatus.OPEN,
        "first_run_id": run.pk,
        "last_run_id": run.pk,
        "created": now,
        "updated": now,
    }
    types = {"person_id": pa.int64(), "household_id": pa.int64(), "dataset_row_id": pa.int64()}
    arrays = {
        name: pa.array(values, types.get(name, pa.string())) for name, values in columns.items()
    }
    arrays.update({name: pa.array([value] * count) for name, value in fixed.items()})
    batch = pa.RecordBatch.from_pydict(arrays)
    write_arrow(Finding, batch.schema.names, [batch])


def _key(finding: Found) -> str:
    """The cause a finding names, stable across runs and across a newer file of the same list:
    the person and the department row's own identity (number, token, category, detail, date,
    year: `Found.row_key`, read with the finding), not its row number or file."""
    if finding.row_id is None or finding.row_key is None:
        return f"p{finding.person_id}"
    number, token, category, detail, date, year = finding.row_key
    if date:  # YYYYMMDD → 2019-05-01, as the date was written when keys were first made
        date = f"{date // 10000:04d}-{date // 100 % 100:02d}-{date % 100:02d}"
    natural = "|".join(str(part or "") for part in (number, token, category, detail, date, year))
    return f"p{finding.person_id or '-'}:{hashlib.sha256(natural.encode()).hexdigest()[:24]}"
