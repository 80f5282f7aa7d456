"""Objection receipts (受理编号) and their public lookup.

A receipt is 12 random digits, read over the phone in three groups of four
(`4821 0937 5512`): digits because every caller can say them, random (`secrets`) so that a
receipt is not guessable from another one or from the count of objections. The lookup shows
only the status of the objection and the answer to it (`receipt_status`): never a name, contact,
household or the objection's text, and a wrong number reads exactly like a missing one.

Lookups are limited per client the way the objection form is: counted in the database on the
keyed hash of the client address (`services.client_key`), never the address itself.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.core.locks import lock_name

from . import services
from .models import RECEIPT_DIGITS as DIGITS
from .models import Objection, ObjectionStatus, ReceiptLookup, format_receipt

# Lookups per client per hour, found or not (a person needs one or two).
LOOKUPS_PER_HOUR = 10

RECEIVED, VERIFYING, ANSWERED, CLOSED = "received", "verifying", "answered", "closed"


def normalise_receipt(text: str) -> str | None:
    """The receipt typed by a person (spaces, dashes, full-width digits allowed) as 12 ASCII
    digits; None when it cannot be one."""
    digits = "".join(c for c in unicodedata.normalize("NFKC", text or "") if c not in " -－—")
    if len(digits) != DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    return digits


@dataclass(frozen=True)
class ReceiptStatus:
    receipt: str  # formatted
    state: str  # RECEIVED, VERIFYING, ANSWERED or CLOSED
    label: str
    lodged: datetime.date
    outcome: str  # 异议成立 / 异议不成立; empty while open
    answer: str  # the finding; empty while open
    decided: datetime.date | None


def _state(objection: Objection) -> str:
    """Closed once the procedure is (announced, removed, rejected: nothing more will happen);
    before that, answered once decided, else received during the notice and verified after."""
    if not objection.procedure.is_open:
        return CLOSED
    if objection.status == ObjectionStatus.OPEN:
        return RECEIVED if services.today() <= objection.notice.end else VERIFYING
    return ANSWERED


def _label(state: str) -> str:
    return {
        RECEIVED: _("已受理，公示期结束后核实处理"),
        VERIFYING: _("正在核实"),
        ANSWERED: _("已答复"),
        CLOSED: _("已办结"),
    }[state]


def _redacted(text: str) -> str:
    """The finding without anything that looks like an ID or phone number."""
    return services.SENSITIVE.sub(lambda match: "*" * len(match.group()), text)


def receipt_status(receipt: str) -> ReceiptStatus | None:
    """What the objector may see of the objection with this receipt; None when there is none."""
    objection = (
        Objection.objects.select_related("notice", "procedure")
        .only(
            "receipt",
            "status",
            "finding",
            "lodged",
            "decided",
            "notice__end",
            "procedure__state",
            "procedure__kind",
        )
        .filter(receipt=receipt)
        .first()
    )
    if objection is None:
        return None
    state = _state(objection)
    is_open = objection.status == ObjectionStatus.OPEN
    return ReceiptStatus(
        receipt=format_receipt(objection.receipt),
        state=state,
        label=_label(state),
        lodged=timezone.localdate(objection.lodged),
        outcome="" if is_open else str(objection.get_status_display()),
        answer="" if is_open else _redacted(objection.finding),
        decided=timezone.localdate(objection.decided) if objection.decided else None,
    )


@transaction.atomic
def allow_lookup(client: str) -> bool:
    """Record one lookup by `client` (a keyed hash); False when it had LOOKUPS_PER_HOUR in the
    past hour already. Records older than a day are dropped on the way (nothing else reads them)."""
    with transaction.atomic():
        lock_name(f"receipt-lookup:{client}")  # count and insert as one step per client
        now = timezone.now()
        ReceiptLookup.objects.filter(attempted__lt=now - datetime.timedelta(days=1)).delete()
        since = now - datetime.timedelta(hours=1)
        if (
            ReceiptLookup.objects.filter(client=client, attempted__gte=since).count()
            >= LOOKUPS_PER_HOUR
        ):
            return False
        ReceiptLookup.objects.create(client=client, attempted=now)
        return True
