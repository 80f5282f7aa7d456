"""Issue #11 item 11: revealing a full ID number needs a role that works on the records, a
reason (kept in the audit entry) and stays under JINGZHUN_REVEALS_PER_HOUR an hour."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from jingzhun.audit.models import Action, AuditEntry
from tests.factories import PersonFactory


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_viewer_role_cannot_reveal(village, viewer, client):
    person = PersonFactory(household__village=village)
    client.force_login(viewer)
    page = client.post(reverse("person-reveal", args=[person.pk]), {"reason": "核对"})
    assert page.status_code == 403
    assert person.id_number not in page.content.decode()
    response = api(viewer).post(
        f"/api/persons/{person.pk}/reveal/", {"reason": "核对"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "只读用户不能查看完整身份证号码"}
    assert AuditEntry.objects.count() == 0
    detail = client.get(reverse("household-detail", args=[person.household_id]))
    assert "查看完整" not in detail.content.decode()


def test_a_reason_is_required(village, township_operator, client):
    person = PersonFactory(household__village=village)
    client.force_login(township_operator)
    page = client.post(reverse("person-reveal", args=[person.pk]), {"reason": "  "})
    assert page.status_code == 400
    assert "请填写查看完整号码的事由" in page.content.decode()
    assert person.id_number not in page.content.decode()
    response = api(township_operator).post(f"/api/persons/{person.pk}/reveal/", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert AuditEntry.objects.count() == 0


def test_reveals_are_limited_per_hour(village, township_operator, client, settings):
    settings.REVEALS_PER_HOUR = 3
    person = PersonFactory(household__village=village)
    client.force_login(township_operator)
    url = reverse("person-reveal", args=[person.pk])
    for _reveal in range(3):
        assert client.post(url, {"reason": "核对"}).status_code == 200
    page = client.post(url, {"reason": "核对"})
    assert page.status_code == 429
    assert "一小时内查看完整号码已达3次，请稍后再试" in page.content.decode()
    assert person.id_number not in page.content.decode()
    response = api(township_operator).post(
        f"/api/persons/{person.pk}/reveal/", {"reason": "核对"}, format="json"
    )
    assert response.status_code == 429
    assert response.json() == {"detail": "一小时内查看完整号码已达3次，请稍后再试"}
    assert AuditEntry.objects.filter(action=Action.REVEAL).count() == 3
    # Entries older than an hour no longer count.
    AuditEntry.objects.update(timestamp=timezone.now() - timedelta(hours=2))
    assert client.post(url, {"reason": "核对"}).status_code == 200
