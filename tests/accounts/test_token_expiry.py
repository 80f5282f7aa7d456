"""Issue #11 item 11: API tokens expire after JINGZHUN_TOKEN_DAYS and die with a password change."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jingzhun.accounts.models import User
from tests.factories import UserFactory


def api(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_a_token_older_than_token_days_is_refused(village, settings):
    settings.TOKEN_DAYS = 30
    user = UserFactory(username="lisi")
    token = Token.objects.create(user=user)
    assert api(token).get("/api/households/").status_code == 200
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=31))
    response = api(token).get("/api/households/")
    assert response.status_code == 401
    assert response.json() == {"detail": "令牌已过期（有效期30天），请重新获取。"}


def test_token_endpoint_and_command_replace_an_expired_token(village, client):
    user = UserFactory(username="lisi")
    old = Token.objects.create(user=user)
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=31))
    response = client.post("/api/token/", {"username": "lisi", "password": "pw-123456"})
    assert response.status_code == 200
    new_key = response.json()["token"]
    assert new_key != old.key
    assert list(Token.objects.values_list("key", flat=True)) == [new_key]
    # A valid token is handed out again unchanged.
    out = io.StringIO()
    call_command("create_token", "lisi", stdout=out)
    assert out.getvalue().strip() == new_key


def test_a_password_change_in_the_admin_revokes_the_tokens(village, client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True, area=None)
    user = UserFactory(username="lisi")
    token = Token.objects.create(user=user)
    client.force_login(admin)
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "Kx9-tuan-jie-2026", "password2": "Kx9-tuan-jie-2026"},
    )
    assert response.status_code == 302
    assert not Token.objects.filter(user=user).exists()
    assert api(token).get("/api/households/").status_code == 401


def test_any_set_password_revokes_the_tokens_and_other_saves_keep_them(village):
    user = UserFactory(username="lisi")
    Token.objects.create(user=user)
    user.first_name = "四"
    user.save()
    assert Token.objects.filter(user=user).count() == 1
    user = User.objects.get(pk=user.pk)
    user.set_password("Kx9-tuan-jie-2026")
    user.save()
    assert Token.objects.filter(user=user).count() == 0
