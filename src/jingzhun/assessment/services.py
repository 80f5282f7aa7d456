"""Run a standard over the registry and store the results (set-based end to end).

The engine evaluates every indicator (one Ibis expression per level, materialised once with
`Table.cache()`), then shapes the stored rows itself (`long_tables`): one verdict per entity
carrying every indicator's value as text, and one result row per UNMET indicator with its
explanation sentences (3–9 % of the entity × indicator pairs); thresholds go once on the run.
On the application database the rows never leave it (INSERT … SELECT); from DuckDB or Spark
they arrive as Arrow record batches that `core.bulk.write_arrow` ships with COPY / executemany,
one batch at a time. No Python object per row, nothing per row through the ORM, all rows in one
transaction.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import logging
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.db.models.deletion import get_candidate_relations_to_delete
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from ibis.backends import BaseBackend

from jingzhun import areacodes
from jingzhun.areas.models import Area
from jingzhun.audit import services as audit
from jingzhun.core.bulk import insert_select, write_arrow
from jingzhun.engine import snapshot
from jingzhun.engine.connect import drop_snapshot_views, duckdb_snapshot, spark_snapshot
from jingzhun.engine.django import app_backend, app_vendor, registry_state, shared_snapshot_root
from jingzhun.engine.inputs import HOUSEHOLD_AGGREGATES, input_view
from jingzhun.engine.snapshot import write_snapshot
from jingzhun.engine.tables import base_tables
from jingzhun.standards import Standard, loader
from jingzhun.standards.compiler import evaluate
from jingzhun.standards.explain import indicator_explanation_expr
from jingzhun.standards.vocabulary import KEYS

from .choices import LIVE, STEP_PERCENT, STOPPABLE, Engine, Level, Status, Step
from .models import SCALE, AssessmentRun, IndicatorResult, Verdict

logger = logging.getLogger(__name__)

LEVELS = [Level.HOUSEHOLD, Level.VILLAGE, Level.COUNTY]
LANGUAGES = ("zh", "en")
Progress = Callable[[str], None] | None
# say(step, detail=None, percent=None): the progress step of a running run (see execute_run).
Say = Callable[..., None]


# Rows per Arrow batch shipped from DuckDB / Spark to the application database: memory stays
# at one batch (~25 MB of indicator results), COPY / executemany calls stay few.
BATCH_ROWS = 100_000
VERDICT_COLUMNS = (
    "run_id",
    "level",
    "entity",
    "household_id",
    "area_code",
    "met",
    "unmet",
    "indicator_values",
)
RESULT_COLUMNS = (
    "run_id",
    "level",
    "entity",
    "area_code",
    "indicator",
    "value",
    "threshold",
    "met",
    "explanation_zh",
    "explanation_en",
)


def wide_result(standard: Standard, level: str, view: ir.Table, year: int) -> ir.Table:
    """evaluate() plus `_area`, the entity's area code (its village for a household); a
    household result also keeps the input columns the village and county inputs are summed
    from (inputs.HOUSEHOLD_AGGREGATES), so those levels need not read the persons again."""
    area = "village_code" if level == Level.HOUSEHOLD else KEYS[level]
    keep = HOUSEHOLD_AGGREGATES if level == Level.HOUSEHOLD else (area,)
    # Carried through the select, not joined back: a join of the view with itself made
    # PostgreSQL materialise and sort the household view twice (~3 s at 3.5 M persons).
    result = evaluate(standard, level, view, year=year, keep=keep)
    return result.mutate(_area=result[area])


def run_thresholds(standard: Standard, year: int) -> dict[str, list[list[Any]]]:
    """{level: [[indicator id, threshold], ...]} in the standard's order, as the engine computes
    each threshold (compiler.indicator_columns: scaled to integers, then ÷ SCALE; None for a
    yes/no indicator). The same for every entity of a level, so stored once on the run."""
    out: dict[str, list[list[Any]]] = {}
    for level in LEVELS:
        pairs: list[list[Any]] = []
        for indicator in standard.indicators(level):
            threshold = None
            if indicator.op != "is_true":
                limit = standard.threshold(indicator, year)
                assert limit is not None  # the loader refuses a comparison without threshold
                threshold = int((limit * SCALE).to_integral_value()) / SCALE
            pairs.append([indicator.id, threshold])
        out[str(level)] = pairs
    return out


def values_text(standard: Standard, level: str, wide: ir.Table) -> ir.StringValue:
    """Every indicator's value of an entity as one text: integers in 1/SCALE units (a yes/no
    value: SCALE or 0), comma-separated in the standard's order, '' for NULL. Integers cast to
    text read the same on SQLite, PostgreSQL, DuckDB and Spark (floats would not)."""
    text: ir.StringValue | None = None
    for indicator in standard.indicators(level):
        value = wide[f"{indicator.id}__value"]
        if indicator.op == "is_true":
            scaled = ibis.cases((value, SCALE), (~value, 0), else_=ibis.null("int64"))
        else:  # the compared value is an integer of 1/SCALE divided by SCALE: exact back
            scaled = (value * SCALE).round()
        part = scaled.cast("int64").cast("string").fill_null("")
        text = part if text is None else text + "," + part
    return text if text is not None else ibis.literal("", "string")


def long_tables(
    standard: Standard, level: str, wide: ir.Table, run_id: int, year: int
) -> tuple[ir.Table, list[ir.Table]]:
    """The rows to store, as engine expressions over a `wide_result()` table: the verdicts, one
    per entity (VERDICT_COLUMNS, the values included), and per indicator the results of the
    entities that do NOT meet it (RESULT_COLUMNS, with the explanation sentences). Evaluate
    `wide` once (cache it): each select reads it again. One select per indicator rather than a
    UNION ALL: Ibis nests unions, and six of them with the explanation expressions overflow
    SQLite's parser stack."""
    indicators = standard.indicators(level)
    key = wide[KEYS[level]]
    common = {
        "run_id": ibis.literal(run_id, "int64"),
        "level": ibis.literal(str(level), "string"),
        "entity": key.cast("string"),
    }
    area = wide["_area"].cast("string")
    # "income,housing": the unmet ids in the standard's order (",income,housing" minus the comma).
    unmet: ir.StringValue = ibis.literal("", "string")
    for indicator in indicators:
        unmet = unmet + ibis.ifelse(wide[f"{indicator.id}__met"], "", "," + indicator.id)
    # Ordered by entity, the key of the indexes (run, level, entity) / (run, entity): index
    # entries are then appended instead of scattered (PostgreSQL, 0.9 M verdicts: ~40 % less).
    verdicts = wide.select(
        **common,
        household_id=key.cast("int64") if level == Level.HOUSEHOLD else ibis.null("int64"),
        area_code=area,
        met=wide["met"],
        unmet=ibis.ifelse(unmet == "", "", unmet.substr(1)),
        indicator_values=values_text(standard, level, wide),
    ).order_by("entity")
    parts = []
    for indicator in indicators:
        failing = wide.filter(~wide[f"{indicator.id}__met"])
        value = failing[f"{indicator.id}__value"]
        if indicator.op == "is_true":  # a yes/no value is stored as 1.0 / 0.0
            value = ibis.cases((value, 1.0), (~value, 0.0), else_=ibis.null("float64"))
        explanations = {
            f"explanation_{language}": indicator_explanation_expr(
                standard, indicator, failing, year=year, language=language
            )
            for language in LANGUAGES
        }
        parts.append(
            failing.select(
                run_id=common["run_id"],
                level=common["level"],
                entity=failing[KEYS[level]].cast("string"),
                area_code=failing["_area"].cast("string"),
                indicator=ibis.literal(indicator.id, "string"),
                value=value.cast("float64"),
                threshold=failing[f"{indicator.id}__threshold"].cast("float64"),
                met=ibis.literal(False),
                **explanations,
            ).order_by("entity")
        )
    return verdicts, parts


