"""Operations on procedures: one function per operation, one transaction each, audited there.
Pages, the API and tests call these; nothing else writes procedure rows.

Refusals: `PermissionDenied` (wrong role, level, area, or a maker checking their own work),
`ValidationError` (missing or bad evidence, a step out of order, an open objection, a notice
still running; the message names the field or the household), `Conflict` (someone else moved the
procedure since it was read: of two approvers acting at once, one wins).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from jingzhun import areacodes
from jingzhun.accounts.choices import Role
from jingzhun.areas.models import Area
from jingzhun.assessment.choices import Level
from jingzhun.assessment.choices import Status as RunStatus
from jingzhun.assessment.live import unmet_now
from jingzhun.assessment.models import Verdict
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.core.clients import client_address  # noqa: F401  (the public pages' rate limit)
from jingzhun.core.locks import lock_name
from jingzhun.registry import services as registry
from jingzhun.registry.models import Household

from .flows import BATCH_LEVEL, FLOWS, Closed, Field, Kind, Step, StepId
from .models import Batch, Channel, Notice, Objection, ObjectionStatus, Procedure, StepRecord
from .models import batch_title as models_batch_title


class Conflict(Exception):
    """The procedure changed since the caller read it (another user acted first)."""


LEVEL_NAMES = {
    "village": gettext_lazy("村"),
    "township": gettext_lazy("乡镇"),
    "county": gettext_lazy("县"),
}
# What must never reach a public notice: an 18-character ID number, a mobile number.
SENSITIVE = re.compile(r"\d{17}[\dXx]|1[3-9]\d{9}")
# Public objections per client address per hour.
OBJECTIONS_PER_HOUR = 3


def today() -> datetime.date:
    """The office's calendar day (tests move it to step through a notice period)."""
    return timezone.localdate()


def notice_days() -> int:
    return int(getattr(settings, "NOTICE_DAYS", 7))


# --- who may act -------------------------------------------------------------------------------


def user_level(user: Any) -> str | None:
    area = getattr(user, "area", None)
    return area.level if area is not None else None


def in_scope(user: Any, area_code: str) -> bool:
    scope = user.scope_prefix() if user is not None and user.is_authenticated else None
    return scope is not None and area_code.startswith(scope)


