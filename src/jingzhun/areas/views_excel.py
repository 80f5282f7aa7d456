"""The area workbook page: template, export of the user's areas, upload (or only check) a file.

The work happens in `areas.excel`; an upload becomes an import job (`imports` app), like the
registry's: its page shows the result and serves the error file to its uploader alone.
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

from jingzhun.imports.tasks import start_job
from jingzhun.workbook.web import clean_xlsx_upload, xlsx_response

from .excel import export_workbook, template_workbook


class AreaImportForm(forms.Form):
    file = forms.FileField(label=_("区划表文件（.xlsx）"))
    dry_run = forms.BooleanField(label=_("仅校验"), required=False)

    def clean_file(self) -> object:
        return clean_xlsx_upload(self.cleaned_data["file"])


@never_cache
@login_required
def area_import(request: HttpRequest) -> HttpResponse:
    """GET: the links and the form; POST (editors only): an import job (its page shows the
    check or import and its result)."""
    if request.method == "POST" and not request.user.can_edit():
        raise PermissionDenied(gettext("您没有修改区划数据的权限"))
    form = AreaImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_job(
            kind="areas.workbook",
            upload=form.cleaned_data["file"],
            parameters={"dry_run": form.cleaned_data["dry_run"]},
            acting_user=request.user,
        )
        return redirect("import-detail", job.pk)
    return render(request, "areas/import.html", {"form": form, "can_edit": request.user.can_edit()})


@never_cache
@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """Every area the user may see, as the area workbook (imports back unchanged)."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(export_workbook(acting_user=request.user), f"areas-{stamp}.xlsx")


@login_required
def template_xlsx(request: HttpRequest) -> HttpResponse:
    return xlsx_response(template_workbook(), "areas-template.xlsx")
