"""Public notices (公示): what they list, the public page without login, the PDF, and the
property that no notice ever shows an ID number, a phone number or an income figure."""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingzhun.procedures import notices, services
from jingzhun.procedures.flows import Kind, ReasonCategory, StepId
from jingzhun.procedures.models import Batch, Notice, Procedure
from jingzhun.registry.choices import Health
from jingzhun.registry.models import Helper, Person
from tests.factories import HouseholdFactory, IncomeFactory, PersonFactory, area_chain, id_number
from tests.procedures.builders import TODAY, advance, exit_batch, meeting_household
from tests.procedures.pdftext import pdf_response_text, pdf_text

pytestmark = pytest.mark.django_db

ID_NUMBER = re.compile(r"\d{17}[\dXx]")
PHONE = re.compile(r"1[3-9]\d{9}")


def set_members(household, head: str, others: list[str]) -> None:
    """Rename the head and make the other members exactly `others` (after the proposal: the
    notice reads the household as it is when shown)."""
    Person.objects.filter(household=household, relation="head").update(name=head)
    Person.objects.filter(household=household).exclude(relation="head").delete()
    for name in others:
        PersonFactory(household=household, relation="son", name=name)


@pytest.fixture
def posted(staff, monkeypatch):
    """Three households of an exit batch on notice (2019-01-05 to 2019-01-11; today 01-10)."""
    village = staff.village_op.area
    households = [meeting_household(village) for _ in range(3)]
    procedures = exit_batch(village, staff, households)
    advance(procedures, StepId.NOTICE, staff, monkeypatch)
    set_members(households[0], "张三", [])
    set_members(households[1], "欧阳娜娜", ["欧阳一", "欧阳二", "欧阳三"])
    set_members(households[2], "王小明", ["王一"])
    return procedures[0].notice, households, procedures


def test_content_lists_masked_heads_sizes_kinds_and_reasons(posted, staff):
    notice, households, procedures = posted
    content = notices.notice_content(notice)
    rows = [(r.line, r.procedure, r.name, r.size, r.change, r.reason) for r in content.rows]
    assert rows == [
        (1, procedures[0].pk, "张*", 1, "贫困户退出", "达到脱贫标准"),
        (2, procedures[1].pk, "欧**娜", 4, "贫困户退出", "达到脱贫标准"),
        (3, procedures[2].pk, "王*明", 2, "贫困户退出", "达到脱贫标准"),
    ]
    village = staff.village_op.area
    assert content.title == "100镇201村2018年贫困户退出公示"
    assert content.area == village.full_name()
    assert content.issuer == "100镇201村村民委员会"
    assert (content.start, content.end, content.days) == (
        datetime.date(2019, 1, 5),
        datetime.date(2019, 1, 11),
        7,
    )
    assert (content.place, content.contact) == ("村委会公示栏", "向村委会或乡镇扶贫办反映")
    assert not content.is_village_exit


def test_content_is_three_queries_however_long_the_list(posted, django_assert_num_queries):
    notice, households, procedures = posted
    with django_assert_num_queries(3):  # notice with batch and area, the rows, the area's names
        content = notices.notice_content(notice)
    assert len(content.rows) == 3


def test_content_only_lists_this_notices_procedures(posted, staff, monkeypatch):
    """Another batch's notice (a second village) is not listed; rows are per notice."""
    notice, households, procedures = posted
    other_village = area_chain(village="202")
    other = HouseholdFactory(village=other_village, status="applicant")
    PersonFactory(household=other, name="赵六")
    batch = Batch.objects.create(kind=Kind.ENTRY, area=other_village, year=2018, title="x")
    other_notice = Notice.objects.create(
        batch=batch, title="y", start=TODAY, end=TODAY, place="p", contact="c"
    )
    Procedure.objects.create(
        batch=batch,
        kind=Kind.ENTRY,
        household=other,
        village=other_village,
        state=StepId.NOTICE,
        state_since=timezone.now(),
        reason=ReasonCategory.BELOW_LINE,
        notice=other_notice,
    )
    assert [r.name for r in notices.notice_content(notice).rows] == ["张*", "欧**娜", "王*明"]
    (row,) = notices.notice_content(other_notice).rows
    assert (row.name, row.size, row.change, row.reason) == (
        "赵*",
        1,
        "贫困户识别纳入",
        "符合识别标准",
    )