def check_actor(user: Any, step: Step, area_code: str) -> None:
    """The step's role, at the step's area level, over this area; else PermissionDenied."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("请先登录"))
    if user.role != step.role or user_level(user) != step.level:
        raise PermissionDenied(
            _("「{step}」须由{role}办理，且账号所属区划为{level}级").format(
                step=StepId(step.id).label,
                level=LEVEL_NAMES[step.level],
                role=Role(step.role).label,
            )
        )
    if not in_scope(user, area_code):
        raise PermissionDenied(_("该记录不在您的管辖范围内"))


def may_take(user: Any, procedure: Procedure, step: Step) -> bool:
    """Whether `user` could take `step` on `procedure` (role, level, area, separation of
    duties); evidence and timing are checked when the step is taken."""
    try:
        check_actor(user, step, procedure.village_id)
        if step.checker:
            _check_not_maker(user, procedure)
    except PermissionDenied:
        return False
    return True


def _check_not_maker(user: Any, procedure: Procedure) -> None:
    if procedure.steps.filter(actor=user).exists():
        raise PermissionDenied(
            _(
                "户编号 {subject}：您办理过该程序的前序环节，不能再审核或审定（经办与审核分离）"
            ).format(subject=subject(procedure))
        )


def subject(procedure: Procedure) -> str:
    if procedure.household_id:
        return procedure.household.number
    return procedure.village_id


# --- evidence ----------------------------------------------------------------------------------


def _clean_field(spec: Field, raw: Any) -> Any:
    """The evidence value in its stored (JSON) form; ValueError with a message when bad."""
    if raw is None or raw == "":
        if spec.required:
            raise ValueError(_("必须填写"))
        return "" if spec.kind in ("text", "choice") else None
    if spec.kind == "date":
        if isinstance(raw, datetime.datetime):
            raw = raw.date()
        if not isinstance(raw, datetime.date):
            try:
                raw = datetime.date.fromisoformat(str(raw).strip())
            except ValueError:
                raise ValueError(_("日期格式应为 YYYY-MM-DD")) from None
        if raw > today() and spec.name != "start":
            raise ValueError(_("日期不能晚于今天"))
        return raw.isoformat()
    if spec.kind in ("int", "verdict"):
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise ValueError(_("应为整数")) from None
        if value < 0:
            raise ValueError(_("不能为负数"))
        return value
    text = str(raw).strip()
    if spec.kind == "choice":
        if text not in spec.choices.values:
            raise ValueError(_("不是有效的选项"))
        return text
    if len(text) > 500:
        raise ValueError(_("不能超过 500 字"))
    return text


def clean_evidence(step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
    """The step's evidence, validated and in stored form; ValidationError naming each bad
    field (by its name) otherwise. Unknown keys are dropped."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for spec in step.evidence:
        try:
            clean[spec.name] = _clean_field(spec, data.get(spec.name))
        except ValueError as problem:
            errors[spec.name] = [f"{spec.label}: {problem}"]
    if not errors and step.id == StepId.VILLAGE_REVIEW:
        attendance, yes, no = clean["attendance"], clean["votes_for"], clean["votes_against"]
        if attendance < 1:
            errors["attendance"] = [_("参会人数：至少 1 人")]
        elif yes + no > attendance:
            errors["votes_for"] = [_("赞成票与反对票之和不能超过参会人数")]
        elif yes * 2 <= attendance:
            errors["votes_for"] = [_("赞成票未超过参会人数的一半，评议未通过；请使用「不予通过」")]
    if not errors and step.id == StepId.NOTICE:
        days = clean["days"]
        if not 1 <= days <= 30:
            errors["days"] = [_("公示天数：应在 1 到 30 天之间")]
        for name in ("place", "contact"):
            if SENSITIVE.search(clean[name]):
                errors[name] = [_("公示内容不能包含身份证号码或手机号码，请填写村委会座机或地点")]
    if errors:
        raise ValidationError(errors)
    return clean


# --- batches and proposals ---------------------------------------------------------------------


def batch_title(kind: str, area: Area, year: int) -> str:
    return models_batch_title(kind, area.name, year)


@transaction.atomic
def open_batch(kind: str, area: Area, year: int, *, acting_user: Any) -> Batch:
    """The batch of `kind` for this village (township for village exits) and year, created on
    first use by someone who may propose."""
    flow = FLOWS[kind]
    if area.level != BATCH_LEVEL[kind]:
        raise ValidationError(
            {"area": [_("该类程序按{level}建立批次").format(level=LEVEL_NAMES[BATCH_LEVEL[kind]])]}
        )
    check_actor(acting_user, flow.steps[0], area.code)
    batch, created = Batch.objects.get_or_create(
        kind=kind,
        area=area,
        year=year,
        defaults={"title": batch_title(kind, area, year), "created_by": acting_user},
    )
    if created:
        audit.record(
            actor=acting_user,
            action=Action.CREATE,
            instance=batch,
            area_code=area.code,
            changes={"kind": [None, kind], "year": [None, year]},
        )
    return batch


@dataclass
class Proposal:
    """One household (or village) to add to a batch."""

    household: Household | None = None
    village: Area | None = None
    reason: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)


def _cited_verdict(batch: Batch, proposal: Proposal, clean: dict[str, Any]) -> Verdict:
    """The assessment verdict an exit cites: of this entity, met, from a finished run of the
    batch's year."""
    level = Level.VILLAGE if batch.kind == Kind.VILLAGE_EXIT else Level.HOUSEHOLD
    entity = proposal.village.code if proposal.village else str(proposal.household.pk)
    verdict = (
        Verdict.objects.select_related("run")
        .filter(pk=clean["verdict"], level=level, entity=entity)
        .first()
    )
    if verdict is None:
        raise ValidationError({"verdict": [_("评估结论：找不到该对象的评估结论")]})
    if verdict.run.status != RunStatus.FINISHED or verdict.run.year != batch.year:
        raise ValidationError(
            {"verdict": [_("评估结论：须引用 {year} 年已完成的评估").format(year=batch.year)]}
        )
    if not verdict.met:
        raise ValidationError({"verdict": [_("评估结论：该评估显示未达到退出标准，不能提出退出")]})
    return verdict


