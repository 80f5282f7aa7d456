"""比对报表: hand-built findings in two townships (and one on the county's own list) give known
counts per area and rule, 错评率 and 漏评率 with known numerators and denominators; the report is
scoped to the user's area; the workbook carries the page's figures and is audited."""

from __future__ import annotations

import datetime
import io
import itertools
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.areas.models import Area
from jingzhun.audit.models import AuditEntry
from jingzhun.comparison import reports
from jingzhun.comparison.models import (
    ComparisonRun,
    Dataset,
    DatasetRow,
    Finding,
    VerificationTask,
)
from tests.factories import HouseholdFactory, PersonFactory, UserFactory, id_number

pytestmark = pytest.mark.django_db
COUNTY = "532527000000"
TOWNSHIP_A, TOWNSHIP_B = "532527100000", "532527101000"
_keys = itertools.count()


def household(village, members: int, status: str = "registered"):
    home = HouseholdFactory(village=village, status=status)
    for n in range(members):
        PersonFactory(household=home, relation="head" if n == 0 else "son")
    return home


class Builder:
    def __init__(self, county_area):
        self.run = ComparisonRun.objects.create(
            ruleset="national-2016", ruleset_version="1", ruleset_checksum="x", year=2019,
            area=county_area,
        )  # fmt: skip
        self.dataset = Dataset.objects.create(
            kind="assistance", year=2019, area=county_area, department="民政局",
            received_on=datetime.date(2019, 12, 1), file_name="a.xlsx", rows=9,
            checksum=f"c{next(_keys)}",
        )  # fmt: skip

    def finding(self, rule, status, *, home=None, area="", meaning="exclusion", person_id=""):
        row = None
        if meaning == "omission":
            row = DatasetRow.objects.create(
                dataset=self.dataset, row=next(_keys) + 2, id_number=person_id
            )
        return Finding.objects.create(
            ruleset="national-2016", rule=rule, meaning=meaning, severity="high",
            key=f"{rule}:{next(_keys)}", area_code=area or home.village_id, household=home,
            dataset_row=row, sentence="…", status=status, first_run=self.run,
            last_run=self.run,
        )  # fmt: skip

    @staticmethod
    def task(finding, *, days: int, status: str = "assigned"):
        due = timezone.localdate() + datetime.timedelta(days=days)
        return VerificationTask.objects.create(
            finding=finding, area_code=finding.area_code, due=due, status=status
        )


@pytest.fixture
def built(village, other_village):
    """Township 100 (village A): h1 (4 persons) a confirmed exclusion and an open finding, h2
    (2) a dismissed one, h3 (3) none, h4 (1, exited) a resolved one; one person confirmed
    omitted by two rules. Township 101 (village B): h5 (2) an open finding overdue, h6 (2,
    deregistered) a confirmed exclusion, h7 (deregistered) none; an open omission. The county's
    own list: a confirmed omission placed in no village."""
    county_area = village.parent.parent
    build = Builder(county_area)
    h1, h2 = household(village, 4), household(village, 2)
    household(village, 3)  # checked, nothing found
    h4 = household(village, 1, "exited")
    h5, h6 = household(other_village, 2), household(other_village, 2, "deregistered")
    household(other_village, 3, "deregistered")
    build.task(build.finding("vehicle", "confirmed", home=h1), days=-5, status="closed")
    build.task(build.finding("deceased", "open", home=h1), days=10)
    build.finding("payroll", "dismissed", home=h2)
    build.finding("business", "resolved", home=h4)
    omitted = build.omitted = id_number(datetime.date(1975, 5, 5))
    for rule in ("dibao_not_registered", "assistance_other"):
        build.finding(rule, "confirmed", area=village.code, meaning="omission", person_id=omitted)
    build.task(build.finding("vehicle", "open", home=h5), days=-1)
    build.finding("payroll", "confirmed", home=h6)
    build.finding(
        "dibao_not_registered", "open", area=other_village.code, meaning="omission",
        person_id=id_number(datetime.date(1970, 1, 1)),
    )  # fmt: skip
    build.finding(
        "dibao_not_registered", "confirmed", area=COUNTY, meaning="omission",
        person_id=id_number(datetime.date(1960, 1, 1)),
    )  # fmt: skip
    h1.build = build
    return h1