def level_counts(wide: ir.Table) -> dict[str, int]:
    """{"entities": rows, "met": rows meeting every indicator} of a `wide_result()` table."""
    row = (
        wide.aggregate(entities=wide.count(), met=ibis.ifelse(wide["met"], 1, 0).sum())
        .to_pyarrow()
        .to_pylist()[0]
    )
    return {"entities": int(row["entities"]), "met": int(row["met"] or 0)}


def store(
    backend: BaseBackend,
    model: type[Verdict] | type[IndicatorResult],
    columns: tuple[str, ...],
    parts: list[ir.Table],
    *,
    in_database: bool,
) -> int:
    """Write the rows of `parts` (tables with `columns`) into the model's table in the current
    transaction: INSERT … SELECT per part when `backend` is the application database itself,
    else one stream of Arrow batches (BATCH_ROWS each) through COPY / executemany. Returns the
    rows written."""
    if in_database:
        return sum(insert_select(model, columns, backend.compile(part)) for part in parts)
    readers: list[pa.RecordBatchReader] = []

    def batches() -> Iterator[pa.RecordBatch]:
        for part in parts:
            readers.append(arrow_batches(backend, part))
            yield from readers[-1]

    try:
        return write_arrow(model, columns, batches())
    finally:
        # A reader left open when writing stops half-way keeps DuckDB's result pending, and
        # every later statement on that connection (dropping the cached tables) fails.
        for reader in readers:
            reader.close()


