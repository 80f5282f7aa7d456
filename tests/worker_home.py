"""Loaded with `-p tests.worker_home` (pyproject addopts), before Django's settings are read:
under pytest-xdist each worker gets its own data folder (uploads, exports, snapshots, the task
queue's files), so two workers never see each other's files. The databases are per worker
already: the SQLite test file is named by process, PostgreSQL's test database by worker."""

from __future__ import annotations

import os
import tempfile

_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    _base = os.environ.get("JINGZHUN_HOME") or tempfile.mkdtemp(prefix="jingzhun-test-")
    _home = os.path.join(_base, _worker)
    os.makedirs(_home, exist_ok=True)
    os.environ["JINGZHUN_HOME"] = _home
