"""`jingzhun load_dataset KIND FILE --year YEAR [--area CODE] [--user USERNAME] [--received DATE]
[--key-id ID] [--dry-run]`: load a department's file (.xlsx, .csv or .parquet) as a dataset of KIND
(standards/datasets/KIND.toml; `jingzhun load_dataset --kinds` lists them).

Without --user the command acts as the system (full scope; --area is then required). On errors
nothing is stored, FILE.errors.xlsx is written next to FILE and the exit code is 1.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jingzhun.core.commands import OperatorCommand
from jingzhun.privatefiles import make_private
from jingzhun.standards import dataset_kinds
from jingzhun.standards.errors import StandardError
from jingzhun.workbook import resolve_user
from jingzhun.workbook.annotate import annotate_errors
from jingzhun.workbook.commands import SHOWN_ERRORS


class Command(OperatorCommand):
    help = "导入部门数据（.xlsx、.csv 或 .parquet）：死亡人口、低保特困、车辆、市场主体等"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", nargs="?", help="数据类型，如 deaths（--kinds 列出全部）")
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--kinds", action="store_true", help="列出可导入的数据类型及其列")
        parser.add_argument("--year", type=int, help="数据年度")
        parser.add_argument("--area", help="数据适用的区划代码（默认：用户本人的区划）")
        parser.add_argument("--user", help="以该用户的身份和管辖范围导入（默认：命令行）")
        parser.add_argument(
            "--received", type=datetime.date.fromisoformat, help="接收日期 YYYY-MM-DD（默认今天）"
        )
        parser.add_argument("--key-id", default="", help="令牌化文件所用密钥的公开标识")
        parser.add_argument("--dry-run", action="store_true", help="仅校验，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kinds"]:
            for kind in dataset_kinds.available().values():
                columns = "、".join(c.header + ("*" if c.required else "") for c in kind.columns)
                self.stdout.write(f"{kind.id}\t{kind.name}（{kind.department}）：{columns}")
            return
        file, kind_id, year = options["file"], options["kind"], options["year"]
        if not (kind_id and file and year):
            raise CommandError("用法：jingzhun load_dataset 数据类型 文件 --year 年度")
        if not file.exists():
            raise CommandError(f"文件不存在：{file}")
        try:
            kind = dataset_kinds.load(kind_id)
        except StandardError as exc:
            raise CommandError(str(exc)) from None
        actor = resolve_user(options["user"])
        if not actor.can_edit():
            raise CommandError("该用户没有导入部门数据的权限")
        from jingzhun.comparison.loading import load_dataset

        result = load_dataset(
            file.read_bytes(),
            kind=kind,
            year=year,
            acting_user=actor,
            name=file.name,
            area_code=options["area"],
            received_on=options["received"],
            key_id=options["key_id"],
            dry_run=options["dry_run"],
        )
        if result.errors:
            target = file.with_name(file.stem + ".errors.xlsx")
            annotate_errors(file, result.errors, target)
            make_private(target)
            for error in result.errors[:SHOWN_ERRORS]:
                where = f"第{error.row}行 {error.column}".strip() if error.row else ""
                self.stderr.write(f"{where}：{error.message}" if where else error.message)
            if len(result.errors) > SHOWN_ERRORS:
                self.stderr.write(f"……共 {len(result.errors)} 处错误")
            self.stderr.write(f"未写入任何数据。标注了错误的文件：{target}")
            sys.exit(1)
        if result.dry_run:
            self.stdout.write(f"仅校验，未写入：{result.row_count} 行")
        elif result.unchanged:
            self.stdout.write(f"该文件已导入过（数据集 #{result.dataset.pk}），未作修改")
        else:
            self.stdout.write(
                f"已导入 {kind.name} {year} 年 {result.row_count} 行（数据集 #{result.dataset.pk}）"
                + (f"；取代此前的 {result.superseded} 份" if result.superseded else "")
            )
        if result.unkeyed:
            self.stdout.write(f"其中 {result.unkeyed} 行没有有效证件号码，只能按姓名等模糊比对")
        links = result.links
        if links is not None:
            linked = sum(links.token_links.values())
            if linked:
                self.stdout.write(f"按令牌匹配到在册人员 {linked} 行")
            if links.possible:
                self.stdout.write(
                    f"可能匹配 {links.possible} 条，待人工确认（数据比对 › 可能匹配）"
                )
            for key_id in links.missing_keys:
                self.stdout.write(
                    f"未持有协议密钥 {key_id}：令牌未比对，密钥放入后运行 jingzhun link_datasets"
                )
        if result.link_error:
            self.stderr.write(f"未能关联在册人员：{result.link_error}")
