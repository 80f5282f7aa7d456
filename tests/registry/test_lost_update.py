"""Issue #11 item 5: an edit page saved after someone else changed the record is refused, not
saved over their change (which the trail would then show as the page user's)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingzhun.audit.models import Action, AuditEntry
from jingzhun.registry import services
from tests.api.conftest import client_for
from tests.factories import HouseholdFactory, PersonFactory
from tests.registry.test_views import form_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(village):
    household = HouseholdFactory(village=village, hamlet="三组", road_distance_km=2)
    PersonFactory(household=household, name="张三", ethnicity="汉族")
    return household


def opened(client, url: str) -> dict:
    """What the browser posts back for the form as the GET showed it."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    assert 'name="edit_token"' in response.content.decode()
    return form_post_data(form)


def test_household_form_refuses_a_save_over_an_api_change(
    client, township_operator, county_admin, household
):
    client.force_login(township_operator)
    url = reverse("household-edit", args=[household.pk])
    data = opened(client, url)
    patched = client_for(county_admin).patch(f"/api/households/{household.pk}/", {"hamlet": "七组"})
    assert patched.status_code == 200
    before = list(AuditEntry.objects.values_list("pk", flat=True))

    response = client.post(url, data | {"road_distance_km": "5"})

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert errors[0].startswith("该户在您打开表单后已被他人修改（最近一次修改：")
    assert county_admin.username in errors[0]
    assert errors[0].endswith("，请刷新后重新编辑")
    assert "该户在您打开表单后已被他人修改" in response.content.decode()
    household.refresh_from_db()
    assert (household.hamlet, household.road_distance_km) == ("七组", 2)
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == before
    assert not AuditEntry.objects.filter(actor=township_operator).exists()


def test_household_form_refuses_a_save_over_a_procedure_status_change(
    client, township_operator, household
):
    client.force_login(township_operator)
    url = reverse("household-edit", args=[household.pk])
    data = opened(client, url)
    services.change_status(household, "exited", acting_user=township_operator, reason="退出公告")
    count = AuditEntry.objects.count()

    response = client.post(url, data | {"hamlet": "五组"})

    assert response.status_code == 200
    assert "请刷新后重新编辑" in response.context["form"].non_field_errors()[0]
    household.refresh_from_db()
    assert (household.status, household.hamlet) == ("exited", "三组")
    assert AuditEntry.objects.count() == count


def test_household_form_saves_when_nobody_else_changed_it(client, township_operator, household):
    client.force_login(township_operator)
    url = reverse("household-edit", args=[household.pk])
    data = opened(client, url)

    response = client.post(url, data | {"hamlet": "五组"})

    assert response.status_code == 302
    household.refresh_from_db()
    assert household.hamlet == "五组"
    assert list(AuditEntry.objects.values_list("actor", "action", "changes")) == [
        (township_operator.pk, Action.UPDATE, {"hamlet": ["三组", "五组"]})
    ]
    # The page shows the new state: editing again from it works too.
    data = opened(client, url)
    assert client.post(url, data | {"hamlet": "六组"}).status_code == 302
    household.refresh_from_db()
    assert household.hamlet == "六组"


def test_person_form_refuses_a_save_over_an_api_change(
    client, township_operator, county_admin, household
):
    person = household.members.get()
    client.force_login(township_operator)
    url = reverse("person-edit", args=[person.pk])
    data = opened(client, url) | {"id_number": ""}
    patched = client_for(county_admin).patch(f"/api/persons/{person.pk}/", {"name": "张山"})
    assert patched.status_code == 200, patched.content
    count = AuditEntry.objects.count()

    response = client.post(url, data | {"ethnicity": "彝族"})

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors[0].startswith("该成员信息在您打开表单后已被他人修改（最近一次修改：")
    assert errors[0].endswith("，请刷新后重新编辑")
    person.refresh_from_db()
    assert (person.name, person.ethnicity) == ("张山", "汉族")
    assert AuditEntry.objects.count() == count
    assert not AuditEntry.objects.filter(actor=township_operator).exists()


def test_person_form_saves_when_nobody_else_changed_it(client, township_operator, household):
    person = household.members.get()
    client.force_login(township_operator)
    url = reverse("person-edit", args=[person.pk])
    data = opened(client, url) | {"id_number": ""}

    response = client.post(url, data | {"ethnicity": "彝族"})

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.ethnicity == "彝族"


def test_the_token_is_keyed(household, settings):
    """The digest covers masked values (an ID number): without the key, no guess can be tested."""
    person = household.members.get()
    token = services.row_token(person)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert services.row_token(person) != token
