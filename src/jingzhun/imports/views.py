"""我的导入: the user's own import jobs, one job's steps and result, its error file. Another
user's job is a 404 everywhere."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from jingzhun.core.paging import DeferredJoinPaginator, page_number
from jingzhun.workbook.web import XLSX

from . import kinds, services
from .models import ImportJob

JOBS_PER_PAGE = 50


def _own_job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.filter(owner=request.user), pk=pk)


def _context(job: ImportJob) -> dict[str, object]:
    try:
        page = kinds.get(job.kind).page
    except LookupError:
        page = ""
    return {
        "job": job,
        "page": page,
        "retention_days": settings.IMPORT_RETENTION_DAYS,
        "has_error_file": services.error_file(job) is not None,
    }


@never_cache
@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = ImportJob.objects.filter(owner=request.user).order_by("-created", "-pk")
    page = DeferredJoinPaginator(jobs, JOBS_PER_PAGE).get_page(page_number(request.GET.get("page")))
    return render(
        request,
        "imports/job_list.html",
        {"jobs": page.object_list, "page": page, "query": request.GET},
    )


@never_cache
@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "imports/job_detail.html", _context(_own_job(request, pk)))


@never_cache
@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The status fragment of a live job, polled by htmx; the poll that sees it end reloads the
    page (HX-Refresh) to show the result."""
    job = _own_job(request, pk)
    response = render(request, "imports/_progress.html", _context(job))
    if request.headers.get("HX-Request") and not job.is_live:
        response["HX-Refresh"] = "true"
    return response


@never_cache
@login_required
def job_errors(request: HttpRequest, pk: int) -> FileResponse:
    """The uploader's own file with the 错误信息 column (until purged)."""
    job = _own_job(request, pk)
    path = services.error_file(job)
    if path is None:
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{Path(job.file_name).stem or 'import'}.errors.xlsx",
        content_type=XLSX,
    )
