"""Excel pages: upload an import (or only check it), download the error file, export, template.

The work happens in `registry.excel`; these views only scope, authorise and hand files over.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from jingzhun.exports.tasks import create_job
from jingzhun.imports.tasks import start_job
from jingzhun.workbook.web import clean_xlsx_upload, xlsx_response

from .excel import export_workbook, template_workbook
from .exports import HOUSEHOLDS
from .filters import HouseholdFilter
from .models import Household
from .validation import MIN_YEAR

# Exports of up to this many households are written in the request: about 1 s per 800 households
# (the demo's largest township, 766, took 0.95 s; 2,000 took 4 s); larger ones (the demo county,
# 8,584: 14-19 s) run as background exports, so the button answers within the 1 s rule.
SYNC_EXPORT_MAX_HOUSEHOLDS = 1000


class ImportForm(forms.Form):
    file = forms.FileField(label=_("登记表文件（.xlsx）"))
    year = forms.IntegerField(
        label=_("数据年度"),
        required=False,
        min_value=MIN_YEAR,
        help_text=_(
            "按该年末的年龄校验在校生状况等。留空：取文件中最新的收入年度，没有收入时取当年。"
        ),
    )
    dry_run = forms.BooleanField(label=_("仅校验"), required=False)

    def clean_file(self) -> object:
        return clean_xlsx_upload(self.cleaned_data["file"])


def _require_editor(request: HttpRequest) -> None:
    if not request.user.can_edit():
        raise PermissionDenied(gettext("您没有修改建档立卡数据的权限"))


@never_cache
@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """The form; a valid upload becomes an import job (imported in this request when small, by
    the task worker when large) whose page shows its steps and result."""
    _require_editor(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_job(
            kind="registry.workbook",
            upload=form.cleaned_data["file"],
            parameters={"dry_run": form.cleaned_data["dry_run"], "year": form.cleaned_data["year"]},
            acting_user=request.user,
        )
        return redirect("import-detail", job.pk)
    return render(request, "registry/import.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The households of the list page's filter (its GET query), as the registry workbook (full
    ID numbers). Up to SYNC_EXPORT_MAX_HOUSEHOLDS households answer the file at once; more become
    a background export (POST, the list page's button) whose page shows its progress — a GET of
    such a filter (a bookmarked link) asks for that POST first."""
    visible = Household.objects.visible_to(request.user)
    filterset = HouseholdFilter(request.GET, queryset=visible)
    households = filterset.qs if filterset.is_valid() else visible.none()
    filters = {k: request.GET.getlist(k) for k in request.GET if k in filterset.filters}
    size = households.order_by()[: SYNC_EXPORT_MAX_HOUSEHOLDS + 1].count()
    if size > SYNC_EXPORT_MAX_HOUSEHOLDS:
        if request.method != "POST":
            return render(
                request,
                "registry/export_confirm.html",
                {"query": request.GET.urlencode(), "limit": SYNC_EXPORT_MAX_HOUSEHOLDS},
            )
        job = create_job(kind=HOUSEHOLDS.name, parameters=filters, acting_user=request.user)
        return redirect("export-detail", job.pk)
    content = export_workbook(households, acting_user=request.user, filters=filters)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(content, f"registry-{stamp}.xlsx")


@login_required
def template_xlsx(request: HttpRequest) -> HttpResponse:
    return xlsx_response(template_workbook(), "registry-template.xlsx")
