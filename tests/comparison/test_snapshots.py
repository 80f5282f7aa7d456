"""The files a comparison on DuckDB keeps between runs (comparison/snapshots.py): the registry's
snapshot is reused only while the registry is unchanged, each department list is written once,
a superseded list's file goes after a day — and the findings are always those of the database."""

from __future__ import annotations

import os
import time

import pytest

from jingzhun.comparison import snapshots
from jingzhun.comparison.findings import evaluate
from jingzhun.comparison.loading import load_dataset
from jingzhun.registry import choices as c
from tests.comparison.conftest import sheet
from tests.comparison.test_engines import VEHICLES, shown
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(settings, tmp_path):
    settings.SNAPSHOT_DIR = str(tmp_path)
    return tmp_path / "comparison-snapshot"


def read(prefix: str = "") -> dict:
    with snapshots.snapshot_files(prefix) as found:
        return {**found, "files": {k: [p.name for p in v] for k, v in found["files"].items()}}


def test_a_second_run_reuses_the_registry_and_the_lists(county, folder):
    first = read()
    assert first["registry"] == "written"
    assert first["datasets_written"] == len(first["files"]["comparison_datasetrow"]) > 1
    second = read()
    assert second["registry"] == "reused" and second["datasets_written"] == 0
    assert second["files"]["comparison_datasetrow"] == first["files"]["comparison_datasetrow"]
    assert oct(folder.stat().st_mode & 0o777) == "0o700"


def test_files_written_with_other_columns_are_written_again(county, folder, monkeypatch):
    """After an upgrade that reads a new column, the kept files (written without it) are not
    read: the registry's snapshot and every list's file are written again."""
    first = read()
    wider = {name: {**columns, "new_column": "string"} for name, columns in
             snapshots.COMPARISON_TABLES.items()}  # fmt: skip
    monkeypatch.setattr(snapshots, "COMPARISON_TABLES", wider)
    again = read()
    assert again["registry"] == "written"
    assert again["datasets_written"] == len(first["files"]["comparison_datasetrow"])
    assert set(again["files"]["comparison_datasetrow"]).isdisjoint(
        first["files"]["comparison_datasetrow"]
    )


def test_a_changed_registry_is_written_again_and_its_findings_are_current(county, folder):
    people, _ = county
    before = evaluate("national-2016", year=2019, engine="duckdb")
    assert any(f.person_id == people["head"].pk for f in before)
    household = people["head"].household
    household.status = c.Status.DEREGISTERED  # through save(): the registry's state changes
    household.save()

    assert read()["registry"] == "written"
    after = evaluate("national-2016", year=2019, engine="duckdb")
    assert not [f for f in after if f.household_id == household.pk]
    assert shown(after) == shown(evaluate("national-2016", year=2019))


def test_a_narrower_snapshot_is_not_reused_for_a_wider_area(county, folder):
    people, _ = county
    village = people["head"].household.village_id
    assert read(village)["registry"] == "written"
    assert read(village)["registry"] == "reused"
    assert read(village[:6])["registry"] == "written"  # the county: more than the village
    assert read(village)["registry"] == "reused"  # the county's covers the village


def test_a_newer_list_gets_its_own_file_and_the_old_one_goes_after_a_day(county, folder):
    people, _ = county
    files = set(read()["files"]["comparison_datasetrow"])
    user = UserFactory(role="county_admin", area=people["head"].household.village.parent.parent)
    rows = [[people["worker"].id_number, "李大", "云G00009", "小型轿车", 99000, "2019-03-01"]]
    result = load_dataset(
        sheet(VEHICLES, rows), kind="vehicles", year=2019, acting_user=user, name="new.xlsx"
    )
    assert result.ok, result.errors
    newer = read()
    assert newer["datasets_written"] == 1
    [gone] = files - set(newer["files"]["comparison_datasetrow"])
    old_file = folder / "datasets" / gone
    marker = old_file.with_name(gone + ".unwanted")
    # A week-old file superseded now is kept for a day from now: a run begun earlier may
    # still be reading it.
    week_ago = time.time() - 7 * 24 * 3600
    os.utime(old_file, (week_ago, week_ago))
    read()
    assert old_file.exists() and marker.exists()
    day_ago = time.time() - snapshots.KEEP_SUPERSEDED - 60
    os.utime(marker, (day_ago, day_ago))
    read()
    assert not old_file.exists() and not marker.exists()
    found = evaluate("national-2016", year=2019, engine="duckdb", only=("vehicle",))
    assert shown(found) == shown(evaluate("national-2016", year=2019, only=("vehicle",)))
    assert [f for f in found if f.person_id == people["worker"].pk and "99,000" in f.sentence]


def test_on_duckdb_a_list_gets_its_file_when_it_is_loaded(county, folder, settings):
    people, _ = county
    read()  # every current list's file
    settings.COMPARISON_ENGINE = "duckdb"
    user = UserFactory(role="county_admin", area=people["head"].household.village.parent.parent)
    rows = [[people["worker"].id_number, "李大", "云G00010", "小型轿车", 45000, "2019-04-01"]]
    result = load_dataset(
        sheet(VEHICLES, rows), kind="vehicles", year=2019, acting_user=user, name="v2.xlsx"
    )
    assert result.ok, result.errors
    kept = list((folder / "datasets").glob(f"{result.dataset.pk}-*.parquet"))
    assert len(kept) == 1 and kept[0].stat().st_size > 0
    assert read()["datasets_written"] == 0
