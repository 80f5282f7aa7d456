"""Procedure pages for staff: the board (动态管理), a batch with its step, close and objection
forms, one procedure's history, and the proposal page that starts procedures.

Reads start at `visible_to(request.user)` (another area's batch or procedure is a 404); every
write is one call of `services`, whose refusals are shown on the page: PermissionDenied (403),
ValidationError (400, on the fields), Conflict (409, "已被他人办理,请刷新")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jingzhun.areas.choices import Level as AreaLevel
from jingzhun.areas.models import Area
from jingzhun.core.filters import ID_MAX
from jingzhun.registry.models import Household

from . import queries, services
from .flows import BATCH_LEVEL, FLOWS, Closed, Kind, ReasonCategory, Step, StepId
from .forms import CloseForm, ObjectionForm, ResolveForm, apply_errors, evidence_form
from .models import Batch, Objection, ObjectionStatus, Procedure, StepRecord

AREA_SELECT_LIMIT = 2_000
CANDIDATES_SHOWN = 2_000
CONFLICT = 409


# ---------------------------------------------------------------- helpers


def _int(value: Any, default: int, low: int = 2000, high: int = 2100) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def _ids(values: list[str]) -> list[int]:
    """The ticked keys; one past any database key is no record of the user's: 404 (issue #11
    item 9: it reached `pk__in` and SQLite raised OverflowError)."""
    ids = sorted({int(v) for v in values if str(v).isascii() and str(v).isdigit()})
    if ids and ids[-1] > ID_MAX:
        raise Http404
    return ids


def may_act(user: Any, step: Step) -> bool:
    """Role and level fit the step (the area is the scoped queryset's; separation of duties and
    timing are checked per procedure by the service)."""
    return user.role == step.role and services.user_level(user) == step.level


def actor_text(step: Step) -> str:
    return gettext("须由{role}办理").format(role=step.role.label)


def _denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return render(
        request,
        "procedures/denied.html",
        {"message": str(error) or gettext("无权操作")},
        status=403,
    )


def _messages(error: ValidationError) -> list[str]:
    return list(error.messages)


def _visible_area(user: Any, code: str) -> Area | None:
    if not code:
        return None
    return Area.objects.visible_to(user).filter(code=code).first()


def _proposal_kinds(user: Any) -> list[tuple[str, str]]:
    """The kinds whose proposal the user's role and level may make."""
    return [
        (kind, Kind(kind).label) for kind, flow in FLOWS.items() if may_act(user, flow.steps[0])
    ]


# ---------------------------------------------------------------- a batch


def _batch(request: HttpRequest, pk: int) -> Batch:
    return get_object_or_404(Batch.objects.visible_to(request.user).select_related("area"), pk=pk)


