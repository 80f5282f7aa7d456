"""Fuzzy linkage (issue #12 item 3): rows without a valid ID number are linked on name, birth
date and area with a score, shown as possible, and used by the rules only once a person of the
person's area confirmed them (page and service: scoped, audited)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from jingzhun import idcodes
from jingzhun.audit.models import AuditEntry
from jingzhun.comparison.choices import LinkStatus, Method
from jingzhun.comparison.findings import evaluate
from jingzhun.comparison.linkage import fuzzy, services
from jingzhun.comparison.linkage.linking import link_datasets
from jingzhun.comparison.loading import load_dataset
from jingzhun.comparison.models import Dataset, RowLink
from tests.comparison.conftest import sheet
from tests.factories import HouseholdFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

BORN = datetime.date(1975, 3, 2)
HEADER = ["证件号码", "姓名", "出生日期", "所在村区划代码", "救助类别", "月保障金额（元）",
          "家庭年人均收入（元）", "起始日期", "状态"]  # fmt: skip


def failing(number: str) -> str:
    """The number with a wrong check digit (its birth date digits intact)."""
    wrong = "0" if number[-1] != "0" else "1"
    assert not idcodes.is_valid(number[:17] + wrong)
    return number[:17] + wrong


@pytest.fixture
def listed(village, other_village):
    """张三 (village) and 李四 (other township), both born on BORN, and a dibao list without
    usable numbers: 张三 by name, birth date and village; 李四 by a number failing its check;
    王五 (same block, another name) and 章三 (same initials, another township) nobody."""
    zhang = PersonFactory(household=HouseholdFactory(village=village), name="张三", birth_date=BORN)
    li = PersonFactory(
        household=HouseholdFactory(village=other_village), name="李四", birth_date=BORN
    )
    clerk = UserFactory(role="county_admin", area=village.parent.parent)
    rows = [
        ["", "张三", "1975-03-02", village.code, "低保", 300, 2500, "2017-01-01", "在保"],
        [failing(li.id_number), "李四", "", "", "低保", 300, 2500, "2017-01-01", "在保"],
        ["", "王五", "1975-03-02", village.code, "低保", 300, 2500, "2017-01-01", "在保"],
        ["", "章三", "1975-03-02", other_village.code, "低保", 300, 2500, "2017-01-01", "在保"],
    ]
    result = load_dataset(
        sheet(HEADER, rows), kind="assistance", year=2019, acting_user=clerk, name="低保.xlsx"
    )
    assert result.ok, result.errors
    return zhang, li, clerk, result


def rule_hits(rule: str) -> set[tuple]:
    return {(f.person_id, f.values.get("name")) for f in evaluate("national-2016", year=2019)
            if f.rule.id == rule}  # fmt: skip


def test_rows_without_a_valid_number_get_scored_possible_links(listed):
    zhang, li, _clerk, result = listed

    links = {
        (link.dataset_row.row, link.person_id): link
        for link in RowLink.objects.select_related("dataset_row")
    }

    assert set(links) == {(2, zhang.pk), (3, li.pk)}  # rows 2 and 3 of the sheet
    assert result.links.possible == 2 and result.unkeyed == 4
    by_name = links[(2, zhang.pk)]
    assert (by_name.method, by_name.status, by_name.area_code) == (
        Method.FUZZY, LinkStatus.POSSIBLE, zhang.household.village_id,
    )  # fmt: skip
    # Hanzi and village agree: prior odds 1/9 × 900 × 80.
    assert by_name.score == pytest.approx(8000 / 8001, abs=1e-4)
    # Hanzi agrees, the row has no village: 1/9 × 900 → 0.990.
    assert links[(3, li.pk)].score == pytest.approx(100 / 101, abs=1e-4)


def test_the_failed_numbers_birth_date_is_read_from_its_digits():
    assert fuzzy.digits_birth_date("53252719750302001X") == BORN
    assert fuzzy.digits_birth_date("53252719751302001X") is None
    assert fuzzy.digits_birth_date("") is None


def test_only_a_confirmed_link_feeds_the_rules(listed):
    zhang, li, clerk, _result = listed
    # Possible links change nothing: 张三's row is joined to nobody; 李四's failed number still
    # reads as somebody not registered.
    assert rule_hits("dibao_unmarked") == set()
    assert rule_hits("dibao_not_registered") == {(None, "李四")}

    for person in (zhang, li):
        link = RowLink.objects.get(person=person)
        services.decide_link(link, confirm=True, acting_user=clerk)

    assert {p for p, _ in rule_hits("dibao_unmarked")} == {zhang.pk, li.pk}
    assert rule_hits("dibao_not_registered") == set()


def test_a_rejected_link_is_not_offered_again(listed):
    zhang, _li, clerk, result = listed
    link = RowLink.objects.get(person=zhang)

    services.decide_link(link, confirm=False, acting_user=clerk)
    summary = link_datasets(Dataset.objects.filter(pk=result.dataset.pk))

    assert summary.possible == 1  # 李四's row again; 张三's stays rejected
    assert RowLink.objects.get(person=zhang).status == LinkStatus.REJECTED
    assert rule_hits("dibao_unmarked") == set()


def test_the_page_lists_masked_possible_links_and_a_confirmation_is_audited(listed):
    zhang, li, clerk, _result = listed
    client = Client()
    client.force_login(clerk)

    page = client.get("/comparison/links/").content.decode()

    assert "张*" in page and "李*" in page and "张三" not in page
    link = RowLink.objects.get(person=zhang)
    response = client.post(f"/comparison/links/{link.pk}/decide/", {"decision": "confirm"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.status, link.decided_by_id) == (LinkStatus.CONFIRMED, clerk.pk)
    entry = AuditEntry.objects.get(model="comparison.rowlink", object_id=str(link.pk))
    assert entry.actor_id == clerk.pk and entry.area_code == zhang.household.village_id
    assert entry.changes["status"] == ["possible", "confirmed"]
    assert "张*" in entry.message and "张三" not in entry.message


def test_deciding_outside_ones_area_or_without_edit_rights_is_refused(listed, village):
    _zhang, li, _clerk, _result = listed
    link = RowLink.objects.get(person=li)  # 李四 lives in the other township
    operator = UserFactory(role="township_operator", area=village.parent)
    viewer = UserFactory(role="viewer", area=village.parent.parent)
    client = Client()

    client.force_login(operator)
    assert "李*" not in client.get("/comparison/links/").content.decode()
    response = client.post(f"/comparison/links/{link.pk}/decide/", {"decision": "confirm"})
    assert response.status_code == 404
    client.force_login(viewer)
    response = client.post(f"/comparison/links/{link.pk}/decide/", {"decision": "confirm"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.decide_link(link, confirm=True, acting_user=operator)

    link.refresh_from_db()
    assert (link.status, link.decided_by_id) == (LinkStatus.POSSIBLE, None)
    assert not AuditEntry.objects.filter(model="comparison.rowlink", object_id=str(link.pk))


def test_confirming_one_candidate_rejects_the_rows_others(listed, village):
    zhang, _li, clerk, result = listed
    twin = PersonFactory(household=HouseholdFactory(village=village), name="张三", birth_date=BORN)
    link_datasets(Dataset.objects.filter(pk=result.dataset.pk))
    row = RowLink.objects.get(person=zhang).dataset_row
    assert set(row.links.values_list("person_id", flat=True)) == {zhang.pk, twin.pk}

    services.decide_link(row.links.get(person=twin), confirm=True, acting_user=clerk)

    assert dict(row.links.values_list("person_id", "status")) == {
        twin.pk: LinkStatus.CONFIRMED, zhang.pk: LinkStatus.REJECTED,
    }  # fmt: skip
