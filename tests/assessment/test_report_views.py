"""Report pages and exports of one run: rendering, scope (404), drill-down counts, workbooks,
audit, and the household page's latest verdict."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jingzhun.assessment.services import create_run, run_assessment
from jingzhun.audit.models import AuditEntry
from tests.assessment.conftest import READ_PAGES
from tests.assessment.report_fixture import county_fixture  # noqa: F401
from tests.engine.conftest import registry  # noqa: F401
from tests.factories import UserFactory, area_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_run(county_fixture):  # noqa: F811
    user = UserFactory(role="county_admin", area=county_fixture["county"])
    run = run_assessment(standard_id="yunnan-2018", year=2018, acting_user=user)
    return run, user, county_fixture


@pytest.fixture
def outsider(db):
    return UserFactory(role="county_admin", area=area_chain(county="522301").parent.parent)


def page(client, user, name, run, query="", status=200):
    client.force_login(user)
    response = client.get(reverse(name, args=[run.pk]) + query)
    assert response.status_code == status, (name, query, response.status_code)
    return response


def test_run_page_is_the_report_hub(client, county_run):
    run, user, _fx = county_run
    response = page(client, user, "assessment-run", run)
    html = response.content.decode()
    assert "云南省贫困退出标准（2018年）" in html and "泸西县" in html
    assert [(s.level, s.entities, s.met) for s in response.context["summary"]] == [
        ("household", 7, 3),
        ("village", 8, 4),
        ("county", 1, 0),
    ]
    income = reverse("assessment-list", args=[run.pk]) + "?indicator=income&amp;met=0"
    assert income in html
    assert reverse("assessment-run-xlsx", args=[run.pk]) in html
    assert reverse("assessment-counties", args=[run.pk]) in html
    assert 'id="blockers-data"' in html and "echarts" in html


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("assessment-blockers", ""),
        ("assessment-blockers", "?area=532527101000"),
        ("assessment-list", "?indicator=income&met=0"),
        ("assessment-villages", "?klass=planned_not_ready"),
        ("assessment-counties", ""),
    ],
)
def test_report_pages_render(client, county_run, name, query):
    run, user, _fx = county_run
    page(client, user, name, run, query)


@pytest.mark.parametrize("name", READ_PAGES)
def test_a_run_of_another_county_is_404(client, county_run, outsider, name):
    run, _user, _fx = county_run
    page(client, outsider, name, run, status=404)
    assert not AuditEntry.objects.filter(action="export").exists()


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("?indicator=income&met=0", 2),
        ("?indicator=income&only=1", 1),
        ("?indicator=housing&met=0", 2),
        ("?indicator=measures&met=0", 1),
        ("?candidates=1", 2),
        ("?met=0", 4),
        ("", 6),
        ("?indicator=housing&met=0&area=532527100205", 1),
    ],
)
def test_drill_down_count_matches_the_blockers(client, county_run, query, count):
    run, user, _fx = county_run
    response = page(client, user, "assessment-list", run, query)
    assert response.context["page"].paginator.count == count
    assert len(response.context["rows"]) == count


def test_blocker_links_lead_to_lists_of_that_size(client, county_run):
    run, user, _fx = county_run
    hub = page(client, user, "assessment-run", run)
    for row in hub.context["household"].rows:
        listed = page(client, user, "assessment-list", run, f"?indicator={row.indicator.id}&met=0")
        assert listed.context["page"].paginator.count == row.unmet
        only = page(client, user, "assessment-list", run, f"?indicator={row.indicator.id}&only=1")
        assert only.context["page"].paginator.count == row.only


def test_drill_down_links_households_and_explains(client, county_run):
    run, user, fx = county_run
    html = page(client, user, "assessment-list", run, "?indicator=income&met=0").content.decode()
    b = fx["households"]["B"]
    assert reverse("household-detail", args=[b.pk]) in html
    assert "人均纯收入 1,700 元，未超过 2018 年标准 2,995 元" in html
    assert "户主B02" in html


def test_drill_down_in_english(client, county_run):
    run, user, _fx = county_run
    client.cookies["django_language"] = "en"
    html = page(client, user, "assessment-list", run, "?indicator=income&met=0").content.decode()
    assert "Per-capita net income 1,700 yuan" in html


def test_run_workbook_has_the_sheets_and_is_audited(client, county_run):
    run, user, fx = county_run
    response = page(client, user, "assessment-run-xlsx", run)
    book = load_workbook(io.BytesIO(response.content))
    for title in ("概况", "可退出户", "未达标指标", "各村情况", "县退出测算"):
        assert title in book.sheetnames
        assert book[title].freeze_panes == "A2"
    candidates = list(book["可退出户"].iter_rows(values_only=True))
    assert candidates[0][:5] == ("户编号", "县", "乡镇", "行政村", "户主姓名")
    assert sorted(r[0] for r in candidates[1:]) == sorted(fx["households"][k].number for k in "AG")
    row_a = next(r for r in candidates if r[0] == fx["households"]["A"].number)
    assert row_a[1:7] == ("泸西县", "101镇", "101镇208村", "户主A01", 1, "未脱贫")
    counties = list(book["县退出测算"].iter_rows(values_only=True))
    assert counties[1][:9] == ("泸西县", "532527000000", 7, 3, 2, 1, 1, 7, 2)
    villages = list(book["各村情况"].iter_rows(values_only=True))
    assert len(villages) == 1 + 8 and villages[1][2] == "100镇201村"
    blockers = list(book["未达标指标"].iter_rows(values_only=True))
    income = next(r for r in blockers if r[3] == "income")
    assert income[5:9] == (2, 33.33, 1, 16.67)
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor, entry.model, entry.object_id) == (
        user,
        "assessment.assessmentrun",
        str(run.pk),
    )
    assert entry.changes["counts"]["可退出户"] == 2


def test_rates_have_two_decimals_on_the_page_and_in_the_workbook(client, county_run):
    """Official precision: 3 of 7 households met is "42.86%", 4 of 8 villages "50.00%"; the
    workbook keeps numbers, shown with two decimals; the year is not grouped."""
    run, user, _fx = county_run
    html = page(client, user, "assessment-run", run).content.decode()
    assert "<dd>2018</dd>" in html and "2,018" not in html
    summary = html[html.index('id="summary"') : html.index('id="blockers-chart"')]
    assert "(42.86%)" in summary and "(50.00%)" in summary and "(0.00%)" in summary
    income = html[html.index('data-indicator="income"') :]
    income = income[: income.index("</tr>")]
    assert '<td class="num">33.33</td>' in income and '<td class="num">16.67</td>' in income
    response = page(client, user, "assessment-run-xlsx", run)
    book = load_workbook(io.BytesIO(response.content))
    row = next(r for r in book["未达标指标"].iter_rows(min_row=2) if r[3].value == "income")
    assert [(c.value, c.number_format) for c in (row[6], row[8])] == [
        (33.33, "0.00"),
        (16.67, "0.00"),
    ]
    assert row[5].number_format == "General"  # counts stay plain
    summary_rows = {r[0].value: r[1] for r in book["概况"].iter_rows(min_row=2)}
    household_share = summary_rows["户：达标比例（%）"]
    assert (household_share.value, household_share.number_format) == (42.86, "0.00")
    villages = list(book["各村情况"].iter_rows(min_row=2))
    assert {c.number_format for c in (r[7] for r in villages) if c.value is not None} == {"0.00"}


def test_list_and_village_workbooks(client, county_run):
    run, user, _fx = county_run
    response = page(client, user, "assessment-list-xlsx", run, "?indicator=income&met=0")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3 and sheet.freeze_panes == "A2"
    assert any("1,700 元" in (r[-1] or "") for r in rows[1:])
    response = page(client, user, "assessment-villages-xlsx", run, "?klass=exited")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 3
    exports = AuditEntry.objects.filter(action="export").order_by("id")
    assert [e.changes["report"] for e in exports] == ["households", "villages"]
    assert exports[0].changes["filter"]["indicator"] == "income"


def test_unfinished_run_shows_its_status(client, county_fixture):  # noqa: F811
    user = UserFactory(role="county_admin", area=county_fixture["county"])
    run = create_run(standard_id="yunnan-2018", year=2018, acting_user=user)
    html = page(client, user, "assessment-run", run).content.decode()
    assert 'id="run-progress"' in html and "排队中" in html
    response = page(client, user, "assessment-villages", run, status=302)
    assert response["Location"] == reverse("assessment-run", args=[run.pk])


def test_household_page_shows_latest_verdict_and_reasons(client, registry):  # noqa: F811
    h1 = registry["h"][0]
    user = UserFactory(role="county_admin", area=h1.village.parent.parent)
    client.force_login(user)
    html = client.get(reverse("household-detail", args=[h1.pk])).content.decode()
    assert "达标评估" in html and "尚无已完成的达标评估" in html
    run = run_assessment(standard_id="yunnan-2018", year=2018, acting_user=user)
    html = client.get(reverse("household-detail", args=[h1.pk])).content.decode()
    assert "人均纯收入 2,000.01 元，未超过 2018 年标准 2,995 元" in html
    assert reverse("assessment-run", args=[run.pk]) in html
    assert "云南省贫困退出标准（2018年）" in html
    assert html.count('data-indicator="') >= 4  # income, education, medical, pension
