"""Background comparison runs (Django's tasks API via django-tasks, run by `jingzhun db_worker`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task

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
