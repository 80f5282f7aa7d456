"""我的导出: the user's own export jobs, one job's progress, the download. Another user's job is
a 404 everywhere."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from jingzhun.core.paging import DeferredJoinPaginator, page_number

from . import kinds, services
from .choices import Status
from .models import ExportJob

JOBS_PER_PAGE = 50


def _own_job(request: HttpRequest, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob.objects.filter(owner=request.user), pk=pk)


@never_cache
@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = ExportJob.objects.filter(owner=request.user).order_by("-created", "-pk")
    page = DeferredJoinPaginator(jobs, JOBS_PER_PAGE).get_page(page_number(request.GET.get("page")))
    return render(
        request,
        "exports/job_list.html",
        {
            "jobs": page.object_list,
            "page": page,
            "query": _other_parameters(request),
            "retention_days": settings.EXPORT_RETENTION_DAYS,
        },
    )


def _other_parameters(request: HttpRequest) -> str:
    """The list's query without its page: kept by the pager."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@never_cache
@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(
        request,
        "exports/job_detail.html",
        {"job": _own_job(request, pk), "retention_days": settings.EXPORT_RETENTION_DAYS},
    )


@never_cache
@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The status fragment of one job; while the job is live it asks htmx to poll again. The poll
    that sees it end reloads the page (htmx HX-Refresh) so its finish time and list are current."""
    job = _own_job(request, pk)
    response = render(
        request, "exports/_progress.html", {"job": job, "compact": "compact" in request.GET}
    )
    if request.headers.get("HX-Request") and not job.is_live:
        response["HX-Refresh"] = "true"
    return response


@never_cache
@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _own_job(request, pk)
    path = services.job_path(job) if job.status == Status.FINISHED else None
    if path is None:
        raise Http404
    services.record_download(job, request.user)
    handle = path.open("rb")
    try:
        content_type = kinds.get(job.kind).content_type
    except LookupError:
        content_type = "application/octet-stream"
    return FileResponse(
        handle, as_attachment=True, filename=job.file_name, content_type=content_type
    )
