"""`jingzhun import_areas FILE [--user USERNAME] [--dry-run]`: import the area workbook (区划表).

Without --user the command acts as the system (full scope; missing province, city and county
rows are completed from the national codes), recorded in the audit as no user with the message
"命令行". On errors nothing is written, FILE.errors.xlsx is written next to FILE and the exit
code is 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jingzhun.areas.excel import import_areas
from jingzhun.privatefiles import make_private
from jingzhun.workbook import annotate_errors, resolve_user


class Command(BaseCommand):
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
        if result.errors:
            target = file.with_name(file.stem + ".errors.xlsx")
            annotate_errors(file, result.errors, target)
            make_private(target)
            for error in result.errors[:200]:
                where = f"{error.sheet} 第{error.row}行 {error.column}".strip()
                self.stderr.write(f"{where}：{error.message}")
            if len(result.errors) > 200:
                self.stderr.write(f"……共 {len(result.errors)} 处错误")
            self.stderr.write(f"未写入任何数据。标注了错误的文件：{target}")
            sys.exit(1)
        self.stdout.write(("仅校验，未写入。" if dry_run else "") + result.summary())
        if result.batch:
            self.stdout.write(f"批次号：{result.batch}")
