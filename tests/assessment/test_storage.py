"""How a run is stored (issue #3): values on the verdict, thresholds on the run, result rows for
unmet indicators only, no database constraint to the run (so deleting a run deletes its rows
explicitly), the conversion of runs stored the old way, and the shared snapshot that duckdb
runs reuse while the registry is unchanged."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingzhun.areas.models import Area
from jingzhun.assessment import reports, services
from jingzhun.assessment.models import AssessmentRun, IndicatorResult, Verdict, parse_values
from jingzhun.assessment.services import delete_run, run_assessment
from jingzhun.engine import snapshot
from jingzhun.engine.django import registry_state, shared_snapshot_root
from jingzhun.registry.models import Household, Person
from tests.assessment.test_runs import stored
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_parse_values():
    ids = ["income", "housing", "measures"]
    assert parse_values("29950001,,10000", ids) == {
        "income": 2995.0001,
        "housing": None,
        "measures": 1.0,
    }
    assert parse_values("-5,0", ids) == {"income": -0.0005, "housing": 0.0}
    assert parse_values("", ids) == {"income": None}


def test_no_database_constraint_ties_the_rows_to_the_run():
    for model in (Verdict, IndicatorResult):
        field = model._meta.get_field("run")
        assert field.db_constraint is False and field.db_index is False
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Verdict._meta.db_table)
    foreign = [c for c in constraints.values() if c["foreign_key"]]
    assert foreign == []


def test_deleting_a_run_deletes_its_rows_by_run_not_row_by_row(registry):
    run = run_assessment(standard_id="yunnan-2018")
    other = run_assessment(standard_id="yunnan-2018", engine="duckdb")
    kept = (stored(Verdict, other), stored(IndicatorResult, other))
    assert IndicatorResult.objects.filter(run=run).exists()
    with CaptureQueriesContext(connection) as queries:
        delete_run(run, None)
    assert not AssessmentRun.objects.filter(pk=run.pk).exists()
    assert not Verdict.objects.filter(run_id=run.pk).exists()
    assert not IndicatorResult.objects.filter(run_id=run.pk).exists()
    assert (stored(Verdict, other), stored(IndicatorResult, other)) == kept
    deletes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("DELETE")
        and ("assessment_verdict" in q["sql"] or "assessment_indicatorresult" in q["sql"])
    ]
    # One DELETE per table on the run's key (the ORM's collector would delete by lists of ids).
    assert any("assessment_verdict" in sql and "run_id" in sql for sql in deletes)
    assert any("assessment_indicatorresult" in sql and "run_id" in sql for sql in deletes)
    assert not any('"id" IN (' in sql for sql in deletes), deletes


def test_deleting_a_household_clears_its_verdicts_household(registry):
    run = run_assessment(standard_id="yunnan-2018")
    household = registry["h"][0]
    verdict = Verdict.objects.get(run=run, household=household)
    Household.objects.filter(pk=household.pk).delete()
    verdict.refresh_from_db()
    assert verdict.household_id is None and verdict.entity == str(household.pk)


def test_village_and_county_cells_show_met_indicators_from_the_verdict(registry):
    """A met indicator has no result row: its cell still shows the value (from the verdict's
    values) and the threshold (from the run); an unmet one its sentence."""
    run = run_assessment(standard_id="yunnan-2018")
    user = UserFactory(role="viewer", area=None, is_superuser=True)
    villages = Area.objects.filter(level="village")
    rows = reports.village_rows(run, user, reports.villages(run, user))
    exported = list(reports.village_export_rows(run, user, reports.villages(run, user)))
    assert [r["code"] for r in rows] and len(rows) == len(exported) <= villages.count()
    counties = reports.county_projection(run, user)
    checked = met_cells = 0
    cells = [(r["code"], "village", c) for r in rows + exported for c in r["cells"]]
    cells += [(c.code, "county", vars(i)) for c in counties for i in c.indicators]
    for code, level, cell in cells:
        verdict = Verdict.objects.select_related("run").get(run=run, level=level, entity=code)
        indicator = cell["indicator"].id
        assert cell["value"] == verdict.values_by_indicator()[indicator]
        if level == "county":  # the village table shows no thresholds
            assert cell["threshold"] == run.threshold_of(level, indicator)
        assert cell["met"] is (indicator not in verdict.unmet_ids)
        assert bool(cell["sentence"]) is (not cell["met"])
        checked += 1
        met_cells += cell["met"] and cell["value"] is not None
    assert checked >= 4 * 10 + 2 * 5 and met_cells > 10


def _as_stored_before_0004(run: AssessmentRun) -> None:
    """Rewrite a run the way migrations 0001–0003 stored it: a result row for every indicator
    (met ones without sentences), no values on the verdicts, no thresholds on the run."""
    rows = []
    for verdict in Verdict.objects.filter(run=run).select_related("run"):
        for indicator, value in verdict.values_by_indicator().items():
            if indicator in verdict.unmet_ids:
                continue
            rows.append(
                IndicatorResult(
                    run=run,
                    level=verdict.level,
                    entity=verdict.entity,
                    area_code=verdict.area_code,
                    indicator=indicator,
                    value=value,
                    threshold=run.threshold_of(verdict.level, indicator),
                    met=True,
                )
            )
    IndicatorResult.objects.bulk_create(rows)
    Verdict.objects.filter(run=run).update(indicator_values="")
    AssessmentRun.objects.filter(pk=run.pk).update(thresholds={})


def test_the_migration_converts_runs_stored_the_old_way(registry):
    run = run_assessment(standard_id="yunnan-2018")
    expected = (stored(Verdict, run), stored(IndicatorResult, run), run.thresholds)
    _as_stored_before_0004(run)
    assert IndicatorResult.objects.filter(run=run, met=True).count() >= 30
    migration = importlib.import_module("jingzhun.assessment.migrations.0004_sparse_results")
    migration.convert_runs(apps, SimpleNamespace(connection=connection))
    run.refresh_from_db()
    assert (stored(Verdict, run), stored(IndicatorResult, run), run.thresholds) == expected


# ------------------------------------------------------------------ the shared snapshot


@pytest.fixture
def snapshots(settings, tmp_path, monkeypatch):
    """SNAPSHOT_DIR in tmp_path; records each snapshot a run writes itself."""
    settings.SNAPSHOT_DIR = str(tmp_path)
    written: list[str] = []
    real = services.write_snapshot

    def write_snapshot(backend, directory, **kwargs):
        written.append(str(directory))
        return real(backend, directory, **kwargs)

    monkeypatch.setattr(services, "write_snapshot", write_snapshot)
    return written


def test_a_duckdb_run_reuses_the_shared_snapshot_while_the_registry_is_unchanged(
    registry, snapshots
):
    on_db = run_assessment(standard_id="yunnan-2018", engine="db")
    call_command("snapshot")
    shared = snapshot.current(shared_snapshot_root())
    assert shared is not None
    assert snapshot.read_manifest(shared)["state"] == registry_state()
    messages: list[str] = []
    reused = run_assessment(standard_id="yunnan-2018", engine="duckdb", progress=messages.append)
    assert snapshots == [] and any("使用已有快照" in m for m in messages)
    assert stored(Verdict, reused) == stored(Verdict, on_db)
    assert stored(IndicatorResult, reused) == stored(IndicatorResult, on_db)
    # A run of an area inside the snapshot reuses it too.
    run_assessment(standard_id="yunnan-2018", engine="duckdb", area_code=registry["v"][0].code)
    assert snapshots == []
    # Any change to the registry makes it stale: the run writes its own snapshot again, and
    # sees the change.
    h1 = registry["h"][0]
    assert Verdict.objects.get(run=reused, household=h1).unmet_ids[0] == "income"
    members = Person.objects.filter(household=h1)
    members.update(medical_insured=True, serious_illness_insured=True)  # no `updated` ...
    members.first().save()  # ... until a record is saved, as every service does
    fresh = run_assessment(standard_id="yunnan-2018", engine="duckdb")
    assert len(snapshots) == 1
    assert "medical" not in Verdict.objects.get(run=fresh, household=h1).unmet_ids
    assert "medical" in Verdict.objects.get(run=reused, household=h1).unmet_ids


def test_a_shared_snapshot_of_one_area_does_not_serve_a_wider_run(registry, snapshots):
    call_command("snapshot", "--area", registry["v"][0].parent.parent.code)
    run_assessment(standard_id="yunnan-2018", engine="duckdb")
    assert len(snapshots) == 1
    run_assessment(standard_id="yunnan-2018", engine="duckdb", area_code=registry["v"][0].code)
    assert len(snapshots) == 1  # the village lies inside the county's snapshot


def test_publishing_keeps_the_previous_version_and_removes_older_ones(tmp_path):
    def write(directory):
        directory.mkdir()
        (directory / snapshot.MANIFEST).write_text("{}")
        return {}

    first = snapshot.publish(tmp_path, write)
    second = snapshot.publish(tmp_path, write)
    assert snapshot.current(tmp_path) == second.resolve()
    third = snapshot.publish(tmp_path, write)
    assert snapshot.current(tmp_path) == third.resolve()
    assert not first.exists() and second.exists()

    def broken(directory):
        directory.mkdir()
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        snapshot.publish(tmp_path, broken)
    assert snapshot.current(tmp_path) == third.resolve()
    assert sorted(p.name for p in tmp_path.glob("v-*")) == sorted([second.name, third.name])
