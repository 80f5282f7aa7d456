"""Issue #11 item 9 on the procedure pages: a ticked key past any database key is a 404 (it
reached `pk__in` and SQLite raised OverflowError), never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingzhun.procedures.flows import Kind
from jingzhun.procedures.models import Batch, Procedure

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


def test_step_on_an_over_large_procedure_id_is_404(client, staff):
    village = staff.village_op.area
    batch = Batch.objects.create(kind=Kind.EXIT, area=village, year=2018, title="2018年贫困户退出")
    client.force_login(staff.village_op)
    response = client.post(
        reverse("procedures-batch-step", args=[batch.pk]),
        {"procedures": [HUGE], "step": "village_review"},
    )
    assert response.status_code == 404


def test_proposing_an_over_large_household_id_is_404(client, staff):
    village = staff.village_op.area
    client.force_login(staff.village_op)
    response = client.post(
        reverse("procedures-new") + f"?kind=entry&village={village.code}",
        {"selected": [HUGE], "proposal-date": "2019-01-02", "proposal-source": "survey"},
    )
    assert response.status_code == 404
    assert not Procedure.objects.exists()
