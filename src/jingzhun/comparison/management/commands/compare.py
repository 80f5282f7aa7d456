"""`jingzhun compare --year YEAR [--rules RULESET] [--area CODE] [--rule ID …] [--engine E]`:
evaluate the comparison rules now and print the findings (names masked), per rule: its meaning,
how many, and each finding's sentence. `--engine`: db (the application database), duckdb or
spark (over a snapshot of the comparison's tables; default settings.COMPARISON_ENGINE), the same
findings on each. With --store, as a comparison run whose findings are kept (new, found again,
resolved) in the application database."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jingzhun import areacodes
from jingzhun.core.commands import OperatorCommand
from jingzhun.standards import rules
from jingzhun.standards.errors import StandardError


class Command(OperatorCommand):
    help = "按数据比对规则比对建档立卡数据与部门数据，列出发现的问题（暂不保存）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="比对年度")
        parser.add_argument("--rules", default="national-2016", help="规则集（默认 national-2016）")
        parser.add_argument("--area", default="", help="只比对该区划（代码）")
        parser.add_argument("--rule", action="append", default=[], help="只用该规则（可多次）")
        parser.add_argument("--limit", type=int, default=20, help="每条规则最多列出几条（默认 20）")
        parser.add_argument(
            "--engine",
            choices=["db", "duckdb", "spark"],
            default=None,
            help="计算引擎：db 应用数据库，duckdb 或 spark 读取比对数据快照（默认部署设置）",
        )
        parser.add_argument("--spark-master", default=None, help="Spark master（--engine spark）")
        parser.add_argument(
            "--store",
            action="store_true",
            help="作为一个比对批次执行并保存发现（新发现、再次发现、已消除）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        options["engine"] = options["engine"] or settings.COMPARISON_ENGINE
        if options["spark_master"] and options["engine"] != "spark":
            raise CommandError("--spark-master 只用于 --engine spark")
        if options["engine"] == "spark":
            from jingzhun.engine.connect import spark_available

            if not spark_available():
                raise CommandError("未安装 Spark 引擎：pip install 'jingzhun[spark]'")
        try:
            ruleset = rules.load(options["rules"])
        except StandardError as exc:
            raise CommandError(str(exc)) from None
        unknown = [r for r in options["rule"] if r not in {x.id for x in ruleset.rules}]
        if unknown:
            raise CommandError(f"规则集 {ruleset.id} 中没有规则 {unknown}")
        if options["store"]:
            self._store(ruleset, options)
            return
        prefix = areacodes.prefix(areacodes.pad(options["area"])) if options["area"] else ""
        from jingzhun.comparison.findings import engine_tables, evaluate

        with engine_tables(
            options["engine"],
            prefix,
            {r.dataset for r in ruleset.rules if r.dataset},
            spark_master=options["spark_master"],
        ) as tables:
            findings = evaluate(
                ruleset,
                year=options["year"],
                prefix=prefix,
                only=tuple(options["rule"]),
                tables=tables,
            )
        counts = Counter(f.rule.id for f in findings)
        for rule in ruleset.rules:
            if options["rule"] and rule.id not in options["rule"]:
                continue
            meaning = rules.MEANINGS[rule.meaning][0]
            self.stdout.write(f"{rule.id}\t{rule.label}（{meaning}）：{counts[rule.id]} 条")
            shown = [f for f in findings if f.rule.id == rule.id][: options["limit"]]
            for finding in shown:
                self.stdout.write(f"  {finding.village_code or ''}\t{finding.sentence}")
        self.stdout.write(f"共 {len(findings)} 条")

    def _store(self, ruleset: rules.Ruleset, options: dict[str, Any]) -> None:
        from jingzhun.comparison.runs import create_run, execute_run
        from jingzhun.workbook import SYSTEM

        run = create_run(
            ruleset_id=ruleset.id,
            year=options["year"],
            area_code=options["area"],
            acting_user=SYSTEM,
            engine=options["engine"],
        )
        run = execute_run(run, spark_master=options["spark_master"])
        for rule in ruleset.rules:
            n = run.counts.get(rule.id, {})
            self.stdout.write(
                f"{rule.id}\t{rule.label}：发现 {n.get('found', 0)} 条，其中新增 "
                f"{n.get('new', 0)} 条；已消除 {n.get('resolved', 0)} 条"
            )
        self.stdout.write(f"比对批次 #{run.pk} 已完成")
