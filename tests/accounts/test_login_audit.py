"""Issue #11 item 11: logins, logouts and failed logins are audited with the client address."""

from jingzhun.audit.models import Action, AuditEntry
from tests.factories import UserFactory


def test_login_and_logout_are_audited(village, client):
    user = UserFactory(username="zhangsan", role="village_operator", area=village)
    response = client.post(
        "/accounts/login/",
        {"username": "zhangsan", "password": "pw-123456"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    login = AuditEntry.objects.get(action=Action.LOGIN)
    assert (login.actor, login.model, login.object_id, login.area_code) == (
        user,
        "accounts.user",
        str(user.pk),
        village.code,
    )
    assert login.changes == {"address": "10.1.2.3"}
    assert login.message == "登录成功"
    client.post("/accounts/logout/", REMOTE_ADDR="10.1.2.3")
    logout = AuditEntry.objects.get(action=Action.LOGOUT)
    assert (logout.actor, logout.message) == (user, "退出登录")


def test_failed_login_is_audited_with_the_username_masked(village, client):
    user = UserFactory(username="zhangsan", role="village_operator", area=village)
    client.post(
        "/accounts/login/",
        {"username": "zhangsan", "password": "wrong-password"},
        REMOTE_ADDR="10.1.2.4",
    )
    failed = AuditEntry.objects.get()
    assert failed.action == Action.LOGIN_FAILED
    assert failed.actor is None
    assert (failed.object_id, failed.object_repr, failed.area_code) == (
        str(user.pk),
        "z******n",
        village.code,
    )
    assert failed.message == "登录失败：用户名 z******n"
    assert failed.changes == {"address": "10.1.2.4"}
    assert "wrong-password" not in str(failed.changes) + failed.message


def test_failed_login_of_an_unknown_name_and_through_the_token_endpoint(village, client):
    client.post(
        "/api/token/", {"username": "Secret-Pass1", "password": "x"}, REMOTE_ADDR="10.1.2.5"
    )
    failed = AuditEntry.objects.get()
    assert (failed.action, failed.object_id, failed.area_code) == (Action.LOGIN_FAILED, "", "")
    assert failed.message == "登录失败：用户名 S**********1"
    assert failed.changes == {"address": "10.1.2.5"}


def test_a_locked_out_attempt_says_so(village, client):
    UserFactory(username="lisi")
    for _attempt in range(6):
        client.post("/accounts/login/", {"username": "lisi", "password": "wrong"})
    messages = list(
        AuditEntry.objects.filter(action=Action.LOGIN_FAILED)
        .order_by("id")
        .values_list("message", flat=True)
    )
    assert messages[:4] == ["登录失败：用户名 l**i"] * 4
    assert messages[-1] == "登录失败（账户已锁定）：用户名 l**i"
