"""Issue #11 item 3: a number typed with non-ASCII digits is never a second record.

ID numbers fold full-width digits to ASCII (so a copy is the same person, and a full-width search
finds the ASCII record) and refuse other scripts' digits; household numbers, phones and area codes
accept ASCII digits only. On every path: the page forms, the API, the workbook import, the search.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingzhun import idcodes
from jingzhun.areas.validation import normalise_code
from jingzhun.registry import services
from jingzhun.registry.excel import import_workbook
from jingzhun.registry.forms import HouseholdForm, PersonForm
from jingzhun.registry.models import Household, Person
from tests.api.conftest import client_for
from tests.factories import HouseholdFactory, PersonFactory
from tests.registry.test_excel_import import household as household_row
from tests.registry.test_excel_import import person as person_row
from tests.registry.test_excel_import import workbook
from tests.registry.test_views import form_post_data

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def full_width(text: str, start: int = 6) -> str:
    """The reported shape: the area part ASCII, the rest typed in full-width mode."""
    return text[:start] + text[start:].translate(FULL_WIDTH)


def arabic_indic(text: str, start: int = 6) -> str:
    return text[:start] + text[start:].translate(ARABIC_INDIC)


@pytest.fixture
def registered(village):
    """A household with a head whose ASCII number is registered."""
    return PersonFactory(household=HouseholdFactory(village=village, number="5325271002010001"))


# -- page forms


def head_fields(number: str) -> dict[str, str]:
    facts = idcodes.parse(number) if idcodes.is_valid(number) else None
    return {
        "head-name": "王五",
        "head-id_number": number,
        "head-sex": facts.sex if facts else "male",
        "head-birth_date": facts.birth_date.isoformat() if facts else "1980-01-01",
        "head-ethnicity": "汉族",
        "head-political": "masses",
        "head-schooling": "none",
        "head-health": "healthy",
        "head-labour": "ordinary",
        "head-work_status": "none",
        "head-work_months": "0",
    }


def create_page(client, user, village, head_number: str, **household: str):
    data = form_post_data(HouseholdForm(user=user)) | {
        "number": "5325271002010099",
        "village": village.code,
        "main_cause": "illness",
        "entry_year": "2016",
    }
    return client.post(reverse("household-create"), data | household | head_fields(head_number))


def test_form_full_width_copy_of_a_registered_number_is_the_same_person(
    client, township_operator, village, registered
):
    client.force_login(township_operator)
    response = create_page(client, township_operator, village, full_width(registered.id_number))
    assert response.status_code == 200
    assert "已登记在户 5325271002010001" in response.context["head_form"].errors["id_number"][0]
    assert Person.objects.count() == 1
    assert not Household.objects.filter(number="5325271002010099").exists()


def test_form_person_create_full_width_copy_is_refused(client, township_operator, registered):
    client.force_login(township_operator)
    data = form_post_data(PersonForm()) | {
        "name": "王六",
        "id_number": full_width(registered.id_number),
        "sex": registered.sex,
        "birth_date": registered.birth_date.isoformat(),
        "relation": "son",
        "ethnicity": "汉族",
        "political": "masses",
        "schooling": "none",
        "health": "healthy",
        "labour": "ordinary",
        "work_status": "none",
        "work_months": "0",
    }
    response = client.post(reverse("person-create", args=[registered.household_id]), data)
    assert response.status_code == 200
    assert "已登记在户 5325271002010001" in response.context["form"].errors["id_number"][0]
    assert Person.objects.count() == 1


def test_form_full_width_new_number_is_stored_in_ascii(client, township_operator, village):
    client.force_login(township_operator)
    number = idcodes.make("532527", datetime.date(1980, 1, 1), 7, female=False)
    response = create_page(client, township_operator, village, full_width(number))
    assert response.status_code == 302, [
        response.context["form"].errors,
        response.context["head_form"].errors,
    ]
    assert list(Person.objects.values_list("id_number", flat=True)) == [number]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", full_width("5325271002010099")),
        ("number", arabic_indic("5325271002010099")),
        ("phone", full_width("13512342210", 3)),
        ("phone", arabic_indic("13512342210", 3)),
    ],
)
def test_form_non_ascii_household_number_or_phone_is_refused(
    client, township_operator, village, field, value
):
    client.force_login(township_operator)
    number = idcodes.make("532527", datetime.date(1980, 1, 1), 7, female=False)
    response = create_page(client, township_operator, village, number, **{field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert (Household.objects.count(), Person.objects.count()) == (0, 0)


# -- API


def test_api_full_width_copy_of_a_registered_number_is_refused(township_operator, registered):
    response = client_for(township_operator).post(
        "/api/persons/",
        {
            "household": registered.household_id,
            "name": "王六",
            "id_number": full_width(registered.id_number),
            "relation": "son",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "已登记在户" in response.json()["id_number"][0]
    assert Person.objects.count() == 1


def test_api_arabic_indic_number_is_refused(township_operator, registered):
    response = client_for(township_operator).post(
        "/api/persons/",
        {
            "household": registered.household_id,
            "name": "王六",
            "id_number": arabic_indic(registered.id_number),
            "relation": "son",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "半角数字" in response.json()["id_number"][0]
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("number", full_width("532527100201009999")), ("phone", full_width("13512342210", 3))],
)
def test_api_non_ascii_household_number_or_phone_is_refused(
    township_operator, village, field, value
):
    payload = {
        "number": "532527100201009999",
        "village": village.pk,
        "main_cause": "illness",
        "entry_year": 2016,
        "members": [
            {
                "name": "王五",
                "id_number": idcodes.make("532527", datetime.date(1980, 1, 1), 7, female=False),
                "relation": "head",
            }
        ],
        field: value,
    }
    response = client_for(township_operator).post("/api/households/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert (Household.objects.count(), Person.objects.count()) == (0, 0)


# -- search


def test_page_id_search_full_width_finds_the_ascii_record(client, township_operator, registered):
    client.force_login(township_operator)
    response = client.post(
        reverse("household-search-id"), {"id_number": full_width(registered.id_number)}
    )
    assert response.status_code == 200
    assert [p.pk for p in response.context["id_results"]] == [registered.pk]


def test_api_id_search_full_width_finds_the_ascii_record(township_operator, registered):
    response = client_for(township_operator).post(
        "/api/persons/search-by-id/",
        {"id_number": full_width(registered.id_number)},
        format="json",
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()] == [registered.pk]


def test_a_full_width_id_number_in_a_get_query_is_still_refused(township_operator, registered):
    """The list's `q` keeps ID numbers out of URLs: a full-width one (Ｘ included) too."""
    typed = full_width(registered.id_number[:17]) + "Ｘ"
    response = client_for(township_operator).get("/api/persons/", {"q": typed})
    assert response.status_code == 400


