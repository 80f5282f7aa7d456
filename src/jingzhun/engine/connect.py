"""Ibis backends for the engine, without Django: a DB-API connection of the application
database, or DuckDB over a Parquet snapshot directory. Every backend exposes the same base-table
names (`tables.BASE_TABLES`), so a Spark backend reading the same snapshot can be added here
later (`ibis.pyspark.connect(session)` + `read_parquet(..., table_name=name)`) without touching
the views.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ibis
from ibis.backends import BaseBackend
from ibis.backends.sqlite import Backend as _IbisSQLite
from ibis.backends.sqlite.udf import register_all

from .tables import BASE_TABLES


class _SharedSQLite(_IbisSQLite):
    """Ibis SQLite on a connection it does not own (Django's).

    Stock Ibis commits after each statement it runs through `begin()`, which would commit the
    caller's open transaction (a pytest-django test, a request in ATOMIC_REQUESTS), and turns on
    `PRAGMA case_sensitive_like`, which would change Django's LIKE lookups on that connection.
    The engine only reads, so here `begin()` leaves transaction control to the owner and the
    pragma is left alone (the views compare codes by range, never with LIKE).
    """

    def _post_connect(self, type_map: dict[str, Any] | None = None) -> None:
        self._type_map = {k.lower(): ibis.dtype(v) for k, v in (type_map or {}).items()}
        register_all(self.con)

    @contextlib.contextmanager
    def begin(self) -> Iterator[Any]:
        cursor = self.con.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


def from_dbapi(connection: Any, vendor: str) -> BaseBackend:
    """Wrap an open DB-API connection (sqlite3 or psycopg) of the application database.

    Ibis runs on that very connection, so it sees the connection's uncommitted rows (a test
    transaction) and needs no second login. It never commits: on PostgreSQL Ibis wraps each
    statement in `connection.transaction()`, a savepoint inside the owner's transaction.
    The backend lives as long as the connection: make a new one per request or command.
    """
    if vendor == "sqlite":
        return _SharedSQLite.from_connection(connection)
    if vendor == "postgresql":
        return ibis.postgres.from_connection(connection)
    raise ValueError(f"unsupported database vendor: {vendor}")


def duckdb_snapshot(directory: str | Path, *, threads: int | None = None) -> BaseBackend:
    """An in-memory DuckDB with one view per base table over `DIR/<table>.parquet`."""
    directory = Path(directory)
    con = ibis.duckdb.connect(**({"threads": threads} if threads else {}))
    for name in BASE_TABLES:
        path = directory / f"{name}.parquet"
        if not path.exists():
            raise FileNotFoundError(f"snapshot {directory} lacks {path.name}")
        con.read_parquet(path, table_name=name)
    return con