def _labelled(error: ValidationError, who: str) -> ValidationError:
    """Prefix every message with the household (or village) it concerns."""
    if hasattr(error, "error_dict"):
        return ValidationError(
            {k: [f"{who}: {m}" for e in v for m in e.messages] for k, v in error.error_dict.items()}
        )
    return ValidationError([f"{who}: {m}" for m in error.messages])


def _propose_one(batch: Batch, proposal: Proposal, user: Any) -> Procedure:
    flow = batch.flow
    step = flow.steps[0]
    if batch.kind == Kind.VILLAGE_EXIT:
        village = proposal.village
        if village is None or village.parent_id != batch.area_id:
            raise ValidationError({"village": [_("该村不属于本批次所在乡镇")]})
        if not village.poor_village or village.poor_village_exited_on:
            raise ValidationError({"village": [_("该村不是未出列的贫困村")]})
        who, household, village_code = village.name, None, village.code
    else:
        if proposal.household is None:  # a village given to a household batch (issue #11 item 9)
            raise ValidationError(
                {"household": [_("{kind}须指明贫困户").format(kind=Kind(batch.kind).label)]}
            )
        household = Household.objects.select_for_update().get(pk=proposal.household.pk)
        who, village_code = (
            _("户编号 {number}").format(number=household.number),
            household.village_id,
        )
        if village_code != batch.area_id:
            raise _labelled(ValidationError({"household": [_("该户不属于本批次所在村")]}), who)
        if household.status not in flow.from_statuses:
            raise _labelled(
                ValidationError(
                    {
                        "household": [
                            _("状态为「{status}」的户不能办理{kind}").format(
                                status=household.get_status_display(), kind=Kind(batch.kind).label
                            )
                        ]
                    }
                ),
                who,
            )
    reason = proposal.reason or (flow.reasons[0] if len(flow.reasons) == 1 else "")
    if reason not in flow.reasons:
        raise _labelled(ValidationError({"reason": [_("原因类别：不是该类程序的原因")]}), who)
    try:
        clean = clean_evidence(step, proposal.evidence)
        verdict = _cited_verdict(batch, proposal, clean) if "verdict" in clean else None
    except ValidationError as error:
        raise _labelled(error, who) from None
    open_states = [s.value for s in StepId if s != StepId.ANNOUNCEMENT]
    busy = Procedure.objects.filter(state__in=open_states)
    if household is not None:
        busy = busy.filter(household=household)
    else:
        busy = busy.filter(kind=Kind.VILLAGE_EXIT, village=village_code)
    if busy.exists():
        raise _labelled(ValidationError({"household": [_("已有正在办理的程序")]}), who)
    now = timezone.now()
    procedure = Procedure.objects.create(
        batch=batch,
        kind=batch.kind,
        household=household,
        village_id=village_code,
        state=StepId.PROPOSAL,
        state_since=now,
        reason=reason,
        verdict=verdict,
    )
    StepRecord.objects.create(
        procedure=procedure,
        step=StepId.PROPOSAL,
        old_state="",
        new_state=StepId.PROPOSAL,
        actor=user,
        evidence=clean,
    )
    audit.record(
        actor=user,
        action=Action.CREATE,
        instance=procedure,
        household_id=household.pk if household else None,
        area_code=village_code,
        changes={"state": [None, StepId.PROPOSAL]},
        message=batch.title,
    )
    return procedure


@transaction.atomic
def propose(batch: Batch, proposals: Sequence[Proposal], *, acting_user: Any) -> list[Procedure]:
    """Add households (villages) to the batch, all or none; each error names its household."""
    check_actor(acting_user, batch.flow.steps[0], batch.area_id)
    return [_propose_one(batch, p, acting_user) for p in proposals]


