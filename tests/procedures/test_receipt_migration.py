"""Migration 0004 gives every existing objection a receipt: random, 12 digits, all different."""

from __future__ import annotations

import importlib
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jingzhun.procedures import services
from jingzhun.procedures.flows import StepId
from tests.procedures.builders import advance, exit_batch, meeting_household

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("procedures", "0003_user_fks_protect")]
AFTER = [("procedures", "0004_objection_receipt_and_lookup_limit")]


@pytest.fixture(autouse=True)
def every_app_migrated_afterwards():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_objections_get_distinct_receipts(staff, monkeypatch):
    village = staff.village_op.area
    procedures = exit_batch(village, staff, [meeting_household(village) for _ in range(2)])
    advance(procedures, StepId.NOTICE, staff, monkeypatch)
    notice = procedures[0].notice
    for procedure in (*procedures, procedures[0]):
        services.lodge_objection(notice, procedure, "该户情况与公示不符")

    old = _migrate(BEFORE)
    assert "receipt" not in {f.name for f in old.get_model("procedures", "Objection")._meta.fields}
    new = _migrate(AFTER)
    receipts = list(
        new.get_model("procedures", "Objection").objects.values_list("receipt", flat=True)
    )
    assert len(receipts) == 3 == len(set(receipts))
    assert all(re.fullmatch(r"\d{12}", r) for r in receipts)

    # Safe to re-run: receipts given are kept.
    migration = importlib.import_module(
        "jingzhun.procedures.migrations.0004_objection_receipt_and_lookup_limit"
    )
    migration.give_receipts(new, None)
    again = new.get_model("procedures", "Objection").objects.values_list("receipt", flat=True)
    assert sorted(again) == sorted(receipts)
