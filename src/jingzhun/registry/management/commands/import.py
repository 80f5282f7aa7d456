"""`jingzhun import FILE [--year YEAR] [--user USERNAME] [--dry-run]`: import the registry workbook.

--year is the data year (数据年度) that age-dependent checks use (schooling by the age at the end
of that year); without it, the latest income year in the file, else the current year.

Without --user the command acts as the system (full scope), recorded in the audit as no user
with the message "命令行". On errors nothing is written, FILE.errors.xlsx is written next to FILE
and the exit code is 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jingzhun.core.commands import OperatorCommand
from jingzhun.registry.excel import import_workbook
from jingzhun.workbook import resolve_user
from jingzhun.workbook.commands import report_import


class Command(OperatorCommand):
    help = "导入建档立卡登记表 （.xlsx）：户、成员、收入、帮扶责任人、帮扶措施"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="以该用户的身份和管辖范围导入（默认：命令行，全部范围）")
        parser.add_argument("--dry-run", action="store_true", help="仅校验，不写入")
        parser.add_argument(
            "--year",
            type=int,
            help="数据年度：按该年末的年龄校验在校生状况等（默认：文件中最新的收入年度，否则当年）",
        )

    def handle(
        self,
        *args: Any,
        file: Path,
        user: str | None,
        dry_run: bool,
        year: int | None = None,
        **options: Any,
    ) -> None:
        if not file.exists():
            raise CommandError(f"文件不存在：{file}")
        actor = resolve_user(user)
        if not actor.can_edit():
            raise CommandError("该用户没有修改建档立卡数据的权限")
        result = import_workbook(
            file, acting_user=actor, dry_run=dry_run, name=file.name, year=year
        )
        if result.year:
            self.stderr.write(f"数据年度：{result.year}")
        report_import(self, file, result, dry_run=dry_run)
