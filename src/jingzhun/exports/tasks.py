"""Background tasks (Django's tasks API via django-tasks, run by `jingzhun db_worker`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task

from .models import ExportJob
from .services import execute_job, record_job


@task()
def run_export(job_id: int) -> dict:
    """Write the file of a queued job (created by `create_job`). Progress is saved on the
    job as rows are written; a failure marks the job failed and fails the task."""
    job = execute_job(ExportJob.objects.select_related("owner").get(pk=job_id))
    return {"status": job.status, "rows": job.total, "size": job.size}


def create_job(*, kind: str, parameters: dict[str, Any], acting_user: Any) -> ExportJob:
    """Record a job (queued) and hand it to the task worker once the transaction commits (here,
    not in services: the task module imports the services)."""
    with transaction.atomic():
        job = record_job(kind=kind, parameters=parameters, acting_user=acting_user)
        transaction.on_commit(lambda: run_export.enqueue(job.pk))
    return job
