"""`jingzhun assess [--standard ID] [--year Y] [--engine db|duckdb|spark] [--spark-master URL]
[--area CODE] [--user NAME]`: run a standard over the registry, store the results and print a
summary."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser
from django.db.models import Count
from django.utils.translation import gettext as _

from jingzhun import rates
from jingzhun.areas.models import Area
from jingzhun.assessment.choices import Engine, Level, Status
from jingzhun.assessment.models import IndicatorResult
from jingzhun.assessment.services import default_engine, default_standard_id, run_assessment
from jingzhun.core.commands import OperatorCommand
from jingzhun.engine.connect import SPARK_MISSING, spark_available
from jingzhun.standards import StandardError

TOP_BLOCKERS = 10


class Command(OperatorCommand):
    help = "按退出标准评估登记数据并保存结果"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--standard", default="", help="标准编号，默认最新的省级标准")
        parser.add_argument("--year", type=int, default=None, help="评估年度，默认标准年度")
        parser.add_argument(
            "--engine",
            default="",
            choices=["", *Engine.values],
            help="计算引擎；默认 JINGZHUN_ASSESSMENT_ENGINE（未设置时为 db）",
        )
        parser.add_argument(
            "--spark-master",
            default="",
            metavar="URL",
            help="Spark 主节点（仅用于 --engine spark），如 spark://host:7077；"
            "默认 JINGZHUN_SPARK_MASTER 或 local[2]",
        )
        parser.add_argument("--area", default="", help="只评估该区划代码下的数据")
        parser.add_argument("--user", default="", help="以该用户身份评估（受其管辖范围限制）")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("用户 {name} 不存在").format(name=options["user"]))
        options["engine"] = options["engine"] or default_engine()
        if options["spark_master"] and options["engine"] != Engine.SPARK:
            raise CommandError(_("--spark-master 只能与 --engine spark 一起使用"))
        if options["engine"] == Engine.SPARK and not spark_available():
            raise CommandError(SPARK_MISSING)
        standard_id = options["standard"] or default_standard_id()
        started = time.perf_counter()
        try:
            run = run_assessment(
                standard_id=standard_id,
                year=options["year"],
                engine=options["engine"],
                area_code=options["area"],
                acting_user=user,
                progress=self.stdout.write,
                spark_master=options["spark_master"] or None,
            )
        except (StandardError, FileNotFoundError, PermissionDenied, Area.DoesNotExist) as error:
            raise CommandError(str(error) or type(error).__name__) from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        if run.status == Status.CANCELLED:
            # Stopped from the page ("停止"): nothing was stored. Not a success for a script.
            raise CommandError(_("评估 #{pk} 已按请求停止，未保存任何结果").format(pk=run.pk))
        if run.status != Status.FINISHED:  # marked failed as abandoned while it ran
            raise CommandError(
                _("评估 #{pk} 未完成：{error}").format(pk=run.pk, error=run.error or run.status)
            )
        summary = _(
            "评估 #{pk}：{standard} {year} 年度，引擎 {engine}，范围 {area}，用时 {seconds} 秒"
        )
        self.stdout.write(
            summary.format(
                pk=run.pk,
                standard=run.standard_id,
                year=run.year,
                engine=run.engine,
                area=run.area_code or _("全部"),
                seconds=f"{time.perf_counter() - started:.2f}",
            )
        )
        for level in Level:
            counts = run.counts.get(level.value, {"entities": 0, "met": 0})
            entities, met = counts["entities"], counts["met"]
            self.stdout.write(
                _("{level}：{entities} 个，达标 {met} 个（{share}%）").format(
                    level=level.label,
                    entities=f"{entities:,}",
                    met=f"{met:,}",
                    share=rates.rate(rates.percent(met, entities) or 0),
                )
            )
        blockers = (
            IndicatorResult.objects.filter(run=run, level=Level.HOUSEHOLD, met=False)
            .values("indicator")
            .annotate(n=Count("id"))
            .order_by("-n", "indicator")[:TOP_BLOCKERS]
        )
        if blockers:
            self.stdout.write(_("户主要未达标指标："))
            for row in blockers:
                self.stdout.write("  {indicator}: {n}".format(**row))
