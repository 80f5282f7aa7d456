"""Public notice pages, without login: the notice, its PDF, the objection form and the lookup
of an objection's status by its receipt number (`receipts`).

The notice's token (a random UUID) is the only key; nothing here reads anything but the
notice's published content (`notices.notice_content`). Responses are not stored by caches (the
list changes when an objection is upheld; the form carries a CSRF token and a time stamp) and are
marked noindex: the list is public on the village board, not for search engines.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from . import receipts, services
from .forms_public import ObjectionForm, ReceiptForm, make_stamp
from .models import Notice, Procedure
from .notice_links import objection_url
from .notices import NoticeContent, notice_content, render_pdf

BEFORE, OPEN, OVER = "before", "open", "over"


def _public(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _phase(content: NoticeContent) -> str:
    day = services.today()
    if day < content.start:
        return BEFORE
    return OPEN if day <= content.end else OVER


def _page(
    request: HttpRequest,
    token: uuid.UUID,
    content: NoticeContent,
    form: ObjectionForm | None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "token": token,
        "content": content,
        "phase": _phase(content),
        "form": form,
        "error": error,
    }
    return _public(render(request, "procedures/notice_public.html", context, status=status))


def _lodge(
    request: HttpRequest, notice: Notice, content: NoticeContent, form: ObjectionForm
) -> HttpResponse:
    """Validate and hand the objection to the service; the page again with the problem, or a
    redirect to the page with the reference number."""
    if not form.is_valid():
        form.refresh_stamp()
        return _page(request, notice.token, content, form, status=400)
    data = form.cleaned_data
    procedure = Procedure.objects.filter(pk=data["procedure"], notice=notice).first()
    if procedure is None:  # listed when the page was read, gone since (e.g. a re-notice)
        form.add_error("procedure", gettext("该户不在本公示名单中或已办结"))
        form.refresh_stamp()
        return _page(request, notice.token, content, form, status=400)
    try:
        objection = services.lodge_objection(
            notice,
            procedure,
            data["text"],
            name=data["name"],
            contact=data["contact"],
            client=services.client_key(services.client_address(request.META)),
        )
    except PermissionDenied as refusal:  # the hourly limit
        form.add_error(None, str(refusal))
        form.refresh_stamp()
        return _page(request, notice.token, content, form, status=429)
    except ValidationError as error:
        fields = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
        for field, errors in fields.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message.message)
        form.refresh_stamp()
        return _page(request, notice.token, content, form, status=400)
    messages.success(
        request,
        gettext(
            "您的异议已提交，村委会和乡镇将核实处理。受理编号：{number}（请记下，可凭此编号查询处理情况）"
        ).format(number=objection.receipt_display),
    )
    return redirect(reverse("notice-public", args=[notice.token]) + "#objection")


@require_http_methods(["GET", "HEAD", "POST"])
def notice_page(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    notice = get_object_or_404(Notice, token=token)
    content = notice_content(notice)
    phase = _phase(content)
    if request.method != "POST":
        form = None
        if phase == OPEN:
            form = ObjectionForm(
                content=content, token=notice.token, initial={"stamp": make_stamp(notice.token)}
            )
        return _page(request, token, content, form)
    if phase != OPEN:
        error = gettext("公示期为 {start} 至 {end}，当前不在公示期内").format(
            start=content.start.isoformat(), end=content.end.isoformat()
        )
        return _page(request, token, content, None, error=error, status=400)
    form = ObjectionForm(request.POST, content=content, token=notice.token)
    if form.is_robot:
        # Pretend to accept, store nothing: a robot learns nothing from the answer.
        messages.success(request, gettext("您的异议已提交，村委会和乡镇将核实处理。"))
        return redirect(reverse("notice-public", args=[notice.token]) + "#objection")
    return _lodge(request, notice, content, form)


@require_GET
def notice_pdf(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    notice = get_object_or_404(Notice, token=token)
    pdf = render_pdf(notice, objection_url(notice, request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{notice.title}.pdf")
    return _public(response)


@require_http_methods(["GET", "HEAD", "POST"])
def receipt_lookup(request: HttpRequest) -> HttpResponse:
    """The status of one objection by its receipt number, and nothing else: a wrong number and a
    missing one get the same answer, and every lookup counts against the client's hourly limit."""
    context: dict[str, object] = {"form": ReceiptForm(), "found": None, "not_found": False}
    status = 200
    if request.method == "POST":
        form = ReceiptForm(request.POST)
        context["form"] = form
        if not receipts.allow_lookup(services.client_key(services.client_address(request.META))):
            context["error"] = gettext("查询过于频繁，请一小时后再试，或拨打监督举报电话")
            status = 429
        elif form.is_valid():
            receipt = receipts.normalise_receipt(form.cleaned_data["receipt"])
            found = receipts.receipt_status(receipt) if receipt else None
            context["found"] = found
            context["not_found"] = found is None
        else:
            status = 400
    return _public(render(request, "procedures/receipt_lookup.html", context, status=status))
