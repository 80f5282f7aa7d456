"""A department's file as an import job's kind (`imports` app): the dataset page's uploads."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from jingzhun.workbook.progress import CHECKING, Progress

from .loading import LoadResult, load_dataset


def run(
    path: str, *, name: str, acting_user: Any, parameters: dict[str, Any], progress: Progress
) -> LoadResult:
    """Load (or with parameters["dry_run"], only check) the file at `path` as a dataset of
    parameters["kind"] and ["year"], received on ["received_on"] (ISO date) for ["area"]."""
    progress(CHECKING)
    received = parameters.get("received_on")
    return load_dataset(
        Path(path).read_bytes(),
        kind=parameters["kind"],
        year=int(parameters["year"]),
        acting_user=acting_user,
        name=name,
        area_code=parameters.get("area") or None,
        received_on=datetime.date.fromisoformat(received) if received else None,
        key_id=parameters.get("key_id", ""),
        dry_run=bool(parameters.get("dry_run")),
    )