def arrow_batches(backend: BaseBackend, rows: ir.Table) -> pa.RecordBatchReader:
    """The rows as Arrow record batches of BATCH_ROWS, streamed (not all in memory)."""
    if backend.name == "duckdb":
        # Ibis 12's to_pyarrow_batches calls fetch_record_batch, which DuckDB 2 no longer has.
        return backend.con.sql(backend.compile(rows)).to_arrow_reader(BATCH_ROWS)
    return rows.to_pyarrow_batches(chunk_size=BATCH_ROWS)


def default_engine() -> str:
    """The engine runs started from the page and the API use: the deployment's choice
    (settings.ASSESSMENT_ENGINE, JINGZHUN_ASSESSMENT_ENGINE), not the officer's."""
    return getattr(settings, "ASSESSMENT_ENGINE", Engine.DB) or Engine.DB


def default_standard_id() -> str:
    """The newest regional standard shipped (e.g. yunnan-2018), else the newest of any."""
    standards = loader.available()
    return max(standards, key=lambda s: (s.region != "national", s.year)).id


def resolve_scope(acting_user: Any, area_code: str) -> str:
    """The 12-digit code of the assessed subtree ('' = everything), checked against the user's
    scope. Raises PermissionDenied outside it, Area.DoesNotExist for an unknown code."""
    scope = acting_user.scope_prefix() if acting_user is not None else ""
    if scope is None:
        raise PermissionDenied(_("该用户没有可评估的区划范围"))
    if not area_code:
        if acting_user is not None and acting_user.area_id:
            return acting_user.area_id
        return ""
    area = Area.objects.get(code=areacodes.pad(area_code))
    if not area.prefix.startswith(scope):
        raise PermissionDenied(_("区划 {code} 不在您的管辖范围内").format(code=area.code))
    return area.code


def _prefix(area_code: str) -> str:
    return areacodes.prefix(area_code) if area_code else ""


