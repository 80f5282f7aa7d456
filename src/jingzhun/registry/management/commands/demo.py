"""`jingzhun demo`: build the synthetic 泸西县 demo (or a province-sized registry) and serve it."""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from jingzhun.registry.choices import Status
from jingzhun.registry.demo import (
    DEMO_COUNTY,
    REFERENCE_DATE,
    build_demo,
    build_province,
    create_demo_users,
    demo_exists,
    ensure_migrated,
    serve,
    summary,
)


class Command(BaseCommand):
    help = _("生成演示县（云南省红河州泸西县）的模拟建档立卡数据并启动服务")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2018, help=_("随机种子（可重现）"))
        parser.add_argument(
            "--scale", type=float, default=1.0, help=_("人数比例（1 = 约1.64万贫困人口）")
        )
        parser.add_argument(
            "--persons", type=int, help=_("生成约N人的全省规模数据（基准测试用），例如 1000000")
        )
        parser.add_argument("--reset", action="store_true", help=_("清空整个数据库后重建"))
        parser.add_argument("--no-serve", action="store_true", help=_("只生成数据，不启动服务"))
        parser.add_argument("--port", type=int, default=8000, help=_("服务端口（127.0.0.1）"))

    def handle(self, *args: Any, **options: Any) -> None:
        if ensure_migrated():
            self.stdout.write(_("数据库已迁移 / database migrated"))
        if options["reset"]:
            # The whole database: other apps' rows point at households and areas.
            call_command("flush", interactive=False, verbosity=0)
            self.stdout.write(_("已清空数据库 / database flushed"))

        if demo_exists():
            self.stdout.write(
                _("演示数据已存在，直接使用（重建请加 --reset） / demo data found, reusing it")
            )
        elif options["persons"]:
            result = build_province(
                options["persons"], seed=options["seed"], progress=self.stdout.write
            )
            self.stdout.write(
                _("已生成 {counties} 个县 {persons:,} 人，用时 {seconds} 秒").format(**result)
            )
            self.stdout.write(
                "Built {counties} counties, {persons:,} persons in {seconds} s".format(**result)
            )
        else:
            started = time.perf_counter()
            build_demo(options["scale"], seed=options["seed"])
            self.stdout.write(
                _("演示数据已生成，用时 {:.1f} 秒 / demo built in {:.1f} s").format(
                    time.perf_counter() - started, time.perf_counter() - started
                )
            )
            self._load_datasets(options["seed"])
            self._assess()
        self._print_summary()
        self._print_logins(options["port"])
        if not options["no_serve"]:
            serve(options["port"])

    def _load_datasets(self, seed: int) -> None:
        """Department files of the demo county (deaths, payroll, vehicles …) with hits and near
        misses, so `jingzhun compare` and the comparison pages show real cases."""
        from jingzhun.comparison.demo import load_demo_datasets

        started = time.perf_counter()
        loaded = load_demo_datasets(DEMO_COUNTY, REFERENCE_DATE.year, seed=seed)
        seconds = time.perf_counter() - started
        total = sum(loaded.values())
        kinds = ", ".join(f"{kind} {rows:,}" for kind, rows in loaded.items())
        self.stdout.write(
            _(
                "已载入演示部门数据 {total:,} 行，用时 {seconds:.1f} 秒 / "
                "department data: {total:,} rows in {seconds:.1f} s"
            ).format(total=total, seconds=seconds)
            + f" ({kinds}); jingzhun compare --year {REFERENCE_DATE.year}"
        )
        self._compare()

    def _compare(self) -> None:
        """A first comparison run over the department files: findings and verification tasks,
        so the 数据比对 pages and the village's 核查任务 have real cases on first login."""
        from jingzhun.comparison.runs import create_run, execute_run
        from jingzhun.workbook import SYSTEM

        started = time.perf_counter()
        run = execute_run(
            create_run(
                ruleset_id="national-2016",
                year=REFERENCE_DATE.year,
                area_code=DEMO_COUNTY,
                acting_user=SYSTEM,
            )
        )
        found = sum(n["found"] for n in run.counts.values())
        self.stdout.write(
            _(
                "数据比对：{found:,} 条发现，用时 {seconds:.1f} 秒 / comparison: {found:,} findings"
            ).format(found=found, seconds=time.perf_counter() - started)
        )

    def _assess(self) -> None:
        """A first stored assessment, so the reports have something to show on first login."""
        from jingzhun.assessment.services import default_standard_id, run_assessment

        started = time.perf_counter()
        run = run_assessment(standard_id=default_standard_id())
        households = run.counts["household"]
        self.stdout.write(
            _("已按 {standard} 评估：{met} / {entities} 户达标，用时 {seconds:.1f} 秒").format(
                standard=run.standard_id,
                met=households["met"],
                entities=households["entities"],
                seconds=time.perf_counter() - started,
            )
        )
        from jingzhun.procedures.demo import seed

        seeded = seed(run)
        if seeded:
            self.stdout.write(
                _("已建立演示退出批次「{batch}」，公示页 /notices/{token}/").format(
                    batch=seeded["batch"].title, token=seeded["notice"].token
                )
            )

    def _print_summary(self) -> None:
        data = summary(DEMO_COUNTY)
        write = self.stdout.write
        write(_("泸西县 / Luxi county ({})").format(DEMO_COUNTY))
        write(
            _(
                "  行政村 {villages} 个，其中贫困村 {poor} 个"
                "（已出列 {exited} 个，计划 2018 年出列 {planned} 个）"
            ).format(**data)
            + " / villages {villages}, poor {poor}, exited {exited}, planned {planned}".format(
                **data
            )
        )
        write(_("  农村户籍人口 / rural population: {:,}").format(data["rural_population"] or 0))
        for status, households in sorted(data["households"].items()):
            write(
                "  {} {:<13} {:>7,} {} {:>8,} {}".format(
                    Status(status).label,
                    status,
                    households,
                    _("户"),
                    data["persons"].get(status, 0),
                    _("人"),
                )
            )
        write(
            _("  贫困发生率 / poverty incidence: {}% ({:,} 人 / persons)").format(
                data["incidence_percent"], data["poor_persons"]
            )
        )

    def _print_logins(self, port: int) -> None:
        write = self.stdout.write
        write("")
        write(_("登录账号 / Logins (http://127.0.0.1:{}/):").format(port))
        for username, password, role, area in create_demo_users():
            write(
                _("  用户名 / username: {:<9} 密码 / password: {}  ({}, {})").format(
                    username, password, role, area
                )
            )