# --- steps -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a step did: the procedures moved on, and those stopped with their reason."""

    taken: list[Procedure] = field(default_factory=list)
    stopped: list[tuple[Procedure, str]] = field(default_factory=list)


def _move(
    procedure: Procedure,
    step_id: str,
    new_state: str,
    user: Any,
    evidence: dict[str, Any],
    expected_version: int,
    **changes: Any,
) -> None:
    """Move one procedure under the optimistic lock and record the step and its audit entry."""
    old_state = procedure.state
    now = timezone.now()
    moved = Procedure.objects.filter(
        pk=procedure.pk, version=expected_version, state=old_state
    ).update(state=new_state, state_since=now, version=F("version") + 1, updated=now, **changes)
    if not moved:
        raise Conflict(_("{who} 已被他人办理，请刷新后重试").format(who=subject(procedure)))
    procedure.state, procedure.state_since = new_state, now
    procedure.version = expected_version + 1
    for name, value in changes.items():
        setattr(procedure, name, value)
    StepRecord.objects.create(
        procedure=procedure,
        step=step_id,
        old_state=old_state,
        new_state=new_state,
        actor=user,
        evidence=evidence,
    )
    audit.record(
        actor=user,
        action=Action.UPDATE,
        instance=procedure,
        household_id=procedure.household_id,
        area_code=procedure.village_id,
        changes={"state": [old_state, new_state]},
        message=str(StepId(step_id).label if step_id in StepId.values else Closed(step_id).label),
    )


def _check_ready(procedure: Procedure, step: Step) -> None:
    """Timing and objections: refused with a message naming the household."""
    who = subject(procedure)
    if procedure.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise ValidationError(_("{who}: 有未处理的异议，处理后才能继续办理").format(who=who))
    previous = procedure.flow.previous_step(step.id)
    if previous is not None and previous.id == StepId.NOTICE and procedure.notice_id:
        end = procedure.notice.end
        if today() <= end:
            raise ValidationError(
                _("{who}: 公示期至 {end} 结束，{day} 起方可办理「{step}」").format(
                    who=who,
                    end=end.isoformat(),
                    day=(end + datetime.timedelta(days=1)).isoformat(),
                    step=StepId(step.id).label,
                )
            )


def _locked(procedures: Iterable[Procedure]) -> list[Procedure]:
    ids = [p.pk for p in procedures]
    rows = {
        p.pk: p
        for p in Procedure.objects.select_for_update(of=("self",))
        .select_related("household", "notice", "batch", "verdict__run")
        .filter(pk__in=ids)
    }
    return [rows[i] for i in ids]


