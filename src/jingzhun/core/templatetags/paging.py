"""`{% load paging %}{% pager page query %}`: the one pager every list shows
(`includes/pager.html`), from a Django Page (a counted list) or a `core.paging.Pager` the view
built (a list counted up to a cap, or not counted)."""

from __future__ import annotations

from django import template
from django.core.paginator import Page
from django.http import QueryDict

from jingzhun.core.paging import Pager, pager_of_page

register = template.Library()


@register.inclusion_tag("includes/pager.html")
def pager(source: Page | Pager | None, query: str | QueryDict = "", param: str = "page") -> dict:
    """`query`: the list's other query parameters (a url-encoded string or a QueryDict), kept
    by every link and by the jump form."""
    if source is None:
        return {"pager": None}
    if isinstance(source, Pager):
        return {"pager": source}
    params = query if isinstance(query, QueryDict) else QueryDict(query or "")
    return {"pager": pager_of_page(source, params, param)}
