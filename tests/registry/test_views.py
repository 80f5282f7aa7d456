"""Registry pages through the Django test client: scope, roles, search, audit, privacy."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from jingzhun import idcodes, masking
from jingzhun.audit.models import Action, AuditEntry
from jingzhun.registry.forms import HouseholdForm, PersonForm
from jingzhun.registry.models import Household, Income, Person
from tests.factories import HouseholdFactory, IncomeFactory, PersonFactory

pytestmark = pytest.mark.django_db


def form_post_data(form) -> dict:
    """What a browser would POST for an unbound form's current values."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if field.widget.input_type == "checkbox" and not isinstance(value, list | tuple):
            if value:
                data[key] = "on"
        elif value is None:
            data[key] = ""
        else:
            data[key] = value
    return data


@pytest.fixture
def household(village):
    household = HouseholdFactory(village=village, number="5325271002010001", hamlet="三组")
    PersonFactory(household=household, name="张三")
    IncomeFactory(household=household, year=2018)
    return household


@pytest.fixture
def foreign(other_village):
    """A household in another township, with a member and an income."""
    household = HouseholdFactory(village=other_village, number="5325271012020001")
    PersonFactory(household=household, name="李四")
    IncomeFactory(household=household, year=2018)
    return household


@pytest.fixture
def operator_client(client, township_operator):
    client.force_login(township_operator)
    return client


def page_urls(household: Household) -> list[str]:
    person = household.members.get()
    return [
        reverse("home"),
        reverse("area-tree"),
        reverse("household-list"),
        reverse("household-create"),
        reverse("household-detail", args=[household.pk]),
        reverse("household-edit", args=[household.pk]),
        reverse("person-create", args=[household.pk]),
        reverse("person-edit", args=[person.pk]),
        reverse("income-edit", args=[household.pk, 2018]),
        reverse("income-edit", args=[household.pk, 2019]),
    ]


def test_every_page_renders_for_an_operator(operator_client, household):
    for url in page_urls(household):
        response = operator_client.get(url)
        assert response.status_code == 200, url


