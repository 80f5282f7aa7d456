"""Who is on the other end of a request: the visitor's address, behind a reverse proxy too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings


def client_address(meta: Mapping[str, Any]) -> str:
    """The visitor's address: REMOTE_ADDR, or behind a reverse proxy the header it sets
    (settings.CLIENT_ADDRESS_HEADER, e.g. HTTP_X_REAL_IP; for X-Forwarded-For the last entry,
    the one the proxy itself saw). Without the setting every visitor behind a proxy would
    share one rate limit (public objections, login lockout)."""
    header = getattr(settings, "CLIENT_ADDRESS_HEADER", "")
    value = meta.get(header, "") if header else ""
    return value.split(",")[-1].strip() if value else meta.get("REMOTE_ADDR", "")
