"""The registry workbook as an import job's kind (`imports` app): the upload page's files."""

from __future__ import annotations

from typing import Any

from jingzhun.workbook.progress import Progress

from .checks import ImportResult
from .importer import import_workbook


def run(
    path: str, *, name: str, acting_user: Any, parameters: dict[str, Any], progress: Progress
) -> ImportResult:
    """Import (or with parameters["dry_run"], only check) the workbook at `path` for
    `acting_user`, as of parameters["year"] (数据年度; None: from the file)."""
    return import_workbook(
        path,
        acting_user=acting_user,
        dry_run=bool(parameters.get("dry_run")),
        name=name,
        year=parameters.get("year"),
        progress=progress,
    )
