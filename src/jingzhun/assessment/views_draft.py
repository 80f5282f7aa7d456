"""The draft-standard editor: a form over the adopted standard producing a draft as TOML (the
stored and reviewed format), shown read-only beside the form, downloadable, and compared with the
adopted standard by the preview page (views_compare.preview). Nothing is stored: the draft
lives in the form. No registry data is read here (the preview, which reads it, is audited)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from jingzhun.standards import Standard, StandardError, loader
from jingzhun.standards.drafting import changes_beyond_form, draft_toml, edits_of

from .forms_draft import DraftForm
from .names import standard_label
from .services import default_standard_id
from .standard_errors import problems

DRAFT_MAX_CHARS = 200_000


def _adopted(request: HttpRequest) -> tuple[Standard, dict[str, Standard]]:
    standards = {s.id: s for s in loader.available()}
    chosen = request.POST.get("adopted") or request.GET.get("adopted") or ""
    return standards.get(chosen) or standards[default_standard_id()], standards


@never_cache
@login_required
def draft_editor(request: HttpRequest) -> HttpResponse:
    if request.user.scope_prefix() is None:
        raise PermissionDenied(gettext("您没有可预览的区划范围"))
    adopted, standards = _adopted(request)
    context: dict[str, Any] = {
        "adopted": adopted,
        "standards": [(s.id, standard_label(s)) for s in standards.values()],
        "errors": [],
    }
    action = request.POST.get("action", "") if request.method == "POST" else ""
    status = 200
    if action == "load":
        # A draft pasted as TOML fills the form (what the form cannot show is reported).
        text = request.POST.get("draft_text", "")[:DRAFT_MAX_CHARS]
        try:
            draft = loader.loads(text)
        except StandardError as error:
            form = DraftForm(adopted=adopted)
            context.update(errors=problems(error), pasted=text)
            status = 400
        else:
            if draft.extends != adopted.id:
                adopted = standards.get(draft.extends or "", adopted)
                context["adopted"] = adopted
            form = DraftForm(
                DraftForm.initial_from(adopted, edits_of(adopted, draft)), adopted=adopted
            )
            form.is_valid()
            context["beyond"] = changes_beyond_form(adopted, draft)
            context["pasted"] = text
    elif action in ("review", "download"):
        form = DraftForm(request.POST, adopted=adopted)
        if form.is_valid():
            text = draft_toml(adopted, form.edits())
            try:
                loader.loads(text)  # always loads (tests/standards/test_drafting.py)
            except StandardError as error:
                context["errors"] = problems(error)
                status = 400
            else:
                if action == "download":
                    response = HttpResponse(text, content_type="application/toml; charset=utf-8")
                    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", adopted.id)[:60]
                    response["Content-Disposition"] = f'attachment; filename="{safe}-draft.toml"'
                    return response
                context["toml"] = text
        else:
            status = 400
    else:
        form = DraftForm(adopted=adopted)
    context["form"] = form
    return render(request, "assessment/draft.html", context, status=status)
