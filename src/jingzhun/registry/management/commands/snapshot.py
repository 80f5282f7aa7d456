"""`jingzhun snapshot [DIR] [--area CODE]`: write the registry's base tables as Parquet files
(plus manifest.json) for the DuckDB / Spark engines. Without DIR: publish the shared snapshot
that duckdb / spark assessment runs reuse while the registry has not changed since (e.g. taken
nightly), under JINGZHUN_SNAPSHOT_DIR or the data folder (`registry-snapshot/current`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.areas.models import Area
from jingzhun.core.commands import OperatorCommand
from jingzhun.engine import snapshot
from jingzhun.engine.django import app_backend, app_vendor, registry_state, shared_snapshot_root


class Command(OperatorCommand):
    help = "把登记数据的基础表导出为 Parquet 快照目录（供 DuckDB/Spark 评估）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "directory",
            type=Path,
            nargs="?",
            default=None,
            help="输出目录；省略时更新供评估复用的共享快照",
        )
        parser.add_argument("--area", default="", help="只导出该区划代码下的数据")

    def handle(self, *args: Any, directory: Path | None, area: str, **options: Any) -> None:
        prefix = ""
        if area:
            found = Area.objects.filter(code=area).first()
            if found is None:
                raise CommandError(_("区划代码 {code} 不存在").format(code=area))
            prefix = found.prefix
        started = time.perf_counter()
        manifests: list[dict[str, Any]] = []

        def write(target: Path) -> dict[str, Any]:
            manifests.append(
                snapshot.write_snapshot(
                    app_backend(),
                    target,
                    prefix=prefix,
                    vendor=app_vendor(),
                    data_date=timezone.localdate(),
                    state=registry_state(),
                )
            )
            return manifests[-1]

        if directory is None:
            directory = snapshot.publish(shared_snapshot_root(), write)
        else:
            write(directory)
        manifest = manifests[0]
        seconds = time.perf_counter() - started
        for name, count in manifest["rows"].items():
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(
            _("快照已写入 {path}（{seconds:.1f} 秒）").format(path=directory, seconds=seconds)
        )
