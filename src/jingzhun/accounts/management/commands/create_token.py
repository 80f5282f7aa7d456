"""`jingzhun create_token USERNAME`: print the user's API token, creating it if needed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from rest_framework.authtoken.models import Token

from jingzhun.accounts.services import issue_token
from jingzhun.core.commands import OperatorCommand


class Command(OperatorCommand):
    help = "Print the API token of USERNAME (created on first use); --reset issues a new one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--reset", action="store_true", help="revoke the current token and issue a new one"
        )

    def handle(self, *args: Any, username: str, reset: bool, **options: Any) -> None:
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"no such user: {username}") from exc
        if not user.is_active:
            raise CommandError(f"user {username} is inactive")
        if reset:
            Token.objects.filter(user=user).delete()
        token = issue_token(user)
        self.stdout.write(token.key)
