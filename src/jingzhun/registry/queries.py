"""Read-side helpers over the registry shared by other apps' lists.

`with_head_and_size` is the one place that says how a list row gets its household's head and size
(staff pages, the API, the public notice, the procedure pages): correlated subqueries, so they run
for the rows actually fetched (a page) and a COUNT(*) over the list leaves them out. Masking stays
with the caller (`jingzhun.masking`): what is shown masked depends on who reads.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Count, IntegerField, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from . import choices as c
from .models import Person

M = TypeVar("M", bound=Model)


def _head(household: str, field: str) -> Subquery:
    return Subquery(
        Person.objects.filter(household_id=OuterRef(household), relation=c.Relation.HEAD)
        .order_by()
        .values(field)[:1]
    )


def with_head_and_size(
    queryset: QuerySet[M], household: str = "pk", *, id_number: bool = False
) -> QuerySet[M]:
    """`queryset` annotated with `head_name` (None without a head), `member_count` (0 without
    members) and, if `id_number`, `head_id_number` (unmasked: mask it before showing it).
    `household` is the path from the queryset's model to a household id ("pk" on Household,
    "household_id" on a model pointing at one; a NULL household gives None / 0)."""
    members = (
        Person.objects.filter(household_id=OuterRef(household))
        .order_by()
        .values("household_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    annotations = {
        "head_name": _head(household, "name"),
        "member_count": Coalesce(Subquery(members), 0, output_field=IntegerField()),
    }
    if id_number:
        annotations["head_id_number"] = _head(household, "id_number")
    return queryset.annotate(**annotations)
