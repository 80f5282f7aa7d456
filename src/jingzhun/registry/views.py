"""Registry pages. Thin: querysets start at `visible_to`, lists use `filters.HouseholdFilter`,
writes go through `services`. Excel import/export pages live in views_excel.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jingzhun import masking, povertylines
from jingzhun.areas.choices import Level
from jingzhun.areas.models import Area
from jingzhun.assessment.history import household_history
from jingzhun.audit.models import AuditEntry
from jingzhun.core.paging import fetch_page, make_pager, page_number
from jingzhun.procedures.queries import household_procedures

from . import choices as c
from . import services
from .filters import HouseholdFilter, looks_like_id_number
from .forms import (
    HOUSEHOLD_GROUPS,
    HeadForm,
    HouseholdForm,
    IdSearchForm,
    IncomeForm,
    PersonForm,
    apply_service_errors,
)
from .models import Household, Income, Person, StatusChange
from .queries import with_head_and_size

PAGE_SIZE = 50
# Above this many matches the list says "more than N" instead of counting a huge scoped set.
COUNT_CAP = 10_000
AREA_SELECT_LIMIT = 2_000
CHECKBOX_FILTERS = ("status", "kind", "main_cause", "gap")


def _require_editor(request: HttpRequest) -> None:
    if not request.user.can_edit():
        raise PermissionDenied(gettext("您没有修改建档立卡数据的权限"))


def _household(request: HttpRequest, pk: int) -> Household:
    return get_object_or_404(
        Household.objects.visible_to(request.user).select_related("village"), pk=pk
    )


# ---------------------------------------------------------------- list and search


def _filter_form_widgets(filterset: HouseholdFilter, user: Any) -> None:
    """Checkboxes for the short choice lists and an area select."""
    form = filterset.form
    for name in CHECKBOX_FILTERS:
        field = form.fields[name]
        field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
    areas = list(
        Area.objects.visible_to(user)
        .filter(level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE])
        .values_list("code", "name", "level")[: AREA_SELECT_LIMIT + 1]
    )
    if len(areas) <= AREA_SELECT_LIMIT:
        indent = {Level.COUNTY: "", Level.TOWNSHIP: "\u3000", Level.VILLAGE: "\u3000\u3000"}
        form.fields["area"].widget = forms.Select(
            choices=[("", gettext("全部"))]
            + [(code, indent.get(level, "") + name) for code, name, level in areas]
        )
        form.fields["area"].label = gettext("区划")  # a list of names here, not a code to type
    form.fields["q"].widget.attrs.update(
        {"placeholder": gettext("姓名、拼音首字母（如 zs）或户编号")}
    )


def _page_rows(queryset: QuerySet[Household], page: int) -> tuple[list[Household], bool]:
    """One page plus one row to know whether a next page exists (no COUNT over the set)."""
    # Heads and sizes as subqueries of the page's rows (fetch_page reads them for those only).
    queryset = with_head_and_size(queryset.select_related("village"), id_number=True)
    rows = fetch_page(queryset, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    for household in rows:
        household.head_name = household.head_name or ""
        household.head_id_masked = masking.mask_id_number(household.head_id_number)
        household.size = household.member_count
    return rows, has_next


def _clean_query(params: QueryDict) -> QueryDict:
    """The query string minus paging and minus an ID-like `q` (never echoed into links)."""
    params = params.copy()
    params.pop("page", None)
    if looks_like_id_number(params.get("q", "").strip()):
        params.pop("q")
    return params


def _render_list(
    request: HttpRequest,
    params: QueryDict,
    *,
    id_form: IdSearchForm | None = None,
    id_results: list[Person] | None = None,
) -> HttpResponse:
    scoped = Household.objects.visible_to(request.user)
    q = params.get("q", "").strip()
    id_like = looks_like_id_number(q)
    clean = _clean_query(params)
    filterset = HouseholdFilter(
        clean, queryset=scoped.order_by("village_id", "number"), request=request
    )
    _filter_form_widgets(filterset, request.user)
    page = page_number(params.get("page"))
    rows: list[Household] = []
    has_next = False
    total = None
    if filterset.is_valid() and not id_like:
        queryset = filterset.qs
        rows, has_next = _page_rows(queryset, page)
        if not has_next and (rows or page == 1):
            total = (page - 1) * PAGE_SIZE + len(rows)
        elif has_next and not q:
            # A capped count: exact below the cap, "more than" above it. A name search skips it:
            # counting every match of a common initial pair costs more than the page itself.
            total = queryset.order_by()[: COUNT_CAP + 1].count()
    query = clean.urlencode()
    capped = total is not None and total > COUNT_CAP
    # Page numbers within what was counted: up to the cap, the last page unknown beyond it.
    pager = make_pager(
        number=page,
        per_page=PAGE_SIZE,
        total=COUNT_CAP if capped else total,
        has_next=has_next,
        capped=capped,
        params=clean,
    )
    response = render(
        request,
        "registry/household_list.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "rows": rows,
            "page": page,
            "has_next": has_next,
            "has_previous": page > 1,
            "total": total,
            "total_capped": capped,
            "pager": pager,
            "count_cap": COUNT_CAP,
            "query": query,
            "id_like": id_like,
            "id_form": id_form or IdSearchForm(),
            "id_results": id_results,
            "can_edit": request.user.can_edit(),
        },
    )
    if id_results is not None:
        response["Cache-Control"] = "no-store"
    return response


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    if looks_like_id_number(request.GET.get("q", "").strip()):
        messages.warning(
            request,
            gettext("为保护个人信息，列表搜索不接受身份证号码；请使用下方的“身份证号码查询”。"),
        )
    return _render_list(request, request.GET)


@never_cache
@login_required
@require_POST
def household_search_id(request: HttpRequest) -> HttpResponse:
    """Find by ID number; the results render in this POST response (no redirect carrying it)."""
    form = IdSearchForm(request.POST)
    results: list[Person] = []
    if form.is_valid():
        results = services.search_by_id_number(
            form.cleaned_data["id_number"], acting_user=request.user
        )
        for person in results:
            person.id_masked = masking.mask_id_number(person.id_number)
    # The typed number is not echoed back into the page.
    return _render_list(request, QueryDict(), id_form=IdSearchForm(), id_results=results)


# ---------------------------------------------------------------- detail


def _display(instance: Any, name: str) -> Any:
    field = instance._meta.get_field(name)
    value = getattr(instance, name)
    if name == "phone":
        return masking.mask_phone(value)
    if name == "bank_account":
        return masking.mask_account(value)
    if name == "other_causes":
        return "、".join(str(c.Cause(v).label) for v in instance.other_cause_list() if v)
    if field.choices:
        return getattr(instance, f"get_{name}_display")()
    if isinstance(field, models.BooleanField):
        return gettext("是") if value else (gettext("否") if value is not None else "")
    if value is None:
        return ""
    return value


def _change_rows(entries: list[AuditEntry]) -> list[dict[str, Any]]:
    """Audit entries with field verbose names and choice labels for old → new."""
    rows = []
    for entry in entries:
        try:
            model = apps.get_model(entry.model)
        except (LookupError, ValueError):
            model = None
        changes = []
        for name, pair in (entry.changes or {}).items():
            old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            label = name
            if model is not None:
                try:
                    field = model._meta.get_field(name)
                except Exception:  # noqa: BLE001 - a field removed since the entry was written
                    field = None
                if field is not None:
                    label = str(field.verbose_name)
                    if field.choices:
                        choices = {str(k): v for k, v in field.flatchoices}
                        old = choices.get(str(old), old)
                        new = choices.get(str(new), new)
            changes.append({"field": label, "old": old, "new": new})
        model_name = str(model._meta.verbose_name) if model is not None else entry.model
        rows.append({"entry": entry, "model_name": model_name, "changes": changes})
    return rows


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_object_or_404(
        Household.objects.visible_to(request.user)
        .select_related("village__parent")
        .prefetch_related(
            "members",
            "incomes",
            "helpers",
            "measures",
            Prefetch("status_changes", queryset=StatusChange.objects.select_related("actor")),
        ),
        pk=pk,
    )
    groups = [
        (
            title,
            [
                (str(Household._meta.get_field(n).verbose_name), _display(household, n))
                for n in names
            ],
        )
        for title, names in HOUSEHOLD_GROUPS
    ]
    members = list(household.members.all())
    for person in members:
        person.id_masked = masking.mask_id_number(person.id_number)
    helpers = list(household.helpers.all())
    for helper in helpers:
        helper.phone_masked = masking.mask_phone(helper.phone)
    columns = _income_columns()
    incomes = list(household.incomes.all())  # newest year first (Income.Meta.ordering)
    history = household_history(request.user, household)
    # The figures a cadre is asked for first, at the top of the page: the latest year's
    # per-capita income against that year's poverty line, the latest verdict, status, size.
    latest_income = incomes[0] if incomes else None
    try:
        line = povertylines.line(latest_income.year) if latest_income else None
    except KeyError:  # a year before the table's first line
        line = None
    log = list(
        AuditEntry.objects.visible_to(request.user)
        .filter(household=household)
        .select_related("actor")
        .order_by("-timestamp", "-id")[:200]
    )
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "groups": groups,
            "members": members,
            "head": next((p for p in members if p.relation == c.Relation.HEAD), None),
            "latest_income": latest_income,
            "poverty_line": line,
            "incomes": [
                {"year": i.year, "values": [getattr(i, n) for n, _label in columns]}
                for i in incomes
            ],
            "income_years": range(timezone.localdate().year, timezone.localdate().year - 4, -1),
            "helpers": helpers,
            "measures": list(household.measures.all()),
            "status_changes": list(household.status_changes.all()),
            "change_log": _change_rows(log),
            "can_edit": request.user.can_edit(),
            "income_parts": columns,
            "assessment": history.latest,
            "history": history,
            "procedures": household_procedures(request.user, household),
        },
    )


def _income_columns() -> list[tuple[str, str]]:
    names = [
        "members_count",
        "wage_income",
        "operating_income",
        "operating_expenses",
        "property_income",
        *Income.TRANSFER_PARTS,
        "transfer_income",
        "net_income",
        "income_per_capita",
    ]
    return [(n, str(Income._meta.get_field(n).verbose_name)) for n in names]


@never_cache
@login_required
@require_POST
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one full ID number once (audited by the service, with the reason typed beside the
    button); never cached, never redirected. Refused to the read-only role (403), without a
    reason (400) and past the hourly limit (429)."""
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("household"), pk=pk
    )
    fragment = bool(request.headers.get("HX-Request"))
    try:
        number = services.reveal_id_number(
            person, acting_user=request.user, reason=request.POST.get("reason", "")
        )
    except services.RevealLimitReached as limit:
        return _reveal_refused(request, person, str(limit.args[0]), 429, fragment)
    except ValidationError as error:
        message = " ".join(error.message_dict.get("reason", error.messages))
        return _reveal_refused(request, person, message, 400, fragment)
    template = "registry/_revealed.html" if fragment else "registry/reveal.html"
    return render(request, template, {"person": person, "number": number})


