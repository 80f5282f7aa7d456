"""Verification tasks (核查任务): every new finding is sent to its village to check on site by a
deadline set by its severity; the check is recorded (属实 / 不属实, what was found, when, who); a
不属实 needs a second person at township level to agree; a 属实 stays open until its action is
recorded. Every change is audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun import areacodes
from jingzhun.areas.models import Area
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.procedures import services as procedures
from jingzhun.procedures.flows import Kind, ReasonCategory
from jingzhun.registry.models import Household

from .choices import DUE_DAYS, OPEN_TASKS, CheckResult, FindingStatus, TaskStatus
from .models import ComparisonRun, Finding, VerificationTask

TOWNSHIP_PREFIX = 9  # a user whose scope is a township or wider may agree to a 不属实


def assign_new(run: ComparisonRun) -> int:
    """A task for every finding this run found first: INSERT … SELECT inside the database (one
    statement per deadline; 172 k tasks of a first run at 3.5 M persons never become Python
    rows). The number of tasks made."""
    today = timezone.localdate()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    task, finding = VerificationTask._meta.db_table, Finding._meta.db_table
    columns = (
        "finding_id", "area_code", "due", "status", "result", "note", "review_note",
        "closed_note", "created", "updated",
    )  # fmt: skip
    made = 0
    severities = [*DUE_DAYS, None]  # None: any other severity, 30 days
    with connection.cursor() as cursor:
        for severity in severities:
            due = today + datetime.timedelta(days=DUE_DAYS.get(severity, 30))
            if severity is None:
                which, chosen = (
                    "NOT IN ({})".format(", ".join(["%s"] * len(DUE_DAYS))),
                    list(DUE_DAYS),
                )
            else:
                which, chosen = "= %s", [severity]
            cursor.execute(
                f"INSERT INTO {task} ({', '.join(columns)}) "  # noqa: S608 - names from model meta
                f"SELECT f.id, f.area_code, %s, %s, '', '', '', '', %s, %s FROM {finding} f "
                # Found first by this run: written just now, no task yet (and no anti-join,
                # which the planner misjudged on a freshly analysed empty table: 25 s).
                f"WHERE f.first_run_id = %s AND f.severity {which}",
                [
                    connection.ops.adapt_datefield_value(due),
                    TaskStatus.ASSIGNED,
                    now,
                    now,
                    run.pk,
                    *chosen,
                ],
            )
            made += cursor.rowcount
    return made


def close_gone(finding_ids: list[int]) -> int:
    """Close the open tasks of findings whose cause disappeared."""
    note = _("原因已消除（比对不再发现）")
    return VerificationTask.objects.filter(
        finding_id__in=finding_ids, status__in=OPEN_TASKS
    ).update(status=TaskStatus.CLOSED, closed_note=note, updated=timezone.now())


def _locked(task: VerificationTask, related: str = "finding") -> VerificationTask:
    """The task as it is now, locked for the rest of the transaction (a second user acting on
    it at the same time waits, then sees what the first did)."""
    return (
        VerificationTask.objects.select_for_update(of=("self",))
        .select_related(related)
        .get(pk=task.pk)
    )


def _check_scope(task: VerificationTask, user: Any) -> None:
    scope = user.scope_prefix() if user is not None else None
    if not user.can_edit() or scope is None or not task.area_code.startswith(scope):
        raise PermissionDenied(_("您没有处理该核查任务的权限"))


def _audit(task: VerificationTask, user: Any, changes: dict[str, Any], message: str) -> None:
    audit.record(
        actor=user if getattr(user, "pk", None) else None,
        action=Action.UPDATE,
        instance=task,
        model="comparison.verificationtask",
        object_repr=str(task),
        changes=changes,
        household_id=task.finding.household_id,
        area_code=task.area_code,
        message=message[:300],
    )


@transaction.atomic
def record_check(
    task: VerificationTask, *, result: str, note: str, checked_on: datetime.date, acting_user: Any
) -> VerificationTask:
    """The on-site check: 属实 → awaits its action; 不属实 → awaits township agreement."""
    _check_scope(task, acting_user)
    task = _locked(task)
    if task.status != TaskStatus.ASSIGNED:
        raise ValidationError(_("该任务已核查，不能重复录入"))
    if result not in CheckResult.values:
        raise ValidationError({"result": [_("请选择核查结果")]})
    if not note.strip():
        raise ValidationError({"note": [_("请填写核查情况")]})
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": [_("核查日期不能晚于今天")]})
    task.result, task.note, task.checked_on = result, note.strip(), checked_on
    task.checked_by = acting_user
    if result == CheckResult.CONFIRMED:
        task.status = TaskStatus.CONFIRMED
        Finding.objects.filter(pk=task.finding_id).update(status=FindingStatus.CONFIRMED)
    else:
        task.status = TaskStatus.REVIEW
    task.save()
    _audit(
        task,
        acting_user,
        {"result": [None, result], "checked_on": [None, checked_on.isoformat()]},
        _("核查：{sentence}（{result}）").format(
            sentence=task.finding.sentence, result=CheckResult(result).label
        ),
    )
    return task


@transaction.atomic
def review(task: VerificationTask, *, agree: bool, note: str, acting_user: Any) -> VerificationTask:
    """A township (or county) user other than the checker agrees to a 不属实 (the finding is
    dismissed) or sends it back to be checked again."""
    _check_scope(task, acting_user)
    scope = acting_user.scope_prefix() or ""
    if len(scope) > TOWNSHIP_PREFIX:
        raise PermissionDenied(_("核查不属实须由乡镇或县级人员复核"))
    task = _locked(task)
    if task.status != TaskStatus.REVIEW:
        raise ValidationError(_("该任务不在待复核状态"))
    if task.checked_by_id == getattr(acting_user, "pk", None):
        raise PermissionDenied(_("复核人不能是核查人本人"))
    if not note.strip():
        raise ValidationError({"review_note": [_("请填写复核意见")]})
    task.reviewed_by, task.reviewed_on = acting_user, timezone.localdate()
    task.review_note = note.strip()
    if agree:
        task.status, task.closed_note = TaskStatus.CLOSED, _("核实不属实，乡镇复核同意")
        Finding.objects.filter(pk=task.finding_id).update(status=FindingStatus.DISMISSED)
    else:
        task.status, task.result, task.checked_on = TaskStatus.ASSIGNED, "", None
    task.save()
    _audit(
        task,
        acting_user,
        {"review": [None, "agree" if agree else "returned"]},
        _("复核：{sentence}（{verdict}）").format(
            sentence=task.finding.sentence, verdict=_("同意") if agree else _("退回重新核查")
        ),
    )
    return task


@transaction.atomic
def close_confirmed(task: VerificationTask, *, note: str, acting_user: Any) -> VerificationTask:
    """Record what was done about a 属实 finding (a procedure started, the registry corrected)."""
    _check_scope(task, acting_user)
    task = _locked(task)
    if task.status != TaskStatus.CONFIRMED:
        raise ValidationError(_("只有核实属实的任务才能登记处理结果"))
    if not note.strip():
        raise ValidationError({"closed_note": [_("请填写处理情况")]})
    task.status, task.closed_note = TaskStatus.CLOSED, note.strip()[:300]
    task.save()
    _audit(
        task,
        acting_user,
        {"closed_note": [None, task.closed_note]},
        _("处理：{sentence}（{note}）").format(
            sentence=task.finding.sentence, note=task.closed_note
        ),
    )
    return task


def villages_below(task: VerificationTask, user: Any) -> list[Area]:
    """The villages a task not yet checked may be handed down to: those under its area (a
    county or township: a list loaded without villages) within the user's scope; none for a
    task already at a village."""
    if areacodes.level_of(task.area_code) == "village":
        return []
    scope = user.scope_prefix() if user is not None else None
    if scope is None or not task.area_code.startswith(scope):
        return []
    villages = Area.objects.filter(
        level="village", code__startswith=areacodes.prefix(task.area_code)
    ).filter(code__startswith=scope)
    return list(villages.order_by("code"))


@transaction.atomic
def hand_down(task: VerificationTask, *, village_code: str, acting_user: Any) -> VerificationTask:
    """转派: a task found at a county or township (an omission on a list without villages) is
    sent to one of its villages to check on site; the task and its finding are then the
    village's (its list, its report row). Only before the check; audited with both areas."""
    _check_scope(task, acting_user)
    task = _locked(task)
    if task.status != TaskStatus.ASSIGNED:
        raise ValidationError(_("只有尚未核查的任务才能转派"))
    if village_code not in {v.code for v in villages_below(task, acting_user)}:
        raise ValidationError(
            {"village": [_("请选择本任务所在区划下、您管辖范围内的村：{code} 不可选").format(
                code=village_code)]}
        )  # fmt: skip
    before = task.area_code
    task.area_code = village_code
    task.save(update_fields=["area_code", "updated"])
    Finding.objects.filter(pk=task.finding_id).update(
        area_code=village_code, updated=timezone.now()
    )
    _audit(
        task,
        acting_user,
        {"area_code": [before, village_code]},
        _("转派核查任务到村 {village}：{sentence}").format(
            village=village_code, sentence=task.finding.sentence
        ),
    )
    return task


