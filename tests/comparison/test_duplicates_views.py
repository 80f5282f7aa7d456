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
from django.utils import timezone

from jingzhun.audit.models import AuditEntry
from jingzhun.comparison.duplicates.detection import find_duplicates
from jingzhun.comparison.models import DuplicatePair
from jingzhun.registry.models import Household, Person, StatusChange
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

    # The request only starts it (a province takes minutes): the task worker detects. Until
    # it has, the page says a detection is under way (also to a village user of the county)
    # and the button waits.
    assert "已在后台开始查找疑似重复" in page and not DuplicatePair.objects.exists()
    assert 'id="last-found"' not in page
    assert 'id="detection-pending"' in page and "disabled>" in page
    login(client, UserFactory(role="village_operator", area=village))
    assert 'id="detection-pending"' in client.get(reverse("comparison-duplicates")).content.decode()
    login(client, county_admin)
    task_worker().run()
    assert DuplicatePair.objects.count() == 1
    entry = AuditEntry.objects.get(model="comparison.duplicatepair", action="create")
    assert entry.actor == county_admin
    page = client.get(reverse("comparison-duplicates")).content.decode()
    assert 'id="last-found"' in page and 'id="detection-pending"' not in page


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


def split_households(village) -> dict[str, object]:
    """A son keyed again as the head of a new household a month after his parents' household
    exited; the new household also holds his wife. One household pair (and one person pair)."""
    old = HouseholdFactory(village=village, status="exited")
    StatusChange.objects.create(
        household=old, date=timezone.localdate() - datetime.timedelta(days=30),
        old_status="registered", new_status="exited", reason="脱贫",
    )  # fmt: skip
    people = {
        "father": PersonFactory(household=old, name="王五", birth_date=BORN.replace(year=1950)),
        "son": PersonFactory(household=old, name="王小", relation="son", birth_date=BORN),
    }
    new = HouseholdFactory(village=village)
    people["again"] = PersonFactory(household=new, name="王小", birth_date=BORN)
    people["wife"] = PersonFactory(
        household=new, name="张丽", relation="spouse", sex="female",
        birth_date=BORN.replace(year=1982),
    )  # fmt: skip
    find_duplicates()
    return {"old": old, "new": new, "pair": DuplicatePair.objects.get(kind="household"), **people}


def test_a_household_pair_shows_both_households_members_masked(client, county_admin, village):
    split = split_households(village)
    login(client, county_admin)
    url = reverse("comparison-duplicate", args=[split["pair"].pk])

    page = client.get(url).content.decode()

    for name in ("王五", "王小", "张丽"):
        assert name not in page
    for person in ("father", "son", "again", "wife"):
        number = split[person].id_number
        assert number not in page and f"{number[:6]}********{number[-4:]}" in page
    first = page.index('id="members-first"')
    second = page.index('id="members-second"')
    assert split["old"].number in page[first:second] and split["new"].number in page[second:]
    # The registered household is kept by default; the other's members get the choices, the
    # son keyed again suggested as the duplicate of the son of the kept household.
    assert f"{split['new'].number}（合并后销号）" in page
    cards = page[page.index('id="merge-members"') :]
    assert f'id="merge-member-{split["again"].pk}"' in cards
    assert f'id="merge-member-{split["son"].pk}"' not in cards
    assert "疑似与保留户的王*（之子）为同一人" in cards
    assert re.search(f'name="member_{split["again"].pk}"[^>]*>\\s*<option value="move">'
                     '[^<]*</option>\\s*<option value="drop" selected>', cards)  # fmt: skip
    # The other choice of household to keep.
    page = client.get(url, {"keep": split["new"].pk}).content.decode()
    cards = page[page.index('id="merge-members"') :]
    assert f'id="merge-member-{split["father"].pk}"' in cards
    assert f'id="merge-member-{split["again"].pk}"' not in cards
    # Another head: the reviewer names each mover's relation to the kept head.
    assert re.search(
        f'name="relation_{split["son"].pk}"[^>]*>\\s*<option value="" selected>', cards
    )


