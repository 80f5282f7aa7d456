"""The printable village sheet (村级评估清单) of one run: exactly the village's households with
their sentences, masked names, scope (404), audited, the PDF, and the links to it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingzhun.assessment import village_sheet
from jingzhun.assessment.services import create_run, run_assessment
from jingzhun.audit.models import AuditEntry
from jingzhun.registry.models import Person
from tests.assessment.report_fixture import county_fixture  # noqa: F401
from tests.factories import UserFactory, area_chain
from tests.procedures.pdftext import pdf_response_text

pytestmark = pytest.mark.django_db

INCOME_B = "人均纯收入 1,700 元，未超过 2018 年标准 2,995 元"


@pytest.fixture
def county_run(county_fixture):  # noqa: F811
    user = UserFactory(role="county_admin", area=county_fixture["county"])
    run = run_assessment(standard_id="yunnan-2018", year=2018, acting_user=user)
    return run, user, county_fixture


def sheet_url(run, village, name="assessment-village-sheet"):
    return reverse(name, args=[run.pk, village.code])


def test_sheet_lists_exactly_the_village_households_with_sentences(client, county_run):
    run, user, fx = county_run
    n8, households = fx["villages"]["N8"], fx["households"]
    client.force_login(user)
    response = client.get(sheet_url(run, n8))
    assert response.status_code == 200
    sheet = response.context["sheet"]
    # N8 holds A, B, C and F (exited, still assessed); D, E, G live in P5.
    assert [r.number for r in sheet.rows] == [households[k].number for k in "ABCF"]
    rows = {r.number[-3:]: r for r in sheet.rows}
    assert (rows["A01"].met, rows["A01"].reasons) == (True, ())
    assert rows["B02"].reasons == (INCOME_B,) and rows["B02"].size == 1
    assert rows["C03"].met is False and len(rows["C03"].reasons) == 2
    assert rows["C03"].reasons[1] == "住房为C/D级危房"  # the standard's order: income first
    assert (sheet.households, sheet.met, sheet.unmet) == (4, 2, 2)
    assert sheet.place == "泸西县101镇101镇208村"
    html = response.content.decode()
    assert html.count("<tr data-number=") == 4
    for other in "DEG":
        assert households[other].number not in html
    assert INCOME_B in html and "住房为C/D级危房" in html
    assert "泸西县101镇101镇208村" in html and "云南省贫困退出标准（2018年）" in html
    assert "2018 年度" in html and "评估户数：4 户" in html and "未达标：2 户" in html
    assert "驻村工作队队长（签字）" in html and "村干部（签字）" in html
    assert "@media print" in html and "table-header-group" in html
    assert 'class="topbar"' not in html  # no site navigation on the printed page


def test_sheet_masks_names_and_shows_no_id_number(client, county_run):
    run, user, fx = county_run
    n8 = fx["villages"]["N8"]
    client.force_login(user)
    html = client.get(sheet_url(run, n8)).content.decode()
    people = Person.objects.filter(household__village=n8)
    assert people.count() == 4
    for person in people:
        assert person.name not in html  # e.g. 户主A01
        assert person.id_number and person.id_number not in html
        assert person.id_number[6:14] not in html  # not even the birth date
    assert "户***1" in html  # 户主A01 masked: surname and last character kept


def test_another_area_gets_404_and_nothing_is_audited(client, county_run):
    run, user, fx = county_run
    n8 = fx["villages"]["N8"]
    outsider = UserFactory(role="county_admin", area=area_chain(county="522301").parent.parent)
    # Same county, another township: N8 (township 101) is outside township 100.
    township = UserFactory(role="viewer", area=fx["villages"]["P1"].parent)
    for other in (outsider, township):
        client.force_login(other)
        for name in ("assessment-village-sheet", "assessment-village-sheet-pdf"):
            assert client.get(sheet_url(run, n8, name)).status_code == 404
    # (The township reads the county run for its own villages: tests/assessment/test_scope_runs.py.)
    # The run's own county admin asking for a village of another county.
    elsewhere = area_chain(county="522301")
    client.force_login(user)
    assert client.get(sheet_url(run, elsewhere)).status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


def test_find_village_keeps_to_the_user_area(county_run):
    run, _user, fx = county_run
    township = UserFactory(role="viewer", area=fx["villages"]["P1"].parent)  # township 100
    assert village_sheet.find_village(run, township, fx["villages"]["P5"].code) is not None
    assert village_sheet.find_village(run, township, fx["villages"]["N8"].code) is None


def test_not_a_village_or_unknown_code_is_404(client, county_run):
    run, user, fx = county_run
    client.force_login(user)
    for code in (fx["villages"]["N8"].parent.code, "532527101299", "abc"):
        url = reverse("assessment-village-sheet", args=[run.pk, code])
        assert client.get(url).status_code == 404, code


def test_sheet_and_pdf_are_audited_exports(client, county_run):
    run, user, fx = county_run
    n8 = fx["villages"]["N8"]
    client.force_login(user)
    client.get(sheet_url(run, n8))
    client.get(sheet_url(run, n8, "assessment-village-sheet-pdf"))
    entries = list(AuditEntry.objects.filter(action="export").order_by("id"))
    assert [e.changes["filter"]["format"] for e in entries] == ["html", "pdf"]
    for entry in entries:
        assert (entry.actor, entry.model, entry.object_id) == (
            user,
            "assessment.assessmentrun",
            str(run.pk),
        )
        assert entry.changes["report"] == "village_sheet"
        assert entry.changes["filter"]["village"] == n8.code
        assert entry.changes["counts"] == {"households": 4, "met": 2}
        assert entry.area_code == n8.code


def test_pdf_is_the_sheet(client, county_run):
    run, user, fx = county_run
    n8 = fx["villages"]["N8"]
    client.force_login(user)
    response = client.get(sheet_url(run, n8, "assessment-village-sheet-pdf"))
    text = pdf_response_text(response)
    for expected in ("村级评估清单", "101镇208村", "户***1", "住房为C/D级危房", "驻村工作队队长"):
        assert expected in text, expected
    assert "户主A01" not in text and "户主B02" not in text
    assert "下载 PDF" not in text  # the page's screen-only links are left out


def test_sheet_queries_do_not_grow_with_households(county_run):
    run, user, fx = county_run
    counts = []
    for name in ("N8", "P5"):  # four households, three
        village = village_sheet.find_village(run, user, fx["villages"][name].code)
        with CaptureQueriesContext(connection) as queries:
            sheet = village_sheet.village_sheet(run, user, village)
        assert sheet.households == {"N8": 4, "P5": 3}[name]
        counts.append(len(queries))
    assert counts == [2, 2]  # the verdicts with head and size, the sentences


def test_reports_link_to_the_sheet(client, county_run):
    run, user, fx = county_run
    n8 = fx["villages"]["N8"]
    client.force_login(user)
    villages = client.get(reverse("assessment-villages", args=[run.pk])).content.decode()
    for village in fx["villages"].values():
        assert sheet_url(run, village) in villages
    households = reverse("assessment-list", args=[run.pk])
    assert sheet_url(run, n8) in client.get(f"{households}?area={n8.code}").content.decode()
    township = client.get(f"{households}?area={n8.parent.code}").content.decode()
    assert 'id="village-sheet"' not in township  # only a list of one village offers it


def test_unfinished_run_sends_to_its_page(client, county_fixture):  # noqa: F811
    user = UserFactory(role="county_admin", area=county_fixture["county"])
    run = create_run(standard_id="yunnan-2018", year=2018, acting_user=user)
    client.force_login(user)
    response = client.get(sheet_url(run, county_fixture["villages"]["N8"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment-run", args=[run.pk])
