"""Migrate when needed and serve the app on 127.0.0.1 (shared by `jingzhun demo` and `serve`)."""

from __future__ import annotations

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def ensure_migrated() -> bool:
    """Apply pending migrations; True when there were any."""
    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    call_command("migrate", interactive=False, verbosity=0)
    return True


def serve(port: int = 8000, host: str = "127.0.0.1") -> None:
    """Django's development server without the reloader, serving static files itself.

    `--insecure` makes staticfiles serve /static/ with DEBUG off: fine on a loopback demo,
    not for production (docs/operations.md describes a real deployment).
    """
    call_command("runserver", f"{host}:{port}", use_reloader=False, insecure_serving=True)
