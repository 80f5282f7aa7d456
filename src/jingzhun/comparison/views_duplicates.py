"""疑似重复 pages: the pairs of the user's area (filter by status, kind and township; .xlsx of
the filter, audited; a county user starts a detection), and one pair side by side (names and
ID numbers masked as everywhere; the differing positions of the two numbers named) with its
decision: 不是重复 (reason), 合并 (a person pair: the kept person; the other is removed from their
household), 合并两户 (a household pair: both households' members side by side, the household to
keep, a choice per member of the other — move in with a relation, or drop as a duplicate — the
other household then closed), 确认重复 (a household pair). Phone-sized: cards, one column, large
buttons."""

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
from jingzhun.registry.models import Household, Person
from jingzhun.workbook.safe import append_row

from .choices import PairKind, PairStatus
from .duplicates import detection, services
from .models import DuplicatePair
from .tasks import pending_detection, start_duplicate_detection
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


class HouseholdMergeForm(forms.Form):
    """合并两户: the household kept (chosen by the page's links, carried hidden) and, for each
    member of the other household, 迁入 (with the relation to the kept head) or 删除 (a
    duplicate of a kept member: suggested where the detection's test matches one)."""

    keep = forms.TypedChoiceField(coerce=int, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, pair: DuplicatePair, keep: int, people: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        sides = [pk for pk in (pair.first_household_id, pair.second_household_id) if pk]
        self.fields["keep"].choices = [(pk, str(pk)) for pk in sides]
        self.fields["keep"].initial = keep
        other = next((pk for pk in sides if pk != keep), 0)
        suggested = detection.likely_same(keep, other) if keep and other else {}
        relations = [(v, label) for v, label in rc.Relation.choices if v != rc.Relation.HEAD]
        self.people = people
        # A relation carries over only when the same person heads both households; otherwise
        # the reviewer names each mover's relation to the kept head.
        head = next((p.pk for p in people if p.relation == rc.Relation.HEAD), None)
        kept_head = Person.objects.filter(household_id=keep, relation=rc.Relation.HEAD).first()
        same_head = (
            head is not None and kept_head is not None and suggested.get(head) == kept_head.pk
        )
        for person in people:
            self.fields[f"member_{person.pk}"] = forms.ChoiceField(
                label=_("处理"),
                choices=[
                    (services.MOVE, _("迁入保留户")),
                    (services.DROP, _("删除（与保留户成员重复）")),
                ],
                initial=services.DROP if person.pk in suggested else services.MOVE,
            )
            self.fields[f"relation_{person.pk}"] = forms.ChoiceField(
                label=_("迁入后与户主的关系"),
                choices=[("", "—"), *relations],
                required=False,
                initial=person.relation if same_head and person.pk != head else "",
            )
        self.suggested = suggested

    def choices(self) -> tuple[dict[int, str], dict[int, str]]:
        """(member → move or drop, member → relation) for `merge_household_pair`."""
        data = self.cleaned_data
        members = {p.pk: data[f"member_{p.pk}"] for p in self.people}
        relations = {
            p.pk: data[f"relation_{p.pk}"]
            for p in self.people
            if members[p.pk] == services.MOVE and data[f"relation_{p.pk}"]
        }
        return members, relations


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
            # A detection asked for and not finished yet (queued or running).
            "pending_since": pending_detection(request.user.scope_prefix() or ""),
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


def _household_ids(pair: DuplicatePair) -> list[int]:
    return [pk for pk in (pair.first_household_id, pair.second_household_id) if pk]


def _keep(request: HttpRequest, pair: DuplicatePair) -> int:
    """The household to keep: the reviewer's choice (?keep= on the page's links, the form's
    hidden field on a post), else the one not deregistered, else the first (the older)."""
    ids = _household_ids(pair)
    raw = (request.POST if request.method == "POST" else request.GET).get("keep", "")
    if raw.isascii() and raw.isdigit() and int(raw) in ids:
        return int(raw)
    statuses = dict(Household.objects.filter(pk__in=ids).values_list("pk", "status"))
    live = [pk for pk in ids if statuses.get(pk) != rc.Status.DEREGISTERED]
    return (live or ids or [0])[0]


def _member_row(side: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": side.get("name", ""),
        "relation": _side_label(side, "relation", rc.Relation),
        "birth_date": side.get("birth_date", ""),
        "id_number": side.get("id_number", ""),
    }


def _member_sides(pair: DuplicatePair, shown: dict[str, Any], keep: int) -> list[dict[str, Any]]:
    """Both households' members side by side (masked): as they were before a merge, else now."""
    stored = (pair.shown or {}).get("members")
    now = {} if stored else detection.shown_members(_household_ids(pair))
    merge = (pair.shown or {}).get("merge", {})
    sides = []
    for key, label, pk in (
        ("first", gettext("户一"), pair.first_household_id),
        ("second", gettext("户二"), pair.second_household_id),
    ):
        rows = stored.get(key, []) if stored else now.get(pk, [])
        role = ""
        if merge:
            kept = merge.get("kept_household") == pk
            role = gettext("保留") if kept else gettext("已合并销号")
        elif pair.status == PairStatus.OPEN and keep:
            role = gettext("保留") if pk == keep else gettext("合并后销号")
        sides.append({
            "key": key, "label": label, "role": role,
            "number": shown.get(key, {}).get("household_number", ""),
            "rows": [_member_row(row) for row in rows],
        })  # fmt: skip
    return sides


def _match(side: dict[str, Any] | None) -> str:
    if not side:
        return ""
    return gettext("{name}（{relation}）").format(
        name=side.get("name", ""), relation=_side_label(side, "relation", rc.Relation)
    )


def _merge_rows(form: HouseholdMergeForm, keep: int) -> list[dict[str, Any]]:
    """One card per member of the household to be closed: who, the likely duplicate among the
    kept members, the choice and the relation."""
    ids = [p.pk for p in form.people] + list(form.suggested.values())
    masked = detection.shown_persons(ids)
    return [
        {
            "pk": person.pk,
            "member": _member_row(masked.get(person.pk, {})),
            "match": _match(masked.get(form.suggested.get(person.pk, 0))),
            "action": form[f"member_{person.pk}"],
            "relation": form[f"relation_{person.pk}"],
        }
        for person in form.people
    ]


def _household_merge_form(
    request: HttpRequest, pair: DuplicatePair, keep: int
) -> HouseholdMergeForm:
    other = next((pk for pk in _household_ids(pair) if pk != keep), None)
    people = list(Person.objects.filter(household_id=other).order_by("pk")) if other else []
    data = request.POST if request.POST.get("action") == "merge-households" else None
    return HouseholdMergeForm(data, pair=pair, keep=keep, people=people)


def _decide(pair: DuplicatePair, action: str, form: forms.Form, user: Any) -> None:
    data = form.cleaned_data
    if action == "dismiss":
        services.dismiss_pair(pair, reason=data["reason"], acting_user=user)
    elif action == "confirm":
        services.confirm_pair(pair, note=data["reason"], acting_user=user)
    elif action == "merge-households":
        assert isinstance(form, HouseholdMergeForm)
        members, relations = form.choices()
        keep = Household.objects.get(pk=data["keep"])
        services.merge_household_pair(
            pair, keep=keep, members=members, relations=relations, note=data["note"],
            acting_user=user,
        )  # fmt: skip
    else:
        keep = pair.first_person if data["keep"] == str(pair.first_person_id) else None
        keep = keep or pair.second_person
        services.merge_pair(pair, keep=keep, note=data["note"], acting_user=user)


@never_cache
@login_required
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(
        DuplicatePair.objects.visible_to(request.user).select_related("decided_by"), pk=pk
    )
    household_pair = pair.kind == PairKind.HOUSEHOLD
    keep = _keep(request, pair) if household_pair else 0
    forms_: dict[str, forms.Form] = {
        "dismiss": DismissForm(),
        "merge": MergeForm(pair=pair),
        "confirm": ConfirmForm(),
    }
    if household_pair and pair.status == PairStatus.OPEN:
        forms_["merge-households"] = _household_merge_form(request, pair, keep)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in forms_:
            raise PermissionDenied
        if action == "merge":
            forms_[action] = MergeForm(request.POST, pair=pair)
        elif action != "merge-households":
            forms_[action] = {"dismiss": DismissForm, "confirm": ConfirmForm}[action](request.POST)
        form = forms_[action]
        if form.is_valid():
            try:
                _decide(pair, action, form, request.user)
                return redirect("comparison-duplicate", pair.pk)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
    shown = detection.current_shown(pair)
    differing = shown.get("differing") or []
    merge_form = forms_.get("merge-households")
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
            "member_sides": _member_sides(pair, shown, keep) if household_pair else [],
            "keep": keep,
            "keep_choices": [
                (side["household"], label, side.get("household_number", ""))
                for label, side in (
                    (gettext("户一"), shown.get("first") or {}),
                    (gettext("户二"), shown.get("second") or {}),
                )
                if side.get("household")
            ],
            "merge_form": merge_form,
            "merge_rows": _merge_rows(merge_form, keep) if merge_form else [],
            "merge_summary": _merge_summary(pair),
        },
    )


def _merge_summary(pair: DuplicatePair) -> str:
    """What a household merge did, for the decision box."""
    merge = (pair.shown or {}).get("merge")
    if not merge:
        return ""
    numbers = dict(
        Household.objects.filter(
            pk__in=[merge["kept_household"], merge["closed_household"]]
        ).values_list("pk", "number")
    )
    return gettext(
        "保留户 {kept}；户 {closed} 迁入 {moved} 人、删除重复成员 {dropped} 人后销号"
        "（删除前的信息见审计日志）"
    ).format(
        kept=numbers.get(merge["kept_household"], merge["kept_household"]),
        closed=numbers.get(merge["closed_household"], merge["closed_household"]),
        moved=len(merge["moved"]),
        dropped=len(merge["dropped"]),
    )
