"""Migration 0002 splits the old exit year into an exit date (past years) and a plan."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("areas", "0001_initial")]
AFTER = [("areas", "0002_village_exit_fact_and_plan")]


@pytest.fixture(autouse=True)
def every_app_migrated_afterwards():
    """Going back to areas 0001 also unapplies every app whose migrations depend on a later
    areas migration (comparison …): the tests after this one need all of them back."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_past_exit_years_become_dated_exits_and_later_ones_plans():
    this_year = timezone.localdate().year
    old = _migrate(BEFORE)
    Area = old.get_model("areas", "Area")
    county = Area.objects.create(code="532527000000", name="泸西县", level="county")
    for code, year in (("201", 2016), ("202", this_year), ("203", this_year + 1), ("204", None)):
        Area.objects.create(
            code=f"532527100{code}",
            name=f"村{code}",
            level="village",
            parent=county,
            poor_village=True,
            poor_village_exit_year=year,
        )

    new = _migrate(AFTER)
    rows = dict(
        (code[9:], (exited, planned))
        for code, exited, planned in new.get_model("areas", "Area")
        .objects.filter(level="village")
        .values_list("code", "poor_village_exited_on", "poor_village_planned_exit_year")
    )
    assert rows == {
        "201": (datetime.date(2016, 12, 31), None),
        "202": (None, this_year),
        "203": (None, this_year + 1),
        "204": (None, None),
    }

    back = _migrate(BEFORE)
    years = dict(
        back.get_model("areas", "Area")
        .objects.filter(level="village")
        .values_list("code", "poor_village_exit_year")
    )
    assert years == {
        "532527100201": 2016,
        "532527100202": this_year,
        "532527100203": this_year + 1,
        "532527100204": None,
    }
    _migrate(AFTER)
