"""The admin: scoped lists, masked ID numbers, no registry writes."""

from __future__ import annotations

from django.test import Client

from jingzhun import masking
from jingzhun.audit.models import Action, AuditEntry
from jingzhun.registry.models import Household
from tests.factories import PersonFactory, UserFactory


def staff_client(**kwargs) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, **kwargs))
    return client


def test_person_list_is_scoped_and_masked(village, other_village) -> None:
    mine = PersonFactory(household__village=village, name="张三")
    theirs = PersonFactory(household__village=other_village, name="李四")
    client = staff_client(is_superuser=True, area=village.parent)
    page = client.get("/admin/registry/person/").content.decode()
    assert masking.mask_id_number(mine.id_number) in page
    assert mine.id_number not in page
    assert "李四" not in page
    detail = client.get(f"/admin/registry/person/{mine.pk}/change/")
    assert detail.status_code == 200
    assert mine.id_number not in detail.content.decode()
    other = client.get(f"/admin/registry/person/{theirs.pk}/change/")
    assert other.status_code == 302  # the admin redirects a record it cannot find


def test_registry_is_read_only_in_admin(village) -> None:
    household = PersonFactory(household__village=village).household
    client = staff_client(is_superuser=True, area=None)
    assert client.get("/admin/registry/household/add/").status_code == 403
    response = client.post(f"/admin/registry/household/{household.pk}/change/", {"hamlet": "改"})
    assert response.status_code == 403
    assert (
        client.post(
            f"/admin/registry/household/{household.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert Household.objects.get().hamlet == ""


def test_a_users_role_area_and_activity_changed_in_the_admin_are_audited(village) -> None:
    admin = UserFactory(is_staff=True, is_superuser=True, area=None)
    client = Client()
    client.force_login(admin)
    user = UserFactory(role="viewer", area=village.parent.parent)
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": user.username,
            "role": "township_operator",
            "area": village.parent_id,
            "date_joined_0": "2018-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(model="accounts.user", object_id=str(user.pk))
    assert entry.action == Action.UPDATE
    assert entry.actor_id == admin.pk
    assert entry.changes == {
        "area": ["532527000000", "532527100000"],
        "is_active": [True, False],
        "role": ["viewer", "township_operator"],
    }

    client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    deleted = AuditEntry.objects.get(model="accounts.user", action=Action.DELETE)
    assert deleted.changes["username"] == [user.username, None]


def test_a_password_set_in_the_admin_is_audited_without_the_hash(village) -> None:
    admin = UserFactory(is_staff=True, is_superuser=True, area=None)
    client = Client()
    client.force_login(admin)
    user = UserFactory(role="viewer", area=village.parent.parent)

    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "Zx9-long-enough", "password2": "Zx9-long-enough"},
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(model="accounts.user", object_id=str(user.pk))
    assert (entry.action, entry.actor_id) == (Action.UPDATE, admin.pk)
    assert entry.changes == {"password": ["…", "已修改"]}
