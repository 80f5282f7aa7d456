"""The only Django-aware module of the engine: an Ibis backend on Django's own connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ibis.backends import BaseBackend

from .connect import from_dbapi
from .tables import BASE_TABLES


def app_backend(using: str = "default") -> BaseBackend:
    """Ibis on the connection Django uses (so it sees rows of the current transaction)."""
    from django.db import connections

    connection = connections[using]
    connection.ensure_connection()
    return from_dbapi(connection.connection, connection.vendor)


def app_vendor(using: str = "default") -> str:
    from django.db import connections

    return connections[using].vendor


def registry_state(using: str = "default") -> dict[str, Any]:
    """What a shared snapshot must match to be reused: the database (vendor and name) and per
    base table its row count and newest `updated` (every registry model is time-stamped, and
    `auto_now` / the importer's bulk_update / the generator all set it; a deletion changes the
    count). One aggregate per table (a sequential scan: ~1 s at 3.5 M persons). Changes made
    outside the application (raw SQL that leaves `updated` alone) are not seen."""
    from django.db import connections

    connection = connections[using]
    tables: dict[str, list[Any]] = {}
    with connection.cursor() as cursor:
        for name in BASE_TABLES:
            table = connection.ops.quote_name(name)
            cursor.execute(f"SELECT COUNT(*), MAX(updated) FROM {table}")  # noqa: S608 - fixed names
            count, updated = cursor.fetchone()
            tables[name] = [int(count), str(updated) if updated is not None else None]
    return {
        "database": f"{connection.vendor}:{connection.settings_dict.get('NAME', '')}",
        "tables": tables,
    }


def shared_snapshot_root() -> Path:
    """Where `jingzhun snapshot` (without a directory) publishes the snapshot that duckdb and
    spark runs reuse: JINGZHUN_SNAPSHOT_DIR (storage a cluster's executors read) or the data
    folder, then `registry-snapshot/`."""
    from django.conf import settings

    return Path(settings.SNAPSHOT_DIR or settings.HOME) / "registry-snapshot"
