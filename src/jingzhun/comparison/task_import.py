"""The task list filled in the field and uploaded back (an import job of kind
"comparison.tasks"): per row 任务编号, 核查结果 (属实 / 不属实), 核查情况 (or 核查说明) and
核查日期.

Every row is checked first (row, column and the bad value named); if any is bad nothing is
written. Rows left without a 核查结果 are skipped; a row that repeats the check a task already
holds is unchanged, so uploading the same file again changes nothing. The checks are then
recorded through `verification.record_check` as the uploader (each audited), in one
transaction, with one audit entry for the upload."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.workbook import RowError, SheetCounts, cells
from jingzhun.workbook.cells import CellError
from jingzhun.workbook.progress import CHECKING, WRITING, Progress

from . import verification
from .choices import CheckResult, TaskStatus
from .models import VerificationTask
from .reading import Unreadable, read_table

TASK, RESULT, NOTE, DATE = "任务编号", "核查结果", "核查情况", "核查日期"
NOTE_ALIASES = ("核查情况", "核查说明")
# What a cadre may type in 核查结果 besides the labels of the page's language.
RESULT_WORDS = {"属实": CheckResult.CONFIRMED, "不属实": CheckResult.NOT_CONFIRMED}


@dataclass
class TaskImportResult:
    """What an import job shows: the errors, or how many checks were recorded."""

    errors: list[RowError] = field(default_factory=list)
    recorded: int = 0
    unchanged: int = 0
    batch: uuid.UUID | None = None
    dry_run: bool = False

    @property
    def counts(self) -> dict[str, SheetCounts]:
        return {_("核查任务"): SheetCounts(updated=self.recorded, unchanged=self.unchanged)}


@dataclass(frozen=True)
class Check:
    row: int
    task_id: int
    result: str
    note: str
    checked_on: datetime.date


def _result(value: Any) -> str:
    word = cells.text(value)
    lookup = {**RESULT_WORDS, **{str(label): v for v, label in CheckResult.choices}}
    lookup.update({v: v for v in CheckResult.values})
    if word not in lookup:
        raise CellError(
            _("应为「属实」或「不属实」，实际为「{value}」").format(value=cells.shown(word))
        )
    return lookup[word]


def _read_row(
    number: int, values: list, at: dict[str, int], note_header: str, sheet: str
) -> tuple[Check | None, list[RowError]]:
    """One filled row as a check, or its errors (every bad cell named)."""

    def cell(column: str) -> Any:
        index = at[column]
        return values[index] if index < len(values) else None

    problems: list[RowError] = []

    def bad(column: str, message: str) -> None:
        problems.append(RowError(sheet, number, column, message))

    task_id = result = checked_on = None
    try:
        task_id = cells.parse_int(cell(TASK))
    except CellError as exc:
        bad(TASK, str(exc))
    try:
        result = _result(cell(RESULT))
    except CellError as exc:
        bad(RESULT, str(exc))
    note = "" if cells.is_blank(cell(note_header)) else cells.text(cell(note_header))
    if not note:
        bad(note_header, _("请填写核查情况"))
    if cells.is_blank(cell(DATE)):
        bad(DATE, _("请填写核查日期"))
    else:
        try:
            checked_on = cells.parse_date(cell(DATE))
        except CellError as exc:
            bad(DATE, str(exc))
        if checked_on is not None and checked_on > timezone.localdate():
            bad(DATE, _("核查日期不能晚于今天，实际为「{value}」").format(value=checked_on))
    if problems:
        return None, problems
    return Check(number, task_id, result, note, checked_on), []


def read_checks(content: bytes, name: str, sheet: str) -> tuple[list[Check], list[RowError]]:
    """The filled rows of the file and the errors of its cells (row, column, value); a task
    named twice is an error."""
    try:
        header, rows = read_table(content, name)
    except Unreadable as exc:
        return [], [RowError(sheet, 1, "", str(exc))]
    note_header = next((h for h in NOTE_ALIASES if h in header), NOTE)
    missing = [h for h in (TASK, RESULT, note_header, DATE) if h not in header]
    if missing:
        message = _("缺少列：{columns}").format(columns="、".join(missing))
        return [], [RowError(sheet, 1, missing[0], message)]
    at = {h: header.index(h) for h in (TASK, RESULT, note_header, DATE)}
    checks: list[Check] = []
    errors: list[RowError] = []
    seen: dict[int, int] = {}
    for number, values in rows:
        if cells.is_blank(values[at[RESULT]] if at[RESULT] < len(values) else None):
            continue  # not checked yet: the task stays as it is
        check, problems = _read_row(number, values, at, note_header, sheet)
        errors.extend(problems)
        if check is None:
            continue
        if check.task_id in seen:
            message = _("任务 {task} 与第{row}行重复").format(
                task=check.task_id, row=seen[check.task_id]
            )
            errors.append(RowError(sheet, number, TASK, message))
            continue
        seen[check.task_id] = number
        checks.append(check)
    return checks, errors


def import_checks(
    content: bytes,
    *,
    name: str,
    acting_user: Any,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> TaskImportResult:
    """Check every row, then (unless `dry_run` or any error) record the checks."""
    sheet = _("核查任务")
    result = TaskImportResult(dry_run=dry_run)
    if acting_user is None or not acting_user.can_edit():
        raise PermissionDenied(_("您没有处理核查任务的权限"))
    checks, result.errors = read_checks(content, name, sheet)
    # One query for every task the file names, through the user's scope.
    tasks = {
        t.pk: t
        for t in VerificationTask.objects.visible_to(acting_user).filter(
            pk__in=[c.task_id for c in checks]
        )
    }
    todo: list[Check] = []
    for check in checks:
        task = tasks.get(check.task_id)
        if task is None:
            message = _("找不到任务 {task}，或不在您的管辖范围内").format(task=check.task_id)
            result.errors.append(RowError(sheet, check.row, TASK, message))
        elif task.status == TaskStatus.ASSIGNED:
            todo.append(check)
        elif (task.result, task.checked_on) == (check.result, check.checked_on):
            result.unchanged += 1  # this check is already recorded (the same file again)
        else:
            message = _("任务 {task} 已核查（{status}），不能重复录入").format(
                task=task.pk, status=task.get_status_display()
            )
            result.errors.append(RowError(sheet, check.row, RESULT, message))
    result.errors.sort(key=lambda e: e.row)
    if result.errors or not todo:
        return result
    if dry_run:
        result.recorded = len(todo)  # what a real upload would record
        return result
    if progress is not None:
        progress(WRITING)
    batch = uuid.uuid4()
    try:
        with transaction.atomic():
            for check in todo:
                try:
                    verification.record_check(
                        tasks[check.task_id],
                        result=check.result,
                        note=check.note,
                        checked_on=check.checked_on,
                        acting_user=acting_user,
                    )
                except (ValidationError, PermissionDenied) as exc:
                    # Someone checked it after the file was read: nothing of the file is kept.
                    message = " ".join(getattr(exc, "messages", [str(exc)]))
                    result.errors.append(RowError(sheet, check.row, RESULT, message))
                    raise
            audit.record(
                actor=acting_user,
                action=Action.IMPORT,
                model="comparison.verificationtask",
                batch=batch,
                area_code=acting_user.area_id or "",
                changes={"file": name, "recorded": len(todo)},
                message=_("导入核查结果 {count} 条（{file}）").format(count=len(todo), file=name),
            )
    except (ValidationError, PermissionDenied):
        return result
    result.recorded, result.batch = len(todo), batch
    return result


def run(
    path: str, *, name: str, acting_user: Any, parameters: dict[str, Any], progress: Progress
) -> TaskImportResult:
    """The import job's runner (`imports.kinds`): the uploaded task list at `path`."""
    progress(CHECKING)
    return import_checks(
        Path(path).read_bytes(),
        name=name,
        acting_user=acting_user,
        dry_run=bool(parameters.get("dry_run")),
        progress=progress,
    )
