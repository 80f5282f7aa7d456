"""`jingzhun notify_awaiting [--dry-run]`: e-mail each active user with an address what awaits
them (待我办理: the counts of the home page's cards, overdue included), through Django's mail
API. Users with nothing waiting get no mail.

Nothing is sent unless the deployment configured a mail server: EMAIL_HOST set in the settings,
or an EMAIL_BACKEND other than SMTP (a test's locmem, a console or file backend); otherwise the
command says so and exits. No external service is called by default. Schedule it once a working
day (docs/operations.md). The link in each mail is JINGZHUN_PUBLIC_URL's home page, left out
when that is not set.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.management.base import CommandParser
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from jingzhun.core import awaiting
from jingzhun.core.commands import OperatorCommand

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def mail_configured() -> bool:
    """A deployment chose where mail goes: a mail server, or a backend other than SMTP."""
    if settings.EMAIL_BACKEND != SMTP:
        return True
    return settings.is_overridden("EMAIL_HOST") and bool(settings.EMAIL_HOST)


def message(user: Any, summary: awaiting.Summary) -> tuple[str, str]:
    """(subject, body) of one user's mail."""
    if summary.overdue:
        subject = _("待我办理：{total} 项，其中超期 {overdue} 项").format(
            total=summary.total, overdue=summary.overdue
        )
    else:
        subject = _("待我办理：{total} 项").format(total=summary.total)
    lines = [_("{name}，您好：").format(name=user), "", _("您有以下待办事项：")]
    for card in summary.cards:
        if card.overdue:
            lines.append(
                _("{title}：{count} 项（其中超期 {overdue} 项）").format(
                    title=card.title, count=card.count, overdue=card.overdue
                )
            )
        else:
            lines.append(_("{title}：{count} 项").format(title=card.title, count=card.count))
    if settings.PUBLIC_URL:
        lines += ["", _("请登录系统查看：{url}").format(url=settings.PUBLIC_URL + reverse("home"))]
    lines += ["", _("此邮件由精准扶贫信息系统自动发送，请勿回复。")]
    return subject, "\n".join(lines)


class Command(OperatorCommand):
    help = "向有电子邮箱的在用账号发送待办事项提醒（需配置邮件服务器）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只统计将发送的邮件数，不发送")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        if not mail_configured():
            self.stdout.write("未配置邮件服务器（EMAIL_HOST），未发送任何邮件")
            return
        users = (
            get_user_model()
            .objects.filter(is_active=True, area__isnull=False)
            .exclude(email="")
            .select_related("area")
            .order_by("pk")
        )
        sent = failed = 0
        with translation.override(settings.LANGUAGE_CODE):
            for user in users.iterator(chunk_size=200):
                summary = awaiting.summary(user)
                if not summary.total:
                    continue
                subject, body = message(user, summary)
                if dry_run:
                    sent += 1
                    continue
                try:
                    send_mail(subject, body, None, [user.email])
                except OSError as error:  # one unreachable address does not stop the others
                    failed += 1
                    self.stderr.write(f"{user.username}: {error}")
                else:
                    sent += 1
        verb = "将发送" if dry_run else "已发送"
        self.stdout.write(f"{verb}待办提醒 {sent} 封，失败 {failed} 封")
