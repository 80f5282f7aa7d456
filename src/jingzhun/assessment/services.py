"""Run a standard over the registry and store the results (set-based end to end).

The engine evaluates every indicator and builds every explanation sentence (one Ibis expression
per level); Python only reshapes the returned Arrow columns into long rows and ships them with
COPY / executemany (`core.bulk.insert_dicts`). Nothing is read or written per row through the ORM.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import Any

import ibis.expr.types as ir
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun import areacodes
from jingzhun.areas.models import Area
from jingzhun.audit import services as audit
from jingzhun.core.bulk import insert_dicts
from jingzhun.engine.connect import duckdb_snapshot
from jingzhun.engine.django import app_backend, app_vendor
from jingzhun.engine.inputs import input_view
from jingzhun.engine.snapshot import write_snapshot
from jingzhun.engine.tables import base_tables
from jingzhun.standards import Standard, loader
from jingzhun.standards.compiler import evaluate
from jingzhun.standards.explain import indicator_explanation_expr
from jingzhun.standards.vocabulary import KEYS

from .choices import Engine, Level, Status
from .models import AssessmentRun, IndicatorResult, Verdict

LEVELS = [Level.HOUSEHOLD, Level.VILLAGE, Level.COUNTY]
LANGUAGES = ("zh", "en")
Progress = Callable[[str], None] | None


def level_result(standard: Standard, level: str, view: ir.Table, year: int) -> ir.Table:
    """evaluate() plus the entity's area code and one explanation column per indicator and
    language (`<id>__zh`, `<id>__en`)."""
    result = evaluate(standard, level, view, year=year)
    area = "village_code" if level == Level.HOUSEHOLD else KEYS[level]
    if area not in result.columns:
        result = result.join(view.select(KEYS[level], area), KEYS[level])
    extra = {
        f"{indicator.id}__{language}": indicator_explanation_expr(
            standard, indicator, result, year=year, language=language
        )
        for indicator in standard.indicators(level)
        for language in LANGUAGES
    }
    return result.mutate(_area=result[area], **extra)


def long_rows(
    standard: Standard, level: str, table: Any, run_id: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Reshape an Arrow result (one row per entity, columns per indicator) into verdict rows and
    indicator-result rows, column by column."""
    column = {name: table.column(name).to_pylist() for name in table.column_names}
    keys = [str(k) for k in column[KEYS[level]]]
    areas = column["_area"]
    household = level == Level.HOUSEHOLD
    indicators = [i.id for i in standard.indicators(level)]
    mets = {i: column[f"{i}__met"] for i in indicators}
    # A yes/no indicator's value is a boolean: stored as 1.0 / 0.0 in the float column.
    values = {
        i: [None if v is None else float(v) for v in column[f"{i}__value"]] for i in indicators
    }
    unmet = [",".join(i for i in indicators if not mets[i][row]) for row in range(len(keys))]
    verdicts = [
        {
            "run_id": run_id,
            "level": level,
            "entity": key,
            "household_id": int(key) if household else None,
            "area_code": area,
            "met": bool(met),
            "unmet": blockers,
        }
        for key, area, met, blockers in zip(keys, areas, column["met"], unmet, strict=True)
    ]
    results = [
        {
            "run_id": run_id,
            "level": level,
            "entity": key,
            "area_code": area,
            "indicator": ind,
            "value": value,
            "threshold": threshold,
            "met": bool(met),
            "explanation_zh": zh or "",
            "explanation_en": en or "",
        }
        for ind in indicators
        for key, area, value, threshold, met, zh, en in zip(
            keys,
            areas,
            values[ind],
            column[f"{ind}__threshold"],
            mets[ind],
            column[f"{ind}__zh"],
            column[f"{ind}__en"],
            strict=True,
        )
    ]
    return verdicts, results


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
    engine: str = Engine.DB,
    area_code: str = "",
    acting_user: Any = None,
) -> AssessmentRun:
    """Check and record a run (status queued) with its audit entry; `execute_run` does the work,
    in this process (the CLI) or in a background task (the page).

    Refused before anything is written: an unknown standard (StandardError / FileNotFoundError),
    an unknown engine (ValueError) or an area outside the user's scope (PermissionDenied)."""
    standard = loader.load(standard_id)
    if engine not in Engine.values:
        raise ValueError(_("未知计算引擎 {engine}").format(engine=engine))
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
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        audit.record(
            actor=acting_user,
            action="create",
            instance=run,
            model="assessment.assessmentrun",
            area_code=code,
            message=_("评估 {standard} {year} 年度({engine})").format(
                standard=standard.id, year=year, engine=engine
            ),
        )
    return run


def execute_run(run: AssessmentRun, progress: Progress = None) -> AssessmentRun:
    """Evaluate a queued run and store its results. Each progress message is also saved on the
    run (outside any transaction) so a page polling the run can show it. Any failure marks the
    run failed, with the error, and is re-raised."""

    def say(message: str) -> None:
        if progress is not None:
            progress(message)
        AssessmentRun.objects.filter(pk=run.pk).update(progress=message[:200])
        run.progress = message[:200]

    AssessmentRun.objects.filter(pk=run.pk).update(status=Status.RUNNING)
    run.status = Status.RUNNING
    try:
        standard = loader.load(run.standard_id)
        _execute(run, standard, say)
    except Exception as error:
        run.status = Status.FAILED
        run.error = f"{type(error).__name__}: {error}"[:4000]
        run.finished = timezone.now()
        run.save(update_fields=["status", "error", "finished"])
        raise
    return run


def run_assessment(
    *,
    standard_id: str,
    year: int | None = None,
    engine: str = Engine.DB,
    area_code: str = "",
    acting_user: Any = None,
    progress: Progress = None,
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
    return execute_run(run, progress)


def _execute(run: AssessmentRun, standard: Standard, say: Callable[[str], None]) -> None:
    prefix = _prefix(run.area_code)
    with tempfile.TemporaryDirectory(prefix="jingzhun-assess-") as directory:
        run.data_date = timezone.now()
        if run.engine == Engine.DUCKDB:
            say(_("写入快照…"))
            write_snapshot(
                app_backend(),
                directory,
                prefix=prefix,
                vendor=app_vendor(),
                data_date=timezone.localdate(),
            )
            backend = duckdb_snapshot(directory)
        else:
            backend = app_backend()
        tables = base_tables(backend, prefix)
        shipped: list[tuple[str, list, list]] = []
        for level in LEVELS:
            say(_("评估 {level} 层级…").format(level=Level(level).label))
            view = input_view(tables, level, run.year, prefix)
            arrow = level_result(standard, level, view, run.year).to_pyarrow()
            verdicts, results = long_rows(standard, level, arrow, run.pk)
            shipped.append((level, verdicts, results))
    counts = {
        level: {"entities": len(verdicts), "met": sum(1 for v in verdicts if v["met"])}
        for level, verdicts, _results in shipped
    }
    say(_("保存结果…"))
    with transaction.atomic():
        for _level, verdicts, results in shipped:
            insert_dicts(Verdict, verdicts)
            insert_dicts(IndicatorResult, results)
        run.status = Status.FINISHED
        run.counts = counts
        run.finished = timezone.now()
        run.progress = _("已完成")
        run.save(update_fields=["status", "counts", "finished", "data_date", "progress"])
