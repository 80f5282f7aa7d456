"""Issue #11 item 11: Django's password validators apply where the product sets passwords, with
a 12-character minimum: `jingzhun` (8 characters) was accepted."""

import pytest
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from jingzhun.accounts.models import User
from jingzhun.registry.demo.build import DEMO_PASSWORD
from tests.factories import UserFactory


@pytest.mark.parametrize("password", ["jingzhun", "jingzhun123", "password1234", "123456789012"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password, User(username="zhangsan"))


def test_the_demo_password_is_valid():
    for username in ("admin", "leader", "township", "village"):
        validate_password(DEMO_PASSWORD, User(username=username))


def test_admin_password_change_refuses_jingzhun(village, client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True, area=None)
    user = UserFactory(username="lisi")
    before = User.objects.get(pk=user.pk).password
    client.force_login(admin)
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "jingzhun", "password2": "jingzhun"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["password2"]
    # Django's zh_Hans catalogue has no translation of this message (its plural form).
    assert errors == ["This password is too short. It must contain at least 12 characters."]
    assert User.objects.get(pk=user.pk).password == before


def test_admin_password_change_form_accepts_a_long_password(village):
    user = UserFactory(username="lisi")
    form = AdminPasswordChangeForm(
        user, {"password1": "Kx9-tuan-jie-2026", "password2": "Kx9-tuan-jie-2026"}
    )
    assert form.is_valid(), form.errors
    form.save()
    assert User.objects.get(pk=user.pk).check_password("Kx9-tuan-jie-2026")
