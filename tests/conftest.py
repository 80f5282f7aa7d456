"""Shared fixtures. Tests talk to the real database Django is configured for (SQLite by default,
PostgreSQL when JINGZHUN_DATABASE_URL points at one)."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("JINGZHUN_HOME", tempfile.mkdtemp(prefix="jingzhun-test-"))

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# CI runs the tests on both cores at once (pytest -n 2) beside PostgreSQL: a property test's
# data generation can then be slower than Hypothesis's health check allows, which says nothing
# about the code under test. Examples and shrinking are unchanged; deadlines stay per test.
settings.register_profile("ci", suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")

from tests.factories import UserFactory, area_chain  # noqa: E402


@pytest.fixture(autouse=True)
def chinese_first():
    """Every test starts in the site's language: a request that chose English leaves it active
    in the test's thread (the middleware activates a language per request, nothing resets it
    after the response), and code a later test calls outside a request would speak English."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


@pytest.fixture
def village(db):
    return area_chain()


@pytest.fixture
def other_village(db):
    """A village in another township of the same county."""
    return area_chain(township="101", village="202")


@pytest.fixture
def county_admin(village):
    return UserFactory(role="county_admin", area=village.parent.parent)


@pytest.fixture
def township_operator(village):
    return UserFactory(role="township_operator", area=village.parent)


@pytest.fixture
def viewer(village):
    return UserFactory(role="viewer", area=village.parent.parent)


# Fixtures through which a test reaches the database (directly or through another fixture:
# `item.fixturenames` is the closure).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that never touch the database `engine_independent`: the PostgreSQL pass
    of scripts/test.sh leaves them out, since they ran in the SQLite pass already."""
    for item in items:
        uses_database = item.get_closest_marker("django_db") is not None or bool(
            DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        if not uses_database:
            item.add_marker(pytest.mark.engine_independent)
