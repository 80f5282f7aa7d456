"""Ibis backends for the engine, without Django: a DB-API connection of the application
database, or DuckDB or Spark over a Parquet snapshot directory. Every backend exposes the same
base-table names (`tables.BASE_TABLES`), so the views run unchanged on each.

pyspark is an optional extra (`jingzhun[spark]`): it is imported only when a Spark backend is
asked for, never when this module is imported.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
from ibis.backends import BaseBackend
from ibis.backends.sqlite import Backend as _IbisSQLite
from ibis.backends.sqlite.udf import register_all

from .tables import BASE_TABLES

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_SPARK_MASTER = "local[2]"
SPARK_MISSING = "未安装 Spark 引擎：pip install 'jingzhun[spark]' (Spark engine not installed)"


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


def duckdb_snapshot(
    directory: str | Path,
    *,
    threads: int | None = None,
    tables: Mapping[str, dict[str, str]] = BASE_TABLES,
) -> BaseBackend:
    """An in-memory DuckDB with one view per base table (or per name of `tables`, e.g.
    `engine.comparison.COMPARISON_TABLES`) over `DIR/<table>.parquet`."""
    files = _snapshot_files(Path(directory), tables)
    return duckdb_files({name: [path] for name, path in files.items()}, threads=threads)


def duckdb_files(
    files: Mapping[str, Sequence[str | Path]], *, threads: int | None = None
) -> BaseBackend:
    """An in-memory DuckDB with one view per name of `files` over its Parquet files (one
    table read from several files: a comparison's department lists, one file per list)."""
    con = ibis.duckdb.connect(**({"threads": threads} if threads else {}))
    for name, paths in files.items():
        con.read_parquet([str(path) for path in paths], table_name=name)
    return con


def _snapshot_files(directory: Path, tables: Mapping[str, Any] = BASE_TABLES) -> dict[str, Path]:
    files = {name: directory / f"{name}.parquet" for name in tables}
    for path in files.values():
        if not path.exists():
            raise FileNotFoundError(f"snapshot {directory} lacks {path.name}")
    return files


_spark_lock = threading.Lock()


def spark_available() -> bool:
    """Whether the optional Spark engine (pyspark) is installed, without importing it."""
    return importlib.util.find_spec("pyspark") is not None


def spark_session(master: str | None = None) -> SparkSession:
    """The process's Spark session for `master` (default local[2]), started once: start-up
    costs several seconds, so later calls reuse it (`getOrCreate`). Asking for another master
    stops the running session and starts a new one (one SparkContext per process).

    Local mode works offline: the driver binds to 127.0.0.1 unless SPARK_LOCAL_IP says
    otherwise, the web UI is off, and shuffles use few partitions (the default 200 makes small
    joins slow). The session time zone is UTC; the snapshot holds only dates (no time of
    day), which Spark reads as calendar dates, so no date can shift."""
    try:
        from pyspark import SparkContext
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise ImportError(SPARK_MISSING) from error
    master = master or DEFAULT_SPARK_MASTER
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    with _spark_lock:
        # The context, not getActiveSession(): that one is per thread (a worker's thread).
        running = SparkContext._active_spark_context
        if running is not None and running.master != master:
            SparkSession.builder.getOrCreate().stop()
        builder = (
            SparkSession.builder.master(master)
            .appName("jingzhun")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            # toPandas()/Arrow transfer of results (Ibis fetches through pandas).
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        )
        if master.startswith("local"):
            builder = builder.config("spark.sql.shuffle.partitions", "4")
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        return session


def spark_snapshot(
    directory: str | Path,
    *,
    master: str | None = None,
    tables: Mapping[str, dict[str, str]] = BASE_TABLES,
) -> BaseBackend:
    """Ibis on Spark with one temporary view per base table over `DIR/<table>.parquet`.

    Each call gets its own `newSession()` of the shared session: separate temporary views and
    SQL settings (two snapshots never see each other's tables), one JVM. The schema is given
    (the snapshot's types: `tables`, by default `tables.BASE_TABLES`), so Spark runs no job
    to infer it; it reads the data only when a query runs, so the files must stay in place
    until the results are fetched. On a cluster, `directory` must be on storage every executor
    can read at the same path (see docs/engine.md)."""
    files = _snapshot_files(Path(directory).resolve(), tables)
    return spark_files({name: [path] for name, path in files.items()}, tables, master=master)


def spark_files(
    files: Mapping[str, Sequence[str | Path]],
    tables: Mapping[str, dict[str, str]],
    *,
    master: str | None = None,
) -> BaseBackend:
    """Ibis on Spark with one temporary view per name of `files` over its Parquet files, of
    the types `tables` gives (as `spark_snapshot`)."""
    session = spark_session(master).newSession()
    import ibis.backends.pyspark  # noqa: F401  (registers ibis.pyspark; needs pyspark)
    from ibis.backends.pyspark.datatypes import PySparkSchema

    con = ibis.pyspark.connect(session)  # also sets the session time zone to UTC
    for name, paths in files.items():
        schema = PySparkSchema.from_ibis(ibis.schema(tables[name]))
        located = [str(Path(path).resolve()) for path in paths]
        session.read.schema(schema).parquet(*located).createOrReplaceTempView(name)
    return con


def drop_snapshot_views(backend: BaseBackend, tables: Mapping[str, Any] = BASE_TABLES) -> None:
    """Drop the base-table views of a snapshot backend (before its files are deleted), so a
    stray later query fails with "table not found" instead of reading missing files. Spark keeps
    views for the life of its session; DuckDB's in-memory database goes with its connection."""
    if backend.name == "pyspark":
        for name in tables:
            backend._session.catalog.dropTempView(name)
