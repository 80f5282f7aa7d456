"""`jingzhun prune_runs [--keep N] [--dry-run]`: delete old assessment runs with their rows,
keeping per (standard, year, area) the N newest finished runs (default JINGZHUN_KEEP_RUNS);
failed and cancelled runs over a day old go too. Runs cited by a procedure are kept."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from jingzhun.assessment.models import AssessmentRun
from jingzhun.assessment.services import prune_runs
from jingzhun.core.commands import OperatorCommand


def describe(run: AssessmentRun) -> str:
    """One line per run: number, standard, year, area, status, start."""
    return _("  #{pk} {standard} {year} 年度 范围 {area} {status} {started}").format(
        pk=run.pk,
        standard=run.standard_id,
        year=run.year,
        area=run.area_code or _("全部"),
        status=run.get_status_display(),
        started=run.started.strftime("%Y-%m-%d %H:%M"),
    )


class Command(OperatorCommand):
    help = "清理旧的评估运行及其结果（每组保留最近 N 次已完成的评估）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="每组（标准、年度、范围）保留最近几次已完成的评估，默认 JINGZHUN_KEEP_RUNS",
        )
        parser.add_argument("--dry-run", action="store_true", help="只列出将删除的评估，不删除")

    def handle(self, *args: Any, **options: Any) -> None:
        keep = options["keep"] if options["keep"] is not None else settings.KEEP_RUNS
        if keep < 1:
            raise CommandError(
                _("请用 --keep 指定每组保留的评估次数（至少 1），或设置 JINGZHUN_KEEP_RUNS")
            )
        dry_run = options["dry_run"]
        pruned = prune_runs(keep, dry_run=dry_run)
        if pruned.deleted:
            header = _("将删除 {n} 次评估：") if dry_run else _("已删除 {n} 次评估：")
            self.stdout.write(header.format(n=len(pruned.deleted)))
        for run in pruned.deleted:
            self.stdout.write(describe(run))
        if pruned.cited:
            self.stdout.write(
                _("保留 {n} 次被办理程序引用的评估（不删除）：").format(n=len(pruned.cited))
            )
            for run in pruned.cited:
                self.stdout.write(describe(run))
        if not pruned.deleted:
            self.stdout.write(_("没有需要删除的评估（每组保留 {keep} 次）").format(keep=keep))
        elif dry_run:
            self.stdout.write(_("试运行：未删除任何评估"))
