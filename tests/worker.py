"""The task worker of `jingzhun db_worker`, built in the test process (no signal handlers)."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker


def task_worker(*, batch: bool = True, interval: float = 0) -> Worker:
    """`batch`: work off the queue and return; otherwise poll every `interval` seconds until
    `.running` is set to False."""
    return Worker(
        queue_names=["default"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
