"""Paging that stays fast deep into a million-row list.

OFFSET n makes the database walk n rows; fetching whole rows (and computing annotations) for
each of them is what makes deep pages slow, notably on PostgreSQL, which evaluates the select
list of skipped rows. A *deferred join* walks the offset on primary keys only (an index-only
scan of the ordering index) and then fetches just the page's rows.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination


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
