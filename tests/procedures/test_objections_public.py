"""Objections lodged on a notice's public page: during the period only, one of the listed rows,
and the anti-abuse measures (honeypot, time stamp, hourly limit per client, CSRF)."""

from __future__ import annotations

import datetime
import re
import time
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from jingzhun.procedures import forms_public, receipts, services
from jingzhun.procedures.flows import StepId
from jingzhun.procedures.models import Channel, Objection, ObjectionStatus
from tests.procedures.builders import EVIDENCE, advance, exit_batch, meeting_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(staff, monkeypatch):
    """Two households of an exit batch on notice (01-05 to 01-11, today 01-10); a third
    proposed in the same batch but not posted."""
    village = staff.village_op.area
    households = [meeting_household(village) for _ in range(3)]
    procedures = exit_batch(village, staff, households)
    advance(procedures[:2], StepId.NOTICE, staff, monkeypatch)
    for procedure in procedures:
        procedure.refresh_from_db()
    return procedures[0].notice, households, procedures


@pytest.fixture
def patient(monkeypatch):
    """The visitor took ten seconds to read the list and write."""
    monkeypatch.setattr(forms_public, "now", lambda: time.time() + 10)


def lodge(client, notice, procedure_id, *, ip="10.0.0.1", **fields):
    data = {
        "procedure": procedure_id,
        "text": "该户家中新购小轿车，收入情况与公示不符",
        "name": "",
        "contact": "",
        "homepage": "",
        "stamp": forms_public.make_stamp(notice.token),
        **fields,
    }
    return client.post(f"/notices/{notice.token}/", data, REMOTE_ADDR=ip)


def test_objection_lodged_during_the_period_blocks_the_next_step(
    posted, patient, staff, monkeypatch
):
    notice, households, procedures = posted
    response = lodge(Client(), notice, procedures[0].pk, name="李四", contact="村东头")
    assert response.status_code == 302
    assert response["Location"] == f"/notices/{notice.token}/#objection"
    objection = Objection.objects.get()
    assert (objection.procedure, objection.notice, objection.channel, objection.status) == (
        procedures[0],
        notice,
        Channel.PUBLIC,
        ObjectionStatus.OPEN,
    )
    assert (objection.name, objection.contact) == ("李四", "村东头")
    assert objection.client == services.client_key("10.0.0.1")

    client = Client()
    response = lodge(client, notice, procedures[1].pk, ip="10.0.0.2")
    second = Objection.objects.get(procedure=procedures[1])
    page = client.get(response["Location"]).content.decode()
    # The receipt, not the row id: random, 12 digits, read out in groups of four.
    assert re.fullmatch(r"\d{12}", second.receipt)
    number = receipts.format_receipt(second.receipt)
    assert f"您的异议已提交，村委会和乡镇将核实处理。受理编号：{number}（" in page

    # After the period: the households with an open objection cannot go on.
    monkeypatch.setattr(services, "today", lambda: datetime.date(2019, 1, 20))
    with pytest.raises(ValidationError) as refused:
        services.take_step(
            [procedures[0]],
            StepId.TOWNSHIP_REVIEW,
            EVIDENCE[StepId.TOWNSHIP_REVIEW],
            acting_user=staff.township,
        )
    assert households[0].number in str(refused.value)
    assert "有未处理的异议" in str(refused.value)
    procedures[0].refresh_from_db()
    assert procedures[0].state == StepId.NOTICE


def test_objections_are_refused_outside_the_period(posted, patient, monkeypatch):
    notice, households, procedures = posted
    for day in (datetime.date(2019, 1, 4), datetime.date(2019, 1, 12)):
        monkeypatch.setattr(services, "today", lambda day=day: day)
        response = lodge(Client(), notice, procedures[0].pk)
        assert response.status_code == 400
        assert "当前不在公示期内" in response.content.decode()
    assert not Objection.objects.exists()


def test_honeypot_pretends_success_and_stores_nothing(posted, patient):
    notice, households, procedures = posted
    response = lodge(Client(), notice, procedures[0].pk, homepage="http://spam.example")
    assert response.status_code == 302
    assert not Objection.objects.exists()


@pytest.mark.parametrize(
    ("age", "stamp", "message"),
    [
        (0, None, "提交过快"),  # a robot posts at once
        (2, None, "提交过快"),
        (25 * 3600, None, "页面已过期"),  # a stamp from yesterday's page
        (10, "forged", "页面已过期"),
        (10, "", "页面已过期"),  # no stamp at all
    ],
)
def test_the_time_stamp_must_be_genuine_and_between_3_seconds_and_a_day(
    posted, monkeypatch, age, stamp, message
):
    notice, households, procedures = posted
    monkeypatch.setattr(forms_public, "now", lambda: time.time() + age)
    fields = {}
    if stamp == "forged":
        real = forms_public.make_stamp(notice.token)
        fields["stamp"] = real[:-2] + ("AA" if not real.endswith("AA") else "BB")
    elif stamp == "":
        fields["stamp"] = ""
    response = lodge(Client(), notice, procedures[0].pk, **fields)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "该户家中新购小轿车" in page  # what was written is kept for a resubmission
    fresh = re.search(r'name="stamp" value="([^"]+)"', page).group(1)
    assert fresh != fields.get("stamp")
    assert not Objection.objects.exists()


def test_a_stamp_of_another_notice_is_refused(posted, patient):
    notice, households, procedures = posted
    other = forms_public.make_stamp(uuid.uuid4())
    response = lodge(Client(), notice, procedures[0].pk, stamp=other)
    assert response.status_code == 400
    assert not Objection.objects.exists()


def test_fourth_objection_within_an_hour_from_one_client_is_429(posted, patient):
    notice, households, procedures = posted
    for _ in range(3):
        assert lodge(Client(), notice, procedures[0].pk).status_code == 302
    response = lodge(Client(), notice, procedures[1].pk)
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert Objection.objects.count() == 3
    # Another client is not affected.
    assert lodge(Client(), notice, procedures[1].pk, ip="10.0.0.9").status_code == 302
    assert Objection.objects.count() == 4


def test_only_a_row_of_this_notice_can_be_objected_to(posted, patient):
    notice, households, procedures = posted
    not_posted = procedures[2]  # same batch, not on the notice
    for value in (not_posted.pk, 999999, "abc", ""):
        response = lodge(Client(), notice, value)
        assert response.status_code == 400
    assert not Objection.objects.exists()


def test_too_short_a_reason_is_refused_by_the_service(posted, patient):
    notice, households, procedures = posted
    response = lodge(Client(), notice, procedures[0].pk, text="不对")
    assert response.status_code == 400
    assert "至少 5 个字" in response.content.decode()
    assert not Objection.objects.exists()


def test_csrf_is_enforced(posted, patient):
    notice, households, procedures = posted
    client = Client(enforce_csrf_checks=True)
    assert lodge(client, notice, procedures[0].pk).status_code == 403
    assert not Objection.objects.exists()
    page = client.get(f"/notices/{notice.token}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = lodge(client, notice, procedures[0].pk, csrfmiddlewaretoken=token)
    assert response.status_code == 302
    assert Objection.objects.count() == 1
