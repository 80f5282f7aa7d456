"""The committed contract (docs/openapi.yaml) fuzzed by Schemathesis, in-process (issue #11 item 9).

Every operation is called through the WSGI application (no network, no server) with cases that
Schemathesis generates from the schema, valid and invalid, as a county admin and as a village
operator (token authentication). Checks: no response is a 5xx (`not_a_server_error`), and every
documented response matches its schema (`response_schema_conformance`: nullable fields declared
nullable, types right). Not `status_code_conformance`: the schema documents the success codes
only (drf-spectacular lists no 400/403/404), so every refusal would count as a failure.

Bounded: a few derandomized examples per operation and mode, no deadline, no shrinking, no
example database; about half a minute per user on SQLite. All failures are collected and
reported together, each with the request that reproduces it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from jingzhun.assessment.models import Verdict
from jingzhun.procedures import services
from jingzhun.procedures.flows import Kind, StepId
from jingzhun.wsgi import application
from tests.api.conftest import populate
from tests.factories import area_chain
from tests.procedures.builders import (
    TODAY,
    YEAR,
    Staff,
    advance,
    exit_batch,
    meeting_household,
    village_meeting_standard,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = 10  # per operation and generation mode
CHECKS = [not_a_server_error, response_schema_conformance]

# Operations left out, each for a reason:
EXCLUDED = {
    # Hashes the password (PBKDF2 in production settings) on every case, and a wrong password is
    # all a generated body can be: slow, and it tests Django's authentication, not ours.
    ("POST", "/api/token/"),
}

pytestmark = [
    pytest.mark.django_db,
    # The cases run inside the test's transaction. On PostgreSQL one statement error (if a case
    # ever provoked one) aborts that transaction and every later case would fail with it; the
    # contract and the validation are the same on both engines, so SQLite alone runs this.
    pytest.mark.skipif(connection.vendor != "sqlite", reason="fuzzes the contract once, on SQLite"),
]


@pytest.fixture
def schema(settings) -> Any:
    # The WSGI transport sends Host: localhost.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # The application's request signals would close the test's connection (it is inside a
    # transaction) after the first request; Django's own test client disconnects them too.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    loaded = schemathesis.openapi.from_path(ROOT / "docs" / "openapi.yaml")
    loaded.app = application
    yield loaded
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def data(monkeypatch) -> dict[str, Any]:
    """Records of every kind the API answers: the registry, a finished assessment run, an exit
    batch with a step taken and a notice posted, an objection lodged on the public page (no
    staff recorded it, nobody decided it yet: the null references the schema must allow) and a
    village exit."""
    village = village_meeting_standard()
    staff = Staff(village)
    populate(village)
    populate(area_chain(township="101", village="202"))
    procedures = exit_batch(village, staff, [meeting_household(village)])
    monkeypatch.setattr(services, "today", lambda: TODAY)
    advance(procedures, StepId.NOTICE, staff, monkeypatch)
    procedure = procedures[0]
    procedure.refresh_from_db()
    monkeypatch.setattr(services, "today", lambda: procedure.notice.start)
    services.lodge_objection(procedure.notice, procedure, "情况不实，请核查收入")
    # A village exit: a procedure with no household (household fields answer null).
    verdict = Verdict.objects.get(run=procedure.verdict.run, level="village", entity=village.code)
    batch = services.open_batch(Kind.VILLAGE_EXIT, village.parent, YEAR, acting_user=staff.township)
    services.propose(
        batch,
        [services.Proposal(village=village, evidence={"verdict": verdict.pk})],
        acting_user=staff.township,
    )
    return {"village": village, "staff": staff}


def fuzz(schema: Any, user: Any) -> tuple[list[str], int, int]:
    """Run every operation's cases as `user`: the failures, the operations and the cases run."""
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    failures: list[str] = []
    operations = 0
    cases: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hypothesis_settings(
                max_examples=EXAMPLES,
                derandomize=True,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case: Any) -> None:
                cases.append(case.operation.label)
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                call()
            # Schemathesis raises a FailureGroup (a BaseExceptionGroup); every failure is
            # reported, not only the first.
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001
                report = "\n".join(str(exc).splitlines()[:40])
                failures.append(
                    f"{operation.method.upper()} {operation.path} ({mode.value}):\n{report}"
                )
    return failures, operations, len(cases)


@pytest.mark.parametrize("who", ["county_admin", "village_operator"])
def test_api_answers_no_server_error_and_matches_its_schema(schema, data, who) -> None:
    user = data["staff"].county if who == "county_admin" else data["staff"].village_op
    started = time.monotonic()
    failures, operations, cases = fuzz(schema, user)
    elapsed = time.monotonic() - started
    print(f"{who}: {operations} operations, {cases} cases, {elapsed:.1f} s")
    assert operations >= 30, operations
    assert cases >= operations * EXAMPLES, cases
    assert not failures, "\n\n".join(failures)
    assert elapsed < 120, f"the fuzzing took {elapsed:.0f} s"
