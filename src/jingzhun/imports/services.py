"""Import jobs: keep the upload, run it (in the request or the task worker), keep the result.

The import itself is checked, written and audited by its kind's runner; a job adds the record of
who uploaded which file when, the step it is at, and the result to come back to.
"""

from __future__ import annotations

import datetime
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from jingzhun.workbook.web import SHOWN_ERRORS, imports_dir, store_error_file

from . import kinds
from .choices import LIVE, Status
from .models import ImportJob

UPLOAD_PREFIX = "upload-"


def store_upload(upload: Any) -> str:
    """Copy an uploaded file into the private imports folder (0600); its stored name."""
    stored = f"{UPLOAD_PREFIX}{secrets.token_urlsafe(24)}.xlsx"
    descriptor = os.open(imports_dir() / stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return stored


def record_job(
    *, kind: str, upload: Any, parameters: dict[str, Any], acting_user: Any
) -> ImportJob:
    """Keep `upload` and record its job (queued). The job runs in the language of the request
    that made it: its messages are stored as text."""
    import_kind = kinds.get(kind)  # an unknown kind is refused before anything is kept
    parameters = {"language": translation.get_language() or settings.LANGUAGE_CODE, **parameters}
    return ImportJob.objects.create(
        owner=acting_user,
        kind=import_kind.name,
        parameters=parameters,
        file_name=Path(upload.name).name[:200],
        size=upload.size or 0,
        stored_name=store_upload(upload),
    )


def result_json(result: Any) -> dict[str, Any]:
    """What the job keeps of an import's result (the errors beyond SHOWN_ERRORS are in the
    error file). Area results list their counts by level (`rows()`), the registry's by sheet."""
    by_level = hasattr(result, "rows")
    rows = result.rows() if by_level else list(result.counts.items())
    return {
        "by_level": by_level,
        "counts": [[str(label), n.created, n.updated, n.unchanged] for label, n in rows],
        "errors": [[e.sheet, e.row, e.column, e.message] for e in result.errors[:SHOWN_ERRORS]],
        "error_count": len(result.errors),
        "batch": str(result.batch) if result.batch else "",
        "dry_run": bool(result.dry_run),
        "year": getattr(result, "year", None),
        "completed": list(getattr(result, "completed", None) or []),
        "timings": dict(getattr(result, "timings", None) or {}),
        "rechecked": bool(getattr(result, "rechecked", False)),
    }


def execute_job(job: ImportJob) -> ImportJob:
    """Run a queued job: its kind checks and writes the kept file, the steps are saved on the job
    as they start, the result is kept (and with errors, the annotated file for its owner); the
    upload is deleted either way. An exception marks the job failed and is re-raised. A job that
    is no longer queued (another worker took it) is left alone."""
    now = timezone.now()
    if not ImportJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(
        status=Status.RUNNING, started=now
    ):
        job.refresh_from_db()
        return job
    job.status, job.started = Status.RUNNING, now

    def progress(step: str) -> None:
        # Autocommitted (no transaction is open between steps): the polling page sees it.
        ImportJob.objects.filter(pk=job.pk).update(step=step)
        job.step = step

    path = imports_dir() / job.stored_name
    parameters = dict(job.parameters)
    language = parameters.pop("language", settings.LANGUAGE_CODE)
    try:
        with translation.override(language):
            import_kind = kinds.get(job.kind)
            result = import_kind.run(
                str(path),
                name=job.file_name,
                acting_user=job.owner,
                parameters=parameters,
                progress=progress,
            )
            if result.errors:
                job.error_token = store_error_file(path, result.errors)
    except Exception as error:
        job.status, job.finished = Status.FAILED, timezone.now()
        job.error = f"{type(error).__name__}: {error}"[:4000]
        job.save(update_fields=["status", "error", "finished"])
        raise
    finally:
        path.unlink(missing_ok=True)
    job.status, job.result, job.finished = Status.FINISHED, result_json(result), timezone.now()
    job.stored_name = ""
    job.save(update_fields=["status", "result", "error_token", "stored_name", "finished"])
    return job


def error_file(job: ImportJob) -> Path | None:
    """The annotated copy of a job's file, None once purged (or when it had no errors)."""
    if not job.error_token:
        return None
    path = imports_dir() / f"{job.error_token}.xlsx"
    return path if path.is_file() else None


def mark_abandoned(days: int | None = None) -> int:
    """Mark failed the jobs created more than `days` (default IMPORT_RETENTION_DAYS) ago and
    still queued or running (no worker ran them, or it died): their upload is purged with the
    error files. Nothing was written for them (the write is one transaction)."""
    days = settings.IMPORT_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    with translation.override(settings.LANGUAGE_CODE):  # stored: in the system's language
        error = gettext("后台任务进程未完成该导入，未写入任何数据")
    return ImportJob.objects.filter(status__in=LIVE, created__lt=cutoff).update(
        status=Status.FAILED, error=error, finished=timezone.now()
    )
