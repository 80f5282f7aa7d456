"""Migrate when needed and serve the app on 127.0.0.1 (shared by `jingzhun demo` and `serve`)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

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


@contextlib.contextmanager
def task_worker() -> Iterator[subprocess.Popen]:
    """A `jingzhun db_worker` process (background assessment runs) for as long as the server
    runs. SIGTERM to the server becomes SystemExit, so the worker is stopped with it."""
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "jingzhun.cli", "db_worker", "--no-reload", "--interval", "1"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "jingzhun.settings"},
    )
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        yield worker
    finally:
        signal.signal(signal.SIGTERM, previous)
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


def serve(port: int = 8000, host: str = "127.0.0.1") -> None:
    """Django's development server without the reloader, serving static files itself, and a
    task worker beside it.

    `--insecure` makes staticfiles serve /static/ with DEBUG off: fine on a loopback demo,
    not for production (docs/operations.md describes a real deployment).
    """
    with task_worker():
        call_command("runserver", f"{host}:{port}", use_reloader=False, insecure_serving=True)
