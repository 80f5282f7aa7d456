"""The Parquet files a comparison on DuckDB or Spark reads, kept between runs (issue #12).

Writing the comparison's tables afresh for every run cost more than evaluating the rules (at
1 M persons and 2.85 M department rows: 75 s of a 143 s run), and most of it is data that did
not change since the last run. So two parts are kept under `comparison-snapshot/` of the
snapshot folder (JINGZHUN_SNAPSHOT_DIR, else the data folder):

- `registry/`: the registry's tables the comparison reads (households, persons, incomes, the
  columns of `engine.comparison.COMPARISON_TABLES`) as a shared snapshot (`engine.snapshot`
  publish / current / reusable), reused while the registry's state
  (`engine.django.registry_state`: per table its row count and newest change) is the one
  recorded before it was written, it covers the run's area and it has the columns this
  version reads (`layout`); otherwise written anew (for the run's area) and published;
- `datasets/`: one file per department dataset: a loaded dataset's rows never change (a newer
  file of a list is a new dataset), so each file is written once, at the first run that reads
  the dataset, and named by the dataset's id, load time and checksum.

The small tables (the datasets with their current / token flags, the confirmed links) are
written for each run into a temporary directory, deleted afterwards.

These files hold ID numbers and names, as the database does: the folder is created 0700, and a
dataset's file is deleted a day after a run first found the dataset no longer current (a run
that began before it was superseded may still be reading it).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.conf import settings
from django.db.models import Q

from jingzhun.engine import snapshot
from jingzhun.engine.comparison import COMPARISON_TABLES, comparison_scope, comparison_tables
from jingzhun.engine.django import app_backend, app_vendor, registry_state

from .models import Dataset

REGISTRY = ("registry_household", "registry_person", "registry_income")
PER_RUN = ("comparison_dataset", "comparison_rowlink")
ROWS = "comparison_datasetrow"
KEEP_SUPERSEDED = 24 * 3600  # seconds a superseded dataset's file is kept


def layout(names: Iterable[str]) -> str:
    """A fingerprint of the columns and types the comparison reads of `names`: a kept file
    written by an earlier version (before a column was added) is never read as current."""
    columns = {name: COMPARISON_TABLES[name] for name in sorted(names)}
    return hashlib.sha256(json.dumps(columns, sort_keys=True).encode()).hexdigest()[:12]


def root() -> Path:
    """`comparison-snapshot/` under JINGZHUN_SNAPSHOT_DIR or the data folder (0700)."""
    folder = Path(settings.SNAPSHOT_DIR or settings.HOME) / "comparison-snapshot"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def snapshot_files(prefix: str = "", kinds: Iterable[str] = ()) -> Iterator[dict[str, Any]]:
    """The Parquet files of the comparison's tables under `prefix` (the current datasets of
    `kinds`, or of every kind): `{"files": {table: [paths]}, "registry": "reused" | "written",
    "datasets_written": n, "seconds": {...}}`. The files must be read inside the `with`."""
    app = app_backend()
    scoped = comparison_scope(comparison_tables(app), prefix, kinds)
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(
        prefix="jingzhun-compare-", dir=settings.SNAPSHOT_DIR
    ) as directory:
        temporary = Path(directory)
        files: dict[str, list[Path]] = {}
        started = time.perf_counter()
        for name in PER_RUN:
            snapshot.write_table(scoped[name], temporary / f"{name}.parquet", app)
            files[name] = [temporary / f"{name}.parquet"]
        seconds["small"] = time.perf_counter() - started

        started = time.perf_counter()
        registry, reused = _registry(scoped, prefix)
        files.update({name: [registry / f"{name}.parquet"] for name in REGISTRY})
        seconds["registry"] = time.perf_counter() - started

        started = time.perf_counter()
        used = pq.read_table(files["comparison_dataset"][0], columns=["id"])["id"].to_pylist()
        rows, written = _datasets(sorted(used))
        if not rows:  # no current list: an empty table of the right columns
            empty = temporary / f"{ROWS}.parquet"
            snapshot.write_table(scoped[ROWS].limit(0), empty, app)
            rows = [empty]
        files[ROWS] = rows
        seconds["datasets"] = time.perf_counter() - started
        yield {
            "files": files,
            "registry": "reused" if reused else "written",
            "datasets_written": written,
            "seconds": seconds,
        }


def _registry(scoped: dict[str, Any], prefix: str) -> tuple[Path, bool]:
    """The shared registry snapshot's directory, and whether it was reused (else written now
    for `prefix` and published)."""
    shared_root = root() / "registry"
    # Read BEFORE the tables (a change meanwhile makes it stale), with the columns written.
    state = {**registry_state(), "layout": layout(REGISTRY)}
    shared = snapshot.current(shared_root)
    if shared is not None and snapshot.reusable(shared, state, prefix):
        return shared, True
    app = app_backend()

    def write(directory: Path) -> dict[str, Any]:
        return snapshot.write_snapshot(
            app,
            directory,
            prefix=prefix,
            vendor=app_vendor(),
            state=state,
            tables={name: scoped[name] for name in REGISTRY},
        )

    return snapshot.publish(shared_root, write), False


def _datasets(ids: list[int]) -> tuple[list[Path], int]:
    """One file per dataset of `ids` (written if missing); how many were written. Files of
    datasets no longer current go a day later (`_forget`)."""
    folder = _datasets_folder()
    names = {
        pk: _file_name(pk, loaded, checksum)
        for pk, loaded, checksum in Dataset.objects.filter(
            Q(pk__in=ids) | Q(current=True)
        ).values_list("pk", "loaded", "checksum")
    }
    paths, written = [], 0
    for pk in ids:
        path = folder / names[pk]
        if not path.exists():
            _write_dataset(pk, path)
            written += 1
        paths.append(path)
    _forget(folder, set(names.values()))
    return paths, written


def _forget(folder: Path, wanted: set[str]) -> None:
    """Delete the files of datasets no longer current a day after a run first saw them so (a
    marker file `<name>.unwanted` records when): a run that began before the list was
    superseded may still be reading its file."""
    now = time.time()
    for path in folder.glob("*.parquet"):
        marker = path.with_name(path.name + ".unwanted")
        if path.name in wanted:
            marker.unlink(missing_ok=True)
        elif not marker.exists():
            marker.touch()
        elif now - marker.stat().st_mtime > KEEP_SUPERSEDED:
            path.unlink(missing_ok=True)
            marker.unlink(missing_ok=True)


def keep_dataset(dataset: Dataset) -> Path:
    """Write a just-loaded dataset's file now (the loader calls it when comparisons run on
    DuckDB or Spark), so the first run after a load does not write it."""
    path = _datasets_folder() / _file_name(dataset.pk, dataset.loaded, dataset.checksum)
    if not path.exists():
        _write_dataset(dataset.pk, path)
    return path


def _write_dataset(pk: int, path: Path) -> None:
    """Write the rows of dataset `pk` to `path` (under a temporary name, renamed at the end)."""
    app = app_backend()
    rows = comparison_tables(app)[ROWS]
    snapshot.write_table(rows.filter(rows.dataset_id == pk), path, app)


def _datasets_folder() -> Path:
    folder = root() / "datasets"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _file_name(pk: int, loaded: Any, checksum: str) -> str:
    stamp = loaded.strftime("%Y%m%dT%H%M%S%f")
    return f"{pk}-{stamp}-{checksum[:16]}-{layout([ROWS])}.parquet"
