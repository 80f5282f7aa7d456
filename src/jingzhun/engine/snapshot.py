"""A snapshot: the base tables of the application database as Parquet, one file per table,
plus `manifest.json` (format, the data's date, source vendor, area prefix, row counts).

Written batch by batch (Arrow record batches through a ParquetWriter), so memory stays flat on a
million-row registry. DuckDB and Spark read it back under the same base-table names.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

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
) -> dict[str, Any]:
    """Write every base table of `backend` (limited to `prefix`) to `directory`; return the
    manifest. Files are written under a temporary name and renamed, so a reader never sees a
    half-written table."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    for name, table in base_tables(backend, prefix).items():
        schema = table.schema().to_pyarrow()
        target = directory / f"{name}.parquet"
        partial = directory / f".{name}.parquet.partial"
        count = 0
        with pq.ParquetWriter(partial, schema, compression="zstd") as writer:
            for batch in table.to_pyarrow_batches(chunk_size=BATCH_ROWS):
                writer.write_batch(batch.cast(schema) if batch.schema != schema else batch)
                count += batch.num_rows
        partial.replace(target)
        rows[name] = count
    created = datetime.datetime.now(datetime.UTC)
    manifest = {
        "format": FORMAT,
        "data_date": (data_date or created.date()).isoformat(),
        "created": created.isoformat(timespec="seconds"),
        "vendor": vendor,
        "area_prefix": prefix,
        "rows": rows,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(directory: str | Path) -> dict[str, Any]:
    return json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))
