"""Builders for procedure tests: a village with staff of every role, households that meet the
Yunnan 2018 standard, a real assessment run over them, and evidence that passes every step."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from jingzhun.assessment.models import Verdict
from jingzhun.assessment.services import run_assessment
from jingzhun.procedures import services
from jingzhun.procedures.flows import Kind, StepId
from jingzhun.procedures.models import Batch, Procedure
from jingzhun.registry.models import Household, Measure
from tests.factories import HouseholdFactory, IncomeFactory, PersonFactory, UserFactory, area_chain

YEAR = 2018
STANDARD = "yunnan-2018"
TODAY = datetime.date(2019, 1, 10)


class Staff:
    """Two users of each role over one village (two so maker ≠ checker can be shown)."""

    def __init__(self, village: Any) -> None:
        township, county = village.parent, village.parent.parent
        self.village_op = UserFactory(role="village_operator", area=village)
        self.village_op2 = UserFactory(role="village_operator", area=village)
        self.township = UserFactory(role="township_operator", area=township)
        self.township2 = UserFactory(role="township_operator", area=township)
        self.county = UserFactory(role="county_admin", area=county)
        self.county2 = UserFactory(role="county_admin", area=county)

    def for_step(self, step: str, kind: str = Kind.EXIT) -> Any:
        if kind == Kind.VILLAGE_EXIT and step in (StepId.PROPOSAL, StepId.TOWNSHIP_REVIEW):
            return self.township if step == StepId.PROPOSAL else self.township2
        if kind == Kind.VILLAGE_EXIT and step == StepId.NOTICE:
            return self.township2
        if step == StepId.TOWNSHIP_REVIEW:
            return self.township
        if step in (StepId.COUNTY_APPROVAL,):
            return self.county
        if step == StepId.ANNOUNCEMENT:
            return self.county2
        return self.village_op


def meeting_household(village: Any, **fields: Any) -> Household:
    """A registered household meeting every Yunnan 2018 indicator (4,250 yuan per person)."""
    fields.setdefault("status", "registered")
    household = HouseholdFactory(village=village, **fields)
    PersonFactory(household=household, relation="head", name="李建国", pension_insured=True)
    PersonFactory(
        household=household,
        relation="spouse",
        name="王秀英",
        sex="female",
        birth_date=datetime.date(1982, 5, 1),
        pension_insured=True,
    )
    IncomeFactory(household=household, year=YEAR, members_count=2)
    Measure.objects.create(household=household, kind="industry", year=YEAR)
    return household


def assess(village: Any, user: Any) -> Any:
    """A finished run of the standard over the village's county (engine db)."""
    return run_assessment(
        standard_id=STANDARD, year=YEAR, area_code=village.code[:6].ljust(12, "0"), acting_user=user
    )


def verdict_of(run: Any, household: Household) -> Verdict:
    return Verdict.objects.get(run=run, level="household", entity=str(household.pk))


EVIDENCE: dict[str, dict[str, Any]] = {
    StepId.VILLAGE_REVIEW: {
        "date": "2019-01-02",
        "attendance": 30,
        "votes_for": 28,
        "votes_against": 2,
    },
    StepId.VERIFICATION: {"date": "2019-01-03", "verifiers": "驻村工作队", "note": "入户核实无误"},
    StepId.CONSENT: {"date": "2019-01-04", "record": "确认书 2019-001"},
    StepId.NOTICE: {
        "start": "2019-01-05",
        "days": 7,
        "place": "村委会公示栏",
        "contact": "向村委会或乡镇扶贫办反映",
    },
    StepId.TOWNSHIP_REVIEW: {"date": "2019-01-12", "note": "同意"},
    StepId.COUNTY_APPROVAL: {"date": "2019-01-13", "document": "泸扶〔2019〕1号"},
    StepId.ANNOUNCEMENT: {"date": "2019-01-14", "document": "泸扶〔2019〕2号"},
}


def advance(
    procedures: list[Procedure], until: str, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Take every step after the current one up to and including `until`, with passing evidence
    and the right users; the calendar jumps past the notice when a step needs it."""
    procedures = list(procedures)
    while True:
        for p in procedures:
            p.refresh_from_db()
        step = procedures[0].next_step
        if step is None:
            return
        evidence = dict(EVIDENCE[step.id])
        if step.id == StepId.NOTICE:
            monkeypatch.setattr(services, "today", lambda: TODAY)
        if procedures[0].notice_id and step.id != StepId.NOTICE:
            after = procedures[0].notice.end + datetime.timedelta(days=10)
            monkeypatch.setattr(services, "today", lambda after=after: after)
        services.take_step(
            procedures, step.id, evidence, acting_user=staff.for_step(step.id, procedures[0].kind)
        )
        if step.id == until:
            for p in procedures:
                p.refresh_from_db()
            return


def exit_batch(village: Any, staff: Staff, households: list[Household]) -> list[Procedure]:
    """Exit proposals for the households, citing a real run's verdicts."""
    run = assess(village, staff.county)
    batch = services.open_batch(Kind.EXIT, village, YEAR, acting_user=staff.village_op)
    return services.propose(
        batch,
        [
            services.Proposal(household=h, evidence={"verdict": verdict_of(run, h).pk})
            for h in households
        ],
        acting_user=staff.village_op,
    )


def village_meeting_standard() -> Any:
    """A poor village meeting every village indicator of Yunnan 2018."""
    village = area_chain()
    village.poor_village = True
    for name in (
        "hardened_road",
        "safe_water",
        "grid_power",
        "broadband",
        "radio_tv",
        "clinic_with_doctor",
        "public_space",
    ):
        setattr(village, name, True)
    village.collective_income = Decimal("50000")
    village.save()
    return village


@pytest.fixture
def staff(db):
    return Staff(village_meeting_standard())


@pytest.fixture
def pinned_today(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: TODAY)
    return TODAY


__all__ = [
    "Batch",
    "EVIDENCE",
    "STANDARD",
    "Staff",
    "TODAY",
    "YEAR",
    "advance",
    "assess",
    "exit_batch",
    "meeting_household",
    "verdict_of",
    "village_meeting_standard",
]
