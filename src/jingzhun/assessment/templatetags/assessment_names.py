"""`{{ run.standard_id|standard_name }}`: a standard's name in the reader's language."""

from __future__ import annotations

from django import template

from jingzhun.assessment import names
from jingzhun.standards import Standard

register = template.Library()


@register.filter
def standard_name(standard_id: str) -> str:
    return names.standard_name(str(standard_id))


@register.filter
def title_of(standard: Standard) -> str:
    """A loaded standard's (or draft's) name in the reader's language."""
    return names.name_of(standard)
