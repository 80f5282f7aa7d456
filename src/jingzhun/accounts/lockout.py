"""Login lockout (django-axes): the client address it counts by and the page it answers with.

Axes counts failed logins per (username, client address) on the login page, the admin and
`/api/token/`; past AXES_FAILURE_LIMIT it refuses even the right password until the cool-off
ends or an administrator runs `jingzhun axes_reset` (docs/operations.md)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from jingzhun.core.clients import client_address


def request_address(request: HttpRequest) -> str:
    """The visitor's address, behind a proxy from JINGZHUN_CLIENT_ADDRESS_HEADER: the same
    address the objection form's rate limit uses."""
    return client_address(request.META)


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out(request: HttpRequest, credentials: object = None, *args, **kwargs) -> HttpResponse:
    """429 with a Chinese explanation: JSON for the API, the lockout page otherwise."""
    message = _(
        "登录失败次数过多（连续{limit}次），该账户已在此地址锁定{minutes}分钟；"
        "请稍后再试，或请管理员解锁。"
    ).format(limit=settings.AXES_FAILURE_LIMIT, minutes=cooloff_minutes())
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
