"""帮助: the user guide, one page per module (core/help.py), in the user's language."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language

from . import help as guides


def back_to(request: HttpRequest) -> str | None:
    """The page the user came from (the header link passes its path): a path on this site only,
    never another host (an open redirect in a link's clothes)."""
    back = request.GET.get("back", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return None


@login_required
def help_page(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    guide = guides.load_guide(get_language() or guides.DEFAULT_LANGUAGE)
    section = None
    if slug is not None:
        section = guide.section(slug)
        if section is None:
            raise Http404(slug)
    sections = guide.sections
    index = sections.index(section) if section else -1
    return render(
        request,
        "core/help.html",
        {
            "guide": guide,
            "section": section,
            "previous": sections[index - 1] if index > 0 else None,
            "next": sections[index + 1] if 0 <= index < len(sections) - 1 else None,
            "back": back_to(request),
        },
    )
