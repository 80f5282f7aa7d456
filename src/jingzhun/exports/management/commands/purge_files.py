"""`jingzhun purge_files [--days N]`: delete the files kept past their retention period.

Export files (JINGZHUN_EXPORT_RETENTION_DAYS; the jobs stay listed, marked 已过期) and the
import pages' error files and uploads no worker ran (JINGZHUN_IMPORT_RETENTION_DAYS; they copy
the uploaded rows, ID numbers included; such import jobs are marked failed). Schedule it daily
(docs/operations.md); `purge_exports` is the same command.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from jingzhun.exports.services import purge_exports
from jingzhun.imports.services import mark_abandoned
from jingzhun.workbook.web import purge_error_files


class Command(BaseCommand):
    help = "删除超过保留期限的导出文件（导出任务记录保留，标记为已过期）和导入错误文件"
    requires_system_checks: list[str] = []  # an operator's cron job: start fast

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="保留天数，导出文件和导入错误文件都按此计（默认 JINGZHUN_EXPORT_RETENTION_DAYS，"
            f"当前 {settings.EXPORT_RETENTION_DAYS}；JINGZHUN_IMPORT_RETENTION_DAYS，当前 "
            f"{settings.IMPORT_RETENTION_DAYS}）",
        )

    def handle(self, *args: Any, days: int | None, **options: Any) -> None:
        purged = purge_exports(days)
        self.stdout.write(
            f"已删除过期导出文件 {purged.expired} 个，无对应任务的文件 {purged.orphans} 个，"
            f"标记未完成的任务为失败 {purged.abandoned} 个"
        )
        self.stdout.write(
            f"已删除过期导入错误文件 {purge_error_files(days)} 个，"
            f"标记未完成的导入任务为失败 {mark_abandoned(days)} 个"
        )