def test_anonymous_is_redirected_to_login(client, household):
    for url in page_urls(household):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_login_page_renders_and_logs_in(client, township_operator):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(
        reverse("login"), {"username": township_operator.username, "password": "pw-123456"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_another_areas_records_answer_404(operator_client, household, foreign):
    person = foreign.members.get()
    gets = [
        reverse("household-detail", args=[foreign.pk]),
        reverse("household-edit", args=[foreign.pk]),
        reverse("person-create", args=[foreign.pk]),
        reverse("person-edit", args=[person.pk]),
        reverse("income-edit", args=[foreign.pk, 2018]),
    ]
    for url in gets:
        assert operator_client.get(url).status_code == 404, url
        assert operator_client.post(url, {}).status_code == 404, url
    reveal = reverse("person-reveal", args=[person.pk])
    assert operator_client.post(reveal, {"reason": "核对"}).status_code == 404
    assert AuditEntry.objects.count() == 0


def test_viewer_gets_403_on_edits_and_nothing_changes(client, viewer, household):
    client.force_login(viewer)
    person = household.members.get()
    before = (
        list(Household.objects.values()),
        list(Person.objects.values()),
        list(Income.objects.values()),
    )
    posts = {
        reverse("household-create"): {"number": "X"},
        reverse("household-edit", args=[household.pk]): {"hamlet": "五组"},
        reverse("person-create", args=[household.pk]): {"name": "王五"},
        reverse("person-edit", args=[person.pk]): {"name": "王五"},
        reverse("income-edit", args=[household.pk, 2018]): {"wage_income": "1"},
    }
    for url, data in posts.items():
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    after = (
        list(Household.objects.values()),
        list(Person.objects.values()),
        list(Income.objects.values()),
    )
    assert after == before
    assert AuditEntry.objects.count() == 0
    # Viewers still read the household page, without edit links.
    response = client.get(reverse("household-detail", args=[household.pk]))
    assert response.status_code == 200
    assert reverse("household-edit", args=[household.pk]) not in response.content.decode()


def test_household_edit_saves_through_the_service_with_one_audit_row(
    operator_client, township_operator, household
):
    form = HouseholdForm(instance=household, user=township_operator)
    data = form_post_data(form) | {"hamlet": "五组"}
    url = reverse("household-edit", args=[household.pk])
    response = operator_client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("household-detail", args=[household.pk])
    household.refresh_from_db()
    assert household.hamlet == "五组"
    entries = list(AuditEntry.objects.all())
    assert len(entries) == 1
    assert entries[0].action == Action.UPDATE
    assert entries[0].actor == township_operator
    assert entries[0].changes == {"hamlet": ["三组", "五组"]}
    page = operator_client.get(response["Location"]).content.decode()
    log = page[page.index('id="change-log"') :]
    assert "自然村/组：三组 → 五组" in log


def test_household_edit_other_causes_stored_sorted(operator_client, township_operator, household):
    data = form_post_data(HouseholdForm(instance=household, user=township_operator))
    data["other_causes"] = ["skills", "capital", "land"]
    response = operator_client.post(reverse("household-edit", args=[household.pk]), data)
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.other_causes == "capital,land,skills"


def test_household_edit_service_error_lands_on_the_field(
    operator_client, township_operator, household
):
    data = form_post_data(HouseholdForm(instance=household, user=township_operator))
    data["arable_land_mu"] = "-1"
    response = operator_client.post(reverse("household-edit", args=[household.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["arable_land_mu"]
    assert AuditEntry.objects.count() == 0


def test_household_create_registers_household_and_head(operator_client, township_operator, village):
    data = form_post_data(HouseholdForm(user=township_operator))
    data |= {
        "number": "5325271002010099",
        "village": village.code,
        "main_cause": "illness",
        "entry_year": "2016",
    }
    head = {
        "head-name": "王五",
        "head-id_number": idcodes.make("532527", datetime.date(1980, 1, 1), 7, female=False),
        "head-sex": "male",
        "head-birth_date": "1980-01-01",
        "head-ethnicity": "汉族",
        "head-political": "masses",
        "head-schooling": "none",
        "head-health": "healthy",
        "head-labour": "ordinary",
        "head-work_status": "none",
        "head-work_months": "0",
        "head-medical_insured": "on",
    }
    response = operator_client.post(reverse("household-create"), data | head)
    assert response.status_code == 302, response.context and [
        response.context["form"].errors,
        response.context["head_form"].errors,
    ]
    created = Household.objects.get(number="5325271002010099")
    assert response["Location"] == reverse("household-detail", args=[created.pk])
    assert [(p.name, p.relation) for p in created.members.all()] == [("王五", "head")]
    assert AuditEntry.objects.filter(household=created, action=Action.CREATE).count() == 2


def test_household_create_bad_id_number_is_a_chinese_field_error(
    operator_client, township_operator, village
):
    data = form_post_data(HouseholdForm(user=township_operator)) | {
        "number": "5325271002010098",
        "village": village.code,
        "main_cause": "illness",
        "entry_year": "2016",
        "head-name": "王五",
        "head-id_number": "532527198001010012",
        "head-sex": "male",
        "head-birth_date": "1980-01-01",
        "head-ethnicity": "汉族",
        "head-political": "masses",
        "head-schooling": "none",
        "head-health": "healthy",
        "head-labour": "ordinary",
        "head-work_status": "none",
        "head-work_months": "0",
    }
    response = operator_client.post(reverse("household-create"), data)
    assert response.status_code == 200
    errors = response.context["head_form"].errors["id_number"]
    assert len(errors) == 1
    assert re.search(r"[\u4e00-\u9fff]", errors[0])
    assert not Household.objects.filter(number="5325271002010098").exists()


def test_person_edit_keeps_id_number_when_left_empty(operator_client, household):
    person = household.members.get()
    number = person.id_number
    data = form_post_data(PersonForm(instance=person)) | {"name": "张山", "id_number": ""}
    response = operator_client.post(reverse("person-edit", args=[person.pk]), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.id_number) == ("张山", number)
    assert list(AuditEntry.objects.values_list("action", "changes")) == [
        (Action.UPDATE, {"name": ["张三", "张山"]})
    ]
    # The edit page never shows the full number.
    page = operator_client.get(reverse("person-edit", args=[person.pk])).content.decode()
    assert number not in page
    assert masking.mask_id_number(number) in page


def test_income_edit_creates_a_missing_year(operator_client, household):
    url = reverse("income-edit", args=[household.pk, 2019])
    data = {
        "members_count": "2",
        "wage_income": "5000",
        "operating_income": "1000",
        "operating_expenses": "0",
        "property_income": "0",
        "dibao_income": "400",
        "destitute_income": "0",
        "pension_income": "0",
        "eco_compensation": "0",
        "family_planning_award": "0",
        "other_transfer": "0",
    }
    response = operator_client.post(url, data)
    assert response.status_code == 302
    income = Income.objects.get(household=household, year=2019)
    assert (income.net_income, income.income_per_capita) == (Decimal("6400"), Decimal("3200"))
    assert AuditEntry.objects.filter(action=Action.CREATE, model="registry.income").count() == 1


def rows_of(response) -> list[str]:
    return [h.number for h in response.context["rows"]]


def test_search_by_pinyin_initials_and_heteronym_surname(operator_client, village):
    zeng = HouseholdFactory(village=village, number="5325271002010042")
    PersonFactory(household=zeng, name="曾小明")
    zhang = HouseholdFactory(village=village, number="5325271002010043")
    PersonFactory(household=zhang, name="张三")
    url = reverse("household-list")
    assert rows_of(operator_client.get(url, {"q": "zxm"})) == ["5325271002010042"]
    assert rows_of(operator_client.get(url, {"q": "cxm"})) == ["5325271002010042"]
    assert rows_of(operator_client.get(url, {"q": "zs"})) == ["5325271002010043"]
    assert rows_of(operator_client.get(url, {"q": "z"})) == [
        "5325271002010042",
        "5325271002010043",
    ]
    assert rows_of(operator_client.get(url, {"q": "曾小"})) == ["5325271002010042"]
    assert rows_of(operator_client.get(url, {"q": "53252710020100"})) == [
        "5325271002010042",
        "5325271002010043",
    ]


def test_list_shows_masked_head_id_and_filters(operator_client, household, village):
    exited = HouseholdFactory(village=village, status="exited", number="5325271002010002")
    PersonFactory(household=exited, name="赵六")
    url = reverse("household-list")
    response = operator_client.get(url)
    assert rows_of(response) == ["5325271002010001", "5325271002010002"]
    page = response.content.decode()
    head = household.members.get()
    assert head.id_number not in page
    assert masking.mask_id_number(head.id_number) in page
    assert rows_of(operator_client.get(url, {"status": "exited"})) == ["5325271002010002"]
    assert rows_of(operator_client.get(url, {"area": village.code, "status": "registered"})) == [
        "5325271002010001"
    ]


def test_list_is_scoped_to_the_users_area(operator_client, household, foreign):
    assert rows_of(operator_client.get(reverse("household-list"))) == ["5325271002010001"]


def test_list_pages_without_a_full_count(operator_client, village, monkeypatch):
    from jingzhun.registry import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    for n in range(5):
        HouseholdFactory(village=village, number=f"53252710020101{n:02d}")
    url = reverse("household-list")
    first = operator_client.get(url)
    assert (rows_of(first), first.context["has_next"]) == (
        ["5325271002010100", "5325271002010101"],
        True,
    )
    assert first.context["total_capped"] is True
    last = operator_client.get(url, {"page": "3"})
    assert (rows_of(last), last.context["has_next"]) == (["5325271002010104"], False)


def test_id_like_query_is_not_searched(operator_client, household):
    number = household.members.get().id_number
    response = operator_client.get(reverse("household-list"), {"q": number})
    assert response.status_code == 200
    assert rows_of(response) == []
    page = response.content.decode()
    assert 'id="id-like-notice"' in page
    assert number not in page  # not echoed into the search box, links or the export URL


def test_id_search_by_post_finds_household_without_putting_the_id_in_a_url(
    operator_client, household, foreign
):
    number = household.members.get().id_number
    response = operator_client.post(reverse("household-search-id"), {"id_number": number})
    assert response.status_code == 200
    assert [p.household.number for p in response.context["id_results"]] == ["5325271002010001"]
    page = response.content.decode()
    assert number not in page
    assert reverse("household-detail", args=[household.pk]) in page
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    # Another area's person is not found.
    other = foreign.members.get().id_number
    response = operator_client.post(reverse("household-search-id"), {"id_number": other})
    assert response.context["id_results"] == []


def test_id_search_rejects_get(operator_client):
    assert operator_client.get(reverse("household-search-id")).status_code == 405


def test_reveal_shows_the_number_once_and_writes_one_audit_row(
    operator_client, township_operator, household
):
    person = household.members.get()
    detail = operator_client.get(reverse("household-detail", args=[household.pk]))
    assert person.id_number not in detail.content.decode()
    response = operator_client.post(reverse("person-reveal", args=[person.pk]), {"reason": "核对"})
    assert response.status_code == 200
    assert person.id_number in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    entries = list(AuditEntry.objects.values_list("action", "actor", "object_id", "household"))
    assert entries == [(Action.REVEAL, township_operator.pk, str(person.pk), household.pk)]
    # The htmx variant returns only the number.
    fragment = operator_client.post(
        reverse("person-reveal", args=[person.pk]),
        {"reason": "核对"},
        headers={"HX-Request": "true"},
    )
    assert fragment.content.decode().strip() == (
        f'<span class="revealed">{person.id_number}</span>'
    )
    assert operator_client.get(reverse("person-reveal", args=[person.pk])).status_code == 405


def test_household_page_shows_sections_and_masked_phone(operator_client, household):
    Household.objects.filter(pk=household.pk).update(phone="13512342210")
    page = operator_client.get(reverse("household-detail", args=[household.pk])).content.decode()
    for section in ("基本情况", "生产生活条件", "家庭成员", "收入情况", "状态变更记录", "变更记录"):
        assert f"<h2>{section}</h2>" in page
    assert "135****2210" in page
    assert "13512342210" not in page
    assert "8,500.00" in page  # 2018 net income: 6000 + 3000 - 500, grouped in Chinese too


def test_household_list_query_budget(operator_client, village, django_assert_max_num_queries):
    for n in range(30):
        household = HouseholdFactory(village=village, number=f"53252710020102{n:02d}")
        PersonFactory(household=household, name="张三")
        PersonFactory(household=household, name="李四", relation="spouse", sex="female")
    # session, user, area select, households page, heads, sizes, capped count (+ savepoints)
    with django_assert_max_num_queries(9):
        response = operator_client.get(reverse("household-list"), {"q": "zs"})
    assert len(response.context["rows"]) == 30
    assert {h.size for h in response.context["rows"]} == {2}


def test_household_detail_query_budget(operator_client, household, django_assert_max_num_queries):
    for n in range(5):
        PersonFactory(household=household, name=f"成员{n}", relation="son")
    with django_assert_max_num_queries(14):
        operator_client.get(reverse("household-detail", args=[household.pk]))


EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(https?:)?//(?!testserver|localhost)""")


def test_no_external_asset_urls(operator_client, household):
    for url in page_urls(household):
        page = operator_client.get(url).content.decode()
        assert not EXTERNAL.search(page), url
    operator_client.logout()
    assert not EXTERNAL.search(operator_client.get(reverse("login")).content.decode())


def test_household_list_in_english(operator_client, household):
    operator_client.cookies["django_language"] = "en"
    page = operator_client.get(reverse("household-list")).content.decode()
    assert '<html lang="en">' in page
    for label in ("Households", "Household number", "Head of household", "Not yet out of poverty"):
        assert label in page, label
    assert "贫困户名单" not in page
    del operator_client.cookies["django_language"]
    # An English-locale browser still gets Chinese: English is chosen, never guessed.
    via_header = operator_client.get(reverse("household-list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "户编号" in via_header.content.decode()
    assert "Household number" not in via_header.content.decode()


def test_language_switch_sets_the_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
