"""`jingzhun serve`: serve an existing database with waitress, by default at 127.0.0.1:8000
(no data generation). Production deployment: docs/operations.md."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jingzhun.registry.demo import ensure_migrated, serve


class Command(BaseCommand):
    help = _("用 waitress 启动服务（使用现有数据库），并启动后台任务进程")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help=_("监听地址（默认 127.0.0.1；反向代理在另一台机器上时填本机地址）"),
        )
        parser.add_argument("--port", type=int, default=8000, help=_("服务端口"))
        parser.add_argument(
            "--threads", type=int, default=8, help=_("同时处理请求的线程数（waitress，默认 8）")
        )
        parser.add_argument(
            "--task-workers",
            type=int,
            default=1,
            help=_("一并启动的后台任务进程（db_worker）数；0 = 后台任务另行作为服务运行"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["threads"] < 1 or options["task_workers"] < 0:
            raise CommandError(_("--threads 至少为 1，--task-workers 不能为负数"))
        if ensure_migrated():
            self.stdout.write(_("数据库已迁移 / database migrated"))
        self.stdout.write(
            _(
                "服务地址 / serving at http://{host}:{port}/ "
                "(waitress, {threads} threads, {task_workers} task workers)"
            ).format(**options)
        )
        self.stdout.flush()
        serve(
            options["port"],
            options["host"],
            threads=options["threads"],
            workers=options["task_workers"],
        )