def create_run(
    *,
    standard_id: str,
    year: int | None = None,
    engine: str | None = None,
    area_code: str = "",
    acting_user: Any = None,
) -> AssessmentRun:
    """Check and record a run (status queued) with its audit entry; `execute_run` does the work,
    in this process (the CLI) or in a background task (the page).

    Refused before anything is written: an unknown standard (StandardError / FileNotFoundError),
    an unknown engine (ValueError) or an area outside the user's scope (PermissionDenied)."""
    standard = loader.load(standard_id)
    engine = engine or default_engine()
    if engine not in Engine.values:
        raise ValueError(_("未知计算引擎 {engine}").format(engine=engine))
    if engine == Engine.SPARK and importlib.util.find_spec("pyspark") is None:
        raise ValueError(_("本系统未安装 Spark（pyspark），不能用 Spark 引擎评估"))
    code = resolve_scope(acting_user, area_code)
    year = standard.year if year is None else year
    # A year without a poverty line is refused here, not in the background task.
    for level in LEVELS:
        for indicator in standard.indicators(level):
            standard.threshold(indicator, year)
    with transaction.atomic():
        run = AssessmentRun.objects.create(
            standard_id=standard.id,
            standard_version=standard.version,
            year=year,
            engine=engine,
            area_code=code,
            status=Status.QUEUED,
            progress=_("排队等待后台任务进程…"),
            step=Step.QUEUED,
            percent=0,
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        _audit_run(
            run,
            acting_user,
            "create",
            _("评估 {standard} {year} 年度（{engine}）").format(
                standard=standard.id, year=year, engine=engine
            ),
        )
    return run


class RunStopped(Exception):
    """Raised at a progress step of a run that is no longer `running`: a user asked it to stop
    (`stop_run`: status cancelling) or it was marked failed as abandoned. `execute_run` ends the
    run without storing anything (the store transaction, if open, rolls back)."""


def _audit_run(run: AssessmentRun, actor: Any, action: str, message: str, **extra: Any) -> None:
    """The audit entry of a change to a run (filed under the run's area), in the caller's
    transaction."""
    audit.record(
        actor=actor,
        action=action,
        instance=run,
        model="assessment.assessmentrun",
        area_code=run.area_code,
        message=message,
        **extra,
    )


def execute_run(
    run: AssessmentRun, progress: Progress = None, *, spark_master: str | None = None
) -> AssessmentRun:
    """Evaluate a queued run and store its results. Each progress message is also saved on the
    run (outside any transaction) so a page polling the run can show it. Any failure marks the
    run failed, with the error, and is re-raised. A stop asked for with `stop_run` is noticed at
    the next progress step and ends the run cancelled, with nothing stored (not an error: the run
    is returned). Once finished, older runs of its group are pruned when settings.KEEP_RUNS > 0.
    `spark_master`: the Spark master URL of a spark run (default settings.SPARK_MASTER)."""
    # Deeper than this inside say(): the store transaction of _evaluate_and_store.
    depth = len(connection.atomic_blocks)

    def say(step: Step, detail: str | None = None, percent: int | None = None) -> None:
        # The step is stored as a code (the page shows it in its reader's language) with the
        # share done; `progress` keeps the worker's sentence for the command line and the log.
        # The progress write doubles as the stop check (no extra query): it only applies while
        # the run is still `running`.
        message = str(detail or step.label)
        percent = STEP_PERCENT[step] if percent is None else percent
        still_running = AssessmentRun.objects.filter(pk=run.pk, status=Status.RUNNING)
        if len(connection.atomic_blocks) > depth:
            # Inside the store transaction only read: writing would lock the run's row until
            # commit, so a stop request would wait for the whole store instead of being seen
            # (and the message would not be visible to the page before commit anyway).
            if not still_running.exists():
                raise RunStopped
        elif not still_running.update(
            progress=message[:200], step=step, percent=percent, updated=timezone.now()
        ):
            raise RunStopped
        run.progress, run.step, run.percent = message[:200], step, percent
        if progress is not None:
            progress(message)

    # Claim the run: a cancelled run, or one another worker already took, is left alone.
    if not AssessmentRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
        status=Status.RUNNING, updated=timezone.now()
    ):
        run.refresh_from_db()
        return run
    run.status = Status.RUNNING
    try:
        standard = loader.load(run.standard_id)
        _execute(run, standard, say, spark_master=spark_master)
    except RunStopped:
        # Asked to stop: cancelled. Marked failed meanwhile (abandoned): stays failed. (Running
        # again only if the request was made inside the rolled-back transaction: tests.)
        now = timezone.now()
        AssessmentRun.objects.filter(pk=run.pk, status__in=STOPPABLE).update(
            status=Status.CANCELLED, progress=_("已按请求停止"), finished=now, updated=now
        )
        run.refresh_from_db()
        return run
    except Exception as error:
        run.status = Status.FAILED
        run.error = f"{type(error).__name__}: {error}"[:4000]
        run.finished = timezone.now()
        run.save(update_fields=["status", "error", "finished"])
        raise
    _prune_group_of(run)
    return run


def _prune_group_of(run: AssessmentRun) -> None:
    """settings.KEEP_RUNS > 0: prune the finished run's (standard, year, area) group, after
    its transaction. A failure here is logged, never the run's failure."""
    keep = settings.KEEP_RUNS
    if keep <= 0 or run.status != Status.FINISHED:
        return
    try:
        prune_runs(keep, group=(run.standard_id, run.year, run.area_code))
    except Exception:
        logger.exception(
            "Pruning the runs of %s %s %r after run #%s failed",
            run.standard_id,
            run.year,
            run.area_code,
            run.pk,
        )


