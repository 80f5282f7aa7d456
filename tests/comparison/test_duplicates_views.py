"""疑似重复 pages and API: scoped list and detail, the county's detection button, decisions on
the side-by-side page, the audited export, and a layout that fits a 390 px phone."""

from __future__ import annotations

import datetime
import io
import itertools
import re

import openpyxl
import pytest
from django.urls import reverse

from jingzhun.audit.models import AuditEntry
from jingzhun.comparison.duplicates.detection import find_duplicates
from jingzhun.comparison.models import DuplicatePair
from jingzhun.registry.models import Person
from tests.factories import HouseholdFactory, PersonFactory, UserFactory
from tests.worker import task_worker

pytestmark = pytest.mark.django_db
BORN = datetime.date(1980, 1, 1)


HEADS = itertools.cycle(["户主甲", "户主乙", "户主丙", "户主丁"])  # each born another year


def twin(village, name: str, relation: str = "head") -> Person:
    household = HouseholdFactory(village=village)
    if relation != "head":
        head = next(HEADS)
        PersonFactory(
            household=household, name=head, relation="head",
            birth_date=BORN.replace(year=1950 + "甲乙丙丁".index(head[-1])),
        )  # fmt: skip
    return PersonFactory(household=household, name=name, birth_date=BORN, relation=relation)


@pytest.fixture
def pairs(village, other_village):
    """A pair inside the village, one inside the other village, one across the two."""
    twin(village, "李四")
    twin(village, "李四", relation="son")
    twin(other_village, "王五")
    twin(other_village, "王五", relation="son")
    twin(village, "赵六")
    twin(other_village, "赵六", relation="son")
    find_duplicates()
    return {p.shown["first"]["name"]: p for p in DuplicatePair.objects.all()}


def login(client, user):
    client.force_login(user)
    return user


def test_a_village_user_sees_only_the_pairs_in_the_village(client, village, pairs):
    login(client, UserFactory(role="village_operator", area=village))

    page = client.get(reverse("comparison-duplicates")).content.decode()

    assert f'id="pair-{pairs["李*"].pk}"' in page
    assert f'id="pair-{pairs["王*"].pk}"' not in page and f'id="pair-{pairs["赵*"].pk}"' not in page
    assert client.get(reverse("comparison-duplicate", args=[pairs["赵*"].pk])).status_code == 404
    api = client.get("/api/duplicate-pairs/").json()
    assert [row["id"] for row in api["results"]] == [pairs["李*"].pk]
    assert client.get(f"/api/duplicate-pairs/{pairs['王*'].pk}/").status_code == 404


def test_the_county_filters_by_township_and_status(client, county_admin, village, pairs):
    login(client, county_admin)

    page = client.get(reverse("comparison-duplicates"), {"township": village.code[:9]})

    text = page.content.decode()
    assert f'id="pair-{pairs["李*"].pk}"' in text
    assert f'id="pair-{pairs["赵*"].pk}"' not in text  # across townships: the county's
    assert "100镇" in text  # the township filter lists the county's townships
    decided = client.get(reverse("comparison-duplicates"), {"status": "merged"}).content.decode()
    assert "没有疑似重复" in decided


def test_the_side_by_side_page_is_masked_and_names_the_differing_positions(
    client, county_admin, pairs
):
    login(client, county_admin)
    pair = pairs["李*"]

    page = client.get(reverse("comparison-duplicate", args=[pair.pk])).content.decode()

    for person in (pair.first_person, pair.second_person):
        assert person.id_number not in page and person.id_number[:6] in page
        assert "李四" not in page
    positions = "、".join(str(p) for p in pair.shown["differing"])
    assert f"证件号码第 {positions} 位不同" in page
    assert 'id="merge-form"' in page and 'id="dismiss-form"' in page


