"""`jingzhun notify_awaiting`: a mail per active user with an address and something waiting,
through Django's mail API (the tests' locmem backend); nothing without a configured mail
server."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import call_command

from tests.core.test_awaiting import World
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(village, other_village):
    world = World(village, other_village)
    for user, address in (
        (world.village_op, "cun@example.org"),
        (world.county, "xian@example.org"),
        (world.viewer, "kan@example.org"),  # a reader: nothing awaits
    ):
        user.email = address
        user.save()
    world.township.email = ""  # work waits, but no address
    world.township.save()
    return world


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("notify_awaiting", *args, stdout=out)
    return out.getvalue()


def test_each_user_with_an_address_and_work_gets_their_counts(world, settings):
    settings.PUBLIC_URL = "https://fp.example.gov.cn"
    UserFactory(role="village_operator", area=world.village, email="x@example.org", is_active=False)
    assert run() == "已发送待办提醒 2 封，失败 0 封\n"
    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == ["cun@example.org", "xian@example.org"]
    county = by_address["xian@example.org"]
    assert county.subject == "待我办理：6 项，其中超期 1 项"
    assert county.body.splitlines()[2:9] == [
        "您有以下待办事项：",
        "待办程序环节：1 项（其中超期 1 项）",
        "待处理异议：1 项",
        "核查任务：2 项",
        "疑似重复：1 项",
        "待确认的可能匹配：1 项",
        "",
    ]
    assert "请登录系统查看：https://fp.example.gov.cn/" in county.body
    assert by_address["cun@example.org"].subject == "待我办理：5 项，其中超期 2 项"


def test_dry_run_sends_nothing(world):
    assert run("--dry-run") == "将发送待办提醒 2 封，失败 0 封\n"
    assert mail.outbox == []


def test_nothing_is_sent_without_a_mail_server(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""  # as settings.py leaves it unless the deployment names a server
    assert run() == "未配置邮件服务器（EMAIL_HOST），未发送任何邮件\n"
    assert mail.outbox == []


def test_a_configured_mail_server_is_used(world, settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "mail.example.gov.cn"
    sent = []
    monkeypatch.setattr(
        "django.core.mail.backends.smtp.EmailBackend.send_messages",
        lambda self, messages: sent.extend(messages) or len(messages),
    )
    assert run() == "已发送待办提醒 2 封，失败 0 封\n"
    assert sorted(m.to[0] for m in sent) == ["cun@example.org", "xian@example.org"]


def test_the_mail_server_comes_from_the_environment(monkeypatch):
    """settings.py reads JINGZHUN_EMAIL_*; without a host nothing is configured."""
    import importlib

    import jingzhun.settings as module

    monkeypatch.setenv("JINGZHUN_EMAIL_HOST", "mail.county.example")
    monkeypatch.setenv("JINGZHUN_EMAIL_PORT", "587")
    monkeypatch.setenv("JINGZHUN_EMAIL_USE_TLS", "1")
    monkeypatch.setenv("JINGZHUN_EMAIL_FROM", "fupin@county.example")
    configured = importlib.reload(module)
    assert (configured.EMAIL_HOST, configured.EMAIL_PORT, configured.EMAIL_USE_TLS) == (
        "mail.county.example",
        587,
        True,
    )
    assert configured.DEFAULT_FROM_EMAIL == "fupin@county.example"
    monkeypatch.delenv("JINGZHUN_EMAIL_HOST")
    assert importlib.reload(module).EMAIL_HOST == ""
