"""`jingzhun link_datasets [--area CODE] [--dataset ID ...]`: link the current department
datasets to the registry again — token links with the agreement keys held
(`JINGZHUN_AGREEMENT_KEYS_DIR`), possible fuzzy links for rows without a valid number. Run it
after the registry changed or a key file was put in place; a load links its own file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from jingzhun import areacodes
from jingzhun.core.commands import OperatorCommand


class Command(OperatorCommand):
    help = "部门数据与建档立卡人员重新匹配（令牌匹配、按姓名出生日期的可能匹配）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", default="", help="只匹配为该区划（或其下级）导入的数据")
        parser.add_argument("--dataset", type=int, nargs="*", default=[], help="数据集编号")

    def handle(self, *args: Any, **options: Any) -> None:
        from jingzhun.comparison.linkage.keys import KeyFileError
        from jingzhun.comparison.linkage.linking import link_datasets
        from jingzhun.comparison.models import Dataset

        datasets = Dataset.objects.filter(current=True).order_by("pk")
        if options["area"]:
            prefix = areacodes.prefix(areacodes.pad(options["area"]))
            datasets = datasets.filter(area_id__startswith=prefix)
        if options["dataset"]:
            datasets = Dataset.objects.filter(pk__in=options["dataset"]).order_by("pk")
        try:
            summary = link_datasets(datasets)
        except KeyFileError as exc:
            raise CommandError(str(exc)) from None
        for dataset_id, rows in summary.token_links.items():
            self.stdout.write(f"数据集 #{dataset_id}：令牌匹配 {rows} 行")
        for key_id in summary.missing_keys:
            self.stderr.write(f"未持有密钥 {key_id}：其令牌化数据未能匹配（见 docs/tokenize.md）")
        self.stdout.write(f"可能匹配（待确认）{summary.possible} 对")