@transaction.atomic
def take_step(
    procedures: Sequence[Procedure],
    step_id: str,
    evidence: Mapping[str, Any],
    *,
    acting_user: Any,
    versions: Mapping[int, int] | None = None,
) -> Outcome:
    """Take `step_id` on each procedure (all of one batch), with the same evidence: all or
    none. `versions` (procedure id → the version the user saw) makes a stale page fail with
    Conflict; without it the versions read here are used (still one winner between two
    concurrent callers: the second one's conditional update finds the version moved)."""
    if not procedures:
        raise ValidationError(_("请选择要办理的户"))
    locked = _locked(procedures)
    expected = {p.pk: p.version for p in locked} | dict(versions or {})
    if len({p.batch_id for p in locked}) != 1:
        raise ValidationError(_("一次只能办理同一批次的程序"))
    batch = locked[0].batch
    flow = batch.flow
    try:
        step = flow.step(step_id)
    except KeyError:
        raise ValidationError(
            _("{kind}没有「{step}」环节").format(kind=Kind(batch.kind).label, step=step_id)
        ) from None
    for procedure in locked:
        if procedure.version != expected[procedure.pk]:
            raise Conflict(_("{who} 已被他人办理，请刷新后重试").format(who=subject(procedure)))
        awaited = procedure.next_step
        if awaited is None or awaited.id != step.id:
            now = (
                _("已结束（{state}）").format(state=procedure.get_state_display())
                if awaited is None
                else _("当前应办理「{step}」").format(step=StepId(awaited.id).label)
            )
            raise ValidationError(
                _("{who}: 不能办理「{step}」，{now}").format(
                    who=subject(procedure), step=StepId(step.id).label, now=now
                )
            )
        check_actor(acting_user, step, procedure.village_id)
        if step.checker:
            _check_not_maker(acting_user, procedure)
        _check_ready(procedure, step)
    clean = clean_evidence(step, evidence)
    outcome = Outcome()
    changes: dict[str, Any] = {}
    if step.id == StepId.NOTICE:
        changes["notice"] = _post_notice(batch, clean, acting_user)
    still_meeting = locked
    if step.id == StepId.COUNTY_APPROVAL and flow.kind in (Kind.EXIT, Kind.VILLAGE_EXIT):
        still_meeting = []
        for procedure, (reason, reason_en) in _recheck(locked):
            if reason:
                _move(
                    procedure,
                    Closed.STOPPED,
                    Closed.STOPPED,
                    acting_user,
                    {**clean, "reason": reason},
                    expected[procedure.pk],
                    closing_reason=reason[:300],
                    closing_reason_en=reason_en[:300],
                )
                # The page that took the step reports it in its reader's language.
                english = (translation.get_language() or "").startswith("en")
                outcome.stopped.append((procedure, reason_en if english else reason))
            else:
                still_meeting.append(procedure)
    for procedure in still_meeting:
        _move(procedure, step.id, step.id, acting_user, clean, expected[procedure.pk], **changes)
        if step.id == StepId.ANNOUNCEMENT:
            _apply(procedure, clean, acting_user)
        outcome.taken.append(procedure)
    return outcome


def _in_both(message: str, **values: Any) -> tuple[str, str]:
    """A system message (a gettext msgid with {placeholders}) in Chinese and in English, for a
    reason that is stored and read later in either language."""
    texts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts.append(_(message).format(**values)[:300])
    return texts[0], texts[1]


def _recheck(procedures: list[Procedure]) -> list[tuple[Procedure, tuple[str, str]]]:
    """(procedure, ('', '') if it still meets its cited standard today, else why not in Chinese
    and English)."""
    answers: list[tuple[Procedure, tuple[str, str]]] = []
    groups: dict[tuple[str, int, str, str], list[Procedure]] = {}
    for procedure in procedures:
        if procedure.verdict is None:
            deleted = gettext_noop("所引用的评估结论已被删除，请重新评估后再提出")
            answers.append((procedure, _in_both(deleted)))
            continue
        run = procedure.verdict.run
        level = Level.VILLAGE if procedure.kind == Kind.VILLAGE_EXIT else Level.HOUSEHOLD
        key = (run.standard_id, run.year, level, procedure.village_id)
        groups.setdefault(key, []).append(procedure)
    for (standard_id, year, level, village), group in groups.items():
        entities = {
            (p.village_id if level == Level.VILLAGE else str(p.household_id)): p for p in group
        }
        prefix = areacodes.prefix(village)
        found = unmet_now(standard_id, year, level, entities, prefix)
        for entity, procedure in entities.items():
            if entity not in found:
                answers.append(
                    (procedure, _in_both(gettext_noop("该户已不在评估范围内（可能已销号或迁出）")))
                )
            elif not found[entity]["zh"]:
                answers.append((procedure, ("", "")))
            else:
                why = gettext_noop("审定时不再达到退出标准：{why}")
                zh = _in_both(why, why="；".join(found[entity]["zh"]))[0]
                en = _in_both(why, why="; ".join(found[entity]["en"]))[1]
                answers.append((procedure, (zh, en)))
    return answers


