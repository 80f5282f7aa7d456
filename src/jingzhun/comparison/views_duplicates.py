"""疑似重复 pages: the pairs of the user's area (filter by status, kind and township; .xlsx of
the filter, audited; a county user starts a detection), and one pair side by side (names and
ID numbers masked as everywhere; the differing positions of the two numbers named) with its
decision: 不是重复 (reason), 合并 (the kept person; the other is removed from their household),
确认重复 (a household pair). Phone-sized: cards, one column, large buttons."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from jingzhun.areas.models import Area
from jingzhun.core.paging import page_number
from jingzhun.registry import choices as rc
from jingzhun.registry.models import Household
from jingzhun.workbook.safe import append_row

from .choices import PairKind, PairStatus
from .duplicates import detection, services
from .models import DuplicatePair
from .tasks import start_duplicate_detection
from .views_findings import EXPORT_MAX, audited_xlsx

PER_PAGE = 50
COUNTY_PREFIX = 6  # users whose scope is a county or wider start a detection


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("不是重复的理由"),
        help_text=_("如：双胞胎；同名同生日的两个人，已入户核实"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(forms.Form):
    keep = forms.ChoiceField(label=_("保留的成员"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, pair: DuplicatePair, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sides = detection.current_shown(pair)
        self.fields["keep"].choices = [
            (str(person_id), gettext("{label}：{name}（户 {number}）").format(
                label=label, name=side.get("name", ""), number=side.get("household_number", "")))
            for person_id, label, side in (
                (pair.first_person_id, gettext("成员一"), sides.get("first", {})),
                (pair.second_person_id, gettext("成员二"), sides.get("second", {})),
            )
            if person_id
        ]  # fmt: skip


class ConfirmForm(forms.Form):
    reason = forms.CharField(
        label=_("核实情况和后续处理"),
        help_text=_("如：同一家庭分户后重复建档，拟按程序对其中一户销号"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _filtered(request: HttpRequest) -> tuple[QuerySet, dict[str, str]]:
    pairs = DuplicatePair.objects.visible_to(request.user)
    chosen = {
        "status": request.GET.get("status", PairStatus.OPEN),
        "kind": request.GET.get("kind", ""),
        "township": request.GET.get("township", "").strip(),
    }
    if chosen["status"] in PairStatus.values:
        pairs = pairs.filter(status=chosen["status"])
    if chosen["kind"] in PairKind.values:
        pairs = pairs.filter(kind=chosen["kind"])
    township = chosen["township"]
    if township.isascii() and township.isdigit() and len(township) == 9:
        pairs = pairs.filter(area_code__startswith=township)
    return pairs.order_by("area_code", "pk"), chosen


def _townships(user: Any) -> list[tuple[str, str]]:
    """The townships of the user's area, for the filter (none for a village user)."""
    scope = user.scope_prefix()
    if scope is None or len(scope) > 9:
        return []
    areas = Area.objects.filter(level="township", code__startswith=scope).order_by("code")
    return [(code[:9], name) for code, name in areas.values_list("code", "name")[:500]]


def may_find(user: Any) -> bool:
    scope = user.scope_prefix()
    return user.can_edit() and scope is not None and len(scope) <= COUNTY_PREFIX


@never_cache
@login_required
def pair_list(request: HttpRequest) -> HttpResponse:
    pairs, chosen = _filtered(request)
    page = Paginator(pairs, PER_PAGE).get_page(page_number(request.GET.get("page")))
    return render(
        request,
        "comparison/duplicate_list.html",
        {
            "page": page,
            "chosen": chosen,
            "statuses": PairStatus.choices,
            "kinds": PairKind.choices,
            "townships": _townships(request.user),
            "query": "&".join(f"{k}={v}" for k, v in chosen.items() if v),
            "may_find": may_find(request.user),
            # When a detection last found pairs here (one started from the button runs on the
            # task worker; the page shows its result once it has).
            "last_found": DuplicatePair.objects.visible_to(request.user).aggregate(
                last=Max("last_found")
            )["last"],
            "days": detection.window_days(),
        },
    )


@login_required
@require_POST
def pair_find(request: HttpRequest) -> HttpResponse:
    """Start a detection of the pairs of the user's area on the task worker (audited by the
    detection; a province takes about two minutes, too long for a request)."""
    if not may_find(request.user):
        raise PermissionDenied(gettext("只有县级及以上有编辑权限的用户可以查找疑似重复"))
    start_duplicate_detection(prefix=request.user.scope_prefix() or "", acting_user=request.user)
    messages.success(
        request, gettext("已在后台开始查找疑似重复；几分钟内完成，届时刷新本页即可看到结果。")
    )
    return redirect("comparison-duplicates")