def cancel_run(run: AssessmentRun, acting_user: Any) -> bool:
    """Cancel a run that is still queued. False if it had started (a running run: `stop_run`)."""
    with transaction.atomic():
        if not AssessmentRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
            status=Status.CANCELLED, progress=_("已取消"), finished=timezone.now()
        ):
            return False
        _audit_run(run, acting_user, "update", _("取消评估 #{pk}").format(pk=run.pk))
    run.refresh_from_db()
    return True


def stop_run(run: AssessmentRun, acting_user: Any) -> str | None:
    """Ask a running run to stop; audited. Returns the run's new status, None if it was not
    running (queued: `cancel_run`; over: nothing to stop).

    - running → cancelling: the worker notices at its next progress step and ends the run
      cancelled with nothing stored (`execute_run`); one that finishes first stays finished.
    - running or cancelling, but no progress for settings.RUN_STALE_MINUTES (the worker died,
      the run would stay live forever) → failed now, "后台进程已中断".
    - already cancelling → cancelling, nothing recorded again."""
    now = timezone.now()
    live = AssessmentRun.objects.filter(pk=run.pk, status__in=STOPPABLE)
    stale = live.filter(updated__lt=now - timedelta(minutes=settings.RUN_STALE_MINUTES))
    with transaction.atomic():
        # The heartbeat `updated` is left alone: it measures the worker, not the request.
        if stale.update(status=Status.FAILED, error=_("后台进程已中断"), progress="", finished=now):
            status = Status.FAILED
            message = _("评估 #{pk} 超过 {minutes} 分钟没有进度，后台进程已中断，标记为失败")
        elif live.filter(status=Status.RUNNING).update(
            status=Status.CANCELLING, progress=_("已请求停止，当前步骤结束后停止")
        ):
            status = Status.CANCELLING
            message = _("请求停止评估 #{pk}")
        else:
            run.refresh_from_db()
            return Status.CANCELLING if run.status == Status.CANCELLING else None
        _audit_run(
            run,
            acting_user,
            "update",
            message.format(pk=run.pk, minutes=settings.RUN_STALE_MINUTES),
        )
    run.refresh_from_db()
    return status


def delete_run(
    run: AssessmentRun,
    acting_user: Any,
    *,
    reason: str = "",
    batch: uuid.UUID | None = None,
) -> None:
    """Delete a run that is over (finished, failed or cancelled) with all its rows; audited
    (`reason` is added to the audit message, `batch` groups the entries of one pruning).
    Verdicts and results go first, each by one set-based DELETE on the run (no database
    constraint ties them to the run, so nothing else would remove them)."""
    if run.status in LIVE:
        raise ValueError(_("评估尚未结束，不能删除"))
    message = _("删除评估 #{pk}（{standard} {year} 年度）").format(
        pk=run.pk, standard=run.standard_id, year=run.year
    )
    with transaction.atomic():
        _audit_run(
            run,
            acting_user,
            "delete",
            f"{message}：{reason}" if reason else message,
            batch=batch,
        )
        delete_rows(IndicatorResult, run)
        delete_rows(Verdict, run)
        run.delete()


@dataclass
class Pruned:
    """What `prune_runs` deleted (or would, on a dry run) and what it kept because a procedure
    cites one of the run's verdicts. The runs as they were before deletion (pk included)."""

    deleted: list[AssessmentRun] = field(default_factory=list)
    cited: list[AssessmentRun] = field(default_factory=list)


def cited_run_ids(run_ids: list[int]) -> set[int]:
    """The runs among `run_ids` whose verdicts other rows point at (today procedures'
    `verdict`): one set-based query per such relation, found like `delete_rows` finds them."""
    cited: set[int] = set()
    for relation in get_candidate_relations_to_delete(Verdict._meta):
        name = relation.field.name
        cited.update(
            relation.related_model._base_manager.filter(**{f"{name}__run_id__in": run_ids})
            .values_list(f"{name}__run_id", flat=True)
            .distinct()
        )
    return cited


