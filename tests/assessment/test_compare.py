"""Comparing two stored runs: the changed entities and their reasons, computed by hand from the
hand-built registry (tests/engine/conftest.py), scope, the page and the workbook."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jingzhun.assessment.compare import Comparison
from jingzhun.assessment.services import run_assessment
from jingzhun.audit.models import AuditEntry
from jingzhun.registry.models import Measure
from tests.engine.conftest import person
from tests.factories import HouseholdFactory, IncomeFactory, UserFactory

pytestmark = pytest.mark.django_db

V1, V2, VB = "532527100201", "532527101202", "522301100201"


def reasons(rows: list[dict]) -> dict[str, dict[str, tuple]]:
    """entity → indicator → (before value, after value, newly failing)."""
    return {
        row["entity"]: {
            r["indicator"]: (r["before_value"], r["after_value"], r["failing"])
            for r in row["reasons"]
        }
        for row in rows
    }


def flipped(comparison: Comparison, level: str) -> dict[str, tuple[int, int]]:
    return {r["indicator"]: (r["failing"], r["passing"]) for r in comparison.by_indicator(level)}


@pytest.fixture
def years(registry):
    """Two households added to the fixture for a 2017 → 2018 comparison of yunnan-2018.

    h8 (V1) meets every indicator in 2018 but in 2017 has no income record and no measure yet;
    h9 (V2) meets every indicator in 2017 (3,000 > 2,952) but its 2018 income is exactly on the
    line (2,995, not above it)."""
    v1, v2 = registry["v"][0], registry["v"][1]
    h8 = HouseholdFactory(village=v1, status="registered", number="532527100201900108")
    person(h8, datetime.date(1980, 1, 1), "head", pension_insured=True)
    IncomeFactory(household=h8, year=2018, members_count=1)  # 6,000 + 3,000 - 500 = 8,500
    h9 = HouseholdFactory(village=v2, status="registered", number="532527101202000109")
    person(h9, datetime.date(1975, 1, 1), "head", pension_insured=True)
    for year, wage in ((2017, "3000"), (2018, "2995")):
        IncomeFactory(
            household=h9,
            year=year,
            members_count=1,
            wage_income=Decimal(wage),
            operating_income=Decimal("0"),
            operating_expenses=Decimal("0"),
        )
    Measure.objects.bulk_create(
        [
            Measure(household=h8, kind="industry", year=2018),
            Measure(household=h9, kind="industry", year=2016),
        ]
    )
    a = run_assessment(standard_id="yunnan-2018", year=2017)
    b = run_assessment(standard_id="yunnan-2018", year=2018)
    return {**registry, "h8": h8, "h9": h9, "a": a, "b": b}


def test_national_to_yunnan_villages_and_counties_newly_unmet(registry):
    a = run_assessment(standard_id="national-2016", year=2018)
    b = run_assessment(standard_id="yunnan-2018", year=2018)
    comparison = Comparison(a, b)
    totals = comparison.totals()
    # Every household misses income (and more) under both standards: nothing changes.
    assert totals["household"] == {
        "met": 0,
        "unmet": 0,
        "same_met": 0,
        "same_unmet": 6,
        "only_a": 0,
        "only_b": 0,
        "total": 6,
    }
    # V1 and VB met the national incidence rule (0.7 %, 0.2 % < 2 %) but miss Yunnan's new
    # village indicators; V2 and V3 (no population, incidence NULL) missed both.
    assert (totals["village"]["unmet"], totals["village"]["same_unmet"]) == (2, 2)
    assert (totals["county"]["unmet"], totals["county"]["total"]) == (2, 2)

    rows, has_next = comparison.entities("village", "unmet")
    assert not has_next
    by_entity = reasons(rows)
    # V1: road and power set, collective income 50,000.10 ≥ 20,000, incidence 0.7 % < 3 %;
    # unset flags are NULL (unmet); h2 (relapsed, grade D) is an unsafe house.
    assert by_entity[V1] == {
        "radio_tv": (None, None, True),
        "broadband": (None, None, True),
        "clinic": (None, None, True),
        "water": (None, 0.0, True),
        "housing": (None, 1.0, True),
        "public_space": (None, None, True),
    }
    # VB: no attribute set at all; incidence 1/500 = 0.2 % and no unsafe house still pass.
    assert set(by_entity[VB]) == {
        "road",
        "power",
        "radio_tv",
        "broadband",
        "clinic",
        "water",
        "public_space",
        "collective_income",
    }
    v1_housing = next(r for r in rows if r["entity"] == V1)["reasons"]
    sentence = next(r["explanation"] for r in v1_housing if r["indicator"] == "housing")
    assert sentence == "尚有 1 户建档立卡户住C/D级危房"

    counties, _more = comparison.entities("county", "unmet")
    # 泸西县: 1 of 2 poor villages exited by 2018 (50 %), 2 of 5 registered households reached
    # by a measure (40 %); income growth 10.32 > 9.20 and education 2016 ≤ 2018 pass.
    assert reasons(counties)["532527000000"] == {
        "exited_villages": (None, 50.0, True),
        "measure_coverage": (None, 40.0, True),
    }
    assert set(reasons(counties)["522301000000"]) == {
        "income_growth",
        "measure_coverage",
        "education_balance",
    }
    flips = {
        r["indicator"]: (r["failing"], r["passing"]) for r in comparison.by_indicator("village")
    }
    assert flips == {
        "radio_tv": (4, 0),
        "broadband": (4, 0),
        "clinic": (4, 0),
        "water": (4, 0),
        "public_space": (4, 0),
        "road": (3, 0),
        "power": (3, 0),
        "collective_income": (3, 0),
        "housing": (1, 0),
    }


def test_years_newly_met_and_newly_unmet_households(years):
    comparison = Comparison(years["a"], years["b"])
    h8, h9 = str(years["h8"].pk), str(years["h9"].pk)
    assert comparison.totals()["household"] == {
        "met": 1,
        "unmet": 1,
        "same_met": 0,
        "same_unmet": 6,
        "only_a": 0,
        "only_b": 0,
        "total": 8,
    }
    met, _ = comparison.entities("household", "met")
    assert [r["entity"] for r in met] == [h8]
    assert met[0]["number"] == "532527100201900108" and met[0]["head_name"] == "张三"
    assert reasons(met) == {h8: {"income": (None, 8500.0, False), "measures": (0.0, 1.0, False)}}
    unmet, _ = comparison.entities("household", "unmet")
    assert reasons(unmet) == {h9: {"income": (3000.0, 2995.0, True)}}
    (income,) = unmet[0]["reasons"]
    assert (income["before_threshold"], income["after_threshold"]) == (2952.0, 2995.0)
    assert income["explanation"] == "人均纯收入 2,995 元，未超过 2018 年标准 2,995 元"
    # h1's 16-year-old became due for the pension in 2018: a flip, though h1 stays unmet.
    flips = {
        r["indicator"]: (r["failing"], r["passing"]) for r in comparison.by_indicator("household")
    }
    assert flips == {"income": (1, 1), "measures": (0, 1), "pension": (1, 0)}
    areas, totals = comparison.by_area("household", "township")
    assert {a["code"]: (a["met"], a["unmet"], a["same_unmet"]) for a in areas} == {
        "532527100": (1, 0, 3),
        "532527101": (0, 1, 2),
        "522301100": (0, 0, 1),
    }
    assert totals["total"] == 8
    # The same list restricted to one area, and English explanations.
    assert comparison.entities("household", "unmet", area="532527100")[0] == []
    english = Comparison(years["a"], years["b"], language="en")
    rows, _ = english.entities("household", "unmet")
    assert "2,995" in rows[0]["reasons"][0]["explanation"]
    assert "line" in rows[0]["reasons"][0]["explanation"]


def test_entities_in_one_run_only(registry):
    a = run_assessment(standard_id="yunnan-2018", year=2018)
    b = run_assessment(standard_id="yunnan-2018", year=2018, area_code=V1)
    totals = Comparison(a, b).totals()
    # b covers V1 only: h1, h2, h3 and V1 are in both; the rest (and both counties) only in a.
    assert (totals["household"]["only_a"], totals["household"]["same_unmet"]) == (3, 3)
    assert (totals["village"]["only_a"], totals["village"]["same_unmet"]) == (3, 1)
    assert totals["county"]["only_a"] == 2
    reverse_totals = Comparison(b, a).totals()
    assert reverse_totals["household"]["only_b"] == 3


def test_a_household_that_moved_between_runs(registry):
    """h1 moves from V1 (泸西县) to VB (522301) after run a: without a scope it is in both runs
    and listed under its new village; within 泸西县 it is in run a only."""
    a = run_assessment(standard_id="yunnan-2018", year=2018)
    h1 = registry["h"][0]
    h1.village_id = VB
    h1.save()
    b = run_assessment(standard_id="yunnan-2018", year=2018)
    everywhere = Comparison(a, b).changes("household")
    row = everywhere.filter(everywhere.entity == str(h1.pk)).to_pyarrow().to_pylist()
    assert [(r["area_code"], r["change"]) for r in row] == [(VB, "same_unmet")]
    luxi = Comparison(a, b, scope="532527").changes("household")
    row = luxi.filter(luxi.entity == str(h1.pk)).to_pyarrow().to_pylist()
    assert [(r["area_code"], r["before"], r["after"], r["change"]) for r in row] == [
        (V1, False, None, "only_a")
    ]


def test_scope_limits_entities(years):
    comparison = Comparison(years["a"], years["b"], scope="522301")
    totals = comparison.totals()
    assert totals["household"]["total"] == 1  # h7 only
    assert totals["village"]["total"] == 1 and totals["county"]["total"] == 1
    rows, _ = comparison.entities("household", "same_unmet")
    assert [r["entity"] for r in rows] == [str(years["h"][6].pk)]


def test_page_renders_and_links_households(client, years):
    user = UserFactory(is_superuser=True, area=None, role="viewer")
    client.force_login(user)
    a, b = years["a"], years["b"]
    url = reverse("assessment-compare")
    response = client.get(url)
    assert response.status_code == 200
    response = client.get(url, {"a": a.pk, "b": b.pk, "level": "household", "change": "unmet"})
    assert response.status_code == 200
    html = response.content.decode()
    detail = reverse("household-detail", args=[years["h9"].pk])
    assert detail in html and "532527101202000109" in html
    assert "人均纯收入 2,995 元，未超过 2018 年标准 2,995 元" in html
    assert "3,000（标准 2,952）" in html
    assert reverse("assessment-run", args=[b.pk]) in html
    response = client.get(url, {"a": a.pk, "b": b.pk, "level": "village", "by": "county"})
    assert response.status_code == 200


def test_export_opens_and_is_audited(client, years):
    user = UserFactory(is_superuser=True, area=None, role="viewer")
    client.force_login(user)
    a, b = years["a"], years["b"]
    response = client.get(reverse("assessment-compare-xlsx"), {"a": a.pk, "b": b.pk})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "汇总"
    rows = list(book["户·变化名单"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[1] for r in rows) == ["532527100201900108", "532527101202000109"]
    h9_row = next(r for r in rows if r[1] == "532527101202000109")
    assert h9_row[0] == "新未达标" and "2,995" in h9_row[-1]
    entry = AuditEntry.objects.get(action="export", model="assessment.assessmentrun")
    assert entry.changes["counts"]["household"] == 2


def values(content: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


@pytest.mark.django_db(transaction=True)
def test_a_large_comparison_is_exported_in_the_background(
    client, years, settings, tmp_path, monkeypatch
):
    """Over SYNC_EXPORT_MAX_ROWS listed entities a GET asks first, the button's POST queues a
    job, and the worker writes the same workbook as the request would, audited as the user."""
    from jingzhun.assessment import views_compare
    from jingzhun.exports.models import ExportJob
    from jingzhun.exports.services import export_dir
    from tests.worker import task_worker

    settings.HOME = tmp_path
    user = UserFactory(is_superuser=True, area=None, role="viewer")
    client.force_login(user)
    a, b = years["a"], years["b"]
    url = reverse("assessment-compare-xlsx") + f"?a={a.pk}&b={b.pk}"
    synchronous = client.post(url)  # 2 households and their villages and counties: small
    assert synchronous["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ExportJob.objects.exists()

    monkeypatch.setattr(views_compare, "SYNC_EXPORT_MAX_ROWS", 1)
    asked = client.get(url)
    assert asked.status_code == 200 and 'id="export-confirm"' in asked.content.decode()
    assert not ExportJob.objects.exists()
    response = client.post(url)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    assert (job.kind, job.parameters["a"], job.parameters["b"]) == (
        "assessment.compare",
        a.pk,
        b.pk,
    )

    task_worker().run()

    job.refresh_from_db()
    assert (job.status, job.error) == ("finished", "")
    assert job.done == job.total > 0
    written = (export_dir() / job.stored_name).read_bytes()
    assert values(written) == values(synchronous.content)
    audits = AuditEntry.objects.filter(action="export", model="assessment.assessmentrun")
    assert [e.actor for e in audits] == [user, user]  # the request's export and the job's


def test_runs_outside_scope_are_404(client, registry):
    """A county user cannot open runs of another county; within their own they see their own."""
    a = run_assessment(standard_id="national-2016", year=2018, area_code="532527")
    b = run_assessment(standard_id="yunnan-2018", year=2018, area_code="532527")
    other = UserFactory(area_id="522301000000")
    client.force_login(other)
    for name in ("assessment-compare", "assessment-compare-xlsx"):
        response = client.get(reverse(name), {"a": a.pk, "b": b.pk})
        assert response.status_code == 404
    mine_a = run_assessment(standard_id="national-2016", year=2018, area_code="522301")
    mine_b = run_assessment(standard_id="yunnan-2018", year=2018, area_code="522301")
    response = client.get(reverse("assessment-compare"), {"a": mine_a.pk, "b": b.pk})
    assert response.status_code == 404
    response = client.get(reverse("assessment-compare"), {"a": mine_a.pk, "b": mine_b.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "522301" in html and "532527" not in html.split('id="totals"')[1]
    # The run selector offers only the user's own runs.
    assert f'value="{a.pk}"' not in html.split('id="compare-form"')[1].split("</form>")[0]


def test_rate_reasons_read_with_two_decimals():
    """A compared rate (incidence 2 % under national-2016, 3 % under yunnan-2018) reads like the
    reports: "5.40（标准 2.00）"; money and counts keep explain.number()."""
    from jingzhun.assessment.compare import is_rate_indicator
    from jingzhun.assessment.compare_workbook import format_reasons
    from jingzhun.standards import loader

    standards = [loader.load("yunnan-2018"), loader.load("national-2016")]
    assert is_rate_indicator(standards, "county", "incidence")
    assert is_rate_indicator(standards, "county", "exited_villages")
    assert not is_rate_indicator(standards, "village", "collective_income")
    reason = {
        "before_value": 5.4,
        "after_value": 2.5,
        "before_met": False,
        "after_met": True,
        "before_threshold": 2.0,
        "after_threshold": 3.0,
        "yes_no": False,
        "rate": True,
    }
    money = {**reason, "rate": False, "before_value": 19999.5, "after_value": 20000.0}
    format_reasons([{"reasons": [reason, money]}])
    assert (reason["before_text"], reason["after_text"]) == (
        "5.40（标准 2.00）",
        "2.50（标准 3.00）",
    )
    assert (money["before_text"], money["after_text"]) == ("19,999.5（标准 2）", "20,000（标准 3）")


def test_a_background_comparison_workbook_is_in_one_language(years):
    """The job runs on the worker (Chinese): its workbook is in the language of the page that
    queued it, headers and sentences alike."""
    from django.utils import translation

    from jingzhun.assessment.compare_workbook import write_job

    user = UserFactory(is_superuser=True, area=None, role="viewer")
    target = io.BytesIO()
    parameters = {"a": years["a"].pk, "b": years["b"].pk, "language": "en"}
    write_job(parameters, acting_user=user, target=target, progress=None)
    with translation.override("en"):
        english = translation.gettext("层级")
    assert english != "层级"
    rows = [row for sheet in values(target.getvalue()).values() for row in sheet]
    assert any(english in row for row in rows)
    assert not any("层级" in row for row in rows)
