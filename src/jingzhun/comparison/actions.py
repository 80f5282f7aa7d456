"""What a confirmed (属实) verification task does, each through the service that owns the change:

- a death (a finding on a `deaths` list): the member's removal (自然减员) through the registry's
  services, or, when the person was the household's only member, the household's deregistration
  (销号, reason 家庭成员全部死亡) through the procedures;
- a mismatch the registry should follow (`CORRECTIONS`): the registry field corrected to the
  department's value through the registry's services;
- an omission: the person registered as an applicant household (拟纳入) and proposed in the
  village's entry batch (识别纳入), source 部门预警.

Each closes its task linked to what it did: the procedure, or the audit entry of the registry
change (`VerificationTask.change`), and is audited on the task too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun import masking
from jingzhun.areas.models import Area
from jingzhun.assessment.choices import Level
from jingzhun.assessment.choices import Status as RunStatus
from jingzhun.assessment.models import Verdict
from jingzhun.audit.models import Action, AuditEntry
from jingzhun.procedures import services as procedures
from jingzhun.procedures.flows import Kind, ReasonCategory, Source
from jingzhun.registry import choices as registry_choices
from jingzhun.registry import services as registry
from jingzhun.registry.models import Person

from .choices import TaskStatus
from .models import VerificationTask
from .verification import _audit, _check_scope, cite, deregister

DEATH_KINDS = ("deaths",)


@dataclass(frozen=True)
class Correction:
    """The registry field a mismatch rule names and the value the department's list gives it:
    `value` when the rule fixes it (a 低保 recipient is marked 享受低保), else the finding's
    value of the dataset column `column`."""

    field: str
    value: Any = None
    column: str = ""

    def target(self, values: dict[str, Any]) -> Any:
        return values.get(self.column) if self.column else self.value


# Mismatch rules whose confirmed finding corrects the registry (rule id → correction). The rule
# language has no key for it yet (standards/rules.py refuses unknown keys), so it is kept here.
# Only where the department's list settles the value: a schooling stage, a household kind or a
# disability without its grade still needs the cadre on the household page.
CORRECTIONS: dict[str, Correction] = {
    "dibao_unmarked": Correction("dibao", value=True),
    "insured_unmarked": Correction("medical_insured", value=True),
    "uninsured_marked_insured": Correction("medical_insured", value=False),
    "disability_grade_mismatch": Correction("disability_grade", column="certificate_grade"),
}

# 救助类别 on the dibao/destitute list → the applicant household's kind and member flags.
ASSISTANCE_KINDS = {
    "低保": (registry_choices.Kind.DIBAO, {"dibao": True}),
    "特困": (registry_choices.Kind.DESTITUTE, {"destitute": True}),
}


def _locked(task: VerificationTask, user: Any) -> VerificationTask:
    _check_scope(task, user)
    task = (
        VerificationTask.objects.select_for_update(of=("self",))
        .select_related(
            "finding__dataset_row__dataset",
            "finding__person__household__village",
            "finding__household__village",
        )
        .get(pk=task.pk)
    )
    if task.status != TaskStatus.CONFIRMED:
        raise ValidationError(_("只有核实属实、尚未办结的任务才能据此办理"))
    return task


def is_death(task: VerificationTask) -> bool:
    row = task.finding.dataset_row
    return (
        row is not None and row.dataset.kind in DEATH_KINDS and task.finding.person_id is not None
    )


def correction_of(task: VerificationTask) -> Correction | None:
    finding = task.finding
    if finding.meaning != "mismatch" or finding.person_id is None:
        return None
    return CORRECTIONS.get(finding.rule)


def may_enter(task: VerificationTask) -> bool:
    finding = task.finding
    return finding.meaning == "omission" and finding.dataset_row_id is not None


def exit_verdict(task: VerificationTask) -> Verdict | None:
    """For a confirmed exclusion: the household's latest met verdict of a finished assessment.
    A household that has come to meet the exit standard since its entry (a member took a
    public job later) leaves by the exit procedure, not as wrongly identified."""
    finding = task.finding
    if finding.meaning != "exclusion" or finding.household_id is None:
        return None
    return (
        Verdict.objects.filter(
            level=Level.HOUSEHOLD,
            entity=str(finding.household_id),
            met=True,
            run__status=RunStatus.FINISHED,
        )
        .select_related("run")
        .order_by("-run__year", "-run_id")
        .first()
    )


def _last_change(instance_model: str, pk: int, action: str) -> AuditEntry | None:
    """The audit entry the registry's service just wrote (in this transaction) for the row."""
    return (
        AuditEntry.objects.filter(model=instance_model, object_id=str(pk), action=action)
        .order_by("-pk")
        .first()
    )


def _close(
    task: VerificationTask, user: Any, note: str, changes: dict[str, Any], message: str
) -> VerificationTask:
    task.status, task.closed_note = TaskStatus.CLOSED, note[:300]
    task.save()
    _audit(task, user, changes, message)
    return task


