"""The dataset API: provenance only, scoped, filtered, read-only."""

from __future__ import annotations

import pytest

from jingzhun.comparison.loading import load_dataset
from tests.api.conftest import client_for, results
from tests.comparison.test_loading import vehicle, xlsx
from tests.factories import UserFactory, id_number

pytestmark = pytest.mark.django_db


def test_datasets_are_listed_within_scope_with_their_provenance(village, other_village):
    operator = UserFactory(role="township_operator", area=village.parent)
    loaded = load_dataset(
        xlsx([vehicle(id_number())]), kind="vehicles", year=2019, acting_user=operator,
        name="车辆.xlsx",
    )  # fmt: skip
    mine = results(client_for(operator).get("/api/datasets/", {"kind": "vehicles"}))
    assert [(d["id"], d["rows"], d["loaded_by"], d["current"]) for d in mine] == [
        (loaded.dataset.pk, 1, operator.username, True)
    ]
    assert "row_set" not in mine[0] and "id_number" not in str(mine[0])
    assert results(client_for(operator).get("/api/datasets/", {"year": 2018})) == []
    stranger = UserFactory(role="township_operator", area=other_village.parent)
    assert results(client_for(stranger).get("/api/datasets/")) == []
    assert client_for(stranger).get(f"/api/datasets/{loaded.dataset.pk}/").status_code == 404
    assert client_for(operator).delete(f"/api/datasets/{loaded.dataset.pk}/").status_code == 405


def test_runs_and_findings_are_read_within_scope(county, village, other_village):
    from jingzhun.comparison.runs import create_run, execute_run

    clerk = UserFactory(role="county_admin", area=village.parent.parent)
    run = execute_run(create_run(ruleset_id="national-2016", year=2019, acting_user=clerk))
    api = client_for(clerk)
    runs = results(api.get("/api/comparison-runs/"))
    assert [(r["id"], r["status"], r["counts"]["vehicle"]["found"]) for r in runs] == [
        (run.pk, "finished", 1)
    ]
    vehicles = results(api.get("/api/findings/", {"rule": "vehicle"}))
    assert len(vehicles) == 1 and vehicles[0]["sentence"].startswith("成员 李* 名下小型轿车")
    assert results(api.get("/api/findings/", {"area": village.code})) != []
    assert api.get("/api/findings/", {"area": "53252x"}).status_code == 400
    stranger = client_for(UserFactory(role="township_operator", area=other_village.parent))
    assert results(stranger.get("/api/findings/")) == []
    assert results(stranger.get("/api/comparison-runs/")) == []


def test_verification_tasks_are_read_within_scope_with_their_finding(
    county, village, other_village
):
    from jingzhun.comparison.runs import create_run, execute_run

    clerk = UserFactory(role="county_admin", area=village.parent.parent)
    run = execute_run(create_run(ruleset_id="national-2016", year=2019, acting_user=clerk))
    api = client_for(clerk)
    assert results(api.get("/api/comparison-runs/"))[0]["engine"] == run.engine == "db"
    tasks = results(api.get("/api/verification-tasks/", {"rule": "vehicle"}))
    assert [(t["rule"], t["status"], t["area_code"]) for t in tasks] == [
        ("vehicle", "assigned", village.code)
    ]
    assert tasks[0]["sentence"].startswith("成员 李* 名下小型轿车")
    assert "id_number" not in str(tasks[0])
    everything = results(api.get("/api/verification-tasks/", {"status": "assigned"}))
    assert len(everything) == len(results(api.get("/api/findings/")))  # one task per finding
    assert results(api.get("/api/verification-tasks/", {"due_before": "2000-01-01"})) == []
    stranger = client_for(UserFactory(role="township_operator", area=other_village.parent))
    assert results(stranger.get("/api/verification-tasks/")) == []
    assert stranger.get(f"/api/verification-tasks/{tasks[0]['id']}/").status_code == 404
    assert api.post("/api/verification-tasks/", {}).status_code == 405
