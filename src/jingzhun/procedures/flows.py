"""The procedures as data: per kind, the ordered steps, and per step the role and area level that
may take it, the evidence it requires and whether it is a checker's step (separation of duties).

A procedure's `state` is the id of the last step taken (or a closing state); the next step is the
one after it in its flow. Nothing else moves a procedure: `services.take_step` refuses any step
that is not the next one, so no step can be skipped from a page, the API or the shell.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jingzhun.accounts.choices import Role
from jingzhun.registry.choices import Status


class Kind(models.TextChoices):
    ENTRY = "entry", _("贫困户识别纳入")
    EXIT = "exit", _("贫困户退出")
    RELAPSE = "relapse", _("返贫纳入")
    # Same Chinese word as the status 销号 (deregistered); English tells them apart.
    DEREGISTRATION = "deregistration", pgettext_lazy("procedure kind", "销号")
    VILLAGE_EXIT = "village_exit", _("贫困村出列")


class StepId(models.TextChoices):
    PROPOSAL = "proposal", _("提出")
    VILLAGE_REVIEW = "village_review", _("民主评议")
    VERIFICATION = "verification", _("入户核实")
    CONSENT = "consent", _("本人认可")
    NOTICE = "notice", _("公示")
    TOWNSHIP_REVIEW = "township_review", _("乡镇审核")
    COUNTY_APPROVAL = "county_approval", _("县级审定")
    ANNOUNCEMENT = "announcement", _("公告")


class Closed(models.TextChoices):
    """States that end a procedure without its change (ANNOUNCEMENT ends it with the change)."""

    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")
    REMOVED = "removed", _("因异议移出")
    STOPPED = "stopped", _("审定时不达标，已中止")


STATE_CHOICES = [(s.value, s.label) for s in StepId] + [(s.value, s.label) for s in Closed]
OPEN_STATES = [s.value for s in StepId if s != StepId.ANNOUNCEMENT]


class ReasonCategory(models.TextChoices):
    """What a public notice may say about why (never an income figure or a health detail)."""

    MEETS_STANDARD = "meets_standard", _("达到脱贫标准")
    BELOW_LINE = "below_line", _("符合识别标准")
    RELAPSED = "relapsed", _("返贫致贫")
    DEATH = "death", _("家庭成员全部死亡")
    MOVED = "moved", _("全户迁出")
    WRONG = "wrong", _("识别不准（错评）")
    VILLAGE_MEETS = "village_meets", _("达到贫困村出列标准")


class Source(models.TextChoices):
    APPLICATION = "application", _("农户申请")
    SURVEY = "survey", _("入户摸排")
    VISIT = "visit", _("干部走访")
    ALERT = "alert", _("部门预警")


@dataclass(frozen=True)
class Field:
    """One piece of evidence. kind: date | int | text | choice | verdict (an assessment verdict
    id). `choices` for kind choice."""

    name: str
    label: str
    kind: str
    required: bool = True
    choices: type[models.TextChoices] | None = None


@dataclass(frozen=True)
class Step:
    id: str
    role: str
    level: str  # the area level of the acting user
    evidence: tuple[Field, ...]
    # A checker's step: nobody who took an earlier step of the same procedure may take it.
    checker: bool = False


DATE = Field("date", _("日期"), "date")
NOTE = Field("note", _("说明"), "text", required=False)

V, T, C = Role.VILLAGE_OPERATOR, Role.TOWNSHIP_OPERATOR, Role.COUNTY_ADMIN

VILLAGE_REVIEW = Step(
    StepId.VILLAGE_REVIEW,
    V,
    "village",
    (
        Field("date", _("评议会日期"), "date"),
        Field("attendance", _("参会人数"), "int"),
        Field("votes_for", _("赞成票"), "int"),
        Field("votes_against", _("反对票"), "int"),
        NOTE,
    ),
)
VERIFICATION = Step(
    StepId.VERIFICATION,
    V,
    "village",
    (
        Field("date", _("核实日期"), "date"),
        Field("verifiers", _("核实人员"), "text"),
        Field("note", _("核实情况"), "text"),
    ),
)
CONSENT = Step(
    StepId.CONSENT,
    V,
    "village",
    (Field("date", _("签字确认日期"), "date"), Field("record", _("确认书编号"), "text"), NOTE),
)


def notice_step(level: str, role: str) -> Step:
    return Step(
        StepId.NOTICE,
        role,
        level,
        (
            Field("start", _("公示开始日期"), "date"),
            Field("days", _("公示天数"), "int"),
            Field("place", _("公示地点"), "text"),
            Field("contact", _("异议受理方式"), "text"),
        ),
    )


TOWNSHIP_REVIEW = Step(
    StepId.TOWNSHIP_REVIEW,
    T,
    "township",
    (Field("date", _("审核日期"), "date"), Field("note", _("审核意见"), "text")),
    checker=True,
)
COUNTY_APPROVAL = Step(
    StepId.COUNTY_APPROVAL,
    C,
    "county",
    (Field("date", _("审定日期"), "date"), Field("document", _("审定文号"), "text"), NOTE),
    checker=True,
)
ANNOUNCEMENT = Step(
    StepId.ANNOUNCEMENT,
    C,
    "county",
    (Field("date", _("公告日期"), "date"), Field("document", _("公告文号或地点"), "text")),
    checker=True,
)


def proposal(level: str, role: str, *fields: Field) -> Step:
    return Step(StepId.PROPOSAL, role, level, (*fields, NOTE))


@dataclass(frozen=True)
class Flow:
    kind: str
    steps: tuple[Step, ...]
    reasons: tuple[str, ...]  # allowed reason categories
    from_statuses: tuple[str, ...]  # household statuses a procedure of this kind may start from
    to_status: str = ""  # the household status set at the announcement ('' for villages)

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def next_step(self, state: str) -> Step | None:
        """The step after `state`, None when the procedure is closed or complete."""
        ids = [s.id for s in self.steps]
        if state not in ids:
            return None
        index = ids.index(state) + 1
        return self.steps[index] if index < len(self.steps) else None

    def previous_step(self, step_id: str) -> Step | None:
        ids = [s.id for s in self.steps]
        index = ids.index(step_id)
        return self.steps[index - 1] if index else None


FLOWS: dict[str, Flow] = {
    Kind.ENTRY: Flow(
        Kind.ENTRY,
        (
            proposal(
                "village",
                V,
                Field("date", _("申请或摸排日期"), "date"),
                Field("source", _("来源"), "choice", choices=Source),
            ),
            VILLAGE_REVIEW,
            VERIFICATION,
            notice_step("village", V),
            TOWNSHIP_REVIEW,
            COUNTY_APPROVAL,
            ANNOUNCEMENT,
        ),
        (ReasonCategory.BELOW_LINE,),
        (Status.APPLICANT,),
        Status.REGISTERED,
    ),
    Kind.EXIT: Flow(
        Kind.EXIT,
        (
            proposal("village", V, Field("verdict", _("评估结论"), "verdict")),
            VILLAGE_REVIEW,
            VERIFICATION,
            CONSENT,
            notice_step("village", V),
            TOWNSHIP_REVIEW,
            COUNTY_APPROVAL,
            ANNOUNCEMENT,
        ),
        (ReasonCategory.MEETS_STANDARD,),
        (Status.REGISTERED, Status.RELAPSED),
        Status.EXITED,
    ),
    Kind.RELAPSE: Flow(
        Kind.RELAPSE,
        (
            proposal(
                "village",
                V,
                Field("date", _("发现日期"), "date"),
                Field("source", _("来源"), "choice", choices=Source),
            ),
            VERIFICATION,
            VILLAGE_REVIEW,
            notice_step("village", V),
            TOWNSHIP_REVIEW,
            COUNTY_APPROVAL,
            ANNOUNCEMENT,
        ),
        (ReasonCategory.RELAPSED,),
        (Status.EXITED, Status.MONITORED),
        Status.RELAPSED,
    ),
    Kind.DEREGISTRATION: Flow(
        Kind.DEREGISTRATION,
        (
            proposal("village", V, Field("date", _("发现日期"), "date")),
            VERIFICATION,
            VILLAGE_REVIEW,
            notice_step("village", V),
            TOWNSHIP_REVIEW,
            COUNTY_APPROVAL,
            ANNOUNCEMENT,
        ),
        (ReasonCategory.DEATH, ReasonCategory.MOVED, ReasonCategory.WRONG),
        (Status.REGISTERED, Status.RELAPSED, Status.EXITED, Status.MONITORED, Status.APPLICANT),
        Status.DEREGISTERED,
    ),
    Kind.VILLAGE_EXIT: Flow(
        Kind.VILLAGE_EXIT,
        (
            proposal("township", T, Field("verdict", _("评估结论"), "verdict")),
            Step(
                StepId.TOWNSHIP_REVIEW,
                T,
                "township",
                (Field("date", _("审核日期"), "date"), Field("note", _("审核意见"), "text")),
                checker=True,  # not the township user who proposed the village
            ),
            notice_step("township", T),
            COUNTY_APPROVAL,
            ANNOUNCEMENT,
        ),
        (ReasonCategory.VILLAGE_MEETS,),
        (),
    ),
}

# The level of a batch's area: household procedures are batched per village, village exits per
# township (the township posts the notice of its villages).
BATCH_LEVEL = {kind: ("township" if kind == Kind.VILLAGE_EXIT else "village") for kind in Kind}

# Days a procedure may wait for its next step before the board calls it overdue, by the step
# awaited; the township review is counted from the day after the notice ends.
DEADLINE_DAYS = {
    StepId.VILLAGE_REVIEW: 15,
    StepId.VERIFICATION: 10,
    StepId.CONSENT: 7,
    StepId.NOTICE: 7,
    StepId.TOWNSHIP_REVIEW: 5,
    StepId.COUNTY_APPROVAL: 10,
    StepId.ANNOUNCEMENT: 5,
}
