"""The only Django-aware module of the engine: an Ibis backend on Django's own connection."""

from __future__ import annotations

from ibis.backends import BaseBackend

from .connect import from_dbapi


def app_backend(using: str = "default") -> BaseBackend:
    """Ibis on the connection Django uses (so it sees rows of the current transaction)."""
    from django.db import connections

    connection = connections[using]
    connection.ensure_connection()
    return from_dbapi(connection.connection, connection.vendor)


def app_vendor(using: str = "default") -> str:
    from django.db import connections

    return connections[using].vendor