def cite(task: VerificationTask) -> str:
    """How a procedure cites the task: its number, the finding and the check."""
    return _("数据比对核查属实（核查任务 #{task}）：{sentence}；核查情况：{check}").format(
        task=task.pk, sentence=task.finding.sentence, check=task.note
    )


def deregister(
    task: VerificationTask, household: Household, reason: str, acting_user: Any
) -> VerificationTask:
    """Propose `household` for 销号 for `reason` in its village's batch of this year, citing the
    task, and close the (locked, confirmed) task linked to the procedure."""
    batch = procedures.open_batch(
        Kind.DEREGISTRATION, household.village, timezone.localdate().year, acting_user=acting_user
    )
    (procedure,) = procedures.propose(
        batch,
        [
            procedures.Proposal(
                household=household,
                reason=reason,
                evidence={"date": task.checked_on.isoformat(), "note": cite(task)[:500]},
            )
        ],
        acting_user=acting_user,
    )
    task.status, task.procedure = TaskStatus.CLOSED, procedure
    task.closed_note = _("已启动销号程序（{batch}）").format(batch=batch.title)[:300]
    task.save()
    _audit(
        task,
        acting_user,
        {"procedure": [None, procedure.pk]},
        _("据核查任务启动销号：{sentence}").format(sentence=task.finding.sentence),
    )
    return task


@transaction.atomic
def start_deregistration(task: VerificationTask, *, acting_user: Any) -> VerificationTask:
    """A confirmed exclusion of a registered household: propose it for 销号 (reason 识别不准)
    in its village's batch of this year, citing the finding and the check, and close the task
    with the procedure linked. The procedure then runs its own steps (review, notice, approval)."""
    _check_scope(task, acting_user)
    task = _locked(task, "finding__household__village")
    finding = task.finding
    if task.status != TaskStatus.CONFIRMED or finding.meaning != "exclusion":
        raise ValidationError(_("只有核实属实的“不符合条件”问题才能据此启动销号程序"))
    if finding.household is None:
        raise ValidationError(_("该问题没有对应的建档立卡户"))
    return deregister(task, finding.household, ReasonCategory.WRONG, acting_user)
