"""A snapshot: the base tables of the application database as Parquet, one file per table,
plus `manifest.json` (format, the data's date, source vendor, area prefix, row counts, and the
registry's `state` when it was taken).

Written batch by batch (Arrow record batches through a ParquetWriter), so memory stays flat on a
million-row registry. DuckDB and Spark read it back under the same base-table names.

A *shared* snapshot (`publish` / `current` / `reusable`) is one that assessment runs reuse
instead of writing their own: `ROOT/v-<time>-<pid>/` directories with a `ROOT/current` symbolic
link to the newest, replaced atomically; the previous version is kept for runs still reading it.
It is reusable while the registry's state (per base table: row count and newest `updated`,
`engine.django.registry_state`) equals the state recorded before it was written.
"""

from __future__ import annotations

import datetime
import io
import itertools
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from ibis.backends import BaseBackend

from .tables import base_tables

FORMAT = 1
MANIFEST = "manifest.json"
BATCH_ROWS = 100_000


def write_snapshot(
    backend: BaseBackend,
    directory: str | Path,
    *,
    prefix: str = "",
    vendor: str = "",
    data_date: datetime.date | None = None,
    state: dict[str, Any] | None = None,
    tables: dict[str, ir.Table] | None = None,
) -> dict[str, Any]:
    """Write every base table of `backend` (limited to `prefix`) to `directory`; return the
    manifest. Files are written under a temporary name and renamed, so a reader never sees a
    half-written table. `state`: the registry's state read BEFORE the tables (a change while
    they are written then makes the snapshot stale, never wrongly fresh). `tables`: other
    tables of `backend` to write instead, by name, already limited to `prefix` (the
    comparison's, `engine.comparison.comparison_scope`)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    chosen = base_tables(backend, prefix) if tables is None else tables
    for name, table in chosen.items():
        rows[name] = write_table(table, directory / f"{name}.parquet", backend)
    created = datetime.datetime.now(datetime.UTC)
    manifest = {
        "format": FORMAT,
        "data_date": (data_date or created.date()).isoformat(),
        "created": created.isoformat(timespec="seconds"),
        "vendor": vendor,
        "area_prefix": prefix,
        "rows": rows,
        "state": state,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def write_table(table: ir.Table, target: Path, backend: BaseBackend | None = None) -> int:
    """Write one table to the Parquet file `target`, batch by batch, under a temporary name
    renamed at the end; the rows written. From PostgreSQL the rows come by `COPY … TO STDOUT`
    as CSV that pyarrow parses in C (`copy_batches`): Ibis's own fetch builds a Python object
    per value, which at 10 M department rows took longer than the whole comparison."""
    schema = table.schema().to_pyarrow()
    partial = target.with_name(f".{target.name}.partial")
    count = 0
    batches = arrow_batches(table, backend)
    with pq.ParquetWriter(partial, schema, compression="zstd") as writer:
        for batch in batches:
            writer.write_batch(batch.cast(schema) if batch.schema != schema else batch)
            count += batch.num_rows
    partial.replace(target)
    return count


def arrow_batches(table: ir.Table, backend: BaseBackend | None = None) -> Iterable[pa.RecordBatch]:
    """The rows of `table` as Arrow record batches: from PostgreSQL by `COPY … TO STDOUT`
    (`copy_batches`), from any other backend by Ibis's batches."""
    backend = backend or table._find_backend()
    if backend.name == "postgres":
        return copy_batches(backend, table, table.schema().to_pyarrow())
    return table.to_pyarrow_batches(chunk_size=BATCH_ROWS)


def read_arrow(table: ir.Table) -> pa.Table:
    """All rows of `table` as one Arrow table with its schema (`arrow_batches`)."""
    schema = table.schema().to_pyarrow()
    batches = [b.cast(schema) if b.schema != schema else b for b in arrow_batches(table)]
    return pa.Table.from_batches(batches, schema=schema)


class _CopyStream(io.RawIOBase):
    """The chunks of a COPY … TO STDOUT as a readable byte stream (what pyarrow's CSV reader
    takes)."""

    def __init__(self, chunks: Iterator[bytes | memoryview]) -> None:
        self._chunks = chunks
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            try:
                self._left = bytes(next(self._chunks))
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


def copy_batches(
    backend: BaseBackend, table: ir.Table, schema: pa.Schema
) -> Iterator[pa.RecordBatch]:
    """The rows of `table` on PostgreSQL as Arrow record batches: the compiled query run as
    `COPY (…) TO STDOUT` in CSV, parsed by pyarrow with the table's types. In PostgreSQL's CSV
    an unquoted empty field is NULL and a quoted one ("") an empty text; booleans are t / f."""
    sql = backend.compile(table)
    options = pa_csv.ConvertOptions(
        column_types=schema,
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        true_values=["t"],
        false_values=["f"],
    )
    read = pa_csv.ReadOptions(column_names=schema.names, block_size=16 << 20)
    parse = pa_csv.ParseOptions(newlines_in_values=True)
    with (
        backend.con.cursor() as cursor,
        cursor.copy(
            f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"  # noqa: S608 - SQL compiled by Ibis
        ) as copy,
    ):
        chunks = iter(copy)
        first = next(chunks, None)
        if first is None:  # no rows: pyarrow refuses an empty CSV
            return
        stream = io.BufferedReader(
            _CopyStream(itertools.chain([first], chunks)), buffer_size=1 << 20
        )
        reader = pa_csv.open_csv(
            stream, read_options=read, parse_options=parse, convert_options=options
        )
        yield from reader


def read_manifest(directory: str | Path) -> dict[str, Any]:
    return json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))


CURRENT = "current"


def publish(root: str | Path, write: Callable[[Path], dict[str, Any]]) -> Path:
    """Write a new shared snapshot under `root` with `write(directory)` and make it current (an
    atomic replacement of the `current` link); remove versions older than the previous one.
    Returns the new version's directory. A failed write leaves `current` as it was."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%f")
    version = root / f"v-{stamp}-{os.getpid()}"
    try:
        write(version)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
    link = root / f".{CURRENT}-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(version.name)
    link.replace(root / CURRENT)
    versions = sorted(p for p in root.glob("v-*") if p.is_dir())
    for old in versions[: max(0, versions.index(version) - 1)]:
        shutil.rmtree(old, ignore_errors=True)
    return version


def current(root: str | Path) -> Path | None:
    """The directory of the current shared snapshot under `root` (resolved, so a later publish
    does not change what a reader holds), or None."""
    link = Path(root) / CURRENT
    if not link.is_symlink() and not link.is_dir():
        return None
    target = link.resolve()
    return target if (target / MANIFEST).is_file() else None


def reusable(directory: Path, state: dict[str, Any], prefix: str = "") -> bool:
    """Whether a run over `prefix` may read the snapshot in `directory` instead of writing one:
    same format, taken of the whole registry or of an area containing `prefix`, and recorded
    with exactly the registry's current `state`."""
    try:
        manifest = read_manifest(directory)
    except (OSError, ValueError):
        return False
    covers = prefix.startswith(manifest.get("area_prefix", "\uffff"))
    return manifest.get("format") == FORMAT and covers and manifest.get("state") == state
