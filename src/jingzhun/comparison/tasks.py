"""Background work of the comparison (Django's tasks API via django-tasks, run by `jingzhun
db_worker`): comparison runs, and the detection of duplicates (疑似重复: ~2 minutes for a
province, too long for a request)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django_tasks import TaskResultStatus, task

from .duplicates import detection
from .models import ComparisonRun
from .runs import create_run, execute_run


@task()
def compare(run_id: int) -> dict:
    """Execute a queued run (created by `start_run`); its counts per rule."""
    return execute_run(ComparisonRun.objects.get(pk=run_id)).counts


def start_run(
    *,
    ruleset_id: str,
    year: int,
    area_code: str = "",
    acting_user: Any,
    engine: str | None = None,
) -> ComparisonRun:
    """Record a run (on `engine`, default settings.COMPARISON_ENGINE) and hand it to the task
    worker once the record is committed."""
    with transaction.atomic():
        run = create_run(
            ruleset_id=ruleset_id,
            year=year,
            area_code=area_code,
            acting_user=acting_user,
            engine=engine,
        )
        transaction.on_commit(lambda: compare.enqueue(run.pk))
    return run


@task()
def find_duplicates(prefix: str, user_id: int | None) -> dict:
    """Detect the duplicate pairs under `prefix` for the user who asked (the detection audits
    as that user); the outcome's counts."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    outcome = detection.find_duplicates(prefix=prefix, acting_user=user)
    return {"new": outcome.new, "reopened": outcome.reopened, "again": outcome.again,
            "gone": outcome.gone}  # fmt: skip


def start_duplicate_detection(*, prefix: str, acting_user: Any) -> None:
    """Hand a detection of the pairs under `prefix` to the task worker (after the request's
    transaction commits)."""
    user_id = getattr(acting_user, "pk", None)
    transaction.on_commit(lambda: find_duplicates.enqueue(prefix, user_id))


def pending_detection(prefix: str) -> datetime.datetime | None:
    """When the earliest detection of duplicates that covers the area `prefix`, or lies inside
    it, was asked for and has not finished (queued or running on the task worker); None when
    there is none. The worker's own queue is the record: nothing else to keep in step."""
    from django_tasks_db.models import DBTaskResult

    pending = DBTaskResult.objects.filter(
        task_path=find_duplicates.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).values_list("enqueued_at", "args_kwargs")
    asked = [
        enqueued
        for enqueued, arguments in pending
        if _overlaps(str((arguments.get("args") or [""])[0]), prefix)
    ]
    return min(asked, default=None)


def _overlaps(detected: str, prefix: str) -> bool:
    return prefix.startswith(detected) or detected.startswith(prefix)
