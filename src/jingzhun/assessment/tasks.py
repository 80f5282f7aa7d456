"""Background tasks (Django's tasks API via django-tasks; queued in the application database and
run by `jingzhun db_worker`, which `jingzhun serve` and `jingzhun demo` start beside the server)."""

from __future__ import annotations

from django_tasks import task

from .models import AssessmentRun
from .services import execute_run


@task()
def assess(run_id: int) -> dict:
    """Execute a queued run (created by `services.create_run`); returns its counts. Progress is
    saved on the run as it goes; a failure marks the run failed and fails the task."""
    run = AssessmentRun.objects.get(pk=run_id)
    return execute_run(run).counts
