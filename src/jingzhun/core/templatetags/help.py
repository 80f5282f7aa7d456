"""The header's 帮助 link: `{% load help %}`, `{% help_url as url %}` — the guide's section about
the current page's module (core/help.py maps the URL's name and app to a section), or the guide's
table of contents when the guide has no section for it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from django import template
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language

from jingzhun.core import help as guides

register = template.Library()


def app_of(match: Any) -> str | None:
    """The Django app of the view that answered: "registry" for jingzhun.registry.views_excel."""
    parts = (getattr(match.func, "__module__", "") or "").split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "jingzhun" else None


# Fifteen digits or more: an ID number (or its body) in the query, e.g. one typed into a search
# box that the page refused. It must not travel on into another URL.
_ID_LIKE = re.compile(r"\d{15}")


def back_path(request: Any) -> str:
    """The page as the user left it, its filters and page number too; the path alone when the
    query holds something like an ID number."""
    full = request.get_full_path()
    return request.path if _ID_LIKE.search(unquote(full)) else full


@register.simple_tag(takes_context=True)
def help_url(context: template.Context) -> str:
    request: Any = context.get("request")
    match = getattr(request, "resolver_match", None)
    slug = guides.section_for(match.url_name, app_of(match)) if match else None
    guide = guides.load_guide(get_language() or guides.DEFAULT_LANGUAGE)
    has_section = bool(slug) and guide.section(slug) is not None
    url = reverse("help-section", args=[slug]) if has_section else reverse("help")
    if request is not None and match and match.url_name not in ("help", "help-section"):
        url += "?" + urlencode({"back": back_path(request)})
    return url
