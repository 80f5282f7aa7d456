"""Assessment runs: the list of stored runs readable by the user, the form that starts a run as a
background task, and the progress fragment the page polls while a run is queued or running."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jingzhun.areas.models import Area
from jingzhun.standards import StandardError

from . import tasks
from .choices import LIVE, Status
from .forms import RunForm, engine_label
from .models import AssessmentRun
from .services import cancel_run, create_run, delete_run, stop_run

RUNS_SHOWN = 50


def _runs(request: HttpRequest) -> list[AssessmentRun]:
    """The newest runs the user may read, each with `area_name` (one query for all names) and
    `wider` (a finished run of an area above the user's: read-only, its whole-run counts
    hidden, no buttons)."""
    runs = list(
        AssessmentRun.objects.readable_by(request.user).select_related("created_by")[:RUNS_SHOWN]
    )
    names = dict(
        Area.objects.filter(code__in={r.area_code for r in runs}).values_list("code", "name")
    )
    scope = request.user.scope_prefix()
    for run in runs:
        run.area_name = names.get(run.area_code, "")
        run.wider = run.wider_than(scope)
    return runs


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    form = RunForm(user=request.user) if request.user.can_edit() else None
    return render(request, "assessment/run_list.html", _context(request, form))


def _context(request: HttpRequest, form: RunForm | None) -> dict:
    return {"runs": _runs(request), "form": form, "live": LIVE, "engine": engine_label()}


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    """Record the run now (refusals are shown on the form) and queue its execution; the run
    starts once this request's transaction has committed, so the worker always finds it."""
    if not request.user.can_edit():
        raise PermissionDenied(gettext("您没有发起评估的权限"))
    # The page warns (and asks to confirm) before a run over a year without income data.
    form = RunForm(request.POST, user=request.user, check_income=True)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                run = create_run(
                    standard_id=data["standard"],
                    year=data["year"],
                    engine=None,  # the deployment's (settings.ASSESSMENT_ENGINE)
                    area_code=data["area"],
                    acting_user=request.user,
                )
                transaction.on_commit(lambda: tasks.assess.enqueue(run.pk))
        except (StandardError, FileNotFoundError, ValueError, Area.DoesNotExist) as error:
            form.add_error(None, str(error))
        except PermissionDenied as error:
            form.add_error("area", str(error))
        else:
            messages.success(
                request, gettext("评估 #{pk} 已加入队列，完成后可查看报告").format(pk=run.pk)
            )
            return redirect(reverse("assessment-runs") + f"#run-{run.pk}")
    return render(request, "assessment/run_list.html", _context(request, form), status=400)


@never_cache
@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The status cell of one run; while the run is live it asks htmx to poll again."""
    run = get_object_or_404(AssessmentRun.objects.visible_to(request.user), pk=pk)
    return render(request, "assessment/_progress.html", {"run": run, "live": LIVE})


def _own_run(request: HttpRequest, pk: int) -> AssessmentRun:
    # `visible_to`, never `readable_by`: a run above the user's area is read-only for them.
    if not request.user.can_edit():
        raise PermissionDenied(gettext("您没有管理评估的权限"))
    return get_object_or_404(AssessmentRun.objects.visible_to(request.user), pk=pk)


@login_required
@require_POST
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    run = _own_run(request, pk)
    if cancel_run(run, request.user):
        messages.success(request, gettext("评估 #{pk} 已取消").format(pk=run.pk))
    else:
        messages.error(request, gettext("评估 #{pk} 已开始运行，不能取消").format(pk=run.pk))
    return redirect("assessment-runs")


@login_required
@require_POST
def run_stop(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask a running run to stop (or fail one whose worker died); same permission as cancel."""
    run = _own_run(request, pk)
    status = stop_run(run, request.user)
    if status == Status.CANCELLING:
        messages.success(
            request, gettext("已请求停止评估 #{pk}，将在当前步骤结束后停止").format(pk=run.pk)
        )
    elif status == Status.FAILED:
        messages.warning(
            request,
            gettext("评估 #{pk} 长时间没有进度，后台进程已中断，已标记为失败").format(pk=run.pk),
        )
    else:
        messages.error(request, gettext("评估 #{pk} 不在运行中，不能停止").format(pk=run.pk))
    if request.POST.get("next") == "detail":
        return redirect("assessment-run", pk=pk)
    return redirect("assessment-runs")


@login_required
@require_POST
def run_delete(request: HttpRequest, pk: int) -> HttpResponse:
    run = _own_run(request, pk)
    try:
        delete_run(run, request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("评估 #{pk} 已删除").format(pk=pk))
    return redirect("assessment-runs")