def _batch_procedures(request: HttpRequest, batch: Batch) -> list[Procedure]:
    open_objections = (
        Objection.objects.filter(procedure=OuterRef("pk"), status=ObjectionStatus.OPEN)
        .order_by()
        .values("procedure")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = list(
        Procedure.objects.visible_to(request.user)
        .filter(batch=batch)
        .select_related("household", "village", "notice")
        .annotate(open_objections=Coalesce(Subquery(open_objections), 0))
        .order_by("id")
    )
    return queries.with_heads(rows)


def _step_panels(
    request: HttpRequest, batch: Batch, rows: list[Procedure], bound: dict[str, forms.Form]
) -> list[dict[str, Any]]:
    """One panel per step that is next for some procedure of the batch, in flow order."""
    waiting: dict[str, int] = {}
    for row in rows:
        step = row.next_step
        if step is not None:
            waiting[step.id] = waiting.get(step.id, 0) + 1
    panels = []
    for step in batch.flow.steps:
        if step.id not in waiting:
            continue
        panels.append(
            {
                "step": step,
                "label": StepId(step.id).label,
                "count": waiting[step.id],
                "allowed": may_act(request.user, step),
                "actor": actor_text(step),
                "checker": step.checker,
                "form": bound.get(step.id) or evidence_form(step),
            }
        )
    return panels


def _render_batch(
    request: HttpRequest,
    batch: Batch,
    *,
    status: int = 200,
    step_forms: dict[str, forms.Form] | None = None,
    step_errors: list[str] | None = None,
    close_form: CloseForm | None = None,
    objection_form: ObjectionForm | None = None,
    resolve_forms: dict[int, ResolveForm] | None = None,
    selected: list[int] | None = None,
) -> HttpResponse:
    user = request.user
    rows = _batch_procedures(request, batch)
    notices = []
    for notice in batch.notices.all():
        page, pdf = queries.notice_urls(notice)
        notices.append({"notice": notice, "page": page, "pdf": pdf})
    objections = list(
        Objection.objects.visible_to(user)
        .filter(procedure__batch=batch)
        .select_related("procedure__household", "procedure__village", "recorded_by", "decided_by")
    )
    resolver = user.role in services.RESOLVERS and services.user_level(user) in (
        "township",
        "county",
    )
    resolve_forms = resolve_forms or {}
    for objection in objections:
        if objection.pk in resolve_forms:  # a refused attempt shows its message
            objection.form = resolve_forms[objection.pk]
        elif resolver and objection.status == ObjectionStatus.OPEN:
            objection.form = ResolveForm(prefix=f"objection-{objection.pk}")
    objectable = [
        (row.pk, row.household.number if row.household_id else row.village.name)
        for row in rows
        if row.notice_id and row.is_open
    ]
    can_edit = user.can_edit()
    panels = _step_panels(request, batch, rows, step_forms or {})
    step_errors = list(step_errors or [])
    shown = {panel["step"].id for panel in panels}
    for step_id, form in (step_forms or {}).items():
        if step_id not in shown:  # e.g. a step that is next for none of them: say why here
            step_errors.extend(m for found in form.errors.values() for m in found)
    return render(
        request,
        "procedures/batch_detail.html",
        {
            "batch": batch,
            "rows": rows,
            "open_rows": [r for r in rows if r.is_open],
            "notices": notices,
            "panels": panels,
            "step_errors": step_errors,
            "close_form": (close_form or CloseForm()) if can_edit else None,
            "objections": objections,
            "objection_form": (objection_form or ObjectionForm(choices=objectable))
            if can_edit and objectable
            else None,
            "selected": set(selected or []),
            "household_kind": batch.kind != Kind.VILLAGE_EXIT,
        },
        status=status,
    )


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_batch(request, _batch(request, pk))


def _selected(request: HttpRequest, batch: Batch) -> tuple[list[int], list[Procedure], dict]:
    """The ticked procedures (visible, of this batch; otherwise 404) and the versions the page
    showed for them."""
    ids = _ids(request.POST.getlist("procedures"))
    procedures = list(
        Procedure.objects.visible_to(request.user).filter(batch=batch, pk__in=ids).order_by("id")
    )
    if len(procedures) != len(ids):
        raise Http404
    versions = {}
    for pk in ids:
        raw = request.POST.get(f"version-{pk}", "")
        if raw.isdigit():
            versions[pk] = int(raw)
    return ids, procedures, versions


@login_required
@require_POST
def batch_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the chosen step on the ticked procedures, all or none."""
    batch = _batch(request, pk)
    ids, procedures, versions = _selected(request, batch)
    step_id = request.POST.get("step", "")
    try:
        step = batch.flow.step(step_id)
    except KeyError:
        return _render_batch(
            request, batch, status=400, step_errors=[gettext("请选择要办理的环节")], selected=ids
        )
    form = evidence_form(step, request.POST)
    errors: list[str] = []
    status = 400
    if not procedures:
        errors.append(gettext("请选择要办理的户"))
    elif form.is_valid():
        try:
            outcome = services.take_step(
                procedures, step.id, form.cleaned_data, acting_user=request.user, versions=versions
            )
        except PermissionDenied as error:
            errors.append(str(error))
            status = 403
        except services.Conflict as error:
            errors.append(str(error))
            status = CONFLICT
        except ValidationError as error:
            apply_errors(error, form)
        else:
            if outcome.taken:
                messages.success(
                    request,
                    gettext("已办理「{step}」：{count} 户").format(
                        step=StepId(step.id).label, count=len(outcome.taken)
                    ),
                )
            for procedure, reason in outcome.stopped:
                messages.warning(
                    request,
                    gettext("{who} 已中止：{reason}").format(
                        who=services.subject(procedure), reason=reason
                    ),
                )
            return redirect("procedures-batch", pk=batch.pk)
    return _render_batch(
        request,
        batch,
        status=status,
        step_forms={step.id: form},
        step_errors=errors,
        selected=ids,
    )


@login_required
@require_POST
def batch_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Reject or withdraw the ticked procedures with one reason, all or none."""
    batch = _batch(request, pk)
    ids, procedures, versions = _selected(request, batch)
    form = CloseForm(request.POST)
    status = 400
    if not procedures:
        form.add_error(None, gettext("请选择要办理的户"))
    elif form.is_valid():
        outcome, reason = form.cleaned_data["outcome"], form.cleaned_data["reason"]
        try:
            with transaction.atomic():
                for procedure in procedures:
                    services.close(
                        procedure,
                        outcome,
                        reason,
                        acting_user=request.user,
                        version=versions.get(procedure.pk),
                    )
        except PermissionDenied as error:
            form.add_error(None, str(error))
            status = 403
        except services.Conflict as error:
            form.add_error(None, str(error))
            status = CONFLICT
        except ValidationError as error:
            apply_errors(error, form)
        else:
            messages.success(
                request,
                gettext("已{outcome}：{count} 户").format(
                    outcome=Closed(outcome).label, count=len(procedures)
                ),
            )
            return redirect("procedures-batch", pk=batch.pk)
    return _render_batch(request, batch, status=status, close_form=form, selected=ids)


@login_required
@require_POST
def batch_objection(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an objection received in person or by phone."""
    batch = _batch(request, pk)
    visible = Procedure.objects.visible_to(request.user).filter(batch=batch)
    choices = [(p.pk, str(p.pk)) for p in visible.filter(notice__isnull=False).only("pk")]
    form = ObjectionForm(request.POST, choices=choices)
    status = 400
    if form.is_valid():
        procedure = get_object_or_404(visible, pk=form.cleaned_data["procedure"])
        try:
            objection = services.record_objection(
                procedure,
                form.cleaned_data["text"],
                acting_user=request.user,
                name=form.cleaned_data["name"],
                contact=form.cleaned_data["contact"],
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
            status = 403
        except ValidationError as error:
            apply_errors(error, form)
        else:
            messages.success(
                request,
                gettext(
                    "已登记对 {who} 的异议；处理前该户不能继续办理。"
                    "受理编号：{number}（请告知异议人，可凭此编号查询处理情况）"
                ).format(
                    who=services.subject(procedure),
                    number=objection.receipt_display,
                ),
            )
            return redirect("procedures-batch", pk=batch.pk)
    return _render_batch(request, batch, status=status, objection_form=form)


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(
        Objection.objects.visible_to(request.user).select_related("procedure__batch"), pk=pk
    )
    batch = objection.procedure.batch
    form = ResolveForm(request.POST, prefix=f"objection-{objection.pk}")
    status = 400
    if form.is_valid():
        upheld = form.cleaned_data["decision"] == "upheld"
        try:
            services.resolve_objection(
                objection, upheld, form.cleaned_data["finding"], acting_user=request.user
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
            status = 403
        except services.Conflict as error:
            form.add_error(None, str(error))
            status = CONFLICT
        except ValidationError as error:
            apply_errors(error, form)
        else:
            messages.success(
                request,
                gettext("异议已处理：{decision}").format(
                    decision=ObjectionStatus.UPHELD.label
                    if upheld
                    else ObjectionStatus.DISMISSED.label
                ),
            )
            return redirect("procedures-batch", pk=batch.pk)
    return _render_batch(request, batch, status=status, resolve_forms={objection.pk: form})


# ---------------------------------------------------------------- one procedure


# Evidence keys of closing records (rejected, withdrawn, removed, stopped).
EXTRA_EVIDENCE = {
    "reason": _("原因"),
    "finding": _("核查结论"),
    "objection": _("异议编号"),
}


def evidence_rows(procedure: Procedure, record: StepRecord) -> list[tuple[str, Any]]:
    """(label, value) of a step record's evidence, labelled by the step's field specs."""
    specs = {}
    if record.step in StepId.values:
        specs = {spec.name: spec for spec in procedure.flow.step(record.step).evidence}
    rows = []
    for name, value in (record.evidence or {}).items():
        spec = specs.get(name)
        if spec is None:
            rows.append((str(EXTRA_EVIDENCE.get(name, name)), value))
            continue
        if spec.kind == "choice" and spec.choices is not None and value in spec.choices.values:
            value = spec.choices(value).label
        rows.append((str(spec.label), value))
    return rows


@login_required
def procedure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = get_object_or_404(
        Procedure.objects.visible_to(request.user).select_related(
            "batch__area", "household", "village", "notice", "verdict"
        ),
        pk=pk,
    )
    queries.with_heads([procedure])
    records = list(procedure.steps.select_related("actor").order_by("id"))
    for record in records:
        record.rows = evidence_rows(procedure, record)
        record.label = (
            StepId(record.step).label if record.step in StepId.values else Closed(record.step).label
        )
    objections = list(
        procedure.objections.select_related("recorded_by", "decided_by").order_by("lodged", "id")
    )
    step = procedure.next_step
    in_notice = bool(
        procedure.notice_id
        and procedure.state == StepId.NOTICE
        and procedure.notice.end >= services.today()
    )
    notice = None
    if procedure.notice_id:
        page, pdf = queries.notice_urls(procedure.notice)
        notice = {"notice": procedure.notice, "page": page, "pdf": pdf}
    return render(
        request,
        "procedures/procedure_detail.html",
        {
            "procedure": procedure,
            "records": records,
            "objections": objections,
            "next_step": step,
            "next_actor": actor_text(step) if step else "",
            "stage": queries.stage_label(procedure.kind, procedure.state, in_notice)[1],
            "notice": notice,
        },
    )


# ---------------------------------------------------------------- proposals


def _candidates(
    user: Any, kind: str, area: Area, year: int
) -> tuple[list[dict[str, Any]], int | None]:
    """(rows that may be proposed, the assessment run cited) for the proposal page."""
    flow = FLOWS[kind]
    if kind == Kind.VILLAGE_EXIT:
        run_id, verdicts = queries.village_exit_candidates(user, area.code, year)
        names = dict(
            Area.objects.filter(code__in=[v.entity for v in verdicts]).values_list("code", "name")
        )
        rows = [
            {"key": v.entity, "label": names.get(v.entity, v.entity), "verdict": v.pk}
            for v in verdicts
        ]
        return rows, run_id
    if kind == Kind.EXIT:
        run_id, verdicts = queries.exit_candidates(user, area.code, year)
        verdicts = list(verdicts[:CANDIDATES_SHOWN])
        pairs = [(v.household, v.pk) for v in verdicts]
    else:
        run_id = None
        households = (
            Household.objects.visible_to(user)
            .filter(village=area, status__in=flow.from_statuses)
            .exclude(pk__in=queries.busy_households().values("household_id"))
            .order_by("number")[:CANDIDATES_SHOWN]
        )
        pairs = [(h, None) for h in households]
    heads = queries.masked_heads([h.pk for h, _v in pairs])
    rows = [
        {
            "key": h.pk,
            "label": h.number,
            "household": h,
            "head": heads.get(h.pk, ("", 0))[0],
            "size": heads.get(h.pk, ("", 0))[1],
            "verdict": verdict,
        }
        for h, verdict in pairs
    ]
    return rows, run_id


def _proposals(
    request: HttpRequest, kind: str, keys: list[str], evidence: dict[str, Any]
) -> list[services.Proposal]:
    """The ticked rows as proposals (each must be visible: otherwise 404)."""
    user, post = request.user, request.POST
    if kind == Kind.VILLAGE_EXIT:
        villages = Area.objects.visible_to(user).filter(code__in=keys, level=AreaLevel.VILLAGE)
        found = {a.code: a for a in villages}
        if len(found) != len(set(keys)):
            raise Http404
        return [
            services.Proposal(
                village=found[code], evidence={**evidence, "verdict": post.get(f"verdict-{code}")}
            )
            for code in sorted(found)
        ]
    ids = _ids(keys)
    households = {h.pk: h for h in Household.objects.visible_to(user).filter(pk__in=ids)}
    if len(households) != len(ids) or len(ids) != len(set(keys)):
        raise Http404
    proposals = []
    for pk in ids:
        data = dict(evidence)
        if kind == Kind.EXIT:
            data["verdict"] = post.get(f"verdict-{pk}")
        reason = post.get(f"reason-{pk}", "") if kind == Kind.DEREGISTRATION else ""
        proposals.append(services.Proposal(household=households[pk], reason=reason, evidence=data))
    return proposals


@login_required
def proposal_new(request: HttpRequest) -> HttpResponse:
    """Start procedures of one kind: tick households of a village (villages of a township for a
    village exit), give the proposal's evidence; the batch of the year is opened on first use."""
    user = request.user
    kind = request.GET.get("kind", Kind.EXIT)
    if kind not in FLOWS:
        raise Http404
    flow = FLOWS[kind]
    first = flow.steps[0]
    try:
        services.check_actor(user, first, user.area_id or "")
    except PermissionDenied as error:
        return _denied(request, error)
    villages: list[tuple[str, str]] = []
    if BATCH_LEVEL[kind] == AreaLevel.TOWNSHIP:
        area: Area | None = user.area
    else:
        villages = list(
            Area.objects.visible_to(user)
            .filter(level=AreaLevel.VILLAGE)
            .values_list("code", "name")[:AREA_SELECT_LIMIT]
        )
        code = request.GET.get("village", "") or (
            user.area_id if services.user_level(user) == AreaLevel.VILLAGE else ""
        )
        area = _visible_area(user, code)
        if area is not None and area.level != AreaLevel.VILLAGE:
            area = None
    today = services.today()
    verdict_level = {Kind.EXIT: "household", Kind.VILLAGE_EXIT: "village"}.get(kind)
    default_year = today.year
    if area is not None and verdict_level:
        default_year = queries.latest_run_year(user, verdict_level, area.code) or today.year
    year = _int(request.GET.get("year"), default_year)
    form = evidence_form(first, request.POST or None)
    errors: list[str] = []
    status = 200
    chosen: list[str] = request.POST.getlist("selected")
    if request.method == "POST" and area is not None:
        status = 400
        if not chosen:
            errors.append(gettext("请至少勾选一户（一个村）"))
        elif form.is_valid():
            proposals = _proposals(request, kind, chosen, form.cleaned_data)
            try:
                with transaction.atomic():
                    batch = services.open_batch(kind, area, year, acting_user=user)
                    created = services.propose(batch, proposals, acting_user=user)
            except PermissionDenied as error:
                errors.append(str(error))
                status = 403
            except ValidationError as error:
                errors.extend(_messages(error))
            else:
                messages.success(
                    request,
                    gettext("已提出{kind}：{count} 户（村），请继续办理下一环节").format(
                        kind=Kind(kind).label, count=len(created)
                    ),
                )
                return redirect("procedures-batch", pk=batch.pk)
    rows, run_id = _candidates(user, kind, area, year) if area is not None else ([], None)
    for row in rows:
        row["reason"] = request.POST.get(f"reason-{row['key']}", "")
    reasons = [(r, ReasonCategory(r).label) for r in flow.reasons]
    return render(
        request,
        "procedures/proposal_new.html",
        {
            "kind": kind,
            "kind_label": Kind(kind).label,
            "kinds": _proposal_kinds(user),
            "area": area,
            "villages": villages,
            "year": year,
            "rows": rows,
            "more": len(rows) >= CANDIDATES_SHOWN,
            "run_id": run_id,
            "needs_verdict": bool(verdict_level),
            "reasons": reasons if len(reasons) > 1 else [],
            "form": form,
            "errors": errors,
            "chosen": set(chosen),
            "query": request.GET.urlencode(),
        },
        status=status,
    )
