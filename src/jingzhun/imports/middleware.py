"""A write that waited out the database's lock answers 503 "retry", never a 500.

On SQLite one writer holds the whole database: a concurrent write waits up to the connection's
timeout (settings: 20 s) for the import writing (benchmarks/import_100k.py: 4 s for the demo's
32,500 generated persons, 8 s for its whole export). Past it, SQLite raises "database is locked"
(PostgreSQL, rarely: a lock or deadlock timeout). Nothing was saved (the transaction rolled
back): the user is told so, and that an import is the reason when one is writing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext

from jingzhun.workbook.progress import WRITING

from .choices import Status

RETRY_AFTER_SECONDS = 10
# PostgreSQL: lock_not_available, deadlock_detected, serialization_failure.
BUSY_SQLSTATES = {"55P03", "40P01", "40001"}


def is_busy(error: BaseException) -> bool:
    """Whether `error` is the database refusing a write for now (locked), not a fault."""
    if not isinstance(error, OperationalError):
        return False
    text = str(error).lower()
    if "database is locked" in text or "database table is locked" in text:
        return True
    return getattr(error.__cause__, "sqlstate", None) in BUSY_SQLSTATES


def busy_message() -> str:
    from .models import ImportJob

    try:  # a read: WAL readers never wait for the writer
        importing = ImportJob.objects.filter(status=Status.RUNNING, step=WRITING).exists()
    except Exception:  # noqa: BLE001 - the answer must not fail on the question
        importing = False
    if importing:
        return gettext("导入进行中，请稍后重试。您刚才的操作未保存。")
    return gettext("数据库正忙，请稍后重试。您刚才的操作未保存。")


class DatabaseBusyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy(exception):
            return None
        message = busy_message()
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": message}, status=503)
        else:
            page = render_to_string("imports/busy.html", {"message": message}, request=request)
            response = HttpResponse(page, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
