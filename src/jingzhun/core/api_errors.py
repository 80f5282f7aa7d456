"""The API's exception handler: DRF's, plus the database refusals a request can provoke.

One place instead of a try/except in every view (issue #11 item 9): deleting a household that a
procedure (or anything else with on_delete=PROTECT/RESTRICT) still references raised
ProtectedError, a 500. It is a conflict with the current state, answered 409 with the reason.
"""

from __future__ import annotations

from typing import Any

from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def referenced_reason(objects: Any) -> str:
    """'仍有记录引用，无法删除：办理程序 1 条' — which kinds of record, and how many of each."""
    counts: dict[str, int] = {}
    for obj in objects:
        name = str(obj._meta.verbose_name)
        counts[name] = counts.get(name, 0) + 1
    listed = gettext("、").join(
        gettext("{name} {count} 条").format(name=name, count=count)
        for name, count in sorted(counts.items())
    )
    return gettext("仍有记录引用，无法删除：{listed}").format(listed=listed)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ProtectedError):
        return Response(
            {"detail": referenced_reason(exc.protected_objects)}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, RestrictedError):
        return Response(
            {"detail": referenced_reason(exc.restricted_objects)},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
