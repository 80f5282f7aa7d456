"""What the import pages share: the error file kept for its uploader (private, deleted after
settings.IMPORT_RETENTION_DAYS by `jingzhun purge_files`), the .xlsx response."""

from __future__ import annotations

import datetime
import json
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext

from jingzhun.privatefiles import make_private, private_folder, write_private

from .annotate import annotate_errors
from .report import RowError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ERRORS = 200  # errors listed on a result page; the error file holds them all


def imports_dir() -> Path:
    """The private folder of the error files (MEDIA_ROOT/imports, not served as media; 0700)."""
    return private_folder(Path(settings.MEDIA_ROOT) / "imports")


def store_error_file(source: str | Path, errors: list[RowError], *, owner: Any, name: str) -> str:
    """The user's file `source` annotated with `errors`, kept under a new token; the owner sits
    beside it (token.json), so only the uploader may download it. `name` is the uploaded file's
    name, the download's name. Returns the token."""
    token = secrets.token_urlsafe(24)
    folder = imports_dir()
    annotate_errors(source, errors, folder / f"{token}.xlsx")
    make_private(folder / f"{token}.xlsx")
    note = json.dumps({"user": owner.pk, "name": Path(name).stem})
    write_private(folder / f"{token}.json", note.encode())
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


def run_upload(upload: Any, run: Callable[[str, str], Any], *, owner: Any) -> dict[str, object]:
    """An import page's work on an uploaded file: written to a temporary file, imported by
    `run(path, file name)` (whose result has `errors`), the error copy kept for its uploader.
    Returns the result page's context: result, token (with errors), the errors shown."""
    context: dict[str, object] = {}
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        result = run(handle.name, Path(upload.name).name)
        if result.errors:
            context["token"] = store_error_file(
                handle.name, result.errors, owner=owner, name=upload.name
            )
    context.update(
        result=result,
        shown_errors=result.errors[:SHOWN_ERRORS],
        more_errors=max(0, len(result.errors) - SHOWN_ERRORS),
    )
    return context


def purge_error_files(days: int | None = None, *, now: datetime.datetime | None = None) -> int:
    """Delete the error files (and their owner notes) written more than `days` ago (default
    settings.IMPORT_RETENTION_DAYS): they copy the uploaded rows, ID numbers included. Returns
    how many error files went."""
    days = settings.IMPORT_RETENTION_DAYS if days is None else days
    cutoff = ((now or timezone.now()) - datetime.timedelta(days=days)).timestamp()
    removed = 0
    for path in imports_dir().iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += path.suffix == ".xlsx"
    return removed


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """`content` as an .xlsx attachment named `filename`."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
