"""比对发现: the findings of the user's area, filtered by rule, type, status and village, paged,
and as .xlsx (the same filter). Names stay masked as the sentences were written."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from openpyxl import Workbook

from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.core.paging import page_number
from jingzhun.workbook.safe import append_row
from jingzhun.workbook.web import xlsx_response

from . import reports
from .choices import FindingStatus, Meaning
from .models import Finding

PER_PAGE = 50
EXPORT_MAX = 20_000


def _filtered(request: HttpRequest) -> tuple[QuerySet, dict[str, str]]:
    findings = Finding.objects.visible_to(request.user)
    chosen = {
        "rule": request.GET.get("rule", ""),
        "meaning": request.GET.get("meaning", ""),
        "status": request.GET.get("status", FindingStatus.OPEN),
        "area": request.GET.get("area", "").strip(),
        "year": request.GET.get("year", "").strip(),
    }
    if year := reports.chosen_year(chosen["year"]):
        findings = findings.filter(reports.of_year(year))
    if chosen["rule"]:
        findings = findings.filter(rule=chosen["rule"])
    if chosen["meaning"] in Meaning.values:
        findings = findings.filter(meaning=chosen["meaning"])
    if chosen["status"] in FindingStatus.values:
        findings = findings.filter(status=chosen["status"])
    area = chosen["area"]
    if area.isascii() and area.isdigit() and len(area) <= 12:
        findings = findings.filter(area_code__startswith=area)
    return findings.order_by("area_code", "rule", "pk"), chosen


@never_cache
@login_required
def finding_list(request: HttpRequest) -> HttpResponse:
    findings, chosen = _filtered(request)
    page = Paginator(findings.select_related("household"), PER_PAGE).get_page(
        page_number(request.GET.get("page"))
    )
    # The status goes along even when empty (= every status): left out, the next page and the
    # export would fall back to the default (open findings only).
    query = urlencode({k: v for k, v in chosen.items() if v or k == "status"})
    labels = reports.rule_labels()
    return render(
        request,
        "comparison/finding_list.html",
        {
            "page": page,
            "rows": [(f, labels.get(f.rule, f.rule)) for f in page],
            "chosen": chosen,
            "query": query,
            "labels": labels,
            "meanings": Meaning.choices,
            "statuses": FindingStatus.choices,
            "english": translation.get_language() == "en",
        },
    )


@login_required
def finding_export(request: HttpRequest) -> HttpResponse:
    """The filtered findings as .xlsx (at most EXPORT_MAX rows), audited as an export."""
    findings, chosen = _filtered(request)
    labels = reports.rule_labels()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("比对发现"))
    header = [gettext("区划代码"), gettext("规则"), gettext("问题类型"), gettext("严重程度")]
    header += [gettext("问题描述"), gettext("状态"), gettext("首次发现"), gettext("户编号")]
    append_row(sheet, header)
    rows = 0
    for finding in findings.select_related("household")[:EXPORT_MAX]:
        append_row(
            sheet,
            [
                finding.area_code,
                labels.get(finding.rule, finding.rule),
                finding.get_meaning_display(),
                finding.get_severity_display(),
                finding.sentence,
                finding.get_status_display(),
                finding.created.date(),
                finding.household.number if finding.household else "",
            ],
        )
        rows += 1
    message = gettext("导出比对发现 {rows} 条").format(rows=rows)
    return audited_xlsx(
        request, book, "comparison.finding", message, {"filter": chosen, "rows": rows}, "findings"
    )


def audited_xlsx(
    request: HttpRequest,
    book: Workbook,
    model: str,
    message: str,
    changes: dict,
    prefix: str,
) -> HttpResponse:
    """A list page's workbook as a download named <prefix>-<time>.xlsx, with its audit entry
    (who exported which filter, how many rows)."""
    audit.record(
        actor=request.user,
        action=Action.EXPORT,
        model=model,
        object_repr=message[:200],
        changes=changes,
        area_code=request.user.scope_prefix() or "",
        message=message,
    )
    buffer = io.BytesIO()
    book.save(buffer)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(buffer.getvalue(), f"{prefix}-{stamp}.xlsx")