def test_village_exit_lists_villages_and_is_signed_by_the_township(staff):
    """Built directly (a village-level verdict needs a whole county's data): the reading side."""
    village = staff.village_op.area
    township = village.parent
    batch = Batch.objects.create(kind=Kind.VILLAGE_EXIT, area=township, year=2018, title="x")
    notice = Notice.objects.create(
        batch=batch,
        title="100镇2018年贫困村出列公示",
        start=TODAY,
        end=TODAY,
        place="乡镇政府",
        contact="乡镇扶贫办",
    )
    Procedure.objects.create(
        batch=batch,
        kind=Kind.VILLAGE_EXIT,
        village=village,
        state=StepId.NOTICE,
        state_since=timezone.now(),
        reason=ReasonCategory.VILLAGE_MEETS,
        notice=notice,
    )
    content = notices.notice_content(notice)
    assert [(r.name, r.size, r.change, r.reason) for r in content.rows] == [
        (village.name, None, "贫困村出列", "达到贫困村出列标准")
    ]
    assert content.is_village_exit
    assert content.area == township.full_name()
    assert content.issuer == "100镇人民政府"
    page = Client().get(f"/notices/{notice.token}/").content.decode()
    assert village.name in page and "家庭人口" not in page


def test_a_notice_text_that_looks_like_a_phone_number_is_refused(posted):
    """The last gate: even text that bypassed the notice step's check is never published."""
    notice, households, procedures = posted
    Notice.objects.filter(pk=notice.pk).update(contact="请拨打 13812345678")
    with pytest.raises(notices.UnsafeNotice) as refused:
        notices.notice_content(notice)
    assert "13812345678" not in str(refused.value)  # the message names the field only
    with pytest.raises(notices.UnsafeNotice):
        Client().get(f"/notices/{notice.token}/")
    Person.objects.filter(household=households[0], relation="head").update(
        name="53252719800101001X"
    )
    Notice.objects.filter(pk=notice.pk).update(contact="村委会")
    assert notices.notice_content(notice).rows[0].name == "5****************X"


