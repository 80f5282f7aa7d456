"""`jingzhun serve`: serve an existing database at 127.0.0.1:8000 (no data generation)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from jingzhun.registry.demo import ensure_migrated, serve


class Command(BaseCommand):
    help = _("在 127.0.0.1 上启动服务(使用现有数据库)")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help=_("服务端口(127.0.0.1)"))

    def handle(self, *args: Any, **options: Any) -> None:
        if ensure_migrated():
            self.stdout.write(_("数据库已迁移 / database migrated"))
        serve(options["port"])
