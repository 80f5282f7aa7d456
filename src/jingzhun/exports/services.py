"""Export jobs: queue, execute (in the task worker), download (audited), purge.

The export itself is audited by the kind's writer when the file is generated (actor = the owner);
a download is audited here, as another entry.
"""

from __future__ import annotations

import datetime
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jingzhun.audit import services as audit
from jingzhun.audit.models import Action

from . import kinds
from .choices import LIVE, Status
from .models import ExportJob

PARTIAL = ".part"  # a file being written: renamed when complete


def export_dir() -> Path:
    """The private folder of the export files: HOME/exports, owner-only (0700)."""
    folder = Path(settings.HOME) / "exports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def job_path(job: ExportJob) -> Path | None:
    """The file of a finished job, None when it has none (any more)."""
    if not job.stored_name:
        return None
    path = export_dir() / job.stored_name
    return path if path.is_file() else None


def record_job(*, kind: str, parameters: dict[str, Any], acting_user: Any) -> ExportJob:
    """Record a job (queued); `tasks.create_job` also hands it to the task worker."""
    export_kind = kinds.get(kind)  # an unknown kind is refused before anything is written
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportJob.objects.create(
        owner=acting_user,
        kind=export_kind.name,
        parameters=parameters,
        status=Status.QUEUED,
        file_name=f"{export_kind.file_prefix}-{stamp}{export_kind.suffix}",
    )


def execute_job(job: ExportJob) -> ExportJob:
    """Write the job's file into the private folder (0600), saving progress on the job as rows are
    written. A failure marks the job failed with the error, removes the partial file and is
    re-raised. A job that is no longer queued (another worker took it) is left alone."""
    now = timezone.now()
    if not ExportJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(
        status=Status.RUNNING, started=now
    ):
        job.refresh_from_db()
        return job
    job.status, job.started = Status.RUNNING, now

    def progress(done: int, total: int) -> None:
        # Autocommitted (the worker holds no transaction here): the polling page sees it.
        ExportJob.objects.filter(pk=job.pk).update(done=done, total=total)
        job.done, job.total = done, total

    export_kind = kinds.get(job.kind) if job.kind in kinds.registered() else None
    stored = f"{job.pk}-{secrets.token_urlsafe(16)}{export_kind.suffix if export_kind else ''}"
    partial = export_dir() / (stored + PARTIAL)
    try:
        if export_kind is None:
            raise LookupError(_("未知的导出类型 {kind}").format(kind=job.kind))
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            export_kind.write(
                job.parameters, acting_user=job.owner, target=handle, progress=progress
            )
        size = partial.stat().st_size
        partial.replace(partial.with_name(stored))
    except Exception as error:
        partial.unlink(missing_ok=True)
        job.status = Status.FAILED
        job.error = f"{type(error).__name__}: {error}"[:4000]
        job.finished = timezone.now()
        job.save(update_fields=["status", "error", "finished"])
        raise
    job.status, job.stored_name, job.size = Status.FINISHED, stored, size
    job.finished = timezone.now()
    job.save(update_fields=["status", "stored_name", "size", "finished"])
    return job


def record_download(job: ExportJob, acting_user: Any) -> None:
    """The audit entry of a download of a job's file (the export itself was audited when the file
    was written)."""
    with transaction.atomic():
        audit.record(
            actor=acting_user,
            action=Action.EXPORT,
            instance=job,
            model="exports.exportjob",
            object_repr=job.file_name,
            changes={
                "download": True,
                "kind": job.kind,
                "filter": job.parameters,
                "rows": job.total,
                "size": job.size,
            },
            area_code=acting_user.scope_prefix() or "",
            message=_("下载导出文件 {name}（{kind}，导出任务 #{pk}）").format(
                name=job.file_name, kind=job.kind_label, pk=job.pk
            ),
        )


@dataclass
class Purged:
    expired: int  # finished jobs whose file was deleted (now expired)
    orphans: int  # files in the folder no job refers to (a worker killed mid-write)
    abandoned: int = 0  # jobs still queued or running after the whole period: marked failed


def purge_exports(days: int | None = None, *, now: datetime.datetime | None = None) -> Purged:
    """Delete the files of jobs finished more than `days` (default settings.EXPORT_RETENTION_DAYS)
    ago and mark the jobs expired (the rows stay: who exported what remains listed); delete files
    of that age no finished job refers to; mark failed the jobs created that long ago and still
    queued or running (no worker ran them, or it died while writing)."""
    days = settings.EXPORT_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    folder = export_dir()
    with translation.override(settings.LANGUAGE_CODE):  # stored: in the system's language
        error = _("后台任务进程未完成该导出")
    abandoned = ExportJob.objects.filter(status__in=LIVE, created__lt=cutoff).update(
        status=Status.FAILED, error=error, finished=timezone.now()
    )
    expired = 0
    for job in ExportJob.objects.filter(status=Status.FINISHED, finished__lt=cutoff):
        if job.stored_name:
            (folder / job.stored_name).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk, status=Status.FINISHED).update(
            status=Status.EXPIRED, stored_name=""
        )
        expired += 1
    kept = set(
        ExportJob.objects.filter(status=Status.FINISHED)
        .exclude(stored_name="")
        .values_list("stored_name", flat=True)
    )
    orphans = 0
    for path in folder.iterdir():
        if path.is_file() and path.name not in kept:
            modified = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
            if modified < cutoff:
                path.unlink(missing_ok=True)
                orphans += 1
    return Purged(expired=expired, orphans=orphans, abandoned=abandoned)
