"""Department dataset pages: the list of loaded files (scoped), one file's provenance and rows
(ID numbers masked), the load form (an import job), a blank template per kind."""

from __future__ import annotations

import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from openpyxl import Workbook

from jingzhun import masking
from jingzhun.core.paging import fetch_page, make_pager, page_number
from jingzhun.imports.tasks import start_job
from jingzhun.standards import dataset_kinds
from jingzhun.workbook.guard import WorkbookRejected, check_upload_size
from jingzhun.workbook.styles import REQUIRED_FONT
from jingzhun.workbook.web import xlsx_response

from .models import Dataset, DatasetRow

ROWS_PER_PAGE = 100
DATASETS_PER_PAGE = 50


def _kind_choices() -> list[tuple[str, str]]:
    """The dataset kinds by name in the reader's language (called when a form is made)."""
    kinds = dataset_kinds.available().values()
    if translation.get_language() == "en":
        return [(k.id, f"{k.name_en} ({k.department_en})") for k in kinds]
    return [(k.id, f"{k.name}（{k.department}）") for k in kinds]


class LoadForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类型"), choices=_kind_choices)
    year = forms.IntegerField(label=_("数据年度"), min_value=2013, max_value=2100)
    received_on = forms.DateField(
        label=_("接收日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("部门提供数据的日期，留空为今天"),
    )
    file = forms.FileField(label=_("部门数据文件（.xlsx 或 .csv）"))
    dry_run = forms.BooleanField(label=_("仅校验"), required=False)

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(gettext("请上传 Excel (.xlsx) 或 CSV 文件"))
        try:
            check_upload_size(upload.size)
        except WorkbookRejected as exc:
            raise forms.ValidationError(exc.message) from None
        return upload


@never_cache
@login_required
def dataset_list(request: HttpRequest) -> HttpResponse:
    datasets = Dataset.objects.visible_to(request.user).select_related("area", "loaded_by")
    kind = request.GET.get("kind", "")
    kinds = dataset_kinds.available()
    if kind in kinds:
        datasets = datasets.filter(kind=kind)
    page = Paginator(datasets, DATASETS_PER_PAGE).get_page(page_number(request.GET.get("page")))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "comparison/dataset_list.html",
        {
            "datasets": [(d, kinds.get(d.kind)) for d in page.object_list],
            "page": page,
            "query": query.urlencode(),
            "kinds": kinds.values(),
            "kind": kind,
            "can_edit": request.user.can_edit(),
        },
    )


@never_cache
@login_required
def dataset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_object_or_404(
        Dataset.objects.visible_to(request.user).select_related("area", "loaded_by"), pk=pk
    )
    kind = dataset_kinds.available().get(dataset.kind)
    if kind is None:
        raise Http404
    page = page_number(request.GET.get("page"))
    rows = fetch_page(
        DatasetRow.objects.filter(dataset=dataset).order_by("row"),
        (page - 1) * ROWS_PER_PAGE,
        ROWS_PER_PAGE,
    )
    columns = [c for c in kind.columns]
    table = []
    for row in rows:
        cells = []
        for column in columns:
            value = getattr(row, column.slot)
            if column.slot == "id_number":
                value = masking.mask_id_number(value) if value else row.id_token[:12] + "…"
            elif column.slot == "name" and not dataset.key_id:
                value = masking.mask_name(value)
            cells.append("" if value is None else value)
        table.append((row, cells))
    return render(
        request,
        "comparison/dataset_detail.html",
        {
            "dataset": dataset,
            "kind": kind,
            "columns": columns,
            "table": table,
            "page": page,
            "pages": max(1, -(-dataset.rows // ROWS_PER_PAGE)),
            "pager": make_pager(
                number=page, per_page=ROWS_PER_PAGE, total=dataset.rows, params=request.GET
            ),
        },
    )


@never_cache
@login_required
def dataset_load(request: HttpRequest) -> HttpResponse:
    """The form; a valid upload becomes an import job (checked and stored in this request when
    small, by the task worker when large) whose page shows the result and the error file."""
    if not request.user.can_edit():
        raise PermissionDenied(gettext("您没有导入部门数据的权限"))
    form = LoadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        received = data["received_on"] or timezone.localdate()
        job = start_job(
            kind="comparison.dataset",
            upload=data["file"],
            parameters={
                "kind": data["kind"],
                "year": data["year"],
                "received_on": received.isoformat(),
                "dry_run": data["dry_run"],
            },
            acting_user=request.user,
        )
        return redirect("import-detail", job.pk)
    return render(
        request,
        "comparison/dataset_load.html",
        {"form": form, "kinds": dataset_kinds.available().values()},
    )


@login_required
def template_xlsx(request: HttpRequest, kind: str) -> HttpResponse:
    """A blank file of `kind`: its headers (required ones in bold red) on one sheet."""
    found = dataset_kinds.available().get(kind)
    if found is None:
        raise Http404
    book = Workbook()
    sheet = book.active
    sheet.title = found.name[:31]
    for position, column in enumerate(found.columns, start=1):
        cell = sheet.cell(row=1, column=position, value=column.header)
        if column.required:
            cell.font = REQUIRED_FONT
        sheet.column_dimensions[cell.column_letter].width = max(12, len(column.header) * 2 + 2)
    buffer = io.BytesIO()
    book.save(buffer)
    return xlsx_response(buffer.getvalue(), f"dataset-{found.id}-template.xlsx")
