"""Migrate when needed and serve the app (shared by `jingzhun demo` and `jingzhun serve`).

The server is waitress: a production WSGI server in pure Python (no C build, runs on Windows
too), threads in one process. WhiteNoise serves /static/ from STATIC_ROOT, collected at start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

from django.conf import settings
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
def task_workers(count: int = 1) -> Iterator[list[subprocess.Popen]]:
    """`count` `jingzhun db_worker` processes (background assessment runs) for as long as the
    server runs. SIGTERM to the server becomes SystemExit, so the workers are stopped with it."""
    workers = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "jingzhun.cli", "db_worker", "--no-reload", "--interval", "1"],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "jingzhun.settings"},
        )
        for _ in range(count)
    ]
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        yield workers
    finally:
        signal.signal(signal.SIGTERM, previous)
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()


def collect_static() -> None:
    """Copy every app's static files into STATIC_ROOT with gzip copies, for WhiteNoise.
    Idempotent: unchanged files are not copied again (a second start takes about a second)."""
    call_command("collectstatic", interactive=False, verbosity=0)


def serve(port: int = 8000, host: str = "127.0.0.1", *, threads: int = 8, workers: int = 1) -> None:
    """Serve the app with waitress, static files collected first, and `workers` task workers
    beside it (0 when the worker runs as its own service).

    When settings.TRUSTED_PROXY is set (JINGZHUN_BEHIND_HTTPS_PROXY / JINGZHUN_TRUSTED_PROXY),
    waitress believes X-Forwarded-Proto and X-Forwarded-For from that address only (the
    scheme and the visitor's address reach Django) and drops them from everybody else;
    otherwise it drops them from everybody.
    """
    from django.core.wsgi import get_wsgi_application
    from waitress import serve as waitress_serve

    collect_static()
    proxy: dict[str, object] = {}
    if settings.TRUSTED_PROXY:
        proxy = {
            "trusted_proxy": settings.TRUSTED_PROXY,
            "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-for"},
        }
    application = get_wsgi_application()
    with task_workers(workers):
        waitress_serve(application, host=host, port=port, threads=threads, **proxy)
