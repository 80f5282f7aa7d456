"""Procedures for the demo county, so the board, a batch and a public notice have something to
show on first login. Every step goes through `services` with the demo users, like a real office."""

from __future__ import annotations

import datetime
from typing import Any

from jingzhun.accounts.models import User
from jingzhun.assessment.models import AssessmentRun, Verdict
from jingzhun.registry.choices import POOR_STATUSES

from . import services
from .flows import Kind, StepId

PROPOSED = 6  # households of the demo village proposed for exit
NOTICED = 4  # of which already on a running notice


def seed(run: AssessmentRun) -> dict[str, Any]:
    """An exit batch in the demo village user's village: six candidates of `run` proposed,
    reviewed, verified and consented; four of them on a notice that started two days ago (the
    other two await their notice). Returns {"batch": …, "notice": …} or {} when the village has
    no candidate."""
    user = User.objects.filter(username="village").select_related("area").first()
    if user is None or user.area is None:
        return {}
    village = user.area
    verdicts = list(
        Verdict.objects.filter(
            run=run,
            level="household",
            met=True,
            household__village=village,
            household__status__in=POOR_STATUSES,
        )
        .select_related("household")
        .order_by("household__number")[:PROPOSED]
    )
    if not verdicts:
        return {}
    batch = services.open_batch(Kind.EXIT, village, run.year, acting_user=user)
    procedures = services.propose(
        batch,
        [services.Proposal(household=v.household, evidence={"verdict": v.pk}) for v in verdicts],
        acting_user=user,
    )
    today = services.today()

    def day(offset: int) -> str:
        return (today - datetime.timedelta(days=offset)).isoformat()

    steps = [
        (
            StepId.VILLAGE_REVIEW,
            {"date": day(6), "attendance": 42, "votes_for": 40, "votes_against": 1},
        ),
        (
            StepId.VERIFICATION,
            {"date": day(5), "verifiers": "驻村工作队 村两委", "note": "入户核实，情况属实"},
        ),
        (StepId.CONSENT, {"date": day(4), "record": "脱贫户确认书"}),
    ]
    for step, evidence in steps:
        services.take_step(procedures, step, evidence, acting_user=user)
    services.take_step(
        procedures[:NOTICED],
        StepId.NOTICE,
        {
            "start": day(2),
            "days": services.notice_days(),
            "place": "村委会公示栏、各村民小组公示点",
            "contact": "书面或当面向村委会、乡镇扶贫工作站反映",
        },
        acting_user=user,
    )
    return {"batch": batch, "notice": batch.notices.first()}
