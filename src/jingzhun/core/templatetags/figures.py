"""Figures as official reports print them: `{% load figures %}`.

`rate`: a rate, share or percentage to exactly two decimals, half up (5.4 → "5.40"), "—" when
there is none; the "%" stays with the header or the text around it. Counts use humanize's
`intcomma`, grouped by three in Chinese too (core/formats/zh_Hans). Years, codes and IDs are
printed plainly: USE_THOUSAND_SEPARATOR stays off, so nothing is grouped unless asked.
"""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from jingzhun import rates

register = template.Library()


@register.filter(is_safe=True)
def rate(value: object) -> str:
    return rates.rate(value, empty="—")


@register.filter
def paren(value: object, suffix: str = "") -> str:
    """A figure in brackets after a label, as each language writes them: "（12）" in Chinese,
    " (12)" in English. `suffix` follows the figure inside the brackets ("%")."""
    text = conditional_escape(value) + conditional_escape(suffix)
    if (get_language() or "zh-hans").startswith("zh"):
        return mark_safe(f"（{text}）")  # noqa: S308 - both parts escaped above
    return mark_safe(f" ({text})")  # noqa: S308 - both parts escaped above