def test_merge_on_the_page(client, county_admin, pairs):
    login(client, county_admin)
    pair = pairs["李*"]
    kept, removed = pair.first_person, pair.second_person

    response = client.post(
        reverse("comparison-duplicate", args=[pair.pk]),
        {"action": "merge", "keep": str(kept.pk), "note": "重复录入"},
    )

    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.status, pair.kept_person_id, pair.removed_person_id) == (
        "merged", kept.pk, removed.pk
    )  # fmt: skip
    assert not Person.objects.filter(pk=removed.pk).exists()
    page = client.get(reverse("comparison-duplicate", args=[pair.pk])).content.decode()
    assert "已合并" in page and 'id="merge-form"' not in page


def test_not_a_duplicate_without_a_reason_is_refused_on_the_page(client, county_admin, pairs):
    login(client, county_admin)
    pair = pairs["李*"]

    page = client.post(
        reverse("comparison-duplicate", args=[pair.pk]), {"action": "dismiss", "reason": ""}
    )

    assert page.status_code == 200 and 'id="dismiss-form"' in page.content.decode()
    assert DuplicatePair.objects.get(pk=pair.pk).status == "open"


def test_a_viewer_gets_no_forms_and_cannot_post(client, viewer, pairs):
    login(client, viewer)
    pair = pairs["李*"]

    page = client.get(reverse("comparison-duplicate", args=[pair.pk])).content.decode()
    assert 'id="dismiss-form"' not in page
    client.post(
        reverse("comparison-duplicate", args=[pair.pk]), {"action": "dismiss", "reason": "x"}
    )
    assert DuplicatePair.objects.get(pk=pair.pk).status == "open"


@pytest.mark.django_db(transaction=True)
def test_a_county_user_starts_a_detection_a_village_user_may_not(client, village, county_admin):
    twin(village, "李四")
    twin(village, "李四", relation="son")
    login(client, UserFactory(role="village_operator", area=village))
    assert client.post(reverse("comparison-duplicates-find")).status_code == 403
    assert not DuplicatePair.objects.exists()

    login(client, county_admin)
    assert 'id="find-duplicates"' in client.get(reverse("comparison-duplicates")).content.decode()
    page = client.post(reverse("comparison-duplicates-find"), follow=True).content.decode()

    # The request only starts it (a province takes minutes): the task worker detects.
    assert "已在后台开始查找疑似重复" in page and not DuplicatePair.objects.exists()
    assert 'id="last-found"' not in page
    task_worker().run()
    assert DuplicatePair.objects.count() == 1
    entry = AuditEntry.objects.get(model="comparison.duplicatepair", action="create")
    assert entry.actor == county_admin
    assert 'id="last-found"' in client.get(reverse("comparison-duplicates")).content.decode()


def test_the_export_is_masked_and_audited(client, county_admin, pairs):
    login(client, county_admin)

    response = client.get(reverse("comparison-duplicates-export"), {"status": "open"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4 and rows[0][0] == "编号"
    assert "李四" not in str(rows) and "李*" in str(rows)
    entry = AuditEntry.objects.get(action="export", model="comparison.duplicatepair")
    assert entry.changes["rows"] == 3


def test_the_pages_fit_a_390_px_phone(client, county_admin, pairs):
    """Server-side: the list is cards, every table of the side-by-side page scrolls inside its
    own box, no element carries a fixed width, and the forms are the phone-sized task forms
    (textareas at 100 % width in site.css)."""
    login(client, county_admin)
    pages = [
        client.get(reverse("comparison-duplicates")).content.decode(),
        client.get(reverse("comparison-duplicate", args=[pairs["李*"].pk])).content.decode(),
    ]
    assert 'class="task-cards" id="duplicates"' in pages[0]
    detail = pages[1]
    assert detail.count("<table") == detail.count('<div class="table-scroll">\n<table') == 1
    for page in pages:
        main = page[page.index("<main") : page.index("</main>")]
        assert not re.search(r'style="[^"]*width|width="\d', main)
        assert not re.search(r'(cols|size)="(\d{3,}|[5-9]\d)"', main)
    assert len(re.findall(r'<form method="post" class="panel task-form"', detail)) == 2
