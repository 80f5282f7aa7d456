"""核查任务 pages: the tasks of the user's area (open first, overdue marked, a board by village
and rule, .xlsx for field work) and one task: its finding, the on-site check, the township
review of a 不属实, the action of a 属实. Phone-sized: one column, large buttons."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from openpyxl import Workbook

from jingzhun import areacodes, masking
from jingzhun.core.paging import page_number
from jingzhun.imports.tasks import start_job
from jingzhun.registry.choices import Cause
from jingzhun.registry.models import Person
from jingzhun.workbook.safe import append_row
from jingzhun.workbook.web import clean_xlsx_upload

from . import actions, awaiting, reports, verification
from .choices import OPEN_TASKS, CheckResult, TaskStatus
from .models import VerificationTask
from .reports import rule_labels
from .views_findings import audited_xlsx

PER_PAGE = 50


class CheckForm(forms.Form):
    result = forms.ChoiceField(
        label=_("核查结果"), choices=CheckResult.choices, widget=forms.RadioSelect
    )
    checked_on = forms.DateField(
        label=_("核查日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("核查情况"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    agree = forms.TypedChoiceField(
        label=_("复核意见"),
        choices=[("1", _("同意（核实不属实）")), ("0", _("退回重新核查"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    review_note = forms.CharField(label=_("复核说明"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    closed_note = forms.CharField(
        label=_("处理情况"),
        max_length=300,
        help_text=_("如：已启动销号程序；已更正登记信息"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EntryForm(forms.Form):
    number = forms.CharField(
        label=_("户编号"),
        max_length=18,
        help_text=_("以所在县区划代码开头的16至18位数字"),
    )
    main_cause = forms.ChoiceField(label=_("主要致贫原因"), choices=Cause.choices)


class HandDownForm(forms.Form):
    village = forms.ChoiceField(label=_("转派到村"))

    def __init__(self, *args: object, villages: list = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [(v.code, f"{v.name}（{v.code}）") for v in villages]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("填好的核查任务表（.xlsx）"),
        help_text=_("在导出的任务表中填写核查结果（属实/不属实）、核查情况和核查日期后上传"),
    )
    dry_run = forms.BooleanField(label=_("仅校验"), required=False)

    def clean_file(self) -> object:
        return clean_xlsx_upload(self.cleaned_data["file"])


def _tasks(request: HttpRequest):
    tasks = VerificationTask.objects.visible_to(request.user).select_related("finding")
    status = request.GET.get("status", "open")
    if status == "open":
        tasks = tasks.filter(status__in=OPEN_TASKS)
    elif status in TaskStatus.values:
        tasks = tasks.filter(status=status)
    if request.GET.get("overdue"):
        tasks = tasks.filter(status__in=OPEN_TASKS, due__lt=timezone.localdate())
    if request.GET.get("mine"):  # 待我办理 (the home page's card links here)
        tasks = tasks.filter(awaiting.task_q(request.user))
    # The report's counts link here with an area and a rule (比对报表 → its tasks).
    area = request.GET.get("area", "").strip()
    if area.isdigit() and len(area) <= 12:
        tasks = tasks.filter(area_code__startswith=areacodes.prefix(area))
    if rule := request.GET.get("rule", "").strip():
        tasks = tasks.filter(finding__rule=rule)
    if year := reports.chosen_year(request.GET.get("year")):
        tasks = tasks.filter(reports.of_year(year, "finding__"))
    return tasks.order_by("due", "pk"), status


def _query(request: HttpRequest, status: str) -> str:
    """The filters as a query string (the pager and the export keep them)."""
    kept = {"status": status}
    kept.update(
        {
            k: request.GET[k]
            for k in ("overdue", "mine", "area", "rule", "year")
            if request.GET.get(k)
        }
    )
    return urlencode(kept)


@never_cache
@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    tasks, status = _tasks(request)
    today = timezone.localdate()
    labels = rule_labels()
    open_tasks = VerificationTask.objects.visible_to(request.user).filter(status__in=OPEN_TASKS)
    board: Counter = Counter()
    late: Counter = Counter()
    for area_code, rule, due in open_tasks.values_list("area_code", "finding__rule", "due"):
        board[(area_code, rule)] += 1
        late[(area_code, rule)] += due < today
    page = Paginator(tasks, PER_PAGE).get_page(page_number(request.GET.get("page")))
    return render(
        request,
        "comparison/task_list.html",
        {
            "page": page,
            "rows": [(t, labels.get(t.finding.rule, t.finding.rule), t.due < today) for t in page],
            "status": status,
            "statuses": TaskStatus.choices,
            "overdue": bool(request.GET.get("overdue")),
            "mine": bool(request.GET.get("mine")),
            "board": [
                (area, labels.get(rule, rule), n, late[(area, rule)])
                for (area, rule), n in sorted(board.items())
            ],
            "query": _query(request, status),
            "area": request.GET.get("area", ""),
            "rule": request.GET.get("rule", ""),
            "year": reports.chosen_year(request.GET.get("year")) or "",
        },
    )


@login_required
def task_export(request: HttpRequest) -> HttpResponse:
    """The listed tasks as .xlsx for field work (audited export)."""
    tasks, status = _tasks(request)
    labels = rule_labels()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("核查任务"))
    append_row(
        sheet,
        [
            gettext("任务编号"), gettext("区划代码"), gettext("户编号"), gettext("规则"),
            gettext("问题描述"), gettext("核查时限"), gettext("状态"), gettext("核查结果"),
            gettext("核查情况"), gettext("核查日期"),
        ],
    )  # fmt: skip
    rows = 0
    for task in tasks.select_related("finding__household")[:20_000]:
        finding = task.finding
        append_row(
            sheet,
            [
                task.pk, task.area_code, finding.household.number if finding.household else "",
                labels.get(finding.rule, finding.rule), finding.sentence, task.due,
                task.get_status_display(), task.get_result_display(), task.note, task.checked_on,
            ],
        )  # fmt: skip
        rows += 1
    message = gettext("导出核查任务 {rows} 条").format(rows=rows)
    changes = {"status": status, "rows": rows}
    return audited_xlsx(request, book, "comparison.verificationtask", message, changes, "tasks")


@never_cache
@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(
        VerificationTask.objects.visible_to(request.user).select_related(
            "finding__household",
            "finding__dataset_row__dataset",
            "finding__person",
            "checked_by",
            "reviewed_by",
            "procedure",
            "change__actor",
        ),
        pk=pk,
    )
    villages = (
        verification.villages_below(task, request.user)
        if task.status == TaskStatus.ASSIGNED and request.user.can_edit()
        else []
    )
    forms_ = {
        "check": CheckForm(initial={"checked_on": timezone.localdate()}),
        "review": ReviewForm(),
        "close": CloseForm(),
        "entry": EntryForm(),
        "hand_down": HandDownForm(villages=villages),
    }
    if request.method == "POST":
        done = _post(request, task, forms_, villages)
        if done:
            return redirect("comparison-task", task.pk)
    finding = task.finding
    return render(
        request,
        "comparison/task_detail.html",
        {
            "task": task,
            "may_deregister": finding.meaning == "exclusion" and finding.household_id is not None,
            "may_record_death": actions.is_death(task),
            "may_exit": task.status == "confirmed" and actions.exit_verdict(task) is not None,
            "correction": _correction(task),
            "may_enter": actions.may_enter(task),
            "change": _change(task),
            "label": rule_labels().get(task.finding.rule, task.finding.rule),
            "overdue": task.is_open and task.due < timezone.localdate(),
            "forms": forms_,
            "can_edit": request.user.can_edit(),
            "may_hand_down": bool(villages),
        },
    )


# Actions of a confirmed task that need no form: the service does it all.
SIMPLE_ACTIONS = {
    "deregister": verification.start_deregistration,
    "exit": actions.start_exit,
    "death": actions.record_death,
    "correct": actions.correct_registry,
}


def _post(request: HttpRequest, task: VerificationTask, forms_: dict, villages: list) -> bool:
    """Run the posted action; True when done (the page redirects), else the errors are on its
    form."""
    action = request.POST.get("action")
    if action in SIMPLE_ACTIONS:
        try:
            SIMPLE_ACTIONS[action](task, acting_user=request.user)
        except (ValidationError, PermissionDenied) as error:
            forms_["close"].add_error(None, " ".join(_messages(error)))
            return False
        return True
    form_class = {
        "check": CheckForm, "review": ReviewForm, "close": CloseForm, "entry": EntryForm,
        "hand_down": HandDownForm,
    }.get(action)  # fmt: skip
    if form_class is None:
        raise PermissionDenied
    extra = {"villages": villages} if action == "hand_down" else {}
    form = forms_[action] = form_class(request.POST, **extra)
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        if action == "check":
            verification.record_check(task, acting_user=request.user, **data)
        elif action == "review":
            verification.review(
                task, agree=data["agree"], note=data["review_note"], acting_user=request.user
            )
        elif action == "entry":
            actions.start_entry(task, acting_user=request.user, **data)
        elif action == "hand_down":
            verification.hand_down(task, village_code=data["village"], acting_user=request.user)
        else:
            verification.close_confirmed(task, note=data["closed_note"], acting_user=request.user)
    except (ValidationError, PermissionDenied) as error:
        for message in _messages(error):
            form.add_error(None, message)
        return False
    return True


def _messages(error: Exception) -> list[str]:
    # A procedure's refusal (the wrong role for its first step) is shown like a form error.
    return list(getattr(error, "messages", None) or [str(error)])


def _correction(task: VerificationTask) -> tuple[str, object, object] | None:
    """(field label, registry value, department value) of a mismatch the registry can follow."""
    correction = actions.correction_of(task)
    if correction is None or task.finding.person is None:
        return None
    field = task.finding.person._meta.get_field(correction.field)
    value = correction.target(task.finding.values)
    choices = (
        dict(field.flatchoices) if field.choices else {True: gettext("是"), False: gettext("否")}
    )
    current = getattr(task.finding.person, correction.field)
    return (field.verbose_name, choices.get(current, current), choices.get(value, value))


@never_cache
@login_required
def task_import(request: HttpRequest) -> HttpResponse:
    """Upload the task list filled in the field: an import job (checked and recorded in this
    request when small, by the task worker when large) whose page shows the result."""
    if not request.user.can_edit():
        raise PermissionDenied(gettext("您没有处理核查任务的权限"))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_job(
            kind="comparison.tasks",
            upload=form.cleaned_data["file"],
            parameters={"dry_run": form.cleaned_data["dry_run"]},
            acting_user=request.user,
        )
        return redirect("import-detail", job.pk)
    return render(request, "comparison/task_import.html", {"form": form})


def _change(task: VerificationTask) -> dict | None:
    """The linked registry change as the page shows it: names masked, fields by their label;
    an update lists its fields, a removal or a new household only what it was."""
    entry = task.change
    if entry is None:
        return None
    lines = []
    if entry.action == "update" and entry.model == "registry.person":
        for name, (old, new) in entry.changes.items():
            try:
                label = Person._meta.get_field(name).verbose_name
            except FieldDoesNotExist:
                label = name
            lines.append((label, _shown(old), _shown(new)))
    return {
        "action": entry.get_action_display(),
        "subject": masking.mask_name(entry.object_repr)
        if entry.model == "registry.person"
        else entry.object_repr,
        "lines": lines,
    }


def _shown(value: object) -> object:
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    return value
