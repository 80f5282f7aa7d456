"""Paging that stays fast deep into a million-row list.

OFFSET n makes the database walk n rows; fetching whole rows (and computing annotations) for
each of them is what makes deep pages slow, notably on PostgreSQL, which evaluates the select
list of skipped rows. A *deferred join* walks the offset on primary keys only (an index-only
scan of the ordering index) and then fetches just the page's rows.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
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
