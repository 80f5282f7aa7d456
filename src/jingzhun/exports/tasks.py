"""Background tasks (Django's tasks API via django-tasks, run by `jingzhun db_worker`)."""

from __future__ import annotations

from django_tasks import task

from .models import ExportJob
from .services import execute_job


@task()
def run_export(job_id: int) -> dict:
    """Write the file of a queued job (created by `services.create_job`). Progress is saved on the
    job as rows are written; a failure marks the job failed and fails the task."""
    job = execute_job(ExportJob.objects.select_related("owner").get(pk=job_id))
    return {"status": job.status, "rows": job.total, "size": job.size}
