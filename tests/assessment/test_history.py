"""A household's verdict history on its page: every finished run visible to the user, newest
first, with what changed against the run before it; scoped; a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingzhun.assessment import reports
from jingzhun.assessment.history import household_history
from jingzhun.assessment.models import AssessmentRun
from jingzhun.assessment.services import run_assessment
from jingzhun.registry.models import Income
from tests.assessment.report_fixture import county_fixture  # noqa: F401
from tests.factories import UserFactory, area_chain

pytestmark = pytest.mark.django_db


def _label(indicator: str) -> str:
    return next(i.label for i in reports.indicators_of(_RUN, "household") if i.id == indicator)


_RUN = AssessmentRun(standard_id="yunnan-2018")  # labels come from the standard file
INCOME, HOUSING = _label("income"), _label("housing")


def _assess(user):
    return run_assessment(standard_id="yunnan-2018", year=2018, acting_user=user)


def _set_members(household, members: int) -> None:
    income = Income.objects.get(household=household, year=2018)
    income.members_count = members
    income.recompute()
    income.save()


@pytest.fixture
def three_runs(county_fixture):  # noqa: F811
    """Household B: run 1 fails income; run 2 passes income but fails housing (grade D);
    run 3 passes every indicator."""
    user = UserFactory(role="county_admin", area=county_fixture["county"])
    b = county_fixture["households"]["B"]
    first = _assess(user)
    _set_members(b, 1)  # 8,500 yuan for one member: above the line
    b.housing_grade = "D"
    b.save()
    second = _assess(user)
    b.housing_grade = "A"
    b.save()
    third = _assess(user)
    return user, b, [first, second, third]


def _labels(entry) -> list[str]:
    return [r.label for r in entry.reasons]


def test_history_lists_every_run_newest_first_with_changes(three_runs):
    user, b, (first, second, third) = three_runs
    history = household_history(user, b)
    assert [e.run.pk for e in history.entries] == [third.pk, second.pk, first.pk]
    assert history.more is False
    newest, middle, oldest = history.entries
    assert [e.met for e in history.entries] == [True, False, False]
    assert (_labels(newest), _labels(middle), _labels(oldest)) == ([], [HOUSING], [INCOME])
    # Newest: housing fixed, which made the household meet the standard.
    assert (newest.newly_met, newest.newly_unmet) == ([HOUSING], [])
    assert newest.compared and newest.met_changed
    # Middle: income now met, housing newly failing; still not met overall.
    assert (middle.newly_met, middle.newly_unmet) == ([INCOME], [HOUSING])
    assert middle.compared and not middle.met_changed
    # The oldest shown has nothing to be compared with.
    assert (oldest.compared, oldest.newly_met, oldest.newly_unmet) == (False, [], [])
    assert middle.reasons[0].sentence == "住房为C/D级危房"
    assert "1,700" in oldest.reasons[0].sentence
    assert not any(e.standard_changed for e in history.entries)
    assert all(e.linkable for e in history.entries)
    assert history.latest["run"] == third and history.latest["reasons"] == []


def test_history_on_the_household_page(client, three_runs):
    user, b, (first, second, third) = three_runs
    client.force_login(user)
    html = client.get(reverse("household-detail", args=[b.pk])).content.decode()
    assert html.count('<tr data-run="') == 3
    rows = [html.index(f'<tr data-run="{run.pk}"') for run in (third, second, first)]
    assert rows == sorted(rows)  # newest first
    newest = html[rows[0] : rows[1]]
    assert "由未达标转为达标" in newest and f"新达标：{HOUSING}" in newest
    middle = html[rows[1] : rows[2]]
    assert f"新达标：{INCOME}" in middle and f"新未达标：{HOUSING}" in middle
    assert "人均纯收入 1,700 元，未超过 2018 年标准 2,995 元" in html[rows[2] :]
    assert "仅显示最近" not in html


def test_history_is_capped_and_says_so(three_runs):
    user, b, (first, second, third) = three_runs
    history = household_history(user, b, limit=2)
    assert [e.run.pk for e in history.entries] == [third.pk, second.pk]
    assert history.more is True
    # The oldest shown is still compared with the run just beyond the cap.
    assert history.entries[1].newly_met == [INCOME]


def test_another_area_sees_no_history(three_runs):
    _user, b, _runs = three_runs
    outsider = UserFactory(role="county_admin", area=area_chain(county="522301").parent.parent)
    assert household_history(outsider, b).entries == []
    assert household_history(outsider, b).latest is None
    # A township user elsewhere in the same county does not see B's village (township 101) either.
    township = UserFactory(role="viewer", area=area_chain(township="100").parent)
    assert household_history(township, b).entries == []


def test_history_takes_the_same_queries_for_one_run_or_three(county_fixture):  # noqa: F811
    user = UserFactory(role="county_admin", area=county_fixture["county"])
    b = county_fixture["households"]["B"]
    with CaptureQueriesContext(connection) as none:
        assert household_history(user, b).entries == []
    _assess(user)
    with CaptureQueriesContext(connection) as one:
        assert len(household_history(user, b).entries) == 1
    _assess(user)
    _assess(user)
    with CaptureQueriesContext(connection) as three:
        assert len(household_history(user, b).entries) == 3
    assert len(none) == 1  # nothing assessed: the verdicts only
    assert len(one) == len(three) == 2  # verdicts with their run, then the sentences


def test_household_page_queries_do_not_grow_with_runs(client, county_fixture):  # noqa: F811
    user = UserFactory(role="county_admin", area=county_fixture["county"])
    b = county_fixture["households"]["B"]
    client.force_login(user)
    url = reverse("household-detail", args=[b.pk])
    _assess(user)
    client.get(url)  # warm the standard cache and the session
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _assess(user)
    _assess(user)
    with CaptureQueriesContext(connection) as three:
        html = client.get(url).content.decode()
    assert html.count('<tr data-run="') == 3
    assert len(one) == len(three)
