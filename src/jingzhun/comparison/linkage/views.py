"""可能匹配: the department rows linked by name, birth date and area to a person of the user's
area, each with its score, for a person to confirm (the rules then use it) or reject. Names
masked; the row and the person side by side."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jingzhun import masking
from jingzhun.core.paging import page_number
from jingzhun.standards import dataset_kinds

from ..choices import LinkStatus, Method
from ..models import RowLink
from . import services

PER_PAGE = 50


@never_cache
@login_required
def link_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", LinkStatus.POSSIBLE)
    links = RowLink.objects.visible_to(request.user).filter(method=Method.FUZZY)
    if status in LinkStatus.values:
        links = links.filter(status=status)
    links = links.select_related("dataset_row__dataset", "person__household").order_by(
        "area_code", "dataset_row_id", "-score", "pk"
    )
    page = Paginator(links, PER_PAGE).get_page(page_number(request.GET.get("page")))
    kinds = {kind.id: kind.name for kind in dataset_kinds.available().values()}
    rows = [
        {
            "link": link,
            "kind": kinds.get(link.dataset_row.dataset.kind, link.dataset_row.dataset.kind),
            "row_name": masking.mask_name(link.dataset_row.name),
            "person_name": masking.mask_name(link.person.name),
            "percent": round((link.score or 0) * 100),
        }
        for link in page
    ]
    return render(
        request,
        "comparison/link_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": LinkStatus.choices,
            "may_decide": request.user.can_edit(),
            "query": f"status={status}",
        },
    )


@require_POST
@login_required
def link_decide(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(RowLink.objects.visible_to(request.user), pk=pk)
    confirm = request.POST.get("decision") == "confirm"
    if request.POST.get("decision") not in ("confirm", "reject"):
        raise Http404
    try:
        services.decide_link(link, confirm=confirm, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("已确认匹配") if confirm else gettext("已否定匹配"))
    return redirect("comparison-links")
