"""`jingzhun purge_exports [--days N]`: delete export files older than the retention period.

The jobs stay listed (marked 已过期); schedule it daily (docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from jingzhun.exports.services import purge_exports


class Command(BaseCommand):
    help = "删除超过保留期限的导出文件（导出任务记录保留，标记为已过期）"
    requires_system_checks: list[str] = []  # an operator's cron job: start fast

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="保留天数（默认 JINGZHUN_EXPORT_RETENTION_DAYS，当前 "
            f"{settings.EXPORT_RETENTION_DAYS}）",
        )

    def handle(self, *args: Any, days: int | None, **options: Any) -> None:
        purged = purge_exports(days)
        self.stdout.write(
            f"已删除过期导出文件 {purged.expired} 个，无对应任务的文件 {purged.orphans} 个，"
            f"标记未完成的任务为失败 {purged.abandoned} 个"
        )
