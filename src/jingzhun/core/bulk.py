"""Set-based INSERT for bulk jobs (the Excel import, the demo generator): rows go to
PostgreSQL by COPY and to SQLite by executemany, keys reserved first.

`bulk_create` spends most of its time in per-value ORM preparation; an import of 100,000 persons
writes ~600,000 rows (persons, name keys, audit entries …), so values are adapted per field type
once here. COPY is ~9× faster than executemany on PostgreSQL (stack-notes). Primary keys are
reserved before the insert
(PostgreSQL: nextval over the sequence; SQLite: above the table's maximum and its
AUTOINCREMENT counter, inside the import's write transaction) so children can point at parents.

Results computed by an engine (assessment runs: millions of rows) never become Python rows:
`insert_select` runs INSERT … SELECT inside the database, `write_arrow` ships Arrow record
batches (PostgreSQL: COPY fed with CSV that pyarrow writes in C++; SQLite: executemany per
batch), keys left to the database.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection, models
from django.utils import timezone

CHUNK = 5000


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    if count == 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        highest_sql = f"SELECT COALESCE(MAX({connection.ops.quote_name(column)}), 0) FROM {quoted}"  # noqa: S608, E501 - names from model meta
        cursor.execute(highest_sql)
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
    return list(range(start, start + count))


def _converter(field: models.Field, now: Any) -> Callable[[Any], Any] | None:
    """A cheap adapter per field type (Django's get_db_prep_save costs ~20 µs a value)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda _value: now
    sqlite = connection.vendor == "sqlite"
    if isinstance(field, models.JSONField):
        if sqlite:
            return lambda value: json.dumps(value, cls=field.encoder)
        from psycopg.types.json import Jsonb

        return lambda value: Jsonb(value, dumps=lambda v: json.dumps(v, cls=field.encoder))
    if isinstance(field, models.UUIDField) and sqlite:
        return lambda value: value.hex if value is not None else None
    if isinstance(field, models.DateTimeField):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, models.DateField) and sqlite:
        return lambda value: value.isoformat() if value is not None else None
    return None  # text, numbers, decimals, booleans, PostgreSQL dates and UUIDs: driver adapts


def insert(model: type[models.Model], instances: Sequence[models.Model]) -> None:
    """INSERT the instances, giving each a primary key first (the instances get it too)."""
    if not instances:
        return
    for instance, pk in zip(instances, reserve_ids(model, len(instances)), strict=True):
        instance.pk = pk
    now_value = timezone.now()
    fields = list(model._meta.concrete_fields)
    plan = [(f.attname, _converter(f, now_value)) for f in fields]
    for instance in instances:  # auto_now fields: the instances match what was written
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                setattr(instance, f.attname, now_value)
    rows = (
        tuple(
            convert(getattr(obj, name)) if convert else getattr(obj, name) for name, convert in plan
        )
        for obj in instances
    )
    write_rows(model, [f.column for f in fields], rows)


def write_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """INSERT database-ready tuples (in `columns` order) into the model's table."""
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The driver's own cursor: its errors are wrapped into Django's (IntegrityError …)
            # as the ORM's are, so callers catch one kind of exception on both databases.
            copy_sql = f"COPY {table} ({quoted}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608 - names from model meta
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def insert_dicts(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """INSERT rows given as {attname: value} without building model instances (each costs
    ~30 µs; an import writes hundreds of thousands of audit and name-key rows). Missing fields
    take their defaults; keys are reserved like `insert`."""
    if not rows:
        return
    now_value = timezone.now()
    fields = list(model._meta.concrete_fields)
    pk_name = model._meta.pk.attname
    plan = [(f.attname, _converter(f, now_value), f.get_default()) for f in fields]
    keys = iter(reserve_ids(model, len(rows)))

    def values(row: dict[str, Any]) -> tuple:
        row = {**row, pk_name: next(keys)}
        return tuple(
            convert(row.get(name, default)) if convert else row.get(name, default)
            for name, convert, default in plan
        )

    write_rows(model, [f.column for f in fields], (values(row) for row in rows))


def _into(model: type[models.Model], columns: Sequence[str]) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    return f"{table} ({', '.join(connection.ops.quote_name(c) for c in columns)})"


def insert_select(model: type[models.Model], columns: Sequence[str], select_sql: str) -> int:
    """`INSERT INTO <model's table> (columns) <select_sql>` in the current transaction; the rows
    never leave the database. `select_sql` is complete (no parameters, so `%` is literal) and
    yields `columns` in order; the key is the database's. Returns the rows inserted."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_into(model, columns)} {select_sql}")  # noqa: S608 - names from model meta, SQL compiled by Ibis
        return cursor.rowcount


def write_arrow(
    model: type[models.Model], columns: Sequence[str], batches: Iterable[pa.RecordBatch]
) -> int:
    """INSERT Arrow record batches whose columns are `columns` (database-ready values: no
    JSON, dates or auto_now fields), one batch at a time, so memory stays at one batch however
    many rows. PostgreSQL: one COPY fed with CSV that pyarrow writes (quoted "" is an empty
    string, an empty field NULL); SQLite: executemany over each batch's columns. The key is the
    database's. Returns the rows written."""
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg.copy import QueuedLibpqWriter

            options = pa_csv.WriteOptions(include_header=False)
            sql = f"COPY {_into(model, columns)} FROM STDIN (FORMAT csv)"
            # A writer thread sends each batch while this thread has the engine compute and
            # format the next one (DuckDB and pyarrow release the GIL): the two overlap.
            writer = QueuedLibpqWriter(cursor.cursor)
            with connection.wrap_database_errors, cursor.cursor.copy(sql, writer=writer) as copy:
                for batch in batches:
                    buffer = io.BytesIO()
                    pa_csv.write_csv(batch.select(list(columns)), buffer, options)
                    copy.write(buffer.getbuffer())
                    written += batch.num_rows
            return written
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {_into(model, columns)} VALUES ({marks})"  # noqa: S608 - names from model meta
        for batch in batches:
            values = [batch.column(c).to_pylist() for c in columns]
            cursor.executemany(sql, list(zip(*values, strict=True)))
            written += batch.num_rows
    return written