def prune_runs(
    keep: int,
    acting_user: Any = None,
    dry_run: bool = False,
    *,
    group: tuple[str, int, str] | None = None,
) -> Pruned:
    """Per (standard, year, area code) keep the `keep` newest finished runs (by start): delete
    the older finished runs, and failed or cancelled runs over a day old, each with
    `delete_run` (audited, one batch id for the whole pruning). A run whose verdicts a procedure
    cites is never deleted: it is kept and reported. Live runs are never touched.

    `acting_user`: only the runs within their scope (None: all, the CLI / automatic pruning);
    `group`: only that (standard_id, year, area_code); `dry_run`: report, delete nothing."""
    if keep < 1:
        raise ValueError(_("每组至少保留 1 次评估"))
    runs = AssessmentRun.objects.all()
    if acting_user is not None:
        runs = runs.visible_to(acting_user)
    if group is not None:
        standard_id, year, area_code = group
        runs = runs.filter(standard_id=standard_id, year=year, area_code=area_code)
    # Runs are a few per month and area: grouping them here is cheap (their rows never load).
    finished = runs.filter(status=Status.FINISHED).order_by(
        "standard_id", "year", "area_code", "-started", "-id"
    )
    candidates: list[AssessmentRun] = []
    seen: dict[tuple[str, int, str], int] = {}
    for run in finished:
        key = (run.standard_id, run.year, run.area_code)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > keep:
            candidates.append(run)
    day_ago = timezone.now() - timedelta(days=1)
    candidates += (
        runs.filter(status__in=(Status.FAILED, Status.CANCELLED))
        .annotate(ended=Coalesce("finished", "started"))
        .filter(ended__lt=day_ago)
    )
    candidates.sort(key=lambda run: (run.started, run.pk))  # reported oldest first
    cited = cited_run_ids([run.pk for run in candidates]) if candidates else set()
    pruned = Pruned(
        deleted=[run for run in candidates if run.pk not in cited],
        cited=[run for run in candidates if run.pk in cited],
    )
    if not dry_run:
        batch = uuid.uuid4()
        reason = _("清理旧评估，每组保留最近 {keep} 次").format(keep=keep)
        for run in pruned.deleted:
            # A copy: deleting clears the instance's pk, the report keeps it.
            delete_run(copy.copy(run), acting_user, reason=reason, batch=batch)
    return pruned


def delete_rows(model: type[Verdict] | type[IndicatorResult], run: AssessmentRun) -> int:
    """Delete a run's rows of `model` with one `DELETE … WHERE run_id`, in the current
    transaction; returns how many. Rows of other apps pointing at them with SET_NULL (a
    procedure citing a verdict) are cleared first by one UPDATE; any other kind of reference
    falls back to the ORM's collector (correct, not set-based)."""
    rows = model.objects.filter(run=run)
    for relation in get_candidate_relations_to_delete(model._meta):
        if relation.on_delete is models.DO_NOTHING:
            continue
        if relation.on_delete is not models.SET_NULL:
            return rows.delete()[0]
        name = relation.field.name
        relation.related_model._base_manager.filter(**{f"{name}__in": rows.values("pk")}).update(
            **{name: None}
        )
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE run_id = %s", [run.pk])  # noqa: S608 - name from model meta
        return cursor.rowcount


def run_assessment(
    *,
    standard_id: str,
    year: int | None = None,
    engine: str | None = None,
    area_code: str = "",
    acting_user: Any = None,
    progress: Progress = None,
    spark_master: str | None = None,
) -> AssessmentRun:
    """Assess the registry (within `area_code`) against a standard, in this process, and store
    the results: `create_run` then `execute_run`."""
    run = create_run(
        standard_id=standard_id,
        year=year,
        engine=engine,
        area_code=area_code,
        acting_user=acting_user,
    )
    return execute_run(run, progress, spark_master=spark_master)


