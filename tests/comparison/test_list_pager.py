"""比对批次 is paged with the shared pager (issue #13 item 4): every run reachable, none dropped
past a fixed count."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jingzhun.comparison import views_runs
from jingzhun.comparison.models import ComparisonRun
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_runs_are_paged_and_scoped(client, village, other_village, monkeypatch):
    monkeypatch.setattr(views_runs, "SHOWN_RUNS", 2)
    county = village.parent.parent
    clerk = UserFactory(role="county_admin", area=county)
    runs = [
        ComparisonRun.objects.create(
            ruleset="r", ruleset_version="1", ruleset_checksum="x", year=2018, area=county
        )
        for _ in range(5)
    ]
    client.force_login(clerk)
    seen = []
    for number in (1, 2, 3):
        page = client.get(reverse("comparison-runs"), {"page": number}).content.decode()
        seen += re.findall(r'<tr id="run-(\d+)"', page)
    assert seen == [str(run.pk) for run in runs[::-1]]
    assert "共 5 条 · 第 3 / 3 页" in page
    outsider = UserFactory(role="village_operator", area=other_village)
    client.force_login(outsider)
    assert not re.findall(r'<tr id="run-', client.get(reverse("comparison-runs")).content.decode())
