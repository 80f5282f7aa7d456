"""Every role, and every demo user, is told apart by its label in both languages."""

from __future__ import annotations

import pytest
from django.utils import translation

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.registry.demo import create_demo_users
from tests.factories import area_chain

LANGUAGES = ["zh-hans", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_role_labels_are_distinct(language):
    with translation.override(language):
        labels = [str(label) for label in Role.labels]
    assert len(set(labels)) == len(Role.choices) == 4


def test_role_labels_are_translated():
    with translation.override("en"):
        english = [str(label) for label in Role.labels]
    assert english == [
        "County administrator",
        "Township operator",
        "Village operator",
        "Read-only user",
    ]
    assert [str(label) for label in Role.labels] == [
        "县级管理员",
        "乡镇操作员",
        "村级操作员",
        "只读用户",
    ]


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("zh-hans", ["县级管理员", "县级领导", "乡镇操作员", "村级操作员"]),
        ("en", ["County administrator", "County leader", "Township operator", "Village operator"]),
    ],
)
def test_demo_users_display_distinct_names(db, settings, language, names):
    """admin and leader share the county role; the top bar and the procedure records show each
    one's own name, so the approver and the announcer can be told apart."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    area_chain()  # county 532527, township 100, village 201
    with translation.override(language):
        logins = create_demo_users()
    assert [display for _, _, display, _ in logins] == names
    users = User.objects.filter(username__in=["admin", "leader"]).order_by("username")
    assert [(u.username, u.role, str(u)) for u in users] == [
        ("admin", "county_admin", names[0]),
        ("leader", "county_admin", names[1]),
    ]
