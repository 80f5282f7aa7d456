"""A run is a snapshot of its data date (issue #11 item 12): a household that moves afterwards
stays under its old village in the old run (rows, counts, workbook), unlinked for a user who can
no longer open it; new runs show it under its new village."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jingzhun.assessment import reports
from jingzhun.assessment.models import Verdict
from jingzhun.registry import services as registry
from tests.factories import UserFactory
from tests.procedures.builders import assess, meeting_household

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_household_that_moved_stays_in_the_old_run_of_its_old_village(
    village, other_village, county_admin
) -> None:
    moving = meeting_household(village)
    staying = meeting_household(village)
    old_run = assess(village, county_admin)
    counts = dict(old_run.counts)
    summary = [(s.level, s.entities, s.met) for s in reports.summary(old_run, county_admin)]
    old_user = UserFactory(role="village_operator", area=village)
    new_user = UserFactory(role="village_operator", area=other_village)

    registry.update_household(moving, {"village": other_village}, acting_user=county_admin)

    old_run.refresh_from_db()
    assert old_run.counts == counts
    assert [(s.level, s.entities, s.met) for s in reports.summary(old_run, county_admin)] == summary
    verdict = Verdict.objects.get(run=old_run, level="household", entity=str(moving.pk))
    assert verdict.area_code == village.code

    # The old village still sees the row of its snapshot, without a link it could not follow.
    old = client_of(old_user)
    html = old.get(reverse("assessment-list", args=[old_run.pk])).content.decode()
    assert moving.number in html and staying.number in html
    assert reverse("household-detail", args=[moving.pk]) not in html
    assert reverse("household-detail", args=[staying.pk]) in html
    assert "评估后已迁出您的辖区" in html
    assert "的评估快照；此后迁移的户按评估时所在村显示。" in html
    assert old.get(reverse("household-detail", args=[moving.pk])).status_code == 404
    run_page = old.get(reverse("assessment-run", args=[old_run.pk])).content.decode()
    assert 'id="snapshot-note"' in run_page
    workbook = load_workbook(
        io.BytesIO(old.get(reverse("assessment-list-xlsx", args=[old_run.pk])).content)
    )
    assert {row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)} == {
        moving.number,
        staying.number,
    }

    # The new village: not in the old run (it was not theirs then), in every new run.
    new = client_of(new_user)
    html = new.get(reverse("assessment-list", args=[old_run.pk])).content.decode()
    assert moving.number not in html
    new_run = assess(village, county_admin)
    html = new.get(reverse("assessment-list", args=[new_run.pk])).content.decode()
    assert reverse("household-detail", args=[moving.pk]) in html
    assert "评估后已迁" not in html
    html = old.get(reverse("assessment-list", args=[new_run.pk])).content.decode()
    assert moving.number not in html and staying.number in html

    # Comparing the two runs, the old village sees the household in the old run only, unlinked.
    query = f"?a={old_run.pk}&b={new_run.pk}&level=household&change=only_a"
    html = old.get(reverse("assessment-compare") + query).content.decode()
    assert moving.number in html
    assert reverse("household-detail", args=[moving.pk]) not in html


def test_a_move_inside_the_users_area_keeps_the_link(village, other_village, county_admin) -> None:
    moving = meeting_household(village)
    old_run = assess(village, county_admin)

    registry.update_household(moving, {"village": other_village}, acting_user=county_admin)

    html = (
        client_of(county_admin).get(reverse("assessment-list", args=[old_run.pk])).content.decode()
    )
    assert reverse("household-detail", args=[moving.pk]) in html
    assert "评估后已迁至其他村" in html