def _apply(procedure: Procedure, evidence: dict[str, Any], user: Any) -> None:
    """The record change at the announcement, in the step's transaction."""
    flow = procedure.flow
    date = datetime.date.fromisoformat(evidence["date"])
    reason = _("{kind}（{batch}，公告 {document}）").format(
        kind=Kind(procedure.kind).label, batch=procedure.batch.title, document=evidence["document"]
    )
    if procedure.kind == Kind.VILLAGE_EXIT:
        village = Area.objects.select_for_update().get(pk=procedure.village_id)
        # The exit is a dated fact: the announcement's date (the plan is left as it was).
        old = village.poor_village_exited_on
        village.poor_village_exited_on = date
        village.save(update_fields=["poor_village_exited_on", "updated"])
        audit.record(
            actor=user,
            action=Action.UPDATE,
            instance=village,
            area_code=village.code,
            changes={"poor_village_exited_on": [old and old.isoformat(), date.isoformat()]},
            message=reason,
        )
        return
    registry.change_status(
        procedure.household, flow.to_status, acting_user=user, reason=reason[:200], date=date
    )


def _post_notice(batch: Batch, clean: dict[str, Any], user: Any) -> Notice:
    start = datetime.date.fromisoformat(clean["start"])
    notice = Notice.objects.create(
        batch=batch,
        title=_("{area}{year}年{kind}公示").format(
            area=batch.area.name, year=batch.year, kind=Kind(batch.kind).label
        ),
        start=start,
        end=start + datetime.timedelta(days=clean["days"] - 1),
        place=clean["place"],
        contact=clean["contact"],
        published_by=user,
    )
    audit.record(
        actor=user,
        action=Action.CREATE,
        instance=notice,
        area_code=batch.area_id,
        changes={"start": [None, notice.start.isoformat()], "end": [None, notice.end.isoformat()]},
    )
    return notice


@transaction.atomic
def close(
    procedure: Procedure,
    outcome: str,
    reason: str,
    *,
    acting_user: Any,
    version: int | None = None,
) -> Procedure:
    """Reject (by whoever would take the next step) or withdraw (by the proposer's role, before
    the notice) a procedure, with the reason."""
    (procedure,) = _locked([procedure])
    if not procedure.is_open:
        raise ValidationError(_("该程序已结束"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("原因：必须填写")]})
    awaited = procedure.next_step
    if outcome == Closed.REJECTED:
        check_actor(acting_user, awaited, procedure.village_id)
    elif outcome == Closed.WITHDRAWN:
        check_actor(acting_user, procedure.flow.steps[0], procedure.village_id)
        if procedure.notice_id:
            raise ValidationError(_("已公示的程序不能撤回，请由审核环节不予通过"))
    else:
        raise ValidationError(_("无效的操作"))
    _move(
        procedure,
        outcome,
        outcome,
        acting_user,
        {"reason": reason[:300]},
        procedure.version if version is None else version,
        closing_reason=reason[:300],
    )
    return procedure


# --- objections --------------------------------------------------------------------------------


def client_key(address: str) -> str:
    """A keyed hash of a client address: enough to count, useless to identify."""
    return hmac.new(
        settings.SECRET_KEY.encode(), (address or "").encode(), hashlib.sha256
    ).hexdigest()[:32]


def _check_objectable(notice: Notice, procedure: Procedure) -> None:
    if procedure.notice_id != notice.pk or not procedure.is_open:
        raise ValidationError({"procedure": [_("该户不在本公示名单中或已办结")]})


def _new_objection(
    procedure: Procedure,
    notice: Notice,
    channel: str,
    text: str,
    name: str,
    contact: str,
    *,
    actor: Any,
    client: str = "",
) -> Objection:
    """Store an objection (open) and its audit entry; `actor` None for the public page."""
    objection = Objection.objects.create(
        procedure=procedure,
        notice=notice,
        channel=channel,
        text=text[:2000],
        name=(name or "").strip()[:40],
        contact=(contact or "").strip()[:40],
        client=client,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action=Action.CREATE,
        instance=objection,
        household_id=procedure.household_id,
        area_code=procedure.village_id,
        changes={"status": [None, ObjectionStatus.OPEN]},
        message=_("公示页提交异议") if actor is None else "",
    )
    return objection


