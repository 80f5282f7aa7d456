"""The procedure page (procedure_detail.html): its 到批次页办理 button goes straight to the next
step's form on the batch page (on a phone that form is below the whole list)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.procedures.builders import exit_batch, meeting_household, pinned_today, staff  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_batch_button_leads_to_the_next_steps_form(client, staff, pinned_today):  # noqa: F811
    village = staff.village_op.area
    (procedure,) = exit_batch(village, staff, [meeting_household(village)])
    client.force_login(staff.village_op)
    page = client.get(reverse("procedures-detail", args=[procedure.pk])).content.decode()
    batch = reverse("procedures-batch", args=[procedure.batch_id])
    assert f'href="{batch}#step-village_review">到批次页办理</a>' in page
    # The anchor is the step panel's id on the batch page.
    assert 'id="step-village_review"' in client.get(batch).content.decode()
