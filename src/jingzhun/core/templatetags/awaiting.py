"""The number of things awaiting the user, for the top bar: `{% load awaiting %}`,
`{% awaiting_total as waiting %}`. It reuses the home page's summary when the page has one;
elsewhere it counts in the query that loads the user's area for the top bar anyway
(core/awaiting.py), so a page whose view has not read the area already pays no query for it."""

from __future__ import annotations

from typing import Any

from django import template

from jingzhun.core import awaiting

register = template.Library()


@register.simple_tag(takes_context=True)
def awaiting_total(context: template.Context) -> int:
    summary = context.get("awaiting_summary")
    if summary is not None:
        return summary.total
    request: Any = context.get("request")
    return awaiting.badge_total(request) if request is not None else 0
