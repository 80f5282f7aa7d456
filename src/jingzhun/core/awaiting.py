"""待我办理: what awaits a user, asked of every app that has work for people.

An app says what awaits a user in its own `awaiting.py`, which registers one `Kind` per sort of
work (a procedure's step, an objection, a verification task …) with `register`. The kinds are
found when first asked for (every installed app's `awaiting` module is imported then), so core
never imports an app: the apps import this module, the arrows point down.

A kind answers with a queryset of the rows awaiting the user, already scoped through
`visible_to(user)`. All kinds' counts (and overdue counts) are then read in ONE query: the
user's area row, with each count as a scalar subquery beside it. That area row is put where
`user.area` would load it from, so a page that shows the user's area (every page's top bar does)
pays no query for the counts. The first few items of a kind are one more query each, made only
on the home page and only for kinds with something waiting. The top bar's badge leaves out the
overdue counts (`badge_total`).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import IntegerField, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from jingzhun import areacodes

ITEMS_SHOWN = 3


@dataclass(frozen=True)
class Item:
    """One line under a card: a batch, a task, a pair … and the page where it is handled."""

    label: str
    url: str
    count: int | None = None  # rows behind the line (a batch's procedures), None for one row
    overdue: bool = False
    note: str = ""


@dataclass(frozen=True)
class Kind:
    """One sort of work. `rows(user, today)` is the queryset of rows awaiting the user (None when
    the user's role and level never get this work); `overdue(today)` the Q of the late ones among
    them (None: no deadline); `items(rows, today, limit)` the first lines for the home page;
    `url(user)` the list page showing the same rows (with its filter)."""

    key: str
    title: Any  # a lazy translation
    order: int
    rows: Callable[[Any, datetime.date], QuerySet | None]
    url: Callable[[Any], str]
    items: Callable[[QuerySet, datetime.date, int], list[Item]]
    overdue: Callable[[datetime.date], Q] | None = None


@dataclass
class Card:
    """A kind's answer for one user."""

    kind: Kind
    count: int
    overdue: int
    url: str
    items: list[Item] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.kind.key

    @property
    def slug(self) -> str:
        return self.key.replace(".", "-")

    @property
    def title(self) -> Any:
        return self.kind.title

    @property
    def more(self) -> int:
        """Rows not shown as items (items that stand for several rows count all of theirs)."""
        shown = sum(item.count or 1 for item in self.items)
        return max(self.count - shown, 0)


@dataclass
class Summary:
    """What awaits one user: the cards with something waiting, in the kinds' order."""

    cards: list[Card] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(card.count for card in self.cards)

    @property
    def overdue(self) -> int:
        return sum(card.overdue for card in self.cards)


_KINDS: dict[str, Kind] = {}
_discovered = threading.Event()
_lock = threading.Lock()


def register(kind: Kind) -> Kind:
    """Make `kind` known by its key (again on a re-import: the last one wins)."""
    _KINDS[kind.key] = kind
    return kind


def kinds() -> list[Kind]:
    """Every registered kind, in order (imports each installed app's `awaiting` module once)."""
    if not _discovered.is_set():
        with _lock:
            if not _discovered.is_set():
                autodiscover_modules("awaiting")
                _discovered.set()
    return sorted(_KINDS.values(), key=lambda kind: (kind.order, kind.key))


def may_await(user: Any) -> bool:
    """Work awaits people who work on the records of an area: an editing user with an area."""
    return bool(user is not None and user.is_authenticated and user.area_id and user.can_edit())


class Count(Subquery):
    """The number of rows of a queryset, as a scalar subquery."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) awaiting_count)"
    output_field = IntegerField()


def _counted(
    user: Any, today: datetime.date, overdue: bool
) -> list[tuple[Kind, QuerySet, Q | None]]:
    """(kind, its rows for the user, the Q of the late ones or None) of the kinds that apply."""
    chosen = []
    for kind in kinds():
        rows = kind.rows(user, today)
        if rows is not None:
            late = kind.overdue(today) if kind.overdue and overdue else None
            chosen.append((kind, rows, late))
    return chosen


def summary(
    user: Any, *, items: int = 0, overdue: bool = True, today: datetime.date | None = None
) -> Summary:
    """The cards of what awaits `user` (only kinds with something waiting): one query for all
    counts (and overdue counts unless `overdue` is False), plus one per card for its first
    `items` lines when asked."""
    if not may_await(user):
        return Summary()
    today = today or timezone.localdate()
    area_field = user._meta.get_field("area")
    Area = area_field.related_model  # noqa: N806 - a model class
    if not area_field.is_cached(user):
        # Until its row is read (below, with the counts) the user's area is what its code tells:
        # the code decides the level (areas.Area.clean), which is all the kinds' role rules read;
        # any other field of this deferred instance would be loaded on access.
        code = user.area_id
        stand_in = Area.from_db(None, ["code", "level"], [code, areacodes.level_of(code)])
        area_field.set_cached_value(user, stand_in)
    chosen = _counted(user, today, overdue)
    counts: dict[str, Any] = {}
    for index, (_kind, rows, late) in enumerate(chosen):
        counts[f"awaiting_{index}"] = Count(rows.order_by().values("pk"))
        if late is not None:
            counts[f"awaiting_{index}_late"] = Count(rows.filter(late).order_by().values("pk"))
    # One query: the user's area row with every count beside it. `user.area` is this row from
    # now on, so the top bar that shows the area (every page) reads it without a query.
    area = Area.objects.filter(pk=user.area_id).annotate(**counts).first()
    if area is None:
        return Summary()
    area_field.set_cached_value(user, area)
    answer = Summary()
    for index, (kind, rows, late) in enumerate(chosen):
        count = getattr(area, f"awaiting_{index}") or 0
        if not count:
            continue
        overdue = (getattr(area, f"awaiting_{index}_late") or 0) if late is not None else 0
        card = Card(kind, count, overdue, kind.url(user))
        if items:
            card.items = kind.items(rows, today, items)
        answer.cards.append(card)
    return answer


def badge_total(request: Any) -> int:
    """The total for the top bar, counted afresh on every page: without the overdue counts,
    whose deadline rules are most of the cost of building the query (about 5 ms of Python on
    the demo county against 15 ms with them; the query itself takes 1 to 2 ms)."""
    user = getattr(request, "user", None)
    return summary(user, overdue=False).total if may_await(user) else 0
