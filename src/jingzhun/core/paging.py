"""Paging that stays fast deep into a million-row list.

OFFSET n makes the database walk n rows; fetching whole rows (and computing annotations) for
each of them is what makes deep pages slow, notably on PostgreSQL, which evaluates the select
list of skipped rows. A *deferred join* walks the offset on primary keys only (an index-only
scan of the ordering index) and then fetches just the page's rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import BadRequest
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

# The deepest page a list serves (issue #11 item 9): the offset of page 10**20 does not fit a
# database integer (SQLite raised OverflowError, a 500). Ten million pages of 50 is far past
# any list this system holds.
MAX_PAGE = 10_000_000


def page_error() -> str:
    return gettext("页码应为1至{max}之间的整数").format(max=MAX_PAGE)


def page_number(value: str | None) -> int:
    """The page a list page shows: 1 when missing or not a number (as the pager always did),
    a 400 (the Chinese 400 page) past MAX_PAGE."""
    try:
        number = max(int(value or "1"), 1)
    except ValueError:
        return 1
    if number > MAX_PAGE:
        raise BadRequest(page_error())
    return number


def fetch_page(queryset: QuerySet, offset: int, limit: int) -> list[Any]:
    """Rows offset..offset+limit of `queryset`, in its order, via their primary keys."""
    keys = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    if not keys:
        return []
    position = {key: index for index, key in enumerate(keys)}
    rows = list(queryset.filter(pk__in=keys))
    rows.sort(key=lambda row: position[row.pk])
    return rows


class DeferredJoinPaginator(Paginator):
    """Django's Paginator with the page fetched by `fetch_page`."""

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(fetch_page(self.object_list, bottom, top - bottom), number, self)


class DeferredJoinPagination(PageNumberPagination):
    """The API's page-number pagination, deep pages included."""

    django_paginator_class = DeferredJoinPaginator

    def get_page_number(self, request: Any, paginator: Paginator) -> Any:
        """A page past MAX_PAGE is a 400 naming the parameter; a page past the end of the list
        stays DRF's 404."""
        number = super().get_page_number(request, paginator)
        digits = isinstance(number, str) and number.isascii() and number.isdigit()
        if digits and int(number) > MAX_PAGE:
            raise ValidationError({self.page_query_param: [page_error()]})
        return number


# ---------------------------------------------------------------- the pager every list shows

# Page numbers shown either side of the current one (first and last are always shown).
PAGER_WINDOW = 2


@dataclass(frozen=True)
class PagerLink:
    number: int | None  # None: a gap ("…")
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class Pager:
    """What `includes/pager.html` shows: "共 N 条 · 第 x / y 页", first / previous / a window of
    numbers / next / last, and a jump form. `last` is None when the list is not counted (a name
    search) or counted only up to a cap: then only the pages known to exist are numbered."""

    number: int
    last: int | None  # the last page, when known
    known: int  # the highest page known to exist (≥ number)
    has_next: bool
    total: int | None  # rows, when counted
    capped: bool  # total is "more than" (counting stopped at the cap)
    param: str
    hidden: list[tuple[str, str]]  # the other query parameters, kept by the jump form
    query: str  # the same, url-encoded (no page parameter)

    def url(self, number: int) -> str:
        prefix = "?" + self.query + "&" if self.query else "?"
        return f"{prefix}{self.param}={number}"

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def first_url(self) -> str:
        return self.url(1)

    @property
    def previous_url(self) -> str:
        return self.url(self.number - 1)

    @property
    def next_url(self) -> str:
        return self.url(self.number + 1)

    @property
    def last_url(self) -> str:
        return self.url(self.last) if self.last else ""

    @property
    def links(self) -> list[PagerLink]:
        """1, …, a window around the current page, …, the last known page."""
        end = self.known
        wanted = {1, end} | set(
            range(max(1, self.number - PAGER_WINDOW), min(end, self.number + PAGER_WINDOW) + 1)
        )
        links: list[PagerLink] = []
        previous = 0
        for number in sorted(wanted):
            if number - previous > 1:
                links.append(PagerLink(None))
            links.append(PagerLink(number, self.url(number), number == self.number))
            previous = number
        return links

    @property
    def shown(self) -> bool:
        """Worth showing: more than one page, or a page past the first (a page past the end)."""
        return self.known > 1 or self.number > 1


def make_pager(
    *,
    number: int,
    per_page: int,
    total: int | None,
    has_next: bool = False,
    capped: bool = False,
    params: QueryDict | None = None,
    param: str = "page",
) -> Pager:
    """The pager of page `number` of a list of `total` rows (None when not counted: then
    `has_next` says whether a next page exists). A capped total (counting stopped at `total`)
    numbers the pages up to the cap; the last page is then unknown."""
    kept = params.copy() if params is not None else QueryDict(mutable=True)
    kept.pop(param, None)
    hidden = [(key, value) for key in kept for value in kept.getlist(key)]
    last = None
    if total is not None:
        counted = max(1, math.ceil(total / per_page))
        last = None if capped else counted
        known = max(counted, number + 1 if has_next else number)
    else:
        known = number + 1 if has_next else number
    if last is not None:
        known = max(last, number)
    return Pager(
        number=number,
        last=last,
        known=known,
        has_next=has_next if last is None else number < last,
        total=total,
        capped=capped,
        param=param,
        hidden=hidden,
        query=kept.urlencode(),
    )


def pager_of_page(page: Page, params: QueryDict | None = None, param: str = "page") -> Pager:
    """The pager of a Django Page (its paginator counted the list)."""
    return make_pager(
        number=page.number,
        per_page=page.paginator.per_page,
        total=page.paginator.count,
        params=params,
        param=param,
    )