def test_merge_two_households_on_the_page(client, county_admin, village):
    split = split_households(village)
    login(client, county_admin)
    url = reverse("comparison-duplicate", args=[split["pair"].pk])
    again, wife = split["again"].pk, split["wife"].pk

    response = client.post(url, {
        "action": "merge-households", "keep": split["old"].pk, "note": "合回原户",
        f"member_{again}": "drop", f"relation_{again}": "",
        f"member_{wife}": "move", f"relation_{wife}": "daughter_in_law",
    })  # fmt: skip

    assert response.status_code == 302
    pair = DuplicatePair.objects.get(pk=split["pair"].pk)
    assert pair.status == "merged" and pair.shown["merge"]["dropped"] == [again]
    assert Person.objects.get(pk=wife).household_id == split["old"].pk
    assert Household.objects.get(pk=split["new"].pk).status == "deregistered"
    page = client.get(url).content.decode()
    assert "已合并" in page and 'id="household-merge-form"' not in page
    assert f"保留户 {split['old'].number}；户 {split['new'].number} 迁入 1 人" in page
    assert f"{split['new'].number}（已合并销号）" in page  # the members as they were
    members = page[page.index('id="members-second"') :]
    assert members.count("<tr><td>") == 2 and "张*" in members


def test_a_refused_household_merge_names_the_member_and_changes_nothing(
    client, county_admin, village
):
    split = split_households(village)
    login(client, county_admin)
    again, wife = split["again"].pk, split["wife"].pk

    page = client.post(reverse("comparison-duplicate", args=[split["pair"].pk]), {
        "action": "merge-households", "keep": split["old"].pk,
        f"member_{again}": "drop", f"member_{wife}": "move", f"relation_{wife}": "",
    })  # fmt: skip

    assert page.status_code == 200
    assert "成员 张*（配偶）：请选择迁入后与户主的关系" in page.content.decode()
    assert DuplicatePair.objects.get(pk=split["pair"].pk).status == "open"
    assert Person.objects.filter(pk=again).exists()
    assert Person.objects.get(pk=wife).household_id == split["new"].pk


def test_merging_households_outside_the_users_scope_is_refused(
    client, village, other_village, viewer
):
    split = split_households(village)
    url = reverse("comparison-duplicate", args=[split["pair"].pk])
    again, wife = split["again"].pk, split["wife"].pk
    data = {
        "action": "merge-households", "keep": split["old"].pk,
        f"member_{again}": "drop", f"member_{wife}": "move", f"relation_{wife}": "daughter_in_law",
    }  # fmt: skip

    login(client, viewer)  # sees the pair, may not decide
    assert 'id="household-merge-form"' not in client.get(url).content.decode()
    assert client.post(url, data).status_code == 403
    login(client, UserFactory(role="village_operator", area=other_village))
    assert client.post(url, data).status_code == 404  # not even visible

    assert DuplicatePair.objects.get(pk=split["pair"].pk).status == "open"
    assert Person.objects.filter(household=split["new"]).count() == 2


def test_the_household_pair_page_fits_a_390_px_phone(client, county_admin, village):
    split = split_households(village)
    login(client, county_admin)

    page = client.get(reverse("comparison-duplicate", args=[split["pair"].pk])).content.decode()

    assert page.count("<table") == page.count('<div class="table-scroll">\n<table') == 3
    main = page[page.index("<main") : page.index("</main>")]
    assert not re.search(r'style="[^"]*width|width="\d', main)
    assert not re.search(r'(cols|size)="(\d{3,}|[5-9]\d)"', main)
    assert 'class="cards" id="household-members"' in main  # two columns wide, one on a phone
    assert len(re.findall(r'<form method="post" class="panel task-form"', main)) == 3