def _rows(report):
    return {row.code: row for row in report.areas}


def test_per_area_counts_and_rates(built, county_admin):
    report = reports.comparison_report(county_admin)
    rows = _rows(report)
    assert list(rows) == [COUNTY, TOWNSHIP_A, TOWNSHIP_B]

    a = rows[TOWNSHIP_A].figures
    assert (a.flagged, a.open, a.confirmed, a.dismissed, a.resolved, a.overdue) == (
        6,
        1,
        3,
        1,
        1,
        0,
    )
    assert (a.flagged_households, a.households, a.flagged_share) == (3, 4, 75.0)
    assert (a.wrong_households, a.wrong_rate) == (1, 25.0)
    assert (a.wrong_persons, a.persons, a.wrong_person_rate) == (4, 10, 40.0)
    # One person omitted, found by two rules; 1,000 rural minus 10 建档立卡 persons.
    assert (a.omitted, a.unregistered, a.omission_rate) == (1, 990, 0.1)
    assert rows[TOWNSHIP_A].drillable and not rows[TOWNSHIP_A].own

    b = rows[TOWNSHIP_B].figures
    assert (b.flagged, b.open, b.confirmed, b.overdue) == (3, 2, 1, 1)
    # The deregistered household with its confirmed exclusion stays checked; the other is not.
    assert (b.flagged_households, b.households, b.wrong_households, b.wrong_rate) == (2, 2, 1, 50.0)
    assert (b.wrong_persons, b.persons) == (2, 4)
    assert (b.omitted, b.unregistered, b.omission_rate) == (0, 998, 0.0)

    own = rows[COUNTY]
    assert own.own and not own.drillable
    assert (own.figures.flagged, own.figures.omitted, own.figures.households) == (1, 1, 0)

    total = report.total
    assert (total.flagged, total.confirmed, total.overdue) == (10, 5, 1)
    assert (total.wrong_households, total.households, total.wrong_rate) == (2, 6, 33.33)
    assert (total.omitted, total.unregistered, total.omission_rate) == (2, 1988, 0.1)


def test_per_rule_counts(built, county_admin):
    by_rule = {row.rule: row.figures for row in reports.comparison_report(county_admin).rules}
    vehicle = by_rule["vehicle"]
    assert (vehicle.flagged, vehicle.open, vehicle.confirmed, vehicle.overdue) == (2, 1, 1, 1)
    assert (by_rule["payroll"].dismissed, by_rule["payroll"].confirmed) == (1, 1)
    dibao = by_rule["dibao_not_registered"]
    assert (dibao.flagged, dibao.confirmed, dibao.open, dibao.omitted) == (3, 2, 1, 2)
    assert by_rule["business"].resolved == 1
    assert "assistance_other" in by_rule  # a rule no longer shipped keeps its id as label


def test_drill_down_to_villages(built, county_admin, village):
    report = reports.comparison_report(county_admin, TOWNSHIP_A)
    assert report.base.code == TOWNSHIP_A
    assert [row.code for row in report.areas] == [village.code]
    assert not report.areas[0].drillable
    assert report.total.flagged == 6


def test_scoped_to_the_users_area(built, township_operator, other_village):
    mine = reports.comparison_report(township_operator)
    assert mine.total.flagged == 6 and mine.total.households == 4
    # Another township's code (or the county's) is not theirs: their own area is reported.
    for area in (TOWNSHIP_B, COUNTY, other_village.code):
        asked = reports.comparison_report(township_operator, area)
        assert asked.code == TOWNSHIP_A and asked.total.flagged == 6
    cadre = UserFactory(role="village_operator", area=other_village)
    theirs = reports.comparison_report(cadre)
    assert (theirs.total.flagged, theirs.total.households) == (3, 2)


