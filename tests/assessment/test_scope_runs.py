"""Runs of an area above the user's (`AssessmentRun.objects.readable_by`): a village or township
user reads a finished county run's reports limited to their own rows, never its whole-run totals,
and cannot stop, cancel or delete it; another county still gets 404 everywhere."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from jingzhun.assessment.history import household_history
from jingzhun.assessment.models import AssessmentRun, Verdict, containing_codes
from jingzhun.assessment.services import run_assessment
from jingzhun.audit.models import AuditEntry
from tests.assessment.conftest import READ_PAGES
from tests.assessment.report_fixture import county_fixture  # noqa: F401
from tests.factories import UserFactory, area_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_run(county_fixture):  # noqa: F811
    admin = UserFactory(role="county_admin", area=county_fixture["county"])
    run = run_assessment(standard_id="yunnan-2018", year=2018, acting_user=admin)
    # The operator of village N8 (township 101): households A, B, C (poor) and F (exited).
    village_user = UserFactory(role="village_operator", area=county_fixture["villages"]["N8"])
    return run, admin, village_user, county_fixture


def _finished(area_code: str, **fields) -> AssessmentRun:
    return AssessmentRun.objects.create(
        standard_id="yunnan-2018",
        standard_version="1",
        year=2018,
        engine="db",
        area_code=area_code,
        status=fields.pop("status", "finished"),
        counts=fields.pop("counts", {"household": {"entities": 999, "met": 555}}),
        **fields,
    )


def get(client, user, name, *args, query=""):
    client.force_login(user)
    return client.get(reverse(name, args=args) + query)


def test_containing_codes_are_the_area_and_its_ancestors():
    assert containing_codes("532527101208") == [
        "",
        "530000000000",
        "532500000000",
        "532527000000",
        "532527101000",
        "532527101208",
    ]
    assert containing_codes("5325") == ["", "530000000000", "532500000000"]


def test_readable_by_adds_finished_runs_above_the_user_only(county_run):
    run, admin, village_user, fx = county_run
    everything = _finished("")
    running = _finished(fx["county"].code, status="running")
    other_county = _finished(area_chain(county="522301").parent.parent.code)
    sibling = _finished(fx["villages"]["P5"].code)  # a village of township 100
    own = _finished(fx["villages"]["N8"].code)
    readable = set(AssessmentRun.objects.readable_by(village_user))
    assert readable == {run, everything, own}
    assert set(AssessmentRun.objects.visible_to(village_user)) == {own}
    assert set(AssessmentRun.objects.readable_by(admin)) == {run, running, sibling, own, everything}
    assert other_county not in readable and running not in readable and sibling not in readable
    nobody = UserFactory(role="viewer", area=None)
    assert not AssessmentRun.objects.readable_by(nobody).exists()


def test_village_user_reads_the_county_run_sheet_of_their_village_only(client, county_run):
    run, _admin, village_user, fx = county_run
    n8, p5, households = fx["villages"]["N8"], fx["villages"]["P5"], fx["households"]
    response = get(client, village_user, "assessment-village-sheet", run.pk, n8.code)
    assert response.status_code == 200
    numbers = [r.number for r in response.context["sheet"].rows]
    assert numbers == [households[k].number for k in "ABCF"]
    pdf = get(client, village_user, "assessment-village-sheet-pdf", run.pk, n8.code)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # Another village of the same run (township 100): 404, and not audited.
    for name in ("assessment-village-sheet", "assessment-village-sheet-pdf"):
        assert get(client, village_user, name, run.pk, p5.code).status_code == 404
    exports = AuditEntry.objects.filter(action="export", changes__report="village_sheet")
    assert sorted(exports.values_list("area_code", flat=True)) == [n8.code, n8.code]


def test_report_pages_list_only_the_users_rows(client, county_run):
    run, _admin, village_user, fx = county_run
    households = fx["households"]
    blockers = get(client, village_user, "assessment-blockers", run.pk)
    assert blockers.status_code == 200
    # N8's poor households: A, B, C (the county has 6); 1 met (A); income 2, housing 1.
    household = blockers.context["household"]
    assert (household.population, household.met) == (3, 1)
    unmet = {r.indicator.id: r.unmet for r in household.rows}
    assert (unmet["income"], unmet["housing"], unmet["measures"]) == (2, 1, 0)
    listed = get(client, village_user, "assessment-list", run.pk)
    assert listed.status_code == 200 and listed.context["page"].paginator.count == 3
    html = listed.content.decode()
    for key in "ABC":
        assert households[key].number in html
    for key in "DEG":
        assert households[key].number not in html
    villages = get(client, village_user, "assessment-villages", run.pk, query="?poor=0")
    assert [r["code"] for r in villages.context["rows"]] == [fx["villages"]["N8"].code]
    workbook = get(client, village_user, "assessment-list-xlsx", run.pk)
    rows = list(load_workbook(io.BytesIO(workbook.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 3


def test_run_page_shows_scoped_figures_not_the_run_counts(client, county_run):
    run, admin, village_user, _fx = county_run
    stored = run.counts["household"]
    assert (stored["entities"], stored["met"]) == (7, 3)  # the whole county
    response = get(client, village_user, "assessment-run", run.pk)
    assert response.status_code == 200 and response.context["partial"] is True
    summary = {s.level: (s.entities, s.met) for s in response.context["summary"]}
    assert summary["household"] == (4, 2) and summary["county"] == (0, 0)
    html = response.content.decode()
    assert 'id="partial-note"' in html and "仅显示您辖区内的结果" in html
    assert "3 / 7" not in html
    own = get(client, admin, "assessment-run", run.pk)
    assert own.context["partial"] is False and 'id="partial-note"' not in own.content.decode()


def test_run_list_marks_runs_above_without_counts_or_buttons(client, county_run):
    run, admin, village_user, fx = county_run
    own = _finished(fx["villages"]["N8"].code, counts={"household": {"entities": 4, "met": 2}})
    html = get(client, village_user, "assessment-runs").content.decode()
    assert f'id="run-{run.pk}"' in html and f'id="run-{own.pk}"' in html
    assert "上级评估" in html
    assert "2 / 4" in html and "3 / 7" not in html  # the own run's counts, not the county's
    assert reverse("assessment-delete", args=[own.pk]) in html
    for name in ("assessment-delete", "assessment-stop", "assessment-cancel"):
        assert reverse(name, args=[run.pk]) not in html
    county_html = get(client, admin, "assessment-runs").content.decode()
    assert "3 / 7" in county_html and "上级评估" not in county_html
    assert reverse("assessment-delete", args=[run.pk]) in county_html


def test_run_list_query_count_is_constant(client, county_run):
    _run, _admin, village_user, fx = county_run
    client.force_login(village_user)
    url = reverse("assessment-runs")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _finished(fx["county"].code)
    _finished("")
    _finished(fx["villages"]["N8"].code, created_by=village_user)
    _finished(fx["villages"]["N8"].parent.code)
    with CaptureQueriesContext(connection) as more:
        response = client.get(url)
    assert len(response.context["runs"]) == 5
    assert len(more) == len(few)


def test_village_user_cannot_stop_cancel_or_delete_a_county_run(client, county_run):
    run, _admin, village_user, fx = county_run
    running = _finished(fx["county"].code, status="running")
    queued = _finished(fx["county"].code, status="queued")
    verdicts = Verdict.objects.filter(run=run).count()
    client.force_login(village_user)
    for name, target in (
        ("assessment-delete", run),
        ("assessment-stop", run),
        ("assessment-cancel", run),
        ("assessment-stop", running),
        ("assessment-cancel", queued),
        ("assessment-delete", queued),
    ):
        assert client.post(reverse(name, args=[target.pk])).status_code == 404, name
    statuses = dict(AssessmentRun.objects.values_list("pk", "status"))
    assert statuses == {run.pk: "finished", running.pk: "running", queued.pk: "queued"}
    assert Verdict.objects.filter(run=run).count() == verdicts > 0
    assert (
        not AuditEntry.objects.filter(object_id__in=[str(run.pk), str(running.pk)])
        .exclude(action="create")
        .exists()
    )
    # A county run that has not finished is not readable from below either.
    assert get(client, village_user, "assessment-run", running.pk).status_code == 404
    assert get(client, village_user, "assessment-progress", running.pk).status_code == 404


@pytest.mark.parametrize("name", READ_PAGES)
def test_another_county_still_gets_404(client, county_run, name):
    run, _admin, _village_user, _fx = county_run
    outsider_village = area_chain(county="522301", township="101", village="208")
    for user in (
        UserFactory(role="county_admin", area=outsider_village.parent.parent),
        UserFactory(role="village_operator", area=outsider_village),
    ):
        assert get(client, user, name, run.pk).status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


def test_another_county_gets_404_on_sheets_and_actions(client, county_run):
    run, _admin, _village_user, fx = county_run
    outsider = UserFactory(role="county_admin", area=area_chain(county="522301").parent.parent)
    n8 = fx["villages"]["N8"]
    for name in ("assessment-village-sheet", "assessment-village-sheet-pdf"):
        assert get(client, outsider, name, run.pk, n8.code).status_code == 404
    for name in ("assessment-delete", "assessment-stop", "assessment-cancel"):
        assert client.post(reverse(name, args=[run.pk])).status_code == 404
    html = get(client, outsider, "assessment-runs").content.decode()
    assert f'id="run-{run.pk}"' not in html
    assert AssessmentRun.objects.filter(pk=run.pk, status="finished").exists()


def test_compare_and_household_history_read_the_county_run(client, county_run):
    run, _admin, village_user, fx = county_run
    compare = get(client, village_user, "assessment-compare", query=f"?a={run.pk}&b={run.pk}")
    assert compare.status_code == 200 and run in list(compare.context["runs"])
    totals = {t["level"]: t["counts"]["total"] for t in compare.context["totals"]}
    assert totals["household"] == 4  # A, B, C, F: the village's households only
    history = household_history(village_user, fx["households"]["A"])
    assert [e.run for e in history.entries] == [run]
    assert history.entries[0].linkable is True
