"""待我办理 of procedures (see core/awaiting.py): the steps whose turn is the user's, and the
objections a township or county user is to decide. Both read through `visible_to(user)`; the
steps are the board's 待我办理 (`queries.awaiting`) less those that cannot be taken yet (an open
objection, a notice still running), which the board lists with their reason."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Min, QuerySet
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jingzhun.core.awaiting import Item, Kind, register

from . import queries, services
from .flows import StepId
from .models import Objection, ObjectionStatus, Procedure


def step_rows(user: Any, today: datetime.date) -> QuerySet | None:
    """Open procedures whose next step the user may take now."""
    role, level = user.role, services.user_level(user)
    if not any(step.role == role and step.level == level for *_, step in queries.transitions()):
        return None  # no step of any flow is this user's role and level
    return queries.awaiting(user, Procedure.objects.visible_to(user), today).filter(
        has_open_objection=False, in_notice=False
    )


def step_items(rows: QuerySet, today: datetime.date, limit: int) -> list[Item]:
    """Per batch and awaited step, the number of procedures, the longest waiting first."""
    groups = (
        rows.order_by()
        .values("batch_id", "batch__title", "kind", "state")
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=queries.overdue_q(today)),
            since=Min("state_since"),
        )
        .order_by("since", "batch_id")[:limit]
    )
    items = []
    for group in groups:
        step = queries.awaited_step(group["kind"], group["state"])
        items.append(
            Item(
                label=group["batch__title"],
                url=reverse("procedures-batch", args=[group["batch_id"]]),
                count=group["n"],
                overdue=bool(group["late"]),
                note=gettext("待{step}").format(step=StepId(step.id).label) if step else "",
            )
        )
    return items


def objection_rows(user: Any, today: datetime.date) -> QuerySet | None:
    """Open objections in the user's area that the user may decide (a township or county user
    who did not record them)."""
    if user.role not in services.RESOLVERS or services.user_level(user) not in (
        "township",
        "county",
    ):
        return None
    return (
        Objection.objects.visible_to(user)
        .filter(status=ObjectionStatus.OPEN)
        .exclude(recorded_by=user)
    )


def objection_items(rows: QuerySet, today: datetime.date, limit: int) -> list[Item]:
    """Per batch, the number of open objections, the oldest first."""
    groups = (
        rows.order_by()
        .values("procedure__batch_id", "procedure__batch__title")
        .annotate(n=Count("pk"), since=Min("lodged"))
        .order_by("since", "procedure__batch_id")[:limit]
    )
    return [
        Item(
            label=group["procedure__batch__title"],
            url=reverse("procedures-batch", args=[group["procedure__batch_id"]]) + "#objections",
            count=group["n"],
        )
        for group in groups
    ]


register(
    Kind(
        key="procedures.steps",
        title=_("待办程序环节"),
        order=10,
        rows=step_rows,
        url=lambda user: reverse("procedures-board") + "#awaiting",
        items=step_items,
        overdue=queries.overdue_q,
    )
)
register(
    Kind(
        key="procedures.objections",
        title=_("待处理异议"),
        order=20,
        rows=objection_rows,
        # No list of objections exists: the board's 待我办理 lists the steps they block.
        url=lambda user: reverse("procedures-board") + "#awaiting",
        items=objection_items,
    )
)
