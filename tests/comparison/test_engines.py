"""The comparison runs on the application database, DuckDB and Spark with identical findings
(issue #12 acceptance): the same persons, rows, values and sentences per finding, over the
hand-built fixture of test_rules (`county`) plus a department list with cents, a date and a
yes/no column; a run on DuckDB keeps exactly the findings a run on the database found."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.urls import reverse

from jingzhun.comparison.findings import evaluate, write_comparison_snapshot
from jingzhun.comparison.loading import load_dataset
from jingzhun.comparison.models import ComparisonRun, Finding
from jingzhun.comparison.runs import create_run, execute_run
from tests.comparison.conftest import sheet
from tests.engine.conftest import spark  # noqa: F401  (the shared local Spark session)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VEHICLES = ["车主证件号码", "车主姓名", "号牌号码", "车辆类型", "购置价格（元）", "初次登记日期"]


@pytest.fixture
def clerk(village):
    return UserFactory(role="county_admin", area=village.parent.parent)


@pytest.fixture
def cases(county, clerk):
    """The county of test_rules with a newer vehicle list of the county: the head's car again,
    a car at 30,000.01 yuan (cents: a hit), one at 30,000.00 (the edge) and one of a person not
    registered."""
    people, _ = county
    rows = [
        [people["head"].id_number, "李四", "云G12345", "小型轿车", 86000, "2018-06-01"],
        [people["worker"].id_number, "李大", "云G00001", "小型轿车", "30000.01", "2019-12-31"],
        [people["child"].id_number, "李小明", "云G00002", "小型轿车", "30000.00", "2019-01-01"],
        ["110101199001011237", "某人", "云G00003", "小型轿车", "99999.99", "2019-01-01"],
    ]
    result = load_dataset(
        sheet(VEHICLES, rows), kind="vehicles", year=2019, acting_user=clerk, name="v.xlsx"
    )
    assert result.ok, result.errors
    return people


def shown(findings) -> list[tuple]:
    """Everything a finding says, in the order found."""
    return [
        (
            f.rule.id,
            f.person_id,
            f.household_id,
            f.village_code,
            f.row_id,
            sorted((name, repr(value)) for name, value in f.values.items()),
            f.sentence,
            f.sentence_en,
        )
        for f in findings
    ]


def test_duckdb_finds_what_the_database_finds(cases, settings, tmp_path):
    settings.SNAPSHOT_DIR = str(tmp_path)
    on_db = evaluate("national-2016", year=2019)
    on_duck = evaluate("national-2016", year=2019, engine="duckdb")

    assert shown(on_duck) == shown(on_db)
    assert {f.rule.id for f in on_db} >= {"deceased", "vehicle", "dibao_not_registered"}
    worker = cases["worker"].pk
    [cents] = [f for f in on_duck if f.rule.id == "vehicle" and f.person_id == worker]
    assert "购置价 30,000.01 元" in cents.sentence
    assert [f.person_id for f in on_duck if f.rule.id == "vehicle"] == sorted(
        [worker, cases["head"].pk]
    )
    assert not [f for f in on_duck if f.rule.id == "vehicle" and f.person_id == cases["child"].pk]
    # Only the files kept for the next run stay (no temporary directory).
    assert [p.name for p in tmp_path.iterdir()] == ["comparison-snapshot"]


def test_the_area_bounds_the_snapshot_and_the_findings(cases, other_village, tmp_path):
    village = cases["head"].household.village_id
    prefix = village[:9]

    manifest = write_comparison_snapshot(str(tmp_path), "522301")  # another county
    assert manifest["rows"]["registry_person"] == 0
    assert manifest["rows"]["comparison_datasetrow"] == 0
    # Another township of the county: none of its persons, but the county's lists serve it.
    manifest = write_comparison_snapshot(str(tmp_path), other_village.parent_id[:9])
    assert manifest["rows"]["registry_person"] == 0
    assert manifest["rows"]["comparison_datasetrow"] == 13  # the current lists

    manifest = write_comparison_snapshot(str(tmp_path), prefix, {"vehicles"})
    persons = pq.read_table(tmp_path / "registry_person.parquet")
    assert set(persons["household_id"].to_pylist()) == {cases["head"].household_id}
    kinds = pq.read_table(tmp_path / "comparison_dataset.parquet")["kind"].to_pylist()
    assert kinds == ["vehicles"] and manifest["rows"]["comparison_datasetrow"] == 4

    here = evaluate("national-2016", year=2019, prefix=prefix)
    assert here and shown(evaluate("national-2016", year=2019, prefix=prefix, engine="duckdb"))
    assert shown(evaluate("national-2016", year=2019, prefix=prefix, engine="duckdb")) == shown(
        here
    )


def test_a_duckdb_run_keeps_the_findings_a_database_run_found(cases, clerk):
    on_db = execute_run(create_run(ruleset_id="national-2016", year=2019, acting_user=clerk))
    stored = set(Finding.objects.values_list("rule", "key", "person_id", "dataset_row_id"))
    sentences = dict(Finding.objects.values_list("key", "sentence"))

    on_duck = execute_run(
        create_run(ruleset_id="national-2016", year=2019, acting_user=clerk, engine="duckdb")
    )

    assert (on_duck.engine, on_duck.status) == ("duckdb", "finished")
    assert on_duck.rules_done == on_duck.rules_total
    for rule, n in on_db.counts.items():
        assert on_duck.counts[rule] == {"found": n["found"], "new": 0, "resolved": 0}, rule
    assert set(Finding.objects.values_list("rule", "key", "person_id", "dataset_row_id")) == (
        stored
    )
    assert set(Finding.objects.values_list("last_run", flat=True)) == {on_duck.pk}
    assert dict(Finding.objects.values_list("key", "sentence")) == sentences


def test_the_engine_comes_from_the_setting_and_the_command_line(cases, clerk, settings, capsys):
    settings.COMPARISON_ENGINE = "duckdb"
    assert create_run(ruleset_id="national-2016", year=2019, acting_user=clerk).engine == "duckdb"
    with pytest.raises(ValueError):
        create_run(ruleset_id="national-2016", year=2019, acting_user=clerk, engine="oracle")

    call_command("compare", "--year", "2019", "--engine", "db", "--rule", "vehicle")
    on_db = capsys.readouterr().out
    call_command("compare", "--year", "2019", "--rules", "national-2016", "--rule", "vehicle")
    assert capsys.readouterr().out == on_db and "购置价 30,000.01 元" in on_db

    call_command("compare", "--year", "2019", "--engine", "db", "--store")
    assert ComparisonRun.objects.filter(engine="db", status="finished").count() == 1


def test_the_run_page_names_its_engine(cases, clerk, client):
    run = execute_run(
        create_run(ruleset_id="national-2016", year=2019, acting_user=clerk, engine="duckdb")
    )
    client.force_login(clerk)
    page = client.get(reverse("comparison-run", args=[run.pk]))
    assert page.status_code == 200
    assert 'id="run-engine">DuckDB' in page.content.decode()


def test_spark_finds_what_the_database_finds(cases, spark, settings, tmp_path):  # noqa: F811
    settings.SNAPSHOT_DIR = str(tmp_path)
    on_db = evaluate("national-2016", year=2019)
    on_spark = evaluate("national-2016", year=2019, engine="spark", spark_master="local[2]")
    assert shown(on_spark) == shown(on_db)
    assert [p.name for p in tmp_path.iterdir()] == ["comparison-snapshot"]
