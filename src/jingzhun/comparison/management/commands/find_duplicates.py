"""`jingzhun find_duplicates [--area CODE] [--days N]`: detect the duplicate pairs of the registry
(persons with different ID numbers but the same birth date and name reading in one county;
households split or merged around a date) and store them for review on the 疑似重复 page."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from jingzhun import areacodes
from jingzhun.core.commands import OperatorCommand


class Command(OperatorCommand):
    help = "查找建档立卡数据中的疑似重复（人员重复、户拆分或合并），保存待核实"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", default="", help="只查找该区划（代码）")
        parser.add_argument(
            "--days", type=int, default=None, help="户拆分或合并的前后天数（默认 90）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from jingzhun.comparison.duplicates.detection import find_duplicates

        area = options["area"].strip()
        if area and not (area.isascii() and area.isdigit() and len(area) <= 12):
            raise CommandError(f"区划代码应为数字：{area}")
        prefix = areacodes.prefix(areacodes.pad(area)) if area else ""
        if options["days"] is not None and options["days"] < 0:
            raise CommandError("--days 不能为负数")
        outcome = find_duplicates(prefix=prefix, days=options["days"])
        self.stdout.write(
            f"新发现 {outcome.new} 对，再次发现 {outcome.again} 对，"
            f"重新出现 {outcome.reopened} 对，原因已消除 {outcome.gone} 对"
        )
