"""What makes a printed notice actionable: the county's supervision hotline and objection address,
and the QR code that takes a villager from the paper on the board to the notice's objection form.

The QR code is drawn here, by segno (pure Python), as inline SVG: nothing is fetched, so it prints
on an intranet without internet access. Its link is `objection_url`: the notice's public page at
its objection form, on the site's public address (settings.PUBLIC_URL) or, without that setting,
on the address of the request that printed it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import segno
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from jingzhun.areas.choices import Level
from jingzhun.areas.models import Area

from .models import Notice
from .services import SENSITIVE

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SupervisionContact:
    phone: str  # 监督举报电话: the county's, else settings.SUPERVISION_PHONE (12317)
    address: str  # 异议受理地址: the county's; empty when it has none


def supervision_contact(ancestors: list[Area]) -> SupervisionContact:
    """The contact printed on a notice of an area with these `ancestors` (province first, as
    `Area.ancestors` returns them): its county's, with the national hotline as the fallback."""
    county = next((area for area in ancestors if area.level == Level.COUNTY), None)
    phone = (county.supervision_phone if county else "").strip()
    if county and SENSITIVE.search(phone):
        # A mobile number is no public hotline, and no notice shows one (notices._check would
        # refuse every notice of the county): the national hotline instead, and a log line.
        logger.warning("county %s: its supervision phone looks like a mobile number", county.code)
        phone = ""
    address = (county.objection_address if county else "").strip()
    return SupervisionContact(phone=phone or settings.SUPERVISION_PHONE, address=address)


def objection_url(notice: Notice, request: HttpRequest | None = None) -> str:
    """The absolute link to `notice`'s objection form: PUBLIC_URL when set, else the request's
    own scheme and host; a bare path when there is neither (no request, e.g. a shell)."""
    path = reverse("notice-public", args=[notice.token]) + "#objection"
    if settings.PUBLIC_URL:
        return settings.PUBLIC_URL + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path


def qr_svg(url: str) -> SafeString:
    """`url` as a QR code, inline SVG (error correction M: survives a crease or a stain on the
    board). Safe to put in a template: segno writes the markup, `url` is only in the modules."""
    code = segno.make(url, error="m")
    return mark_safe(  # noqa: S308 - segno's own markup; the URL is encoded, not embedded
        code.svg_inline(scale=3, border=2, svgclass="qr", lineclass="qr-line")
    )
