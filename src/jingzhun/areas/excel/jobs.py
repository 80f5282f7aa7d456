"""The area workbook as an import job's kind (`imports` app): the upload page's files."""

from __future__ import annotations

from typing import Any

from jingzhun.workbook.progress import CHECKING, Progress

from .importer import AreaImportResult, import_areas


def run(
    path: str, *, name: str, acting_user: Any, parameters: dict[str, Any], progress: Progress
) -> AreaImportResult:
    """Import (or with parameters["dry_run"], only check) the area workbook at `path` for
    `acting_user`. A county's areas are a few hundred rows: one step."""
    progress(CHECKING)
    return import_areas(
        path, acting_user=acting_user, dry_run=bool(parameters.get("dry_run")), name=name
    )
