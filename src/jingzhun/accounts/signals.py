"""Login, logout and failed logins into the audit trail (issue #11 item 11, 等保 8.1.4.3a).

Signal receivers are the exception to "writes go through services": these events come from
Django's own authentication (the login page, the admin, DRF's token endpoint), which has no
service of ours to call."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.translation import gettext as _

from jingzhun.audit.models import Action
from jingzhun.audit.services import record
from jingzhun.core.clients import client_address

USER_MODEL = "accounts.user"


def mask_username(username: str) -> str:
    """A failed login's username with its middle hidden: people type their password there."""
    username = str(username or "")
    if len(username) <= 2:
        return username[:1] + "*" * (len(username) - 1)
    return f"{username[0]}{'*' * (len(username) - 2)}{username[-1]}"


def _address(request: Any) -> str:
    meta = getattr(request, "META", None)
    return client_address(meta) if meta is not None else ""


def _record_user_event(action: str, user: Any, request: Any, message: str) -> None:
    # Only logins over HTTP: a request without REMOTE_ADDR was built in-process (the test
    # client's force_login, a shell calling login()), there is no client to record.
    if user is None or not getattr(user, "pk", None) or not _address(request):
        return
    record(
        actor=user,
        action=action,
        instance=user,
        model=USER_MODEL,
        area_code=getattr(user, "area_id", "") or "",
        changes={"address": _address(request)},
        message=message,
    )


@receiver(user_logged_in, dispatch_uid="jingzhun_audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _record_user_event(Action.LOGIN, user, request, _("登录成功"))


@receiver(user_logged_out, dispatch_uid="jingzhun_audit_logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _record_user_event(Action.LOGOUT, user, request, _("退出登录"))


@receiver(user_login_failed, dispatch_uid="jingzhun_audit_login_failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """The attempted account, when it exists, is the target (its area scopes the entry); the
    actor stays empty: nobody was authenticated."""
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or "")
    target = get_user_model().objects.filter(username=username).first() if username else None
    locked = bool(getattr(request, "axes_locked_out", False))
    message = (
        _("登录失败（账户已锁定）：用户名 {username}")
        if locked
        else _("登录失败：用户名 {username}")
    ).format(username=mask_username(username))
    record(
        actor=None,
        action=Action.LOGIN_FAILED,
        model=USER_MODEL,
        object_id=str(target.pk) if target else "",
        object_repr=mask_username(username),
        area_code=(target.area_id or "") if target else "",
        changes={"address": _address(request)},
        message=message,
    )