def _execute(
    run: AssessmentRun,
    standard: Standard,
    say: Say,
    *,
    spark_master: str | None = None,
) -> None:
    """Pick the engine: the application database itself, or DuckDB / Spark over a snapshot:
    the shared one (`jingzhun snapshot`) when it is still exact for the registry (same state,
    covering the run's area), else one written now into a temporary directory (under
    settings.SNAPSHOT_DIR), deleted when the run ends. Everything that reads the snapshot, the
    cached results and the shipped rows included, happens inside the `with`; Spark's temporary
    views over it are dropped before the files go."""
    prefix = _prefix(run.area_code)
    with tempfile.TemporaryDirectory(
        prefix="jingzhun-assess-", dir=settings.SNAPSHOT_DIR
    ) as directory:
        run.data_date = timezone.now()
        if run.engine in (Engine.DUCKDB, Engine.SPARK):
            state = registry_state()
            shared = snapshot.current(shared_snapshot_root())
            if shared is not None and snapshot.reusable(shared, state, prefix):
                created = snapshot.read_manifest(shared)["created"]
                say(
                    Step.READ,
                    _("使用已有快照（{created}），登记数据此后未变").format(created=created),
                )
                directory = str(shared)
            else:
                say(Step.READ, _("正在读取登记数据（写入快照）"))
                write_snapshot(
                    app_backend(),
                    directory,
                    prefix=prefix,
                    vendor=app_vendor(),
                    data_date=timezone.localdate(),
                    state=state,
                )
            if run.engine == Engine.SPARK:
                say(Step.SPARK)
                backend = spark_snapshot(directory, master=spark_master or settings.SPARK_MASTER)
            else:
                backend = duckdb_snapshot(directory)
        else:
            say(Step.READ)
            backend = app_backend()
        try:
            tables = base_tables(backend, prefix)
            _evaluate_and_store(run, standard, backend, tables, say)
        finally:
            if run.engine == Engine.SPARK:
                drop_snapshot_views(backend)


@contextlib.contextmanager
def _released(table: ir.Table) -> Iterator[ir.Table]:
    """Drop a cached table on the way out; after a failure, without hiding that failure."""
    try:
        yield table
    except BaseException:
        with contextlib.suppress(Exception):
            table.release()
        raise
    table.release()


def _evaluate_and_store(
    run: AssessmentRun,
    standard: Standard,
    backend: BaseBackend,
    tables: dict[str, ir.Table],
    say: Say,
) -> None:
    """Evaluate every level into a cached table of the engine (a temporary table, dropped at
    the end), then write all rows in one transaction that also marks the run finished: a
    failure anywhere writes nothing. The snapshot (if any) must still exist while this runs."""
    prefix = _prefix(run.area_code)
    in_database = run.engine == Engine.DB
    counts: dict[str, dict[str, int]] = {}
    wides: dict[str, ir.Table] = {}
    # Released (dropped) after the transaction has ended, committed or rolled back.
    with contextlib.ExitStack() as cached:
        for level in LEVELS:
            say(Step(str(level)))
            # Village and county inputs are summed from the evaluated households.
            households = wides.get(Level.HOUSEHOLD)
            view = input_view(tables, level, run.year, prefix, households=households)
            wide = wide_result(standard, level, view, run.year).cache()
            wides[level] = cached.enter_context(_released(wide))
            counts[level] = level_counts(wide)
        # Said before the transaction: inside it the page could not see the write anyway.
        say(Step.SAVE)
        with transaction.atomic():
            for position, level in enumerate(LEVELS):
                say(
                    Step.SAVE,
                    _("保存 {level} 层级结果…").format(level=Level(level).label),
                    STEP_PERCENT[Step.SAVE] + 10 * position,
                )
                verdicts, results = long_tables(standard, level, wides[level], run.pk, run.year)
                store(backend, Verdict, VERDICT_COLUMNS, [verdicts], in_database=in_database)
                store(backend, IndicatorResult, RESULT_COLUMNS, results, in_database=in_database)
            run.status = Status.FINISHED
            run.counts = counts
            run.thresholds = run_thresholds(standard, run.year)
            run.finished = timezone.now()
            run.progress = _("已完成")
            run.step, run.percent = Step.DONE, STEP_PERCENT[Step.DONE]
            run.save(
                update_fields=[
                    "step",
                    "percent",
                    "status",
                    "counts",
                    "thresholds",
                    "finished",
                    "data_date",
                    "progress",
                ]
            )
    refresh_statistics()


def refresh_statistics() -> None:
    """PostgreSQL: ANALYZE the verdict and result tables after a run added ~1 M rows to them.
    Until autovacuum gets to it (a minute or more) the planner knows nothing of the new run's
    id and expects a handful of rows: the first report after a run nested its subqueries and
    took 20 s at province scale instead of 0.1 s. A statistics target of 20 (a sample of 6,000
    rows, ~0.05 s per table instead of ~0.5 s) is plenty to know the run's size and areas;
    autovacuum's next ANALYZE uses the server's default again."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET default_statistics_target = 20")
        try:
            for model in (Verdict, IndicatorResult):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        finally:
            cursor.execute("RESET default_statistics_target")
