"""The assessment API (/api/assessment-runs/): scoped like the report pages (`readable_by` for the
run, the reports' own `visible_to` for its rows), the same figures as the report functions and
pages, filters, pagination, reasons, no personal data beyond a masked head name, and a bounded
number of queries for a page of verdicts.

The county of `report_fixture.py` (hand-computed figures) assessed by its county admin; township
101 holds village N8 (households A, B, C poor, F exited), township 100 the poor villages P1–P7
(households D, E, G in P5)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from jingzhun.assessment import reports
from jingzhun.assessment.models import AssessmentRun, IndicatorResult
from jingzhun.assessment.services import create_run, run_assessment
from jingzhun.audit.models import AuditEntry
from jingzhun.core.paging import DeferredJoinPagination
from jingzhun.registry.models import Person
from tests.api.conftest import client_for, results
from tests.assessment.report_fixture import county_fixture  # noqa: F401
from tests.factories import UserFactory, area_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_run(county_fixture):  # noqa: F811
    fx = county_fixture
    admin = UserFactory(role="county_admin", area=fx["county"])
    run = run_assessment(standard_id="yunnan-2018", year=2018, acting_user=admin)
    return {
        "run": run,
        "admin": admin,
        "township_101": UserFactory(role="township_operator", area=fx["villages"]["N8"].parent),
        "township_100": UserFactory(role="township_operator", area=fx["villages"]["P5"].parent),
        "village_n8": UserFactory(role="village_operator", area=fx["villages"]["N8"]),
        "viewer": UserFactory(role="viewer", area=fx["county"]),
        **fx,
    }


@pytest.fixture
def outsider(db):
    return UserFactory(role="county_admin", area=area_chain(county="522301").parent.parent)


def url(run, action: str = "", query: str = "") -> str:
    base = f"/api/assessment-runs/{run.pk}/"
    return base + (f"{action}/" if action else "") + query


def numbers(rows: list[dict]) -> set[str]:
    return {row["household_number"] for row in rows}


def households(fx, keys: str) -> set[str]:
    return {fx["households"][key].number for key in keys}


ACTIONS = ["", "verdicts", "blockers", "village-readiness", "county-projection"]


# ---------------------------------------------------------------- scope


@pytest.mark.parametrize("action", ACTIONS)
def test_unauthenticated_answers_401(county_run, action) -> None:
    response = APIClient().get(url(county_run["run"], action))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert APIClient().get("/api/assessment-runs/").status_code == 401


@pytest.mark.parametrize("action", ACTIONS)
def test_another_countys_run_answers_404(county_run, outsider, action) -> None:
    run = county_run["run"]
    assert client_for(outsider).get(url(run, action)).status_code == 404
    assert results(client_for(outsider).get("/api/assessment-runs/")) == []
    assert client_for(county_run["admin"]).get(url(run, action)).status_code == 200


def test_county_user_lists_the_run_with_its_counts(county_run) -> None:
    run, admin = county_run["run"], county_run["admin"]
    rows = results(client_for(admin).get("/api/assessment-runs/"))
    assert [row["id"] for row in rows] == [run.pk]
    row = rows[0]
    assert row["partial"] is False
    assert row["counts"] == run.counts
    assert row["counts"]["household"] == {"entities": 7, "met": 3}
    assert (row["standard"], row["year"], row["engine"], row["status"]) == (
        "yunnan-2018",
        2018,
        "db",
        "finished",
    )
    assert row["area"] == county_run["county"].code
    assert row["area_name"] == county_run["county"].name
    assert row["standard_name"] == reports.standard_name(run)
    assert row["started"] and row["finished"]


def test_run_detail_has_the_users_summary_and_thresholds(county_run) -> None:
    run, admin = county_run["run"], county_run["admin"]
    body = client_for(admin).get(url(run)).json()
    expected = [(s.level, s.entities, s.met, s.share) for s in reports.summary(run, admin)]
    assert [(s["level"], s["entities"], s["met"], s["share"]) for s in body["summary"]] == expected
    assert expected == [("household", 7, 3, 42.86), ("village", 8, 4, 50.0), ("county", 1, 0, 0.0)]
    indicators = {(i["level"], i["indicator"]): i for i in body["indicators"]}
    assert indicators[("county", "exited_villages")]["threshold"] == 90
    assert indicators[("village", "road")]["threshold"] is None
    assert indicators[("household", "measures")]["label"]


def test_township_user_reads_their_rows_of_the_county_run_only(county_run) -> None:
    run, fx = county_run["run"], county_run
    client = client_for(county_run["township_101"])
    listed = results(client.get("/api/assessment-runs/"))
    assert [row["id"] for row in listed] == [run.pk]
    assert listed[0]["partial"] is True and listed[0]["counts"] is None
    detail = client.get(url(run)).json()
    assert detail["counts"] is None
    assert [(s["level"], s["entities"], s["met"]) for s in detail["summary"]] == [
        ("household", 4, 2),  # A, B, C, F; A and F met
        ("village", 1, 0),  # N8: household C's grade D house
        ("county", 0, 0),
    ]
    verdicts = results(client.get(url(run, "verdicts")))
    assert numbers(verdicts) == households(fx, "ABCF")
    villages = results(client.get(url(run, "verdicts", "?level=village")))
    assert [row["entity"] for row in villages] == [fx["villages"]["N8"].code]
    # Another township's rows, even asked for by area: none.
    other = results(client.get(url(run, "verdicts", f"?area={fx['villages']['P5'].code}")))
    assert other == []
    assert client.get(url(run, "county-projection")).json() == []
    # The other township sees its own households only.
    township_100 = results(client_for(county_run["township_100"]).get(url(run, "verdicts")))
    assert numbers(township_100) == households(fx, "DEG")


def test_village_user_reads_their_village_only(county_run) -> None:
    run, fx = county_run["run"], county_run
    client = client_for(county_run["village_n8"])
    blockers = client.get(url(run, "blockers")).json()
    assert (blockers["household"]["population"], blockers["household"]["met"]) == (3, 1)
    unmet = {r["indicator"]: r["unmet"] for r in blockers["household"]["rows"]}
    assert (unmet["income"], unmet["housing"], unmet["measures"]) == (2, 1, 0)
    assert blockers["area"] == fx["villages"]["N8"].code
    readiness = results(client.get(url(run, "village-readiness")))
    assert [row["code"] for row in readiness] == [fx["villages"]["N8"].code]
    poor = results(client.get(url(run, "verdicts", "?poor=true")))
    assert numbers(poor) == households(fx, "ABC")


def test_unfinished_runs(county_run) -> None:
    fx = county_run
    queued = create_run(standard_id="yunnan-2018", year=2018, acting_user=fx["admin"])
    client = client_for(fx["admin"])
    detail = client.get(url(queued))
    assert detail.status_code == 200
    assert detail.json()["status"] == "queued" and detail.json()["summary"] == []
    for action in ACTIONS[1:]:
        response = client.get(url(queued, action))
        assert response.status_code == 409, action
    # A run of an area above the user's that has not finished is not readable at all.
    assert client_for(fx["village_n8"]).get(url(queued)).status_code == 404
    listed = results(client_for(fx["village_n8"]).get("/api/assessment-runs/"))
    assert [row["id"] for row in listed] == [fx["run"].pk]


# ---------------------------------------------------------------- verdicts


def test_verdict_filters(county_run) -> None:
    run, fx = county_run["run"], county_run
    client = client_for(county_run["admin"])

    def found(query: str) -> set[str]:
        return numbers(results(client.get(url(run, "verdicts", query))))

    assert found("") == households(fx, "ABCDEFG")
    assert found("?poor=true") == households(fx, "ABCDEG")
    assert found("?met=true") == households(fx, "AFG")
    assert found("?met=false") == households(fx, "BCDE")
    assert found("?poor=true&met=true") == households(fx, "AG")
    assert found("?indicator=income") == households(fx, "BC")
    assert found("?indicator=income&only=true") == households(fx, "B")
    assert found("?indicator=housing") == households(fx, "CD")
    assert found(f"?area={fx['villages']['P5'].parent.code[:9]}") == households(fx, "DEG")
    assert found(f"?area={fx['villages']['N8'].code}&met=false") == households(fx, "BC")
    villages = results(client.get(url(run, "verdicts", "?level=village&indicator=road")))
    assert [row["entity"] for row in villages] == [
        fx["villages"][k].code for k in ("P3", "P5", "P7")
    ]
    open_villages = results(client.get(url(run, "verdicts", "?level=village&poor=true")))
    assert [row["entity"] for row in open_villages] == [
        fx["villages"][k].code for k in ("P4", "P5", "P6", "P7")
    ]
    counties = results(client.get(url(run, "verdicts", "?level=county")))
    assert [(row["entity"], row["met"]) for row in counties] == [(fx["county"].code, False)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?indicator=road", "indicator"),  # a village indicator asked of households
        ("?indicator=nope", "indicator"),
        ("?only=true", "only"),
        ("?level=county&poor=true", "poor"),
        ("?level=town", "level"),
        ("?area=53x", "area"),
        ("?met=maybe", "met"),
    ],
)
def test_bad_verdict_filters_answer_400(county_run, query, field) -> None:
    response = client_for(county_run["admin"]).get(url(county_run["run"], "verdicts", query))
    assert response.status_code == 400
    assert field in response.json()


def test_run_list_filters(county_run) -> None:
    run, client = county_run["run"], client_for(county_run["admin"])
    create_run(standard_id="yunnan-2018", year=2018, acting_user=county_run["admin"])

    def ids(query: str) -> list[int]:
        return [row["id"] for row in results(client.get("/api/assessment-runs/" + query))]

    assert len(ids("")) == 2
    assert ids("?status=finished") == [run.pk]
    assert ids("?status=finished&year=2019") == []
    assert ids("?standard=national-2018") == []
    assert ids("?standard=yunnan-2018&engine=db&status=finished") == [run.pk]


def test_verdict_reasons_values_and_thresholds(county_run) -> None:
    run, fx = county_run["run"], county_run
    household = fx["households"]["C"]  # income and housing unmet
    rows = results(client_for(fx["admin"]).get(url(run, "verdicts", "?indicator=housing")))
    row = next(r for r in rows if r["household"] == household.pk)
    assert row["entity"] == str(household.pk) and row["household_number"] == household.number
    assert (
        row["area"] == fx["villages"]["N8"].code and row["area_name"] == fx["villages"]["N8"].name
    )
    assert row["met"] is False and row["unmet"] == ["income", "housing"]
    stored = dict(
        IndicatorResult.objects.filter(run=run, entity=str(household.pk)).values_list(
            "indicator", "explanation_zh"
        )
    )
    assert row["reasons"] == [stored["income"], stored["housing"]]
    assert all(row["reasons"]) and "元" in row["reasons"][0]
    cells = {cell["indicator"]: cell for cell in row["indicators"]}
    assert list(cells) == run.indicator_ids("household")
    assert cells["income"]["met"] is False and cells["income"]["sentence"] == stored["income"]
    assert cells["income"]["threshold"] == run.threshold_of("household", "income")
    assert cells["income"]["value"] < cells["income"]["threshold"]
    assert cells["measures"] == {
        "indicator": "measures",
        "label": cells["measures"]["label"],
        "value": 1.0,
        "threshold": 1.0,
        "met": True,
        "sentence": "",
    }
    met = next(r for r in results(client_for(fx["admin"]).get(url(run, "verdicts", "?met=true"))))
    assert met["reasons"] == [] and met["unmet"] == []


def test_verdicts_show_no_personal_data_beyond_a_masked_head(county_run) -> None:
    run, fx = county_run["run"], county_run
    response = client_for(fx["admin"]).get(url(run, "verdicts"))
    rows = results(response)
    heads = {row["household_number"]: row["head_name"] for row in rows}
    assert heads[fx["households"]["A"].number] == "户***1"  # 户主A01
    content = response.content.decode()
    for person in Person.objects.all():
        assert person.name not in content
        assert person.id_number not in content
        assert person.birth_date.isoformat() not in content
    assert set(rows[0]) == {
        "id",
        "level",
        "entity",
        "area",
        "area_name",
        "household",
        "household_number",
        "head_name",
        "met",
        "unmet",
        "reasons",
        "indicators",
    }


def test_verdicts_are_paged_with_the_projects_pagination(county_run, monkeypatch) -> None:
    run, fx = county_run["run"], county_run
    monkeypatch.setattr(DeferredJoinPagination, "page_size", 3)
    client = client_for(fx["admin"])
    first = client.get(url(run, "verdicts")).json()
    assert first["count"] == 7 and len(first["results"]) == 3
    assert first["previous"] is None and "page=2" in first["next"]
    seen = [row["entity"] for row in first["results"]]
    for number in (2, 3):
        page = client.get(url(run, "verdicts", f"?page={number}")).json()
        seen += [row["entity"] for row in page["results"]]
    assert len(seen) == 7 and seen == sorted(seen)
    assert {int(e) for e in seen} == {h.pk for h in fx["households"].values()}
    assert client.get(url(run, "verdicts", "?page=4")).status_code == 404
    filtered = client.get(url(run, "verdicts", "?indicator=income&page=1")).json()
    assert filtered["count"] == 2 and filtered["next"] is None


def test_a_page_of_verdicts_takes_a_bounded_number_of_queries(
    county_run, django_assert_max_num_queries
) -> None:
    run, client = county_run["run"], client_for(county_run["admin"])
    # run, count, page keys, page rows, sentences, area names, households with head and size
    with django_assert_max_num_queries(7):
        assert len(results(client.get(url(run, "verdicts")))) == 7
    with django_assert_max_num_queries(6):
        assert len(results(client.get(url(run, "verdicts", "?level=village")))) == 8
    with django_assert_max_num_queries(7):
        assert len(results(client.get(url(run, "verdicts", "?indicator=income")))) == 2


# ---------------------------------------------------------------- the same figures as the reports


def _blocker_rows(blockers) -> list[tuple]:
    return [(r.indicator.id, r.unmet, r.share, r.only, r.only_share) for r in blockers.rows]


def _api_rows(rows: list[dict]) -> list[tuple]:
    return [(r["indicator"], r["unmet"], r["share"], r["only"], r["only_share"]) for r in rows]


@pytest.mark.parametrize("user_key", ["admin", "township_101", "village_n8"])
def test_blockers_equal_the_report_functions_and_the_page(county_run, client, user_key) -> None:
    run, user = county_run["run"], county_run[user_key]
    body = client_for(user).get(url(run, "blockers")).json()
    for level in ("household", "village"):
        expected = reports.blockers(run, user, level)
        assert body[level]["population"] == expected.population
        assert body[level]["met"] == expected.met
        assert body[level]["met_share"] == expected.met_share
        assert _api_rows(body[level]["rows"]) == _blocker_rows(expected)
        breakdown = reports.blockers_by_area(run, user, level)
        assert [
            (a["code"], a["name"], a["population"], a["met"], _api_rows(a["rows"]))
            for a in body[f"{level}_by_area"]
        ] == [(a.code, a.name, a.population, a.met, _blocker_rows(a)) for a in breakdown.rows]
    client.force_login(user)
    page = client.get(reverse("assessment-blockers", args=[run.pk])).context
    assert _api_rows(body["household"]["rows"]) == _blocker_rows(page["household"])
    assert body["household"]["population"] == page["household"].population
    assert [a["population"] for a in body["household_by_area"]] == [
        a.population for a in page["breakdown"].rows
    ]


def test_blockers_hand_computed_and_per_area(county_run) -> None:
    run, fx = county_run["run"], county_run
    client = client_for(fx["admin"])
    body = client.get(url(run, "blockers")).json()
    household = body["household"]
    assert (household["population"], household["met"]) == (6, 2)
    rows = {r["indicator"]: (r["unmet"], r["share"], r["only"]) for r in household["rows"]}
    assert rows["income"] == (2, 33.33, 1)
    assert rows["housing"] == (2, 33.33, 1)
    assert rows["measures"] == (1, 16.67, 1)
    assert rows["education"] == (0, 0.0, 0)
    village = {r["indicator"]: (r["unmet"], r["only"]) for r in body["village"]["rows"]}
    assert (body["village"]["population"], body["village"]["met"]) == (4, 2)
    assert village["road"] == (2, 1) and village["housing"] == (1, 0)
    by_area = {a["code"]: (a["population"], a["met"]) for a in body["household_by_area"]}
    assert by_area == {
        fx["villages"]["P5"].parent.code: (3, 1),
        fx["villages"]["N8"].parent.code: (3, 1),
    }
    # The blockers' counts are the verdicts' counts of the same population.
    for indicator, (unmet, _share, only) in rows.items():
        listed = client.get(url(run, "verdicts", f"?poor=true&indicator={indicator}")).json()
        assert listed["count"] == unmet, indicator
        alone = client.get(url(run, "verdicts", f"?poor=true&indicator={indicator}&only=true"))
        assert alone.json()["count"] == only, indicator
    township = client.get(url(run, "blockers", f"?area={fx['villages']['N8'].parent.code}"))
    assert township.json()["area"] == fx["villages"]["N8"].parent.code
    assert (township.json()["household"]["population"], township.json()["household"]["met"]) == (
        3,
        1,
    )
    assert [a["code"] for a in township.json()["household_by_area"]] == [fx["villages"]["N8"].code]


def test_village_readiness_equals_the_report(county_run) -> None:
    run, fx, admin = county_run["run"], county_run, county_run["admin"]
    rows = results(client_for(admin).get(url(run, "village-readiness", "?poor=true")))
    expected = reports.village_rows(run, admin, reports.villages(run, admin, poor_only=True))
    assert [(r["code"], r["klass"], r["ready"], r["missing"]) for r in rows] == [
        (e["code"], e["klass"], e["ready"], e["missing"]) for e in expected
    ]
    classes = {r["name"]: r["klass"] for r in rows}
    codes = {name: fx["villages"][name].code for name in fx["villages"]}
    by_code = {r["code"]: r for r in rows}
    assert {name: by_code[codes[name]]["klass"] for name in ("P1", "P4", "P5", "P6", "P7")} == {
        "P1": "exited",
        "P4": "planned_ready",
        "P5": "planned_not_ready",
        "P6": "ready_unplanned",
        "P7": "not_ready",
    }
    assert len(classes) == 7
    assert (by_code[codes["P1"]]["exited_on"], by_code[codes["P1"]]["planned_exit_year"]) == (
        "2016-12-20",
        2016,
    )
    assert (by_code[codes["P4"]]["exited_on"], by_code[codes["P4"]]["planned_exit_year"]) == (
        None,
        2018,
    )
    road = next(c for c in by_code[codes["P7"]]["indicators"] if c["indicator"] == "road")
    assert road["met"] is False and road["value"] == 0.0 and road["threshold"] is None
    assert road["sentence"] and by_code[codes["P7"]]["missing"] == [road["sentence"]]
    income = next(
        c for c in by_code[codes["P6"]]["indicators"] if c["indicator"] == "collective_income"
    )
    assert income["met"] is True
    assert income["threshold"] == run.threshold_of("village", "collective_income")
    only_road = results(
        client_for(admin).get(url(run, "village-readiness", "?indicator=road&only=true"))
    )
    assert [r["code"] for r in only_road] == [codes["P3"], codes["P7"]]
    planned = results(client_for(admin).get(url(run, "village-readiness", "?klass=planned_ready")))
    assert [r["code"] for r in planned] == [codes["P4"]]


def test_county_projection_equals_the_report(county_run) -> None:
    run, fx, admin = county_run["run"], county_run, county_run["admin"]
    body = client_for(admin).get(url(run, "county-projection")).json()
    expected = reports.county_projection(run, admin)
    assert len(body) == len(expected) == 1
    county, report = body[0], expected[0]
    assert county["code"] == fx["county"].code
    figures = ("poor_villages", "exited", "planned", "planned_ready", "required", "gap")
    assert [county[f] for f in figures] == [getattr(report, f) for f in figures]
    assert [county[f] for f in figures] == [7, 3, 2, 1, 7, 2]
    assert county["can_close_gap"] is False
    assert county["ready_unplanned"] == report.ready_unplanned
    assert [v["code"] for v in county["ready_unplanned"]] == [fx["villages"]["P6"].code]
    assert (county["poor_persons"], county["candidate_persons"]) == (
        report.poor_persons,
        report.candidate_persons,
    )
    assert county["projected_met"] == report.projected_met
    assert [
        (i["indicator"], i["value"], i["threshold"], i["met"], i["projected"], i["projected_met"])
        for i in county["indicators"]
    ] == [
        (i.indicator.id, i.value, i.threshold, i.met, i.projected, i.projected_met)
        for i in report.indicators
    ]
    exited = next(i for i in county["indicators"] if i["indicator"] == "exited_villages")
    assert exited["projectable"] is True and exited["met"] is False and exited["sentence"]


def test_english_is_chosen_with_the_language_switch(county_run) -> None:
    run, fx = county_run["run"], county_run
    client = client_for(fx["admin"])
    client.cookies["django_language"] = "en"
    household = fx["households"]["C"]
    rows = results(client.get(url(run, "verdicts", "?indicator=housing")))
    row = next(r for r in rows if r["household"] == household.pk)
    stored = dict(
        IndicatorResult.objects.filter(run=run, entity=str(household.pk)).values_list(
            "indicator", "explanation_en"
        )
    )
    assert row["reasons"] == [stored["income"], stored["housing"]]
    assert row["reasons"][0].isascii()
    assert all(cell["label"].isascii() for cell in row["indicators"])
    bad = client.get(url(run, "verdicts", "?area=53x"))
    assert bad.json() == {"area": ["An area code has 2 to 12 digits"]}
    queued = create_run(standard_id="yunnan-2018", year=2018, acting_user=fx["admin"])
    unfinished = client.get(url(queued, "blockers"))
    assert unfinished.json() == {"detail": "This run has not finished: no results yet"}


# ---------------------------------------------------------------- starting a run


def test_post_starts_a_run_as_the_page_does(county_run, django_capture_on_commit_callbacks):
    fx = county_run
    township = fx["villages"]["N8"].parent
    client = client_for(fx["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/assessment-runs/",
            {"standard": "yunnan-2018", "year": 2018, "area": township.code},
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    run = AssessmentRun.objects.get(pk=body["id"])
    assert (body["status"], body["area"], body["area_name"]) == ("queued", township.code, "101镇")
    assert (run.status, run.area_code, run.engine, run.created_by) == (
        "queued",
        township.code,
        "db",
        fx["admin"],
    )
    assert DBTaskResult.objects.get().args_kwargs == {"args": [run.pk], "kwargs": {}}
    audit = AuditEntry.objects.get(model="assessment.assessmentrun", object_id=str(run.pk))
    assert (audit.action, audit.actor) == ("create", fx["admin"])
    # Blank area: the caller's own; the new run is theirs to read (409 until it has finished).
    with django_capture_on_commit_callbacks(execute=True):
        own = client_for(fx["village_n8"]).post("/api/assessment-runs/", {}, format="json")
    assert own.status_code == 201 and own.json()["area"] == fx["villages"]["N8"].code
    assert (
        client_for(fx["village_n8"]).get(url(AssessmentRun(pk=own.json()["id"]))).status_code == 200
    )
    assert (
        client_for(fx["village_n8"])
        .get(url(AssessmentRun(pk=own.json()["id"]), "verdicts"))
        .status_code
        == 409
    )


@pytest.mark.parametrize(
    ("user_key", "payload", "status", "field"),
    [
        ("viewer", {}, 403, "detail"),
        ("village_n8", {"area": "P5"}, 400, "area"),  # another village of the county
        ("admin", {"area": "other county"}, 400, "area"),
        ("admin", {"year": 2013}, 400, "non_field_errors"),  # no poverty line for 2013
        ("admin", {"standard": "nope"}, 400, "standard"),
        ("admin", {"engine": "oracle"}, 400, "engine"),
        ("admin", {"year": "next"}, 400, "year"),
    ],
)
def test_post_refusals_write_nothing(
    county_run, outsider, django_capture_on_commit_callbacks, user_key, payload, status, field
) -> None:
    fx = county_run
    user = fx[user_key]
    if payload.get("area") == "P5":
        payload = {"area": fx["villages"]["P5"].code}
    elif payload.get("area") == "other county":
        payload = {"area": outsider.area_id}
    runs, audit = AssessmentRun.objects.count(), AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post("/api/assessment-runs/", payload, format="json")
    assert response.status_code == status, response.json()
    assert field in response.json()
    if payload.get("year") == 2013:
        assert "2013" in response.json()["non_field_errors"][0]
    assert AssessmentRun.objects.count() == runs and AuditEntry.objects.count() == audit
    assert not DBTaskResult.objects.exists()
    assert APIClient().post("/api/assessment-runs/", {}, format="json").status_code == 401
