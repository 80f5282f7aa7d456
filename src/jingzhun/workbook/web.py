"""What the import pages share: the error file kept for its uploader, the .xlsx response."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpResponse

from .annotate import annotate_errors
from .report import RowError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ERRORS = 200  # errors listed on a result page; the error file holds them all


def imports_dir() -> Path:
    """The private folder of the error files (MEDIA_ROOT/imports, not served as media)."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_error_file(source: str | Path, errors: list[RowError], *, owner: Any, name: str) -> str:
    """The user's file `source` annotated with `errors`, kept under a new token; the owner sits
    beside it (token.json), so only the uploader may download it. `name` is the uploaded file's
    name, the download's name. Returns the token."""
    token = secrets.token_urlsafe(24)
    folder = imports_dir()
    annotate_errors(source, errors, folder / f"{token}.xlsx")
    (folder / f"{token}.json").write_text(json.dumps({"user": owner.pk, "name": Path(name).stem}))
    return token


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """`content` as an .xlsx attachment named `filename`."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
