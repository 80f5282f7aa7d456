"""Issue #11 item 9 on the assessment pages: an over-large page or run number is never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingzhun.assessment.services import run_assessment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.fixture
def runs(registry):
    return run_assessment(standard_id="yunnan-2018", year=2017), run_assessment(
        standard_id="yunnan-2018", year=2018
    )


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory(is_superuser=True, area=None, role="viewer"))
    return client


def test_comparison_page_past_max_page_is_the_400_page(signed_in, runs):
    a, b = runs
    response = signed_in.get(reverse("assessment-compare"), {"a": a.pk, "b": b.pk, "page": HUGE})
    assert response.status_code == 400
    assert 'data-status="400"' in response.content.decode()


def test_comparison_of_an_over_large_run_number_is_404(signed_in, runs):
    response = signed_in.get(reverse("assessment-compare"), {"a": HUGE, "b": runs[1].pk})
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["assessment-list", "assessment-villages"])
def test_report_lists_with_an_over_large_page_never_fail(signed_in, runs, name):
    response = signed_in.get(reverse(name, args=[runs[1].pk]), {"page": HUGE, "area": HUGE})
    assert response.status_code == 200
