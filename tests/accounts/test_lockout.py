"""Issue #11 item 11: failed logins lock an account per (username, address), on the login page
and on /api/token/ alike; the right password is then refused; `jingzhun axes_reset` unlocks."""

from axes.models import AccessAttempt
from django.core.management import call_command

from tests.factories import UserFactory

PASSWORD = "pw-123456"


def post_login(client, username, password, address="10.0.0.1"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_six_wrong_passwords_lock_the_login_page(village, client):
    user = UserFactory(username="zhangsan")
    for _attempt in range(4):
        assert post_login(client, "zhangsan", "wrong-password").status_code == 200
    # The fifth failure reaches the limit: it and the sixth answer with the lockout page.
    assert post_login(client, "zhangsan", "wrong-password").status_code == 429
    locked = post_login(client, "zhangsan", "wrong-password")
    assert locked.status_code == 429
    assert "登录失败次数过多（连续5次），该账户已在此地址锁定30分钟" in locked.content.decode()
    refused = post_login(client, "zhangsan", PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is counted apart (a locked-out attacker does not lock the real user out).
    assert post_login(client, "zhangsan", PASSWORD, address="10.0.0.2").status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_axes_reset_unlocks(village, client):
    UserFactory(username="lisi")
    for _attempt in range(6):
        post_login(client, "lisi", "wrong-password")
    assert post_login(client, "lisi", PASSWORD).status_code == 429
    call_command("axes_reset")
    assert AccessAttempt.objects.count() == 0
    assert post_login(client, "lisi", PASSWORD).status_code == 302


def test_token_endpoint_locks_too(village, client):
    UserFactory(username="wangwu")
    for _attempt in range(4):
        response = client.post(
            "/api/token/", {"username": "wangwu", "password": "wrong"}, REMOTE_ADDR="10.0.0.3"
        )
        assert response.status_code == 400
    client.post("/api/token/", {"username": "wangwu", "password": "wrong"}, REMOTE_ADDR="10.0.0.3")
    response = client.post(
        "/api/token/", {"username": "wangwu", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3"
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.json()["detail"]
    assert "token" not in response.json()


def test_client_address_header_behind_a_proxy(village, client, settings):
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    UserFactory(username="zhaoliu")
    for _attempt in range(6):
        client.post(
            "/accounts/login/",
            {"username": "zhaoliu", "password": "wrong"},
            HTTP_X_REAL_IP="192.0.2.7",
        )
    attempt = AccessAttempt.objects.get(username="zhaoliu")
    assert attempt.ip_address == "192.0.2.7"
    assert attempt.failures_since_start == 6
