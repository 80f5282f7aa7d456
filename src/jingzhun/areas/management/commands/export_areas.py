"""`jingzhun export_areas FILE [--user USERNAME]`: the areas of a scope as the area workbook.

Without --user: every area (the system's scope). The export is audited and imports back
unchanged (`jingzhun import_areas`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from jingzhun.areas.excel import export_workbook
from jingzhun.core.commands import OperatorCommand
from jingzhun.workbook import resolve_user


class Command(OperatorCommand):
    help = "导出区划表 （.xlsx）：该用户管辖范围内的全部区划"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="导出该用户管辖范围内的区划（默认：全部）")

    def handle(self, *args: Any, file: Path, user: str | None, **options: Any) -> None:
        file.write_bytes(export_workbook(acting_user=resolve_user(user)))
        self.stdout.write(f"已导出：{file}")