# -- workbook import


def import_errors(content: bytes, user) -> list[tuple[str, str, str]]:
    before = (Household.objects.count(), Person.objects.count())
    result = import_workbook(content, acting_user=user)
    assert (Household.objects.count(), Person.objects.count()) == before
    return [(e.sheet, e.column, e.message) for e in result.errors]


def test_import_full_width_copy_of_a_registered_number_is_refused(county_admin, registered):
    content = workbook(
        {
            "户": [household_row(户编号="532527100201000002")],
            "成员": [
                person_row(full_width(registered.id_number), 户编号="532527100201000002"),
            ],
        }
    )
    errors = import_errors(content, county_admin)
    assert ("成员", "证件号码", "该证件号码已登记在户 5325271002010001 中") in errors


def test_import_arabic_indic_number_is_refused(county_admin, village):
    number = idcodes.make("532527", datetime.date(1970, 3, 4), 9, female=False)
    errors = import_errors(
        workbook({"户": [household_row()], "成员": [person_row(arabic_indic(number))]}),
        county_admin,
    )
    assert ("成员", "证件号码", "身份证号码只能使用半角数字0至9和X") in errors


def test_import_full_width_new_number_is_stored_in_ascii(county_admin, village):
    number = idcodes.make("532527", datetime.date(1970, 3, 4), 9, female=False)
    result = import_workbook(
        workbook({"户": [household_row()], "成员": [person_row(full_width(number))]}),
        acting_user=county_admin,
    )
    assert result.errors == []
    assert list(Person.objects.values_list("id_number", flat=True)) == [number]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("户编号", full_width("532527100201000001")),
        ("联系电话", full_width("13512342210", 3)),
    ],
)
def test_import_non_ascii_household_number_or_phone_is_refused(
    county_admin, village, column, value
):
    row = household_row(**{column: value})
    people = person_row(户编号=row["户编号"])
    errors = import_errors(workbook({"户": [row], "成员": [people]}), county_admin)
    assert any(sheet == "户" and header == column for sheet, header, _m in errors), errors


@pytest.mark.parametrize("code", [full_width("532527100201", 0), arabic_indic("532527100201")])
def test_non_ascii_area_codes_are_refused(code):
    with pytest.raises(ValueError, match="区划代码"):
        normalise_code(code)


# -- the property: never a second person


variants = st.tuples(
    st.sampled_from([FULL_WIDTH, ARABIC_INDIC]),
    st.lists(st.booleans(), min_size=18, max_size=18).filter(any),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    born=st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2010, 12, 31)),
    sequence=st.integers(0, 499),
    variant=variants,
)
def test_no_variant_of_a_registered_number_registers_a_second_person(
    village, township_operator, born, sequence, variant
):
    table, positions = variant
    number = idcodes.make("532527", born, sequence, female=False)
    typed = "".join(
        ch.translate(table) if pick else ch for ch, pick in zip(number, positions, strict=True)
    )
    with transaction.atomic():
        household = HouseholdFactory(village=village)
        services.add_person(
            household,
            {"name": "王五", "id_number": number, "relation": "head"},
            acting_user=township_operator,
        )
        other = HouseholdFactory(village=village)
        with pytest.raises(ValidationError) as refused:
            services.add_person(
                other,
                {"name": "王五", "id_number": typed, "relation": "head"},
                acting_user=township_operator,
            )
        message = refused.value.message_dict["id_number"][0]
        refusal = "半角数字" if table is ARABIC_INDIC and typed != number else "已登记在户"
        assert refusal in message
        assert list(Person.objects.values_list("id_number", flat=True)) == [number]
        transaction.set_rollback(True)