@transaction.atomic
def lodge_objection(
    notice: Notice,
    procedure: Procedure,
    text: str,
    *,
    name: str = "",
    contact: str = "",
    client: str = "",
) -> Objection:
    """An objection from the public page, during the notice period, rate-limited per client."""
    day = today()
    if not notice.start <= day <= notice.end:
        raise ValidationError(
            _("公示期为 {start} 至 {end}，当前不在公示期内").format(
                start=notice.start.isoformat(), end=notice.end.isoformat()
            )
        )
    _check_objectable(notice, procedure)
    text = (text or "").strip()
    if len(text) < 5:
        raise ValidationError({"text": [_("异议内容：请写明理由（至少 5 个字）")]})
    if client:
        lock_name(f"public-objection:{client}")  # count and insert as one step per client
    since = timezone.now() - datetime.timedelta(hours=1)
    if (
        client
        and Objection.objects.filter(client=client, lodged__gte=since).count()
        >= OBJECTIONS_PER_HOUR
    ):
        raise PermissionDenied(_("提交过于频繁，请一小时后再试，或到村委会当面反映"))
    return _new_objection(
        procedure, notice, Channel.PUBLIC, text, name, contact, client=client, actor=None
    )


@transaction.atomic
def record_objection(
    procedure: Procedure, text: str, *, acting_user: Any, name: str = "", contact: str = ""
) -> Objection:
    """An objection received in person or by phone, entered by staff of the area."""
    if (
        acting_user is None
        or not acting_user.can_edit()
        or not in_scope(acting_user, procedure.village_id)
    ):
        raise PermissionDenied(_("该记录不在您的管辖范围内"))
    if procedure.notice_id is None:
        raise ValidationError(_("该户尚未公示"))
    _check_objectable(procedure.notice, procedure)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("异议内容：必须填写")]})
    return _new_objection(
        procedure, procedure.notice, Channel.IN_PERSON, text, name, contact, actor=acting_user
    )


RESOLVERS = (Role.TOWNSHIP_OPERATOR, Role.COUNTY_ADMIN)


@transaction.atomic
def resolve_objection(
    objection: Objection, upheld: bool, finding: str, *, acting_user: Any
) -> Objection:
    """Record the finding. Upheld: the procedure leaves its batch (state removed) with the
    finding as its reason; dismissed: it continues. Decided at township or county level, not by
    whoever recorded the objection."""
    objection = (
        Objection.objects.select_for_update().select_related("procedure").get(pk=objection.pk)
    )
    procedure = objection.procedure
    if (
        acting_user is None
        or acting_user.role not in RESOLVERS
        or user_level(acting_user) not in ("township", "county")
        or not in_scope(acting_user, procedure.village_id)
    ):
        raise PermissionDenied(_("异议须由乡镇或县级审核人员处理"))
    if objection.recorded_by_id == acting_user.pk:
        raise PermissionDenied(_("登记异议的人员不能处理该异议"))
    if objection.status != ObjectionStatus.OPEN:
        raise ValidationError(_("该异议已处理"))
    finding = (finding or "").strip()
    if not finding:
        raise ValidationError({"finding": [_("核查结论：必须填写")]})
    old = objection.status
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.finding = finding[:2000]
    objection.decided_by = acting_user
    objection.decided = timezone.now()
    objection.save(update_fields=["status", "finding", "decided_by", "decided"])
    audit.record(
        actor=acting_user,
        action=Action.UPDATE,
        instance=objection,
        household_id=procedure.household_id,
        area_code=procedure.village_id,
        changes={"status": [old, objection.status]},
        message=finding[:300],
    )
    if upheld and procedure.is_open:
        (procedure,) = _locked([procedure])
        _move(
            procedure,
            Closed.REMOVED,
            Closed.REMOVED,
            acting_user,
            {"objection": objection.pk, "finding": finding[:300]},
            procedure.version,
            **dict(
                zip(
                    ("closing_reason", "closing_reason_en"),
                    _in_both(gettext_noop("异议成立：{finding}"), finding=finding),
                    strict=True,
                )
            ),
        )
    return objection
