"""Report figures of a stored run equal hand-computed ones (report_fixture.py) and agree with the
stored rows of the shared engine fixture (tests/engine/conftest.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingzhun.assessment import reports
from jingzhun.assessment.models import IndicatorResult, Verdict
from jingzhun.assessment.reports import VillageClass
from jingzhun.assessment.services import run_assessment
from jingzhun.registry.choices import POOR_STATUSES
from tests.assessment.report_fixture import county_fixture  # noqa: F401
from tests.engine.conftest import registry  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_run(county_fixture):  # noqa: F811
    user = UserFactory(role="county_admin", area=county_fixture["county"])
    run = run_assessment(standard_id="yunnan-2018", year=2018, acting_user=user)
    return run, user, county_fixture


def figures(blockers: reports.Blockers) -> dict[str, tuple]:
    return {r.indicator.id: (r.unmet, r.share, r.only, r.only_share) for r in blockers.rows}


def test_household_blockers_match_hand_computed(county_run):
    run, user, _fx = county_run
    result = reports.blockers(run, user)
    assert (result.population, result.met, result.met_share) == (6, 2, 33.33)
    assert [r.indicator.id for r in result.rows] == [
        "income",
        "education",
        "medical",
        "housing",
        "pension",
        "measures",
    ]
    assert figures(result) == {
        "income": (2, 33.33, 1, 16.67),
        "education": (0, 0.0, 0, 0.0),
        "medical": (0, 0.0, 0, 0.0),
        "housing": (2, 33.33, 1, 16.67),
        "pension": (0, 0.0, 0, 0.0),
        "measures": (1, 16.67, 1, 16.67),
    }


def test_village_blockers_count_open_poor_villages(county_run):
    run, user, _fx = county_run
    result = reports.blockers(run, user, "village")
    # P4–P7: planned this year or later / unplanned; P1–P3 exited, N8 not poor.
    assert (result.population, result.met) == (4, 2)
    counts = figures(result)
    assert counts["road"] == (2, 50.0, 1, 25.0)
    assert counts["housing"] == (1, 25.0, 0, 0.0)
    assert counts["incidence"] == (0, 0.0, 0, 0.0)


def test_blockers_by_area_gives_each_township(county_run):
    run, user, fx = county_run
    breakdown = reports.blockers_by_area(run, user)
    assert breakdown.base == fx["county"]
    rows = {
        r.name: (r.population, r.met, {c.indicator.id: c.unmet for c in r.rows})
        for r in breakdown.rows
    }
    assert rows["100镇"][:2] == (3, 1)
    assert rows["101镇"][:2] == (3, 1)
    assert {k: v for k, v in rows["100镇"][2].items() if v} == {"housing": 1, "measures": 1}
    assert {k: v for k, v in rows["101镇"][2].items() if v} == {"income": 2, "housing": 1}
    # A township sees its villages.
    township = fx["villages"]["N8"].parent
    villages = reports.blockers_by_area(run, user, area=township.code)
    assert [(r.code, r.population, r.drillable) for r in villages.rows] == [
        (fx["villages"]["N8"].code, 3, False)
    ]


def test_drill_down_lists(county_run):
    run, user, fx = county_run
    h = fx["households"]

    def listed(**kwargs) -> set[int]:
        return set(
            reports.household_verdicts(run, user, **kwargs).values_list("household_id", flat=True)
        )

    assert listed(indicator="income", met=False) == {h["B"].pk, h["C"].pk}
    assert listed(indicator="income", only=True) == {h["B"].pk}
    assert listed(indicator="housing", met=True) == {h[k].pk for k in "ABEG"}
    assert listed(candidates=True) == {h["A"].pk, h["G"].pk}  # F exited: not a candidate
    assert listed(indicator="housing", met=False, area=fx["villages"]["P5"].code) == {h["D"].pk}
    assert listed(candidates=True, area=fx["villages"]["N8"].parent.code) == {h["A"].pk}


def test_page_rows_carry_head_size_and_sentences(county_run):
    run, user, fx = county_run
    page = list(reports.household_verdicts(run, user, indicator="income", met=False))
    rows = reports.household_page_rows(run, user, page)
    c = next(r for r in rows if r["household"] == fx["households"]["C"])
    assert (c["head"], c["size"], c["township"], c["county"]) == ("户主C03", 1, "101镇", "泸西县")
    assert c["reasons"][0] == "人均纯收入 1,700 元，未超过 2018 年标准 2,995 元"
    assert len(c["reasons"]) == 2 and c["unmet"][1].startswith("住房安全")


def test_export_rows_stream_every_household_with_its_sentences(county_run):
    run, user, fx = county_run
    rows = list(reports.household_export_rows(run, user, reports.household_verdicts(run, user)))
    assert [r["number"][-3:] for r in rows] == ["D04", "E05", "G07", "A01", "B02", "C03"]
    by_number = {r["number"][-3:]: r for r in rows}
    assert by_number["C03"]["reasons"].startswith("人均纯收入 1,700 元")
    assert by_number["A01"]["reasons"] == "" and by_number["A01"]["met"] is True
    assert by_number["G07"]["status"] == "返贫"


def test_village_readiness_classes(county_run):
    run, user, fx = county_run
    v = fx["villages"]
    classes = dict(reports.villages(run, user).values_list("code", "klass"))
    assert classes == {
        v["P1"].code: VillageClass.EXITED,
        v["P2"].code: VillageClass.EXITED,
        v["P3"].code: VillageClass.EXITED,
        v["P4"].code: VillageClass.PLANNED_READY,
        v["P5"].code: VillageClass.PLANNED_NOT_READY,
        v["P6"].code: VillageClass.READY_UNPLANNED,
        v["P7"].code: VillageClass.NOT_READY,
        v["N8"].code: VillageClass.NOT_POOR,
    }
    rows = reports.village_rows(run, user, reports.villages(run, user, klass="planned_not_ready"))
    assert len(rows) == 1
    p5 = rows[0]
    assert p5["incidence"] == 0.3  # 3 poor persons / 1,000
    assert p5["missing"] == ["通硬化路未达标", "尚有 1 户建档立卡户住C/D级危房"]
    assert [c["met"] for c in p5["cells"]].count(False) == 2
    only_road = reports.villages(run, user, indicator="road", only=True)
    assert list(only_road.values_list("code", flat=True)) == [v["P3"].code, v["P7"].code]
    streamed = list(reports.village_export_rows(run, user, reports.villages(run, user)))
    assert [r["code"] for r in streamed] == sorted(x.code for x in v.values())


def test_county_projection_matches_hand_computed(county_run):
    run, user, fx = county_run
    [county] = reports.county_projection(run, user)
    assert (county.code, county.name, county.met) == (fx["county"].code, "泸西县", False)
    assert (
        county.poor_villages,
        county.exited,
        county.planned,
        county.planned_ready,
        county.planned_not_ready,
        county.required,
        county.gap,
    ) == (7, 3, 2, 1, 1, 7, 2)
    assert [v["code"] for v in county.ready_unplanned] == [fx["villages"]["P6"].code]
    assert county.can_close_gap is False
    indicators = {i.indicator.id: i for i in county.indicators}
    assert list(indicators) == [
        "incidence",
        "income_growth",
        "exited_villages",
        "measure_coverage",
        "education_balance",
    ]
    share = indicators["exited_villages"]  # exited P1-P3 only (plans are not exits): 3 of 7
    assert (share.value_shown, share.threshold_shown, share.met) == ("42.86", "90.00", False)
    assert share.sentence == "贫困村出列比例 42.86%，低于 90.00%"
    assert indicators["education_balance"].value_shown == "2016"
    assert indicators["income_growth"].met is True


@pytest.mark.parametrize(
    ("poor", "required"), [(0, 0), (1, 1), (7, 7), (10, 9), (11, 10), (20, 18), (21, 19)]
)
def test_required_villages_rounds_up(poor, required):
    assert reports.required_villages(poor) == required


def test_reports_use_a_fixed_number_of_queries(county_run):
    run, user, _fx = county_run
    with CaptureQueriesContext(connection) as one:
        reports.blockers(run, user)
        reports.blockers_by_area(run, user)
        reports.county_projection(run, user)
    reports.household_page_rows(run, user, list(reports.household_verdicts(run, user)))
    with CaptureQueriesContext(connection) as page:
        reports.household_page_rows(run, user, list(reports.household_verdicts(run, user)))
    # blockers 1; by area 3 (+ standard-free); projection ≤ 7 (the persons of poor households
    # and, separately, of the candidates among them, for the projected incidence): independent
    # of the row count.
    assert len(one) <= 11
    assert len(page) <= 6


def test_other_users_see_nothing(county_run):
    run, _user, _fx = county_run
    from tests.factories import area_chain

    elsewhere = area_chain(county="522301").parent.parent
    other = UserFactory(role="county_admin", area=elsewhere)
    assert reports.blockers(run, other).population == 0
    assert reports.county_projection(run, other) == []
    assert not reports.villages(run, other).exists()


# ---------------------------------------------------------------- the shared engine fixture


def test_engine_fixture_blockers_agree_with_stored_rows(registry):  # noqa: F811
    run = run_assessment(standard_id="yunnan-2018", year=2018)
    admin = UserFactory(role="viewer", area=None, is_superuser=True)
    result = reports.blockers(run, admin)
    poor = {
        str(pk)
        for pk in Verdict.objects.filter(
            run=run, level="household", household__status__in=POOR_STATUSES
        ).values_list("household_id", flat=True)
    }
    # h1 registered, h2 relapsed, h6 registered, h7 registered (other county).
    assert len(poor) == result.population == 4
    unmet_rows = IndicatorResult.objects.filter(
        run=run, level="household", met=False, entity__in=poor
    )
    for row in result.rows:
        expected = unmet_rows.filter(indicator=row.indicator.id).count()
        assert row.unmet == expected, row.indicator.id
    h1 = registry["h"][0]
    [listed] = [
        r
        for r in reports.household_page_rows(
            run, admin, list(reports.household_verdicts(run, admin, indicator="income", met=False))
        )
        if r["household"] == h1
    ]
    assert "人均纯收入 2,000.01 元" in listed["reasons"][0]


def test_engine_fixture_county_projection(registry):  # noqa: F811
    run = run_assessment(standard_id="yunnan-2018", year=2018)
    admin = UserFactory(role="viewer", area=None, is_superuser=True)
    projections = {c.code[:6]: c for c in reports.county_projection(run, admin)}
    luxi = projections["532527"]  # V1 exited in November 2018, V2 is planned for 2019
    assert (luxi.poor_villages, luxi.exited, luxi.planned, luxi.required, luxi.gap) == (
        2,
        1,
        0,
        2,
        1,
    )
    share = next(i for i in luxi.indicators if i.indicator.id == "exited_villages")
    assert share.value == 50.0  # the engine counts the one exited village too
    other = projections["522301"]  # no poor village: nothing required, indicator not applicable
    assert (other.poor_villages, other.required, other.gap) == (0, 0, 0)
    exited = next(i for i in other.indicators if i.indicator.id == "exited_villages")
    assert exited.met is True and exited.value is None