def _side_label(side: dict[str, Any], name: str, choices: Any) -> str:
    value = side.get(name, "")
    try:
        return str(choices(value).label) if value else ""
    except ValueError:
        return str(value)


@login_required
def pair_export(request: HttpRequest) -> HttpResponse:
    """The filtered pairs as .xlsx (masked as on the page), audited as an export."""
    pairs, chosen = _filtered(request)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("疑似重复"))
    append_row(
        sheet,
        [
            gettext("编号"), gettext("区划代码"), gettext("类型"), gettext("相同依据"),
            gettext("成员或户一"), gettext("户编号一"), gettext("成员或户二"),
            gettext("户编号二"), gettext("出生日期"), gettext("状态"), gettext("核实意见"),
        ],
    )  # fmt: skip
    rows = 0
    for pair in pairs[:EXPORT_MAX]:
        first, second = pair.shown.get("first", {}), pair.shown.get("second", {})
        append_row(
            sheet,
            [
                pair.pk, pair.area_code, pair.get_kind_display(), pair.get_basis_display(),
                first.get("name") or first.get("head", ""), first.get("household_number", ""),
                second.get("name") or second.get("head", ""), second.get("household_number", ""),
                first.get("birth_date", ""), pair.get_status_display(), pair.reason,
            ],
        )  # fmt: skip
        rows += 1
    message = gettext("导出疑似重复 {rows} 条").format(rows=rows)
    changes = {"filter": chosen, "rows": rows}
    return audited_xlsx(request, book, "comparison.duplicatepair", message, changes, "duplicates")


def _rows(shown: dict[str, Any]) -> list[tuple[str, Any, Any, bool]]:
    """(label, first, second, differ) of the side-by-side table."""
    first, second = shown.get("first", {}), shown.get("second", {})
    fields: list[tuple[str, Any]] = [
        (gettext("姓名"), lambda s: s.get("name", "")),
        (gettext("证件号码"), lambda s: s.get("id_number", "")),
        (gettext("性别"), lambda s: _side_label(s, "sex", rc.Sex)),
        (gettext("出生日期"), lambda s: s.get("birth_date", "")),
        (gettext("与户主关系"), lambda s: _side_label(s, "relation", rc.Relation)),
        (gettext("户主"), lambda s: s.get("head", "")),
        (gettext("户编号"), lambda s: s.get("household_number", "")),
        (gettext("所在行政村"), lambda s: s.get("village_name", "")),
        (gettext("贫困户状态"), lambda s: _side_label(s, "household_status", rc.Status)),
        (gettext("建档时间"), lambda s: s.get("created", "")),
    ]
    rows = []
    for label, read in fields:
        one, two = read(first), read(second)
        if one or two:
            rows.append((label, one, two, one != two))
    return rows


def _households(user: Any, shown: dict[str, Any]) -> list[tuple[int, str]]:
    """(pk, number) of the pair's households that still exist and the user may open."""
    ids = {side.get("household") for side in (shown.get("first"), shown.get("second")) if side}
    visible = Household.objects.visible_to(user).filter(pk__in=[i for i in ids if i])
    return list(visible.order_by("pk").values_list("pk", "number"))


@never_cache
@login_required
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(
        DuplicatePair.objects.visible_to(request.user).select_related("decided_by"), pk=pk
    )
    forms_: dict[str, forms.Form] = {
        "dismiss": DismissForm(),
        "merge": MergeForm(pair=pair),
        "confirm": ConfirmForm(),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in forms_:
            raise PermissionDenied
        form = forms_[action] = (
            MergeForm(request.POST, pair=pair)
            if action == "merge"
            else {"dismiss": DismissForm, "confirm": ConfirmForm}[action](request.POST)
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "dismiss":
                    services.dismiss_pair(pair, reason=data["reason"], acting_user=request.user)
                elif action == "confirm":
                    services.confirm_pair(pair, note=data["reason"], acting_user=request.user)
                else:
                    keep = pair.first_person if data["keep"] == str(pair.first_person_id) else None
                    keep = keep or pair.second_person
                    services.merge_pair(
                        pair, keep=keep, note=data["note"], acting_user=request.user
                    )
                return redirect("comparison-duplicate", pair.pk)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
    shown = detection.current_shown(pair)
    differing = shown.get("differing") or []
    return render(
        request,
        "comparison/duplicate_detail.html",
        {
            "pair": pair,
            "rows": _rows(shown),
            "households": _households(request.user, shown),
            "differing": "、".join(str(p) for p in differing),
            "forms": forms_,
            "can_decide": services.can_decide(pair, request.user),
        },
    )