def _reveal_refused(
    request: HttpRequest, person: Person, message: str, status: int, fragment: bool
) -> HttpResponse:
    if fragment:
        # htmx swaps no 4xx answer in: the refusal replaces the form like a number would.
        return render(request, "registry/_reveal_refused.html", {"refused": message})
    return render(
        request, "registry/reveal.html", {"person": person, "refused": message}, status=status
    )


# ---------------------------------------------------------------- create and edit


def _save(call: Any, forms_in_order: list[forms.BaseForm]) -> Any:
    """Run a service call; map its ValidationError onto the forms (None when it failed)."""
    try:
        return call()
    except ValidationError as error:
        apply_service_errors(error, forms_in_order)
        return None


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = HouseholdForm(request.POST or None, user=request.user)
    head = HeadForm(request.POST or None, prefix="head")
    if request.method == "POST" and form.is_valid() and head.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        household = _save(
            lambda: services.create_household(
                data, [head.service_data()], acting_user=request.user
            ),
            [form, head],
        )
        if household is not None:
            messages.success(request, gettext("已新增贫困户 {number}").format(number=household))
            return redirect("household-detail", pk=household.pk)
    return render(
        request,
        "registry/household_form.html",
        {"form": form, "head_form": head, "title": _("新增贫困户")},
    )


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    _require_editor(request)
    form = HouseholdForm(request.POST or None, instance=household, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        changes = _save(
            lambda: services.update_household(
                household,
                data,
                acting_user=request.user,
                edit_token=form.cleaned_data.get("edit_token") or None,
            ),
            [form],
        )
        if changes is not None:
            if changes:
                messages.success(request, gettext("已保存修改"))
            else:
                messages.info(request, gettext("没有修改任何内容"))
            return redirect("household-detail", pk=household.pk)
    return render(
        request,
        "registry/household_form.html",
        {"form": form, "household": household, "title": _("修改贫困户信息")},
    )


@login_required
def person_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    _require_editor(request)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = _save(
            lambda: services.add_person(household, form.service_data(), acting_user=request.user),
            [form],
        )
        if person is not None:
            messages.success(request, gettext("已新增家庭成员 {name}").format(name=person.name))
            return redirect("household-detail", pk=household.pk)
    return render(
        request,
        "registry/person_form.html",
        {"form": form, "household": household, "title": _("新增家庭成员")},
    )


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("household"), pk=pk
    )
    _require_editor(request)
    household = person.household
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        changes = _save(
            lambda: services.update_person(
                person,
                form.service_data(),
                acting_user=request.user,
                edit_token=form.cleaned_data.get("edit_token") or None,
            ),
            [form],
        )
        if changes is not None:
            messages.success(
                request, gettext("已保存修改") if changes else gettext("没有修改任何内容")
            )
            return redirect("household-detail", pk=household.pk)
    return render(
        request,
        "registry/person_form.html",
        {
            "form": form,
            "household": household,
            "person": person,
            "id_masked": masking.mask_id_number(person.id_number),
            "title": _("修改家庭成员信息"),
        },
    )


@login_required
def income_edit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    household = _household(request, pk)
    _require_editor(request)
    income = Income.objects.filter(household=household, year=year).first()
    if income is None:
        income = Income(household=household, year=year, members_count=household.members.count())
    form = IncomeForm(request.POST or None, instance=income)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        saved = _save(
            lambda: services.save_income(household, year, data, acting_user=request.user), [form]
        )
        if saved is not None:
            messages.success(request, gettext("已保存 {year} 年度收入").format(year=year))
            return redirect("household-detail", pk=household.pk)
    return render(
        request,
        "registry/income_form.html",
        {"form": form, "household": household, "year": year, "title": _("年度收入")},
    )
