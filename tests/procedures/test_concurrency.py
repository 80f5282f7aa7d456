"""Two approvers acting at the same moment, each in their own thread, connection and
transaction: exactly one succeeds, the other is refused, and the step is recorded once."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from jingzhun.procedures import services
from jingzhun.procedures.flows import StepId
from jingzhun.procedures.models import StepRecord
from tests.procedures.builders import EVIDENCE, advance, exit_batch, meeting_household

pytestmark = pytest.mark.django_db(transaction=True)


def race(procedures, users, versions):
    """Both users approve at once; returns what each got (None = success)."""
    barrier = threading.Barrier(len(users))
    results: dict[int, object] = {}

    def approve(index, user):
        try:
            barrier.wait()
            services.take_step(
                procedures,
                StepId.COUNTY_APPROVAL,
                EVIDENCE[StepId.COUNTY_APPROVAL],
                acting_user=user,
                versions=versions,
            )
            results[index] = None
        except Exception as error:  # noqa: BLE001 - the refusal is the result
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(i, u)) for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return [results[i] for i in range(len(users))]


@pytest.mark.parametrize("with_versions", [True, False])
def test_two_approvers_at_once_one_wins(staff, monkeypatch, with_versions):
    village = staff.village_op.area
    procedures = exit_batch(village, staff, [meeting_household(village)])
    advance(procedures, StepId.TOWNSHIP_REVIEW, staff, monkeypatch)
    versions = {p.pk: p.version for p in procedures} if with_versions else None
    outcomes = race(procedures, [staff.county, staff.county2], versions)
    assert outcomes.count(None) == 1, outcomes
    (refusal,) = [o for o in outcomes if o is not None]
    # With the version the page showed: a conflict; without: the step is no longer next.
    expected = services.Conflict if with_versions else ValidationError
    assert isinstance(refusal, expected), refusal
    assert StepRecord.objects.filter(step=StepId.COUNTY_APPROVAL).count() == 1
    procedures[0].refresh_from_db()
    assert procedures[0].state == StepId.COUNTY_APPROVAL
    assert procedures[0].version == versions[procedures[0].pk] + 1 if versions else True
