"""`jingzhun snapshot DIR [--area CODE]`: write the registry's base tables as Parquet files
(plus manifest.json) for the DuckDB / Spark engines."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.areas.models import Area
from jingzhun.engine.django import app_backend, app_vendor
from jingzhun.engine.snapshot import write_snapshot


class Command(BaseCommand):
    help = "把登记数据的基础表导出为 Parquet 快照目录(供 DuckDB/Spark 评估)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--area", default="", help="只导出该区划代码下的数据")

    def handle(self, *args: Any, directory: Path, area: str, **options: Any) -> None:
        prefix = ""
        if area:
            found = Area.objects.filter(code=area).first()
            if found is None:
                raise CommandError(_("区划代码 {code} 不存在").format(code=area))
            prefix = found.prefix
        started = time.perf_counter()
        manifest = write_snapshot(
            app_backend(),
            directory,
            prefix=prefix,
            vendor=app_vendor(),
            data_date=timezone.localdate(),
        )
        seconds = time.perf_counter() - started
        for name, count in manifest["rows"].items():
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(
            _("快照已写入 {path}({seconds:.1f} 秒)").format(path=directory, seconds=seconds)
        )