@transaction.atomic
def record_death(task: VerificationTask, *, acting_user: Any) -> VerificationTask:
    """A confirmed death: the member's removal (自然减员) through the registry's services; the
    only member of a household: the household's deregistration (家庭成员全部死亡)."""
    task = _locked(task, acting_user)
    if not is_death(task):
        raise ValidationError(_("该任务不是死亡人员比对问题，或该成员已不在登记中"))
    person = Person.objects.select_related("household__village").get(pk=task.finding.person_id)
    household = person.household
    if not household.members.exclude(pk=person.pk).exists():
        return deregister(task, household, ReasonCategory.DEATH, acting_user)
    name = masking.mask_name(person.name)
    person_pk = person.pk
    registry.delete_person(person, acting_user=acting_user)
    task.change = _last_change("registry.person", person_pk, Action.DELETE)
    return _close(
        task,
        acting_user,
        _("已办理成员减少（自然减员）：{name}").format(name=name),
        {"change": [None, task.change_id]},
        _("据核查任务办理成员减少：{sentence}").format(sentence=task.finding.sentence),
    )


@transaction.atomic
def correct_registry(task: VerificationTask, *, acting_user: Any) -> VerificationTask:
    """A confirmed mismatch: the field the rule names set to the department's value through the
    registry's services (audited there); the task closes linked to that change."""
    task = _locked(task, acting_user)
    correction = correction_of(task)
    if correction is None:
        raise ValidationError(_("该问题没有可据以更正的登记项"))
    person = Person.objects.select_related("household").get(pk=task.finding.person_id)
    value = correction.target(task.finding.values)
    if value is None:
        raise ValidationError(_("部门数据中没有该项的值"))
    changes = registry.update_person(person, {correction.field: value}, acting_user=acting_user)
    if not changes:
        raise ValidationError(_("登记信息已与部门数据一致，无需更正，请直接登记处理结果"))
    task.change = _last_change("registry.person", person.pk, Action.UPDATE)
    label = str(Person._meta.get_field(correction.field).verbose_name)
    return _close(
        task,
        acting_user,
        _("已更正登记信息：{field}").format(field=label),
        {"change": [None, task.change_id]},
        _("据核查任务更正登记信息：{sentence}").format(sentence=task.finding.sentence),
    )


@transaction.atomic
def start_entry(
    task: VerificationTask, *, number: str, main_cause: str, acting_user: Any
) -> VerificationTask:
    """A confirmed omission: the department row's person registered as an applicant household
    (拟纳入, with the number and main cause the cadre gives) and proposed in the village's entry
    batch of this year (source 部门预警, the note citing the task); the entry procedure then runs
    its own steps. Needs the row's raw ID number and a task sent to a village."""
    task = _locked(task, acting_user)
    finding = task.finding
    if not may_enter(task):
        raise ValidationError(_("只有核实属实的“疑似漏评”问题才能据此启动识别纳入程序"))
    row = finding.dataset_row
    if not row.id_number or not row.id_valid:
        raise ValidationError(
            _("部门数据没有有效的身份证号码（或只有令牌），请入户采集后在登记页面新建拟纳入户")
        )
    village = Area.objects.filter(code=task.area_code, level="village").first()
    if village is None:
        raise ValidationError(_("该问题未落到行政村，请由所在村办理"))
    household_kind, flags = ASSISTANCE_KINDS.get(row.category, (registry_choices.Kind.ORDINARY, {}))
    year = timezone.localdate().year
    household = registry.create_household(
        {
            "number": number.strip(),
            "village": village,
            "main_cause": main_cause,
            "entry_year": year,
            "status": registry_choices.Status.APPLICANT,
            "kind": household_kind,
        },
        [{"name": row.name, "id_number": row.id_number, "relation": "head", **flags}],
        acting_user=acting_user,
    )
    task.change = _last_change("registry.household", household.pk, Action.CREATE)
    batch = procedures.open_batch(Kind.ENTRY, village, year, acting_user=acting_user)
    (procedure,) = procedures.propose(
        batch,
        [
            procedures.Proposal(
                household=household,
                reason=ReasonCategory.BELOW_LINE,
                evidence={
                    "date": task.checked_on.isoformat(),
                    "source": Source.ALERT,
                    "note": cite(task)[:500],
                },
            )
        ],
        acting_user=acting_user,
    )
    task.procedure = procedure
    return _close(
        task,
        acting_user,
        _("已登记为拟纳入户 {number} 并启动识别纳入程序（{batch}）").format(
            number=household.number, batch=batch.title
        ),
        {"procedure": [None, procedure.pk], "change": [None, task.change_id]},
        _("据核查任务启动识别纳入：{sentence}").format(sentence=finding.sentence),
    )


@transaction.atomic
def start_exit(task: VerificationTask, *, acting_user: Any) -> VerificationTask:
    """A confirmed exclusion of a household that meets the exit standard: propose it in its
    village's exit batch of the verdict's year, citing the verdict and the task."""
    task = _locked(task, acting_user)
    verdict = exit_verdict(task)
    if verdict is None:
        raise ValidationError(
            _("该户没有达到退出标准的评估结论，不能启动退出程序；错评的请启动销号程序")
        )
    household = task.finding.household
    batch = procedures.open_batch(
        Kind.EXIT, household.village, verdict.run.year, acting_user=acting_user
    )
    (procedure,) = procedures.propose(
        batch,
        [
            procedures.Proposal(
                household=household, evidence={"verdict": verdict.pk, "note": cite(task)[:500]}
            )
        ],
        acting_user=acting_user,
    )
    task.procedure = procedure
    return _close(
        task,
        acting_user,
        _("已启动退出程序（{batch}）").format(batch=batch.title),
        {"procedure": [None, procedure.pk]},
        _("据核查任务启动退出：{sentence}").format(sentence=task.finding.sentence),
    )
