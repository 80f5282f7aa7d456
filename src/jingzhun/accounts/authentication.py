"""API tokens that expire (issue #11 item 11): DRF's tokens lived until someone reset them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_expired(token: Token) -> bool:
    return token.created < timezone.now() - timedelta(days=settings.TOKEN_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token …`, refused (401) once the token is JINGZHUN_TOKEN_DAYS old.

    A password change deletes the user's tokens (`User.save`), so an old token dies with it."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(
                _("令牌已过期（有效期{days}天），请重新获取。").format(days=settings.TOKEN_DAYS)
            )
        return user, token