def test_page_is_public_and_not_cached_or_indexed(posted):
    notice, households, procedures = posted
    response = Client().get(f"/notices/{notice.token}/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("100镇201村2018年贫困户退出公示", "张*", "欧**娜", "王*明", "达到脱贫标准"):
        assert text in page
    for full_name in ("张三", "欧阳娜娜", "王小明"):
        assert full_name not in page
    assert f'href="/notices/{notice.token}/pdf/"' in page
    assert 'name="text"' in page  # the objection form: today (01-10) is in the period
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # No staff navigation, no user menu.
    assert "/registry/" not in page and "logout" not in page


def test_page_outside_the_period_says_when_objections_are_accepted(posted, monkeypatch):
    notice, households, procedures = posted
    monkeypatch.setattr(services, "today", lambda: datetime.date(2019, 1, 12))
    page = Client().get(f"/notices/{notice.token}/").content.decode()
    assert 'name="text"' not in page
    assert "公示期已于 2019年1月11日 结束" in page
    monkeypatch.setattr(services, "today", lambda: datetime.date(2019, 1, 4))
    page = Client().get(f"/notices/{notice.token}/").content.decode()
    assert 'name="text"' not in page
    assert "公示期自 2019年1月5日 开始" in page


def test_unknown_token_is_404(posted):
    token = uuid.uuid4()
    assert Client().get(f"/notices/{token}/").status_code == 404
    assert Client().get(f"/notices/{token}/pdf/").status_code == 404
    assert Client().get("/notices/1/").status_code == 404  # not by number either


def test_pdf_is_the_notice_in_chinese(posted, staff):
    notice, households, procedures = posted
    response = Client().get(f"/notices/{notice.token}/pdf/")
    text = pdf_response_text(response)
    village = staff.village_op.area
    for expected in (village.name, "张*", "欧**娜", "王*明", "贫困户退出", "达到脱贫标准"):
        assert expected in text
    assert "100镇201村村民委员会" in text and "2019年1月5日" in text
    assert "张三" not in text and "欧阳娜娜" not in text
    assert "Noto Sans CJK SC" in text  # the font named in the file (its descriptor)


def test_pdf_fetches_nothing():
    """The fetcher given to WeasyPrint refuses every URL, and stops the rendering."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    html = '<img src="http://example.invalid/x.png"><link rel=stylesheet href="file:///etc/x">'
    with pytest.raises(FatalURLFetchingError):
        weasyprint.HTML(string=html, url_fetcher=notices._refusing_fetcher()).write_pdf()


# --- the acceptance property --------------------------------------------------------------------

# Names from characters that appear in no fixed text of the page or the PDF, so a full name found
# there can only be a leak (one-character names are shown as they are: 单字名不打码).
NAME = st.text(alphabet="甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥", min_size=1, max_size=4)
# Five and six figures: no date, year, count or line number on a notice has as many digits.
MONEY = st.decimals(min_value=20000, max_value=999999, places=2)
HOUSEHOLD = st.fixed_dictionaries(
    {
        "head": NAME,
        "others": st.lists(NAME, max_size=3),
        "birth": st.dates(datetime.date(1930, 1, 1), datetime.date(2010, 12, 31)),
        "phone": st.from_regex(r"1[3-9]\d{9}", fullmatch=True),
        "helper_phone": st.from_regex(r"1[3-9]\d{9}", fullmatch=True),
        "wage": MONEY,
        "operating": MONEY,
        "property": MONEY,
        "counted": st.integers(1, 6),
        "health": st.sampled_from(Health.values),
    }
)
# Kinds whose proposal cites no assessment run (a run per example would cost seconds).
KIND = st.sampled_from(
    [
        (Kind.ENTRY, "applicant", ReasonCategory.BELOW_LINE, {"source": "survey"}),
        (Kind.RELAPSE, "exited", ReasonCategory.RELAPSED, {"source": "visit"}),
        (Kind.DEREGISTRATION, "registered", ReasonCategory.DEATH, {}),
        (Kind.DEREGISTRATION, "registered", ReasonCategory.MOVED, {}),
        (Kind.DEREGISTRATION, "registered", ReasonCategory.WRONG, {}),
    ]
)


def money_strings(value: Decimal) -> set[str]:
    """The ways a figure could be printed: 12345.67, 12,345.67, 12345, 12,345 (and rounded)."""
    whole = int(value)
    rounded = int(value.quantize(Decimal("1")))
    return {f"{value:.2f}", f"{value:,.2f}", f"{whole}", f"{whole:,}", f"{rounded}", f"{rounded:,}"}


def leaks(text: str, figures: set[str]) -> list[str]:
    found = ID_NUMBER.findall(text) + PHONE.findall(text)
    for figure in figures:
        if re.search(rf"(?<![0-9A-Za-z]){re.escape(figure)}(?![0-9A-Za-z])", text):
            found.append(figure)
    return found


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(households=st.lists(HOUSEHOLD, min_size=1, max_size=4), kind=KIND)
def test_no_notice_shows_an_id_number_phone_or_income(staff, monkeypatch, households, kind):
    kind, status, reason, proposal_evidence = kind
    village = staff.village_op.area
    with transaction.atomic():  # each example's rows are rolled back at its end
        created, figures, names = [], set(), []
        for data in households:
            household = HouseholdFactory(village=village, status=status, phone=data["phone"])
            Helper.objects.create(
                household=household, name="帮扶人", unit="县农业局", phone=data["helper_phone"]
            )
            for index, name in enumerate([data["head"], *data["others"]]):
                PersonFactory(
                    household=household,
                    name=name,
                    relation="head" if index == 0 else "son",
                    birth_date=data["birth"],
                    id_number=id_number(data["birth"]),
                    health=data["health"],
                )
            income = IncomeFactory(
                household=household,
                year=2018,
                members_count=data["counted"],
                wage_income=data["wage"],
                operating_income=data["operating"],
                operating_expenses=Decimal("0"),
                property_income=data["property"],
            )
            for value in (
                income.wage_income,
                income.operating_income,
                income.property_income,
                income.net_income,
                income.income_per_capita,
            ):
                figures |= money_strings(Decimal(value))
            created.append(household)
            names += [data["head"], *data["others"]]
        batch = services.open_batch(kind, village, 2018, acting_user=staff.village_op)
        procedures = services.propose(
            batch,
            [
                services.Proposal(
                    household=h, reason=reason, evidence={"date": "2019-01-01", **proposal_evidence}
                )
                for h in created
            ],
            acting_user=staff.village_op,
        )
        advance(procedures, StepId.NOTICE, staff, monkeypatch)
        notice = Notice.objects.get(pk=procedures[0].notice_id)
        page = Client().get(f"/notices/{notice.token}/").content.decode()
        pdf = Client().get(f"/notices/{notice.token}/pdf/").content
        text = pdf_text(pdf)

        content = notices.notice_content(notice)
        assert len(content.rows) == len(created)
        for document in (page, text, text.replace("\n", "")):
            assert leaks(document, figures) == []
            for name in names:
                if len(name) > 1:
                    assert name not in document
            healths = [str(Health(h).label) for h in Health.values if h != Health.HEALTHY]
            assert not [label for label in healths if label in document]
        # Not vacuous: the reader sees the notice.
        assert village.name in text and all(row.name in text for row in content.rows)
        transaction.set_rollback(True)
