"""What a public notice (公示) says, and its printable PDF.

`notice_content` is the only source of what the public page and the PDF show: both templates get
its output and nothing else, so the masking rule lives here. It reads only the columns it shows
(no ID number, phone, health or income column is ever fetched), masks the head's name with
`jingzhun.masking`, and refuses to return anything that still looks like an ID or phone number.

The public page is reached by the notice's token without login, so these reads deliberately do
not go through `visible_to(user)`: the token is the scope, and only the published list is read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from jingzhun.core.pdf import html_to_pdf
from jingzhun.core.pdf import refusing_fetcher as _refusing_fetcher  # noqa: F401  (tests use it)
from jingzhun.masking import mask_name
from jingzhun.registry.queries import with_head_and_size

from .flows import Closed, Kind, ReasonCategory
from .models import Notice, Procedure
from .notice_links import qr_svg, supervision_contact
from .services import SENSITIVE


class UnsafeNotice(ValueError):
    """Some text of a notice looks like an ID or phone number: refused rather than published."""


@dataclass(frozen=True)
class NoticeRow:
    line: int
    procedure: int  # the procedure id: the objection form's value (not sensitive)
    name: str  # the head's masked name; the village's name for village exits
    size: int | None  # household members; None for village exits
    change: str  # the kind's label, e.g. 贫困户退出
    reason: str  # the reason category's label


@dataclass(frozen=True)
class NoticeContent:
    title: str
    area: str  # full name of the village (the township for village exits)
    issuer: str  # who signs: the village committee (the township government)
    start: datetime.date
    end: datetime.date
    days: int
    place: str
    contact: str
    supervision_phone: str  # the county's hotline (notice_links.supervision_contact)
    objection_address: str  # the county's objection office; may be empty
    rows: tuple[NoticeRow, ...]
    is_village_exit: bool  # rows are villages (no household size column)


def _check(content: NoticeContent) -> NoticeContent:
    """The last gate: no text of the notice may match an ID or phone number pattern."""
    texts: list[tuple[str, Any]] = [(f.name, getattr(content, f.name)) for f in fields(content)]
    for row in content.rows:
        texts += [(f"rows[{row.line}].{f.name}", getattr(row, f.name)) for f in fields(row)]
    for name, value in texts:
        # The message names the field, never the value (it would end up in logs).
        if isinstance(value, str) and SENSITIVE.search(value):
            raise UnsafeNotice(f"notice text {name} looks like an ID or phone number")
    return content


def notice_content(notice: Notice) -> NoticeContent:
    """The public content of `notice`: its texts and the listed procedures (those posted with it
    and not withdrawn), numbered in household-number order. Two queries: the notice's batch and
    area, then the rows with member counts and head names as subqueries."""
    notice = Notice.objects.select_related("batch__area__parent").get(pk=notice.pk)
    batch = notice.batch
    area = batch.area
    ancestors = area.ancestors()
    supervision = supervision_contact(ancestors)
    listed_procedures = Procedure.objects.filter(notice=notice).exclude(state=Closed.WITHDRAWN)
    rows = (
        with_head_and_size(listed_procedures, "household_id")
        .order_by("household__number", "village_id", "id")
        .values(
            "id", "kind", "reason", "household_id", "village__name", "member_count", "head_name"
        )
    )
    listed = []
    for line, row in enumerate(rows, start=1):
        household = row["household_id"] is not None
        listed.append(
            NoticeRow(
                line=line,
                procedure=row["id"],
                name=(mask_name(row["head_name"]) or "—") if household else row["village__name"],
                size=row["member_count"] if household else None,
                change=str(Kind(row["kind"]).label),
                reason=str(ReasonCategory(row["reason"]).label),
            )
        )
    if batch.kind == Kind.VILLAGE_EXIT:
        issuer = _("{township}人民政府").format(township=area.name)
    else:
        issuer = _("{village}村民委员会").format(village=area.name)
    return _check(
        NoticeContent(
            title=notice.title,
            area="".join(a.name for a in ancestors) + area.name,
            issuer=issuer,
            start=notice.start,
            end=notice.end,
            days=notice.days,
            place=notice.place,
            contact=notice.contact,
            supervision_phone=supervision.phone,
            objection_address=supervision.address,
            rows=tuple(listed),
            is_village_exit=batch.kind == Kind.VILLAGE_EXIT,
        )
    )


def render_print_html(content: NoticeContent, objection_url: str = "") -> str:
    """The print template filled with `content` (the PDF's HTML) and, given the link to the
    notice's objection form, its QR code (drawn locally, `notice_links.qr_svg`)."""
    context = {
        "content": content,
        "objection_url": objection_url,
        "qr": qr_svg(objection_url) if objection_url else "",
    }
    return render_to_string("procedures/notice_print.html", context)


def render_pdf(notice: Notice, objection_url: str = "") -> bytes:
    """The notice as an A4 PDF in Chinese (Noto Sans CJK SC from Debian's fonts-noto-cjk)."""
    return html_to_pdf(render_print_html(notice_content(notice), objection_url))