def test_page_links_every_figure_to_its_list(built, client, county_admin):
    client.force_login(county_admin)
    page = client.get(reverse("comparison-report")).content.decode()
    findings = reverse("comparison-findings")
    assert f"{findings}?meaning=exclusion&amp;status=confirmed" in page
    assert 'href="?area=532527100"' in page  # drill down
    assert f'{findings}?status=dismissed&amp;area=532527100"' in page
    # The list behind the 错评 numerator holds exactly its findings.
    listed = client.get(findings, {"meaning": "exclusion", "status": "confirmed"})
    assert listed.context["page"].paginator.count == 2
    listed = client.get(findings, {"status": "all", "area": "532527101"})
    assert listed.context["page"].paginator.count == 3
    assert reverse("comparison-report") in client.get(findings).content.decode()  # the nav


def test_page_and_workbook_carry_the_same_figures(built, client, county_admin):
    client.force_login(county_admin)
    page = client.get(reverse("comparison-report"))
    report = page.context["report"]
    response = client.get(reverse("comparison-report-export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    areas = list(book.worksheets[0].iter_rows(values_only=True))
    by_code = {row[0]: row for row in areas[1:-1]}
    for row in report.areas:
        f = row.figures
        cells = by_code[row.code]
        assert cells[2:10] == (
            f.flagged, f.open, f.confirmed, f.dismissed, f.resolved, f.overdue,
            f.flagged_households, f.households,
        )  # fmt: skip
        assert (cells[11], cells[16]) == (f.wrong_households, f.omitted)
    total = areas[-1]
    assert (total[2], total[12], total[18]) == (10, 33.33, 0.1)
    rule_rows = list(book.worksheets[1].iter_rows(values_only=True))[1:]
    assert {r[0]: r[3] for r in rule_rows} == {r.rule: r.figures.flagged for r in report.rules}
    # The lists behind the rates: two confirmed exclusions, three confirmed omission findings.
    assert book.worksheets[2].max_row - 1 == 2
    assert book.worksheets[3].max_row - 1 == 3
    entry = AuditEntry.objects.get(action="export", model="comparison.finding")
    assert entry.actor == county_admin
    assert entry.changes["listed"] == {"exclusion": 2, "omission": 3}


def test_workbook_is_scoped_too(built, client, township_operator):
    client.force_login(township_operator)
    response = client.get(reverse("comparison-report-export"), {"area": TOWNSHIP_B})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    areas = list(book.worksheets[0].iter_rows(values_only=True))
    assert areas[-1][0] == TOWNSHIP_A and areas[-1][2] == 6
    assert book.worksheets[2].max_row - 1 == 1  # h1 only, not the other township's h6


def test_a_fixed_number_of_queries(built, county_admin, village, django_assert_max_num_queries):
    with django_assert_max_num_queries(12) as before:
        reports.comparison_report(county_admin)
    build = Builder(village.parent.parent)
    for _ in range(20):
        build.finding("vehicle", "open", home=household(village, 1))
    with django_assert_max_num_queries(len(before.captured_queries)):
        report = reports.comparison_report(county_admin)
    assert report.total.flagged == 30


def test_nothing_to_report(client, county_admin):
    client.force_login(county_admin)
    response = client.get(reverse("comparison-report"))
    assert response.status_code == 200
    total = response.context["report"].total
    # Nobody omitted out of the village's 1,000 rural persons; no household checked.
    assert (total.flagged, total.wrong_rate, total.omission_rate) == (0, None, 0.0)


def test_a_person_registered_after_being_found_omitted_stays_in_the_denominator(
    built, county_admin, village
):
    """§1.3's denominator is the population the check found unregistered: registering the
    omitted person later must not shrink it (a 建档立卡 member otherwise is subtracted)."""
    late = household(village, 0)
    PersonFactory(household=late, relation="head", id_number=built.build.omitted)
    PersonFactory(household=late, relation="son")  # registered, never found omitted
    a = _rows(reports.comparison_report(county_admin))[TOWNSHIP_A].figures
    assert (a.omitted, a.identified_persons, a.unregistered) == (1, 11, 989)


def test_no_rural_population_no_omission_rate(built, county_admin, village, other_village):
    Area.objects.filter(code=village.code).update(rural_population=None)
    rows = _rows(reports.comparison_report(county_admin))
    assert (rows[TOWNSHIP_A].figures.omitted, rows[TOWNSHIP_A].figures.unregistered) == (1, None)
    assert rows[TOWNSHIP_A].figures.omission_rate is None
    Area.objects.filter(code=other_village.code).update(rural_population=None)
    assert reports.comparison_report(county_admin).total.omission_rate is None


def test_api_gives_the_pages_figures_scoped(built, client, township_operator):
    client.force_login(township_operator)
    data = client.get("/api/comparison-report/", {"area": TOWNSHIP_B}).json()
    assert data["area"] == TOWNSHIP_A  # not theirs: their own township
    total = data["total"]
    assert (total["flagged"], total["households"], total["wrong_households"]) == (6, 4, 1)
    assert (total["wrong_rate"], total["omitted"], total["unregistered"]) == (25.0, 1, 990)
    assert [row["code"] for row in data["areas"]] == ["532527100201"]
    assert {row["rule"] for row in data["rules"]} == {
        "vehicle", "deceased", "payroll", "business", "dibao_not_registered", "assistance_other",
    }  # fmt: skip
    client.logout()
    assert client.get("/api/comparison-report/").status_code in (401, 403)


def test_a_year_narrows_the_report_its_lists_and_its_links(built, client, county_admin, village):
    """The fixture's findings are of 2019's run; a 2020 run found one of them again and one
    of its own. The 2020 report counts those two, 2019's every finding of its run, and every
    link of the 2020 page (findings, tasks, drill-down, export) keeps the year."""
    later = ComparisonRun.objects.create(
        ruleset="national-2016", ruleset_version="1", ruleset_checksum="x", year=2020,
        area=village.parent.parent,
    )  # fmt: skip
    again = Finding.objects.get(rule="deceased")
    again.last_run = later
    again.save()
    new = Builder(village.parent.parent).finding("business", "open", home=built)
    Finding.objects.filter(pk=new.pk).update(first_run=later, last_run=later)

    assert reports.comparison_report(county_admin, year=2020).total.flagged == 2
    assert reports.comparison_report(county_admin, year=2019).total.flagged == 10
    assert reports.comparison_report(county_admin).total.flagged == 11
    assert [r.rule for r in reports.comparison_report(county_admin, year=2020).rules] == [
        "business",
        "deceased",
    ]

    client.force_login(county_admin)
    page = client.get(reverse("comparison-report"), {"year": "2020"}).content.decode()
    assert '<option value="2020" selected>' in page and '<option value="2019">' in page
    links = re.findall(r'href="(/comparison/[^"]*\?[^"]*)"', page)
    assert links and all("year=2020" in link for link in links), links
    listed = client.get(reverse("comparison-findings"), {"status": "all", "year": "2020"})
    assert len(re.findall(r'id="finding-\d+"', listed.content.decode())) == 2
    assert client.get("/api/comparison-report/", {"year": 2020}).json()["year"] == 2020


def test_rule_labels_are_in_the_readers_language():
    from django.utils import translation

    from jingzhun.standards import rules

    shipped = {r.id: r for rs in rules.available().values() for r in rs.rules}
    with translation.override("zh-hans"):
        chinese = reports.rule_labels()
    with translation.override("en"):
        english = reports.rule_labels()
    assert chinese["deceased"] == shipped["deceased"].label
    assert english["deceased"] == shipped["deceased"].label_en != shipped["deceased"].label


def test_the_run_and_load_forms_name_rule_sets_and_kinds_in_the_readers_language():
    from django.utils import translation

    from jingzhun.comparison.views import _kind_choices
    from jingzhun.comparison.views_runs import _ruleset_choices
    from jingzhun.standards import dataset_kinds, rules

    ruleset = next(iter(rules.available().values()))
    kind = next(iter(dataset_kinds.available().values()))
    with translation.override("en"):
        assert dict(_ruleset_choices())[ruleset.id].startswith(ruleset.name_en + " (")
        assert dict(_kind_choices())[kind.id] == f"{kind.name_en} ({kind.department_en})"
    with translation.override("zh-hans"):
        assert dict(_ruleset_choices())[ruleset.id].startswith(ruleset.name + "（")
        assert dict(_kind_choices())[kind.id] == f"{kind.name}（{kind.department}）"
