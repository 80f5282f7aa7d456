"""待我办理 of data comparison (see core/awaiting.py): verification tasks, open duplicate pairs
and possible fuzzy links, each read through `visible_to(user)`.

A task awaits the users of its own area while it is to be checked (待核查; at a township or
county: to be checked or handed down to a village) or, checked as 属实, while its action is to be
recorded (属实待处理); checked as 不属实 it awaits a township or county user other than the one
who checked it (待乡镇复核). Overdue: open past its due date. Pairs and possible links await every
user who may decide them (an editing user whose area holds them)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jingzhun import masking
from jingzhun.core.awaiting import Item, Kind, register

from .choices import LinkStatus, Method, PairStatus, TaskStatus
from .models import DuplicatePair, RowLink, VerificationTask
from .verification import TOWNSHIP_PREFIX


def task_q(user: Any) -> Q:
    """The open tasks whose turn is the user's (within the user's scope): none for a reader."""
    if not user.can_edit():
        return Q(pk__in=[])
    own = Q(area_code=user.area_id, status__in=[TaskStatus.ASSIGNED, TaskStatus.CONFIRMED])
    scope = user.scope_prefix() or ""
    if len(scope) > TOWNSHIP_PREFIX:  # a village user does not review
        return own
    review = Q(status=TaskStatus.REVIEW) & ~Q(checked_by=user)
    return own | review


def task_rows(user: Any, today: datetime.date) -> QuerySet | None:
    return VerificationTask.objects.visible_to(user).filter(task_q(user))


def task_overdue(today: datetime.date) -> Q:
    return Q(due__lt=today)


def task_items(rows: QuerySet, today: datetime.date, limit: int) -> list[Item]:
    """The tasks due first."""
    tasks = rows.select_related("finding").order_by("due", "pk")[:limit]
    return [
        Item(
            label=task.finding.sentence,
            url=reverse("comparison-task", args=[task.pk]),
            overdue=task.due < today,
            note=gettext("{status} · 时限 {due}").format(
                status=task.get_status_display(), due=task.due.isoformat()
            ),
        )
        for task in tasks
    ]


def pair_rows(user: Any, today: datetime.date) -> QuerySet | None:
    return DuplicatePair.objects.visible_to(user).filter(status=PairStatus.OPEN)


def _side_name(pair: DuplicatePair, side: str) -> str:
    shown = (pair.shown or {}).get(side) or {}
    return str(shown.get("name") or shown.get("household_number") or "")


def pair_items(rows: QuerySet, today: datetime.date, limit: int) -> list[Item]:
    pairs = rows.order_by("area_code", "pk")[:limit]
    return [
        Item(
            label=gettext("{first} / {second}").format(
                first=_side_name(pair, "first"), second=_side_name(pair, "second")
            ),
            url=reverse("comparison-duplicate", args=[pair.pk]),
            note=str(pair.get_kind_display()),
        )
        for pair in pairs
    ]


def link_rows(user: Any, today: datetime.date) -> QuerySet | None:
    return RowLink.objects.visible_to(user).filter(method=Method.FUZZY, status=LinkStatus.POSSIBLE)


def link_items(rows: QuerySet, today: datetime.date, limit: int) -> list[Item]:
    links = rows.select_related("dataset_row", "person").order_by("area_code", "-score", "pk")
    return [
        Item(
            label=gettext("{row} → {person}").format(
                row=masking.mask_name(link.dataset_row.name),
                person=masking.mask_name(link.person.name),
            ),
            url=reverse("comparison-links"),
            note=gettext("匹配概率 {percent}%").format(percent=round((link.score or 0) * 100)),
        )
        for link in links[:limit]
    ]


register(
    Kind(
        key="comparison.tasks",
        title=_("核查任务"),
        order=30,
        rows=task_rows,
        url=lambda user: reverse("comparison-tasks") + "?mine=1",
        items=task_items,
        overdue=task_overdue,
    )
)
register(
    Kind(
        key="comparison.duplicates",
        title=_("疑似重复"),
        order=40,
        rows=pair_rows,
        url=lambda user: reverse("comparison-duplicates"),
        items=pair_items,
    )
)
register(
    Kind(
        key="comparison.links",
        title=_("待确认的可能匹配"),
        order=50,
        rows=link_rows,
        url=lambda user: reverse("comparison-links"),
        items=link_items,
    )
)
