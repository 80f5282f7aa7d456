"""A lock per name for the length of the current transaction, for check-then-insert rules (a
rate limit counts a client's recent rows, then adds one): without it two concurrent requests
both count below the limit and both insert.

PostgreSQL: a transaction-scoped advisory lock on the name's hash (released at commit or
rollback). SQLite runs one writer at a time and is the single-user/demo database: no lock is
taken there.
"""

from __future__ import annotations

from django.db import connection, transaction


def lock_name(name: str) -> None:
    """Hold the lock `name` until the surrounding transaction ends (call inside atomic())."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_name() must be called inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])
