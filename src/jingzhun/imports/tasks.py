"""Background imports (Django's tasks API via django-tasks, run by `jingzhun db_worker`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django_tasks import task

from .models import ImportJob
from .services import execute_job, record_job


@task()
def run_import(job_id: int) -> dict:
    """Check and write the file of a queued job (created by `start_job`). A failure marks the
    job failed and fails the task."""
    job = execute_job(ImportJob.objects.select_related("owner").get(pk=job_id))
    return {"status": job.status, "errors": job.error_count, "batch": job.result.get("batch")}


def start_job(*, kind: str, upload: Any, parameters: dict[str, Any], acting_user: Any) -> ImportJob:
    """Record the job of an uploaded file and run it: in this request when the file is at most
    settings.IMPORT_SYNC_MAX_BYTES (a village's or township's file: a second or two), else by
    the task worker once the record is committed, so a county's file neither holds the request
    (and the server's thread) for a minute nor dies with it."""
    background = (upload.size or 0) > settings.IMPORT_SYNC_MAX_BYTES
    with transaction.atomic():
        job = record_job(kind=kind, upload=upload, parameters=parameters, acting_user=acting_user)
        if background:
            transaction.on_commit(lambda: run_import.enqueue(job.pk))
    if not background:
        execute_job(job)
    return job
