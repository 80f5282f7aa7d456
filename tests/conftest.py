"""Shared fixtures. Tests talk to the real database Django is configured for (SQLite by default,
PostgreSQL when JINGZHUN_DATABASE_URL points at one)."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("JINGZHUN_HOME", tempfile.mkdtemp(prefix="jingzhun-test-"))

import pytest  # noqa: E402

from tests.factories import UserFactory, area_chain  # noqa: E402


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
