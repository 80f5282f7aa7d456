"""`jingzhun export FILE [--area CODE] [--user USERNAME]`: write the registry workbook.

Without --user the command acts as the system (full scope), audited as no user ("命令行").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from jingzhun.core.commands import OperatorCommand
from jingzhun.privatefiles import write_private
from jingzhun.registry.excel import export_workbook
from jingzhun.registry.filters import HouseholdFilter
from jingzhun.registry.models import Household
from jingzhun.workbook import resolve_user


class Command(OperatorCommand):
    help = "导出建档立卡登记表 （.xlsx），含完整证件号码（导出操作记入审计）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--area", default="", help="只导出该区划代码下的户")
        parser.add_argument("--user", help="以该用户的管辖范围导出（默认：命令行，全部范围）")

    def handle(self, *args: Any, file: Path, area: str, user: str | None, **options: Any) -> None:
        actor = resolve_user(user)
        filters = {"area": [area]} if area else {}
        households = HouseholdFilter(
            {"area": area}, queryset=Household.objects.visible_to(actor)
        ).qs
        # Full ID numbers: readable by the user who ran the command alone (0600).
        write_private(file, export_workbook(households, acting_user=actor, filters=filters))
        self.stdout.write(f"已导出到 {file}")
