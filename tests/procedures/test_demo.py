"""The demo's exit batch: proposed, reviewed and partly on notice through the services."""

from __future__ import annotations

import pytest

from jingzhun.assessment.services import default_standard_id, run_assessment
from jingzhun.procedures import demo
from jingzhun.procedures.flows import StepId
from jingzhun.procedures.models import StepRecord
from jingzhun.registry.choices import POOR_STATUSES
from jingzhun.registry.demo import build_demo


@pytest.mark.django_db
def test_demo_seeds_an_exit_batch_with_a_running_notice(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    build_demo(0.25)
    run = run_assessment(standard_id=default_standard_id())
    seeded = demo.seed(run)
    batch, notice = seeded["batch"], seeded["notice"]
    procedures = list(batch.procedures.order_by("id"))
    candidates = run.verdicts.filter(
        met=True, area_code=batch.area_id, household__status__in=POOR_STATUSES
    )
    proposed = min(demo.PROPOSED, candidates.count())
    assert len(procedures) == proposed > 0
    noticed = min(proposed, demo.NOTICED)
    states = [StepId.NOTICE] * noticed + [StepId.CONSENT] * (proposed - noticed)
    assert [p.state for p in procedures] == states
    assert all(p.verdict.met and p.verdict.run_id == run.pk for p in procedures)
    assert notice.start <= demo.services.today() <= notice.end
    assert not StepRecord.objects.filter(actor=None).exists()
