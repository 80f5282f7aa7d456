"""Users who acted are deactivated, never deleted: the trail keeps its actor (issue #11 item 7)."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError
from django.test import Client
from django.utils import timezone

from jingzhun.accounts.models import User
from jingzhun.accounts.services import acting_relations
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action, AuditEntry
from jingzhun.procedures.models import Batch, Procedure, StepRecord
from tests.factories import UserFactory


@pytest.fixture
def admin_client(village) -> tuple[Client, User]:
    admin = UserFactory(is_staff=True, is_superuser=True, area=None)
    client = Client()
    client.force_login(admin)
    return client, admin


def acted(user: User, village) -> StepRecord:
    """`user` edited a household (audit entry) and took a procedure step (step record)."""
    audit.record(actor=user, action=Action.UPDATE, model="registry.household", object_id="1")
    batch = Batch.objects.create(
        kind="exit", area=village, year=2018, title="退出", created_by=user
    )
    procedure = Procedure.objects.create(
        batch=batch, kind="exit", village=village, state_since=timezone.now(), reason="income"
    )
    return StepRecord.objects.create(
        procedure=procedure, step="proposal", new_state="proposal", actor=user
    )


def test_deleting_a_user_who_acted_in_the_admin_deactivates_them(admin_client, village) -> None:
    client, admin = admin_client
    user = UserFactory(role="village_operator", area=village)
    step = acted(user, village)

    response = client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert "已停用而非删除" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active is False
    step.refresh_from_db()
    assert step.actor_id == user.pk
    assert step.procedure.batch.created_by_id == user.pk
    assert AuditEntry.objects.get(model="registry.household").actor_id == user.pk
    entry = AuditEntry.objects.get(model="accounts.user", object_id=str(user.pk))
    assert (entry.action, entry.actor_id) == (Action.UPDATE, admin.pk)
    assert entry.changes == {"is_active": [True, False]}
    assert entry.message == "已有操作记录，停用而非删除"


def test_the_confirmation_page_warns_before_deactivating(admin_client, village) -> None:
    client, _admin = admin_client
    user = UserFactory(role="village_operator", area=village)
    acted(user, village)

    page = client.get(f"/admin/accounts/user/{user.pk}/delete/").content.decode()

    assert "确认后将停用而非删除" in page
    assert 'name="post"' in page  # not Django's "cannot delete" page of protected objects


def test_bulk_delete_deletes_the_never_acted_and_deactivates_the_actors(
    admin_client, village
) -> None:
    client, admin = admin_client
    actor = UserFactory(role="village_operator", area=village)
    acted(actor, village)
    newcomer = UserFactory(role="viewer", area=village)

    response = client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [actor.pk, newcomer.pk], "post": "yes"},
        follow=True,
    )

    page = response.content.decode()
    assert "已删除 1 个用户。" in page
    assert f"1 个用户已有操作记录，已停用而非删除：{actor.username}" in page
    assert not User.objects.filter(pk=newcomer.pk).exists()
    assert User.objects.get(pk=actor.pk).is_active is False
    entries = AuditEntry.objects.filter(model="accounts.user", actor=admin)
    assert {(e.object_id, e.action) for e in entries} == {
        (str(actor.pk), Action.UPDATE),
        (str(newcomer.pk), Action.DELETE),
    }
    assert entries.get(action=Action.DELETE).changes["username"] == [newcomer.username, None]


def test_deleting_a_user_who_never_acted_is_audited(admin_client, village) -> None:
    client, admin = admin_client
    user = UserFactory(role="viewer", area=village)

    client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})

    assert not User.objects.filter(pk=user.pk).exists()
    entry = AuditEntry.objects.get(model="accounts.user", object_id=str(user.pk))
    assert (entry.action, entry.actor_id) == (Action.DELETE, admin.pk)
    assert entry.changes["username"] == [user.username, None]


def test_the_orm_cannot_delete_a_user_who_acted(village) -> None:
    user = UserFactory(role="village_operator", area=village)
    step = acted(user, village)

    with pytest.raises(ProtectedError):
        user.delete()
    with pytest.raises(ProtectedError):
        User.objects.filter(pk=user.pk).delete()

    step.refresh_from_db()
    assert step.actor_id == user.pk
    assert AuditEntry.objects.get().actor_id == user.pk


def test_every_foreign_key_naming_who_acted_is_protected() -> None:
    """A guard: a new foreign key to the user either protects (and so counts as having acted)
    or is one of the few that belong to the user and go with them."""
    belongings = {
        "accounts.user_groups",
        "accounts.user_user_permissions",
        "admin.logentry",
        "authtoken.token",
    }
    relations = {
        f"{r.related_model._meta.label_lower}.{r.field.name}"
        for r in User._meta.get_fields(include_hidden=True)
        if r.one_to_many and r.auto_created and r.related_model._meta.label_lower not in belongings
    }
    assert relations == {
        f"{r.related_model._meta.label_lower}.{r.field.name}" for r in acting_relations()
    }
    assert relations == {
        "assessment.assessmentrun.created_by",
        "audit.auditentry.actor",
        "exports.exportjob.owner",
        "imports.importjob.owner",
        "comparison.dataset.loaded_by",
        "comparison.duplicatepair.decided_by",
        "comparison.comparisonrun.created_by",
        "comparison.verificationtask.checked_by",
        "comparison.verificationtask.reviewed_by",
        "comparison.rowlink.decided_by",
        "procedures.batch.created_by",
        "procedures.notice.published_by",
        "procedures.objection.decided_by",
        "procedures.objection.recorded_by",
        "procedures.steprecord.actor",
        "registry.statuschange.actor",
    }
