"""Records in several areas and an API client per kind of user."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from jingzhun.registry.models import Helper, Measure
from tests.factories import (
    HouseholdFactory,
    IncomeFactory,
    PersonFactory,
    UserFactory,
    area_chain,
)


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def results(response: Any) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def populate(village: Any) -> dict[str, Any]:
    """One record of every registry model in `village`, keyed by the API basename."""
    household = HouseholdFactory(village=village)
    person = PersonFactory(household=household)
    income = IncomeFactory(household=household)
    helper = Helper.objects.create(household=household, name="李帮扶", unit="县农业局")
    measure = Measure.objects.create(
        household=household, kind="industry", year=2018, amount=Decimal("2000")
    )
    return {
        "area": village,
        "household": household,
        "person": person,
        "income": income,
        "helper": helper,
        "measure": measure,
    }


@pytest.fixture
def world(db) -> dict[str, dict[str, Any]]:
    """Village a1 and a2 in township A, b in township B (same county), c in another county."""
    return {
        "a1": populate(area_chain(township="100", village="201")),
        "a2": populate(area_chain(township="100", village="202")),
        "b": populate(area_chain(township="101", village="201")),
        "c": populate(area_chain(county="520102", township="100", village="201")),
    }


@pytest.fixture
def township_a(world) -> Any:
    return UserFactory(role="township_operator", area=world["a1"]["area"].parent)
