"""User scope: the prefix every visible_to() filter is built from."""

from __future__ import annotations

from tests.factories import UserFactory


def test_scope_prefix_by_area_and_superuser(village) -> None:
    assert UserFactory(area=village).scope_prefix() == village.pk
    assert UserFactory(area=village.parent).scope_prefix() == village.pk[:9]
    assert UserFactory(area=None, is_superuser=True).scope_prefix() == ""
    assert UserFactory(area=None).scope_prefix() is None


def test_can_edit_by_role(village) -> None:
    assert UserFactory(role="village_operator", area=village).can_edit() is True
    assert UserFactory(role="viewer", area=village).can_edit() is False
    assert UserFactory(role="viewer", area=None, is_superuser=True).can_edit() is True
    assert UserFactory(role="county_admin", area=village, is_active=False).can_edit() is False
