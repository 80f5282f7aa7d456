"""What the import pages share: the upload form's check, the error file kept for its uploader
(private, deleted after settings.IMPORT_RETENTION_DAYS by `jingzhun purge_files`, with any
upload a dead worker left behind), the .xlsx response."""

from __future__ import annotations

import datetime
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext

from jingzhun.privatefiles import make_private, private_folder

from .annotate import annotate_errors
from .report import RowError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ERRORS = 200  # errors listed on a result page; the error file holds them all


def imports_dir() -> Path:
    """The private folder of the error files (MEDIA_ROOT/imports, not served as media; 0700)."""
    return private_folder(Path(settings.MEDIA_ROOT) / "imports")


def store_error_file(source: str | Path, errors: list[RowError]) -> str:
    """The user's file `source` annotated with `errors`, kept (0600) under a new token, which
    its import job records: only the job's owner downloads it. Returns the token."""
    token = secrets.token_urlsafe(24)
    target = imports_dir() / f"{token}.xlsx"
    annotate_errors(source, errors, target)
    make_private(target)
    return token


def clean_xlsx_upload(upload: Any) -> Any:
    """An import form's `clean_file`: an .xlsx name and at most the upload limit (Django keeps
    any size of upload on disk: the limit is ours)."""
    from django import forms

    from .guard import WorkbookRejected, check_upload_size

    if not upload.name.lower().endswith((".xlsx", ".xlsm")):
        raise forms.ValidationError(gettext("请上传 Excel (.xlsx) 文件"))
    try:
        check_upload_size(upload.size)
    except WorkbookRejected as exc:
        raise forms.ValidationError(exc.message) from None
    return upload


def purge_error_files(days: int | None = None, *, now: datetime.datetime | None = None) -> int:
    """Delete the error files (and uploads no job ran) written more than `days` ago (default
    settings.IMPORT_RETENTION_DAYS): they copy the uploaded rows, ID numbers included. Returns
    how many files went."""
    days = settings.IMPORT_RETENTION_DAYS if days is None else days
    cutoff = ((now or timezone.now()) - datetime.timedelta(days=days)).timestamp()
    removed = 0
    for path in imports_dir().iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """`content` as an .xlsx attachment named `filename`."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
