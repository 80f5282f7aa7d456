"""`jingzhun import_areas FILE [--user USERNAME] [--dry-run]`: import the area workbook (区划表).

Without --user the command acts as the system (full scope; missing province, city and county
rows are completed from the national codes), recorded in the audit as no user with the message
"命令行". On errors nothing is written, FILE.errors.xlsx is written next to FILE and the exit
code is 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jingzhun.areas.excel import import_areas
from jingzhun.core.commands import OperatorCommand
from jingzhun.workbook import resolve_user
from jingzhun.workbook.commands import report_import


class Command(OperatorCommand):
    help = "导入区划表 （.xlsx）：乡镇、行政村及其贫困村和出列指标"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="以该用户的身份和管辖范围导入（默认：命令行，全部范围）")
        parser.add_argument("--dry-run", action="store_true", help="仅校验，不写入")

    def handle(
        self, *args: Any, file: Path, user: str | None, dry_run: bool, **options: Any
    ) -> None:
        if not file.exists():
            raise CommandError(f"文件不存在：{file}")
        actor = resolve_user(user)
        if not actor.can_edit():
            raise CommandError("该用户没有修改区划数据的权限")
        result = import_areas(file, acting_user=actor, dry_run=dry_run, name=file.name)
        report_import(self, file, result, dry_run=dry_run)
