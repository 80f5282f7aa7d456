"""Read-side questions about procedures, answered in the database: what stage each batch is at,
which procedures are overdue, what awaits a user. Set-based: each answer is one query built from
the flows (states grouped by the step they await), never a loop over the procedures of an area.

Every function takes a queryset that already went through `visible_to(user)`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun import areacodes, masking
from jingzhun.areas.models import Area
from jingzhun.assessment.choices import Level
from jingzhun.assessment.choices import Status as RunStatus
from jingzhun.assessment.models import Verdict
from jingzhun.registry.models import Household
from jingzhun.registry.queries import with_head_and_size

from .flows import DEADLINE_DAYS, FLOWS, OPEN_STATES, Closed, Kind, Step, StepId
from .models import Notice, Objection, ObjectionStatus, Procedure, StepRecord
from .services import user_level

# --- areas -------------------------------------------------------------------------------------


def within(queryset: QuerySet, path: str, code: str) -> QuerySet:
    """Rows whose area code at `path` lies in the subtree of area `code` ('' = no filter)."""
    if not code:
        return queryset
    prefix = areacodes.prefix(code)
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return queryset.filter(**{f"{path}__gte": prefix, f"{path}__lt": upper})


# --- the flows as state groups -----------------------------------------------------------------


def transitions() -> list[tuple[str, Step, Step]]:
    """(kind, previous step, step) for every step that follows another: a procedure in state
    `previous.id` awaits `step`."""
    return [
        (kind, previous, step)
        for kind, flow in FLOWS.items()
        for previous, step in zip(flow.steps, flow.steps[1:], strict=False)
    ]


def awaited_step(kind: str, state: str) -> Step | None:
    return FLOWS[kind].next_step(state)


def open_q() -> Q:
    return Q(state__in=OPEN_STATES)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def overdue_q(today: datetime.date) -> Q:
    """Open procedures whose awaited step has waited longer than its DEADLINE_DAYS. A step that
    follows a notice can only be taken once the notice has ended, so its wait is counted from the
    day after `notice.end`; any other wait from the day the procedure reached its state."""
    condition = Q(pk__in=[])
    for kind, previous, step in transitions():
        days = DEADLINE_DAYS.get(step.id)
        if days is None:
            continue
        if previous.id == StepId.NOTICE:
            # waited = today - (end + 1) > days  ⇔  end < today - days - 1
            late = Q(notice__end__lt=today - datetime.timedelta(days=days + 1))
        else:
            # waited = today - since > days  ⇔  since before the start of (today - days)
            late = Q(state_since__lt=_day_start(today - datetime.timedelta(days=days)))
        condition |= Q(kind=kind, state=previous.id) & late
    return condition


def due_date(procedure: Procedure) -> datetime.date | None:
    """The last day the awaited step is on time (for one row on a page)."""
    step = procedure.next_step
    if step is None or step.id not in DEADLINE_DAYS:
        return None
    days = DEADLINE_DAYS[step.id]
    if procedure.state == StepId.NOTICE and procedure.notice_id:
        return procedure.notice.end + datetime.timedelta(days=days + 1)
    since = timezone.localdate(procedure.state_since)
    return since + datetime.timedelta(days=days)


def _role_q(user: Any) -> tuple[Q, Q]:
    """(procedures whose next step is this user's role and level, those of them where that step
    is a checker's step)."""
    role, level = getattr(user, "role", None), user_level(user)
    mine, checker = Q(pk__in=[]), Q(pk__in=[])
    for kind, previous, step in transitions():
        if step.role == role and step.level == level:
            mine |= Q(kind=kind, state=previous.id)
            if step.checker:
                checker |= Q(kind=kind, state=previous.id)
    return mine, checker


def awaiting(user: Any, queryset: QuerySet[Procedure], today: datetime.date) -> QuerySet:
    """Open procedures whose next step `user` may take (role, level and, through the given
    scoped queryset, area), minus checker steps on procedures the user already acted on; each
    annotated with `has_open_objection` and `in_notice` (the notice still running), which block
    the step for now."""
    mine, checker = _role_q(user)
    acted = Exists(StepRecord.objects.filter(procedure=OuterRef("pk"), actor_id=user.pk))
    return (
        queryset.filter(mine)
        .annotate(acted=acted)
        .filter(~checker | Q(acted=False))
        .annotate(
            has_open_objection=Exists(
                Objection.objects.filter(procedure=OuterRef("pk"), status=ObjectionStatus.OPEN)
            )
        )
        .annotate(
            in_notice=ExpressionWrapper(
                Q(state=StepId.NOTICE, notice__end__gte=today), output_field=BooleanField()
            )
        )
    )


def blocked_reason(procedure: Any) -> str:
    """Why the awaited step cannot be taken yet ('' when it can), from `awaiting`'s
    annotations."""
    if getattr(procedure, "has_open_objection", False):
        return _("有未处理的异议")
    if getattr(procedure, "in_notice", False):
        return _("公示期至 {end} 结束").format(end=procedure.notice.end.isoformat())
    return ""


# --- stages of batches -------------------------------------------------------------------------


@dataclass
class Stage:
    """One count on the board: how many procedures of a batch are at this stage."""

    key: str
    label: str
    count: int
    closed: bool = False


@dataclass
class BatchStages:
    open: list[Stage] = field(default_factory=list)
    closed: list[Stage] = field(default_factory=list)
    total: int = 0


IN_NOTICE = "in_notice"


def _stage_order(kind: str) -> list[str]:
    steps = [s.id for s in FLOWS[kind].steps]
    return [*steps[1:], IN_NOTICE, StepId.ANNOUNCEMENT, *Closed.values]


def stage_label(kind: str, state: str, in_notice: bool = False) -> tuple[str, str, bool]:
    """(key, label, closed) of a procedure's stage: '待民主评议', '公示中', '已公告', '未通过' …"""
    if state == StepId.ANNOUNCEMENT:
        return StepId.ANNOUNCEMENT, _("已公告"), True
    if state in Closed.values:
        return state, str(Closed(state).label), True
    if in_notice:
        return IN_NOTICE, _("公示中"), False
    step = awaited_step(kind, state)
    assert step is not None  # an open state always has a next step
    return step.id, _("待{step}").format(step=StepId(step.id).label), False


def batch_stages(
    procedures: QuerySet[Procedure], batches: list[Any], today: datetime.date
) -> dict[int, BatchStages]:
    """Per batch id, the number of procedures per stage (one aggregate query)."""
    rows = (
        procedures.filter(batch__in=[b.pk for b in batches])
        .order_by()
        .values("batch_id", "kind", "state")
        .annotate(
            n=Count("id"),
            running=Count("id", filter=Q(state=StepId.NOTICE, notice__end__gte=today)),
        )
    )
    counts: dict[int, dict[tuple[str, str, bool], int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        kind, state = row["kind"], row["state"]
        if row["running"]:
            counts[row["batch_id"]][stage_label(kind, state, True)] += row["running"]
        if row["n"] - row["running"]:
            counts[row["batch_id"]][stage_label(kind, state)] += row["n"] - row["running"]
    answer: dict[int, BatchStages] = {}
    for batch in batches:
        order = _stage_order(batch.kind)
        stages = BatchStages()
        found = counts.get(batch.pk, {})
        for (key, label, closed), n in sorted(found.items(), key=lambda kv: order.index(kv[0][0])):
            (stages.closed if closed else stages.open).append(Stage(key, label, n, closed))
            stages.total += n
        answer[batch.pk] = stages
    return answer


# --- proposals ---------------------------------------------------------------------------------


def busy_households() -> QuerySet[Procedure]:
    """Open procedures of households (a household is in at most one)."""
    return Procedure.objects.filter(open_q(), household__isnull=False)


def latest_run_id(user: Any, level: str, area_code: str, year: int) -> int | None:
    """The newest finished run of `year` with verdicts of `level` in area `area_code` (a village)
    that the user can see."""
    verdicts = Verdict.objects.visible_to(user).filter(
        level=level, run__status=RunStatus.FINISHED, run__year=year
    )
    verdicts = within(verdicts, "area_code", area_code)
    return verdicts.order_by("-run__finished", "-run_id").values_list("run_id", flat=True).first()


def latest_run_year(user: Any, level: str, area_code: str) -> int | None:
    verdicts = within(
        Verdict.objects.visible_to(user).filter(level=level, run__status=RunStatus.FINISHED),
        "area_code",
        area_code,
    )
    return verdicts.order_by("-run__year").values_list("run__year", flat=True).first()


def exit_candidates(user: Any, village_code: str, year: int) -> tuple[int | None, QuerySet]:
    """(run id, met household verdicts of the village in that run whose household may start an
    exit and has no open procedure)."""
    run_id = latest_run_id(user, Level.HOUSEHOLD, village_code, year)
    if run_id is None:
        return None, Verdict.objects.none()
    verdicts = (
        Verdict.objects.visible_to(user)
        .filter(
            run_id=run_id,
            level=Level.HOUSEHOLD,
            area_code=village_code,
            met=True,
            household__status__in=FLOWS[Kind.EXIT].from_statuses,
        )
        .exclude(Exists(busy_households().filter(household_id=OuterRef("household_id"))))
        .select_related("household")
        .order_by("household__number")
    )
    return run_id, verdicts


def village_exit_candidates(user: Any, township_code: str, year: int) -> tuple[int | None, Any]:
    """(run id, met village verdicts of the township's poor villages not yet exited and not in
    an open village exit)."""
    run_id = latest_run_id(user, Level.VILLAGE, township_code, year)
    if run_id is None:
        return None, Verdict.objects.none()
    villages = Area.objects.visible_to(user).filter(
        parent_id=township_code, poor_village=True, poor_village_exited_on__isnull=True
    )
    busy = Procedure.objects.filter(open_q(), kind=Kind.VILLAGE_EXIT).values("village_id")
    verdicts = (
        Verdict.objects.visible_to(user)
        .filter(
            run_id=run_id,
            level=Level.VILLAGE,
            met=True,
            entity__in=villages.exclude(code__in=busy).values("code"),
        )
        .order_by("entity")
    )
    return run_id, verdicts


# --- rows of a page ----------------------------------------------------------------------------


def masked_heads(household_ids: list[int]) -> dict[int, tuple[str, int]]:
    """{household id: (masked head name, household size)} for one page of rows (one query)."""
    if not household_ids:
        return {}
    households = Household.objects.filter(pk__in=household_ids).order_by()
    rows = with_head_and_size(households).values_list("pk", "head_name", "member_count")
    found = {pk: (masking.mask_name(name), size) for pk, name, size in rows}
    return {pk: found.get(pk, ("", 0)) for pk in household_ids}


def with_heads(procedures: list[Any]) -> list[Any]:
    """Set `head_masked` and `size` on each row that has a household (in place)."""
    found = masked_heads([p.household_id for p in procedures if p.household_id])
    for procedure in procedures:
        procedure.head_masked, procedure.size = found.get(procedure.household_id, ("", 0))
    return procedures


def household_procedures(user: Any, household: Any) -> list[Procedure]:
    """The household's procedures with their step records (newest first; three queries)."""
    return list(
        Procedure.objects.visible_to(user)
        .filter(household=household)
        .select_related("batch__area")
        .prefetch_related(
            Prefetch("steps", queryset=StepRecord.objects.select_related("actor").order_by("id"))
        )
        .order_by("-created", "-id")
    )


def notice_urls(notice: Notice) -> tuple[str, str]:
    """The public page and PDF of a notice (their views are in views_public.py)."""
    token = notice.token
    return reverse("notice-public", args=[token]), reverse("notice-public-pdf", args=[token])
