"""The objection receipt (受理编号) and its public lookup: random, readable, unique; the lookup
shows the status and the answer of that one objection and nothing else, a wrong number reads
like a missing one, and lookups are limited per client and hour."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from jingzhun.procedures import receipts, services
from jingzhun.procedures.flows import Closed, StepId
from jingzhun.procedures.models import Objection, ReceiptLookup, new_receipt
from tests.procedures.builders import advance, exit_batch, meeting_household

pytestmark = pytest.mark.django_db

URL = "/notices/receipt/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def objections(staff, monkeypatch):
    """Two households on notice (01-05 to 01-11, today 01-10), one public objection to each."""
    village = staff.village_op.area
    households = [meeting_household(village) for _ in range(2)]
    procedures = exit_batch(village, staff, households)
    advance(procedures, StepId.NOTICE, staff, monkeypatch)
    notice = procedures[0].notice
    mine = services.lodge_objection(
        notice, procedures[0], "该户新购小轿车，与公示不符", name="李四", contact="村东头李家"
    )
    theirs = services.lodge_objection(
        notice, procedures[1], "该户常年外出务工收入较高", name="赵六", contact="赵家坝"
    )
    return mine, theirs


def look_up(number: str, *, ip: str = "10.0.0.9", client: Client | None = None):
    return (client or Client()).post(URL, {"receipt": number}, REMOTE_ADDR=ip)


def test_receipts_are_twelve_random_digits_read_in_groups_of_four():
    numbers = {new_receipt() for _ in range(200)}
    assert len(numbers) == 200
    assert all(re.fullmatch(r"\d{12}", n) for n in numbers)
    assert receipts.format_receipt("482109375512") == "4821 0937 5512"
    for typed in ("4821 0937 5512", "4821-0937-5512", "４８２１０９３７５５１２", " 482109375512 "):
        assert receipts.normalise_receipt(typed) == "482109375512"
    for typed in ("", "48210937551", "4821093755123", "48210937551x", "٤٨٢١٠٩٣٧٥٥١٢"):
        assert receipts.normalise_receipt(typed) is None


def test_every_objection_gets_its_own_receipt(objections, staff):
    mine, theirs = objections
    in_person = services.record_objection(
        mine.procedure, "电话反映：该户有经营性收入", acting_user=staff.village_op
    )
    numbers = [o.receipt for o in (mine, theirs, in_person)]
    assert len(set(numbers)) == 3
    assert all(re.fullmatch(r"\d{12}", n) for n in numbers)
    assert sorted(Objection.objects.values_list("receipt", flat=True)) == sorted(numbers)


def test_the_page_without_a_number_is_a_form():
    response = Client().get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="receipt"' in page
    assert "receipt-status" not in page and "receipt-not-found" not in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def test_an_open_objection_during_the_notice_reads_received(objections):
    mine, theirs = objections
    response = look_up(receipts.format_receipt(mine.receipt))
    assert response.status_code == 200
    found = response.context["found"]
    assert found == receipts.ReceiptStatus(
        receipt=receipts.format_receipt(mine.receipt),
        state=receipts.RECEIVED,
        label="已受理，公示期结束后核实处理",
        lodged=found.lodged,
        outcome="",
        answer="",
        decided=None,
    )
    page = response.content.decode()
    assert 'data-state="received"' in page
    assert "已受理，公示期结束后核实处理" in page


def test_after_the_notice_it_is_being_verified(objections, monkeypatch):
    mine, theirs = objections
    monkeypatch.setattr(services, "today", lambda: datetime.date(2019, 1, 12))
    response = look_up(mine.receipt)
    assert response.context["found"].state == receipts.VERIFYING
    assert "正在核实" in response.content.decode()


def test_a_dismissed_objection_shows_the_answer_and_a_removal_closes_it(
    objections, staff, monkeypatch
):
    mine, theirs = objections
    monkeypatch.setattr(services, "today", lambda: datetime.date(2019, 1, 12))
    services.resolve_objection(
        mine, False, "经入户核实，小轿车为其子女所有，不影响认定。", acting_user=staff.township
    )
    found = look_up(mine.receipt).context["found"]
    assert (found.state, found.label, found.outcome, found.answer) == (
        receipts.ANSWERED,
        "已答复",
        "异议不成立",
        "经入户核实，小轿车为其子女所有，不影响认定。",
    )
    assert found.decided is not None

    services.resolve_objection(
        theirs,
        True,
        "经核实，该户人均收入未达标，移出名单。联系人 13812345678。",
        acting_user=staff.township,
    )
    assert theirs.procedure.__class__.objects.get(pk=theirs.procedure_id).state == Closed.REMOVED
    response = look_up(theirs.receipt)
    found = response.context["found"]
    assert (found.state, found.label, found.outcome) == (receipts.CLOSED, "已办结", "异议成立")
    # A phone number a staff member wrote into the finding is not published.
    assert found.answer == "经核实，该户人均收入未达标，移出名单。联系人 ***********。"
    assert "13812345678" not in response.content.decode()


def test_the_status_page_shows_nothing_of_the_objector_the_household_or_others(objections):
    mine, theirs = objections
    page = look_up(mine.receipt).content.decode()
    assert receipts.format_receipt(mine.receipt) in page
    household = mine.procedure.household
    head = household.members.get(relation="head").name
    for private in (
        mine.name,
        mine.contact,
        mine.text,
        head,
        household.number,
        mine.notice.title,
        mine.procedure.village.name,
        theirs.receipt,
        receipts.format_receipt(theirs.receipt),
        theirs.name,
        theirs.text,
    ):
        assert private not in page, private


def test_a_wrong_number_reads_exactly_like_a_missing_or_malformed_one(objections):
    mine, theirs = objections
    wrong = f"{(int(mine.receipt) + 1) % 10**12:012d}"
    assert not Objection.objects.filter(receipt=wrong).exists()
    pages = []
    for number in (wrong, "000000000000", "12345"):
        response = look_up(number)
        assert response.status_code == 200
        assert response.context["found"] is None
        assert 'id="receipt-not-found"' in response.content.decode()
        pages.append(CSRF.sub("", response.content.decode()).replace(number, "#"))
    assert pages[0] == pages[1] == pages[2]


def test_lookups_are_limited_per_client_and_hour(objections):
    mine, theirs = objections
    for _ in range(receipts.LOOKUPS_PER_HOUR):
        assert look_up("000000000000", ip="10.0.0.7").status_code == 200
    refused = look_up(mine.receipt, ip="10.0.0.7")
    assert refused.status_code == 429
    assert refused.context["found"] is None
    assert "查询过于频繁" in refused.content.decode()
    assert "receipt-status" not in refused.content.decode()
    # Another visitor is not affected; only keyed hashes are stored, never an address.
    assert look_up(mine.receipt, ip="10.0.0.8").context["found"] is not None
    clients = set(ReceiptLookup.objects.values_list("client", flat=True))
    assert clients == {services.client_key("10.0.0.7"), services.client_key("10.0.0.8")}
    # An hour later the first visitor may look again; day-old records are dropped.
    ReceiptLookup.objects.update(
        attempted=ReceiptLookup.objects.first().attempted - datetime.timedelta(days=2)
    )
    assert look_up(mine.receipt, ip="10.0.0.7").context["found"] is not None
    assert ReceiptLookup.objects.count() == 1


def test_the_lookup_refuses_a_post_without_csrf(objections):
    mine, theirs = objections
    client = Client(enforce_csrf_checks=True)
    assert look_up(mine.receipt, client=client).status_code == 403


def test_staff_recording_an_objection_in_person_get_the_receipt_to_pass_on(objections, staff):
    mine, theirs = objections
    client = Client()
    client.force_login(staff.village_op)
    response = client.post(
        reverse("procedures-objection-new", args=[mine.procedure.batch_id]),
        {"procedure": mine.procedure_id, "text": "电话反映：该户有经营性收入"},
        follow=True,
    )
    recorded = Objection.objects.get(channel="in_person")
    assert (
        f"受理编号：{recorded.receipt_display}（请告知异议人，可凭此编号查询处理情况）"
        in response.content.decode()
    )
    detail = client.get(reverse("procedures-detail", args=[mine.procedure_id])).content.decode()
    assert f"<td>{recorded.receipt_display}</td>" in detail
    assert f"<td>{mine.receipt_display}</td>" in detail
    assert look_up(recorded.receipt).context["found"].state == receipts.RECEIVED
