"""我的导出 (issue #13 item 4): paged with the shared pager, and a job's filter in readable words
(贫困户状态 = 未脱贫), not the filter's names and codes (status = registered)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jingzhun.exports import views
from jingzhun.exports.models import ExportJob
from jingzhun.registry.exports import HOUSEHOLDS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(village):
    return UserFactory(role="county_admin", area=village.parent.parent)


def job(owner, **parameters) -> ExportJob:
    return ExportJob.objects.create(
        owner=owner, kind=HOUSEHOLDS.name, parameters=parameters, status="queued"
    )


def test_the_list_is_paged_newest_first(client, owner, monkeypatch):
    monkeypatch.setattr(views, "JOBS_PER_PAGE", 2)
    jobs = [job(owner) for _ in range(5)]
    client.force_login(owner)
    first = client.get(reverse("export-list")).content.decode()
    assert re.findall(r'<tr id="export-(\d+)"', first) == [str(j.pk) for j in jobs[::-1][:2]]
    assert "共 5 条 · 第 1 / 3 页" in first
    last = client.get(reverse("export-list"), {"page": 3}).content.decode()
    assert re.findall(r'<tr id="export-(\d+)"', last) == [str(jobs[0].pk)]


def test_a_household_exports_filter_is_shown_in_the_pages_words(client, owner, village):
    item = job(owner, status=["registered", "relapsed"], area=[village.code], q=[""])
    assert item.parameter_items() == [
        ("区划代码", village.code),
        ("贫困户状态", "未脱贫、返贫"),
    ]
    client.force_login(owner)
    page = client.get(reverse("export-list")).content.decode()
    assert "贫困户状态 = 未脱贫、返贫" in page
    assert "status = " not in page and "registered" not in page
    detail = client.get(reverse("export-detail", args=[item.pk])).content.decode()
    assert "贫困户状态 = 未脱贫、返贫" in detail
