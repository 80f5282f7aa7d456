"""The registry API through HTTP: writes via services, masking, ID-number rules, auth, schema."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jingzhun import masking
from jingzhun.audit.models import AuditEntry
from jingzhun.registry import services as registry_services
from jingzhun.registry.models import Helper, Household, Income, Measure, Person, StatusChange
from tests.api.conftest import client_for, results
from tests.factories import HouseholdFactory, PersonFactory, UserFactory, id_number

ROOT = Path(__file__).resolve().parents[2]


def household_payload(village, head_number: str, **extra) -> dict:
    return {
        "number": "532527100201009999",
        "village": village.pk,
        "main_cause": "illness",
        "other_causes": ["skills", "capital"],
        "entry_year": 2016,
        "phone": "13512342210",
        "members": [
            {"name": "王五", "id_number": head_number, "relation": "head"},
            {
                "name": "王小明",
                "id_number": id_number(datetime.date(2010, 5, 1)),
                "relation": "son",
                "schooling": "primary",
            },
        ],
        **extra,
    }


def test_create_household_with_members(village, township_operator) -> None:
    head_number = id_number()
    response = client_for(township_operator).post(
        "/api/households/", household_payload(village, head_number), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    household = Household.objects.get(pk=body["id"])
    assert body["members_count"] == 2
    assert body["head_name"] == "王五"
    assert body["head_id_number"] == masking.mask_id_number(head_number)
    assert body["phone"] == "135****2210"
    assert body["other_causes"] == ["capital", "skills"]
    assert household.other_causes == "capital,skills"
    assert household.phone == "13512342210"
    assert head_number not in response.content.decode()
    assert list(household.members.order_by("id").values_list("sex", "birth_date")) == [
        ("male", datetime.date(1980, 1, 1)),
        ("male", datetime.date(2010, 5, 1)),
    ]
    actions = sorted(AuditEntry.objects.values_list("model", "action"))
    assert actions == [
        ("registry.household", "create"),
        ("registry.person", "create"),
        ("registry.person", "create"),
    ]
    assert StatusChange.objects.filter(household=household).count() == 1


def test_create_household_errors_are_field_errors_in_chinese(village, township_operator) -> None:
    payload = household_payload(village, id_number())
    payload["members"][0]["relation"] = "spouse"  # no head
    payload["exit_year"] = 2014  # before entry
    response = client_for(township_operator).post("/api/households/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "exit_year": ["「2014」早于识别年度2016"],
        "relation": ["每户须有且只有一名户主(现有0名)"],
    }
    assert Household.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_update_household_records_old_and_new(village, township_operator) -> None:
    household = HouseholdFactory(village=village, hamlet="一组")
    response = client_for(township_operator).patch(
        f"/api/households/{household.pk}/", {"hamlet": "二组"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["hamlet"] == "二组"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.changes) == ("update", {"hamlet": ["一组", "二组"]})
    assert entry.actor == township_operator


def test_delete_household(village, township_operator) -> None:
    household = PersonFactory(household__village=village).household
    response = client_for(township_operator).delete(f"/api/households/{household.pk}/")
    assert response.status_code == 204
    assert Household.objects.count() == 0
    assert Person.objects.count() == 0
    assert AuditEntry.objects.get().action == "delete"


def test_person_id_number_is_masked_in_every_response(village, township_operator) -> None:
    head = PersonFactory(household__village=village)
    client = client_for(township_operator)
    number = id_number(datetime.date(1985, 3, 3), female=True)
    created = client.post(
        "/api/persons/",
        {"household": head.household_id, "name": "李梅", "id_number": number, "relation": "spouse"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    listed = client.get("/api/persons/")
    detail = client.get(f"/api/persons/{head.pk}/")
    for response in (created, listed, detail):
        assert number not in response.content.decode()
        assert head.id_number not in response.content.decode()
    assert created.json()["id_number"] == masking.mask_id_number(number)
    assert created.json()["sex"] == "female"
    assert detail.json()["id_number"] == masking.mask_id_number(head.id_number)
    assert Person.objects.get(pk=created.json()["id"]).id_number == number


def test_person_bad_id_number_is_a_field_error(village, township_operator) -> None:
    head = PersonFactory(household__village=village)
    response = client_for(township_operator).post(
        "/api/persons/",
        {"household": head.household_id, "name": "李梅", "id_number": "123", "relation": "spouse"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"id_number": ["身份证号码应为18位（最后一位可为X）或15位数字"]}
    assert Person.objects.count() == 1


def test_person_cannot_move_to_another_household(village, township_operator) -> None:
    head = PersonFactory(household__village=village)
    other = HouseholdFactory(village=village)
    response = client_for(township_operator).patch(
        f"/api/persons/{head.pk}/", {"household": other.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["household"]
    head.refresh_from_db()
    assert head.household_id != other.pk


def test_head_cannot_be_deleted(village, township_operator) -> None:
    head = PersonFactory(household__village=village)
    response = client_for(township_operator).delete(f"/api/persons/{head.pk}/")
    assert response.status_code == 400
    assert response.json() == {"relation": ["不能删除户主，请先变更户主"]}
    assert Person.objects.filter(pk=head.pk).exists()


@pytest.mark.parametrize("url", ["/api/persons/", "/api/households/"])
def test_id_number_in_query_string_is_refused(village, township_operator, url) -> None:
    person = PersonFactory(household__village=village)
    response = client_for(township_operator).get(url, {"q": person.id_number})
    assert response.status_code == 400
    assert "search-by-id" in response.json()["q"][0]


def test_query_by_name_and_initials(village, township_operator) -> None:
    person = PersonFactory(household__village=village, name="张三")
    PersonFactory(household__village=village, name="李四")
    client = client_for(township_operator)
    assert [r["id"] for r in results(client.get("/api/persons/", {"q": "zs"}))] == [person.pk]
    households = results(client.get("/api/households/", {"q": "张"}))
    assert [r["id"] for r in households] == [person.household_id]


def test_search_by_id_normalises_and_masks(village, township_operator) -> None:
    person = PersonFactory(household__village=village)
    response = client_for(township_operator).post(
        "/api/persons/search-by-id/", {"id_number": f" {person.id_number} "}, format="json"
    )
    assert response.status_code == 200
    assert [(r["id"], r["id_number"]) for r in response.json()] == [
        (person.pk, masking.mask_id_number(person.id_number))
    ]


def test_reveal_returns_full_number_and_is_audited(village, township_operator) -> None:
    person = PersonFactory(household__village=village)
    response = client_for(township_operator).post(
        f"/api/persons/{person.pk}/reveal/", {"reason": "核对低保"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"id": person.pk, "name": "张三", "id_number": person.id_number}
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.object_id, entry.message) == (
        "reveal",
        township_operator,
        str(person.pk),
        "查看完整身份证号码，事由：核对低保",
    )


def test_income_totals_are_derived(village, township_operator) -> None:
    household = PersonFactory(household__village=village).household
    client = client_for(township_operator)
    created = client.post(
        "/api/incomes/",
        {
            "household": household.pk,
            "year": 2019,
            "members_count": 2,
            "wage_income": "5000",
            "dibao_income": "1200",
            "net_income": "1",  # read-only: ignored
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["transfer_income"], body["net_income"], body["income_per_capita"]) == (
        "1200.00",
        "6200.00",
        "3100.00",
    )
    changed = client.patch(
        "/api/incomes/{}/".format(body["id"]), {"wage_income": "7000"}, format="json"
    )
    assert changed.json()["net_income"] == "8200.00"
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "create",
        "update",
    ]
    duplicate = client.post(
        "/api/incomes/", {"household": household.pk, "year": 2019}, format="json"
    )
    assert duplicate.status_code == 400
    assert Income.objects.count() == 1


def test_income_year_cannot_change(village, township_operator) -> None:
    household = HouseholdFactory(village=village)
    client = client_for(township_operator)
    created = client.post(
        "/api/incomes/", {"household": household.pk, "year": 2019, "members_count": 1}
    ).json()
    response = client.patch("/api/incomes/{}/".format(created["id"]), {"year": 2020})
    assert response.status_code == 400
    assert list(response.json()) == ["year"]
    assert Income.objects.get().year == 2019


def test_helpers_and_measures_crud(village, township_operator) -> None:
    household = HouseholdFactory(village=village)
    client = client_for(township_operator)
    helper = client.post(
        "/api/helpers/",
        {"household": household.pk, "name": "赵帮", "unit": "县教育局", "phone": "13900001111"},
        format="json",
    )
    assert helper.status_code == 201, helper.json()
    assert helper.json()["phone"] == "139****1111"
    duplicate = client.post(
        "/api/helpers/",
        {"household": household.pk, "name": "赵帮", "unit": "县教育局"},
        format="json",
    )
    assert duplicate.status_code == 400
    assert list(duplicate.json()) == ["non_field_errors"]
    measure = client.post(
        "/api/measures/",
        {"household": household.pk, "kind": "education", "year": 2019, "amount": "500"},
        format="json",
    )
    assert measure.status_code == 201, measure.json()
    patched = client.patch(
        "/api/measures/{}/".format(measure.json()["id"]), {"amount": "800"}, format="json"
    )
    assert patched.json()["amount"] == "800.00"
    assert client.delete("/api/helpers/{}/".format(helper.json()["id"])).status_code == 204
    assert Helper.objects.count() == 0
    assert Measure.objects.get().amount == 800
    assert list(AuditEntry.objects.order_by("id").values_list("model", "action")) == [
        ("registry.helper", "create"),
        ("registry.measure", "create"),
        ("registry.measure", "update"),
        ("registry.helper", "delete"),
    ]
    assert AuditEntry.objects.filter(model="registry.helper").first().changes["phone"] == [
        "139****1111",
        "",
    ]


def test_household_history(village, township_operator) -> None:
    household = HouseholdFactory(village=village)
    client = client_for(township_operator)
    # Status and exit year change only through a procedure, never by an edit.
    refused = client.patch(f"/api/households/{household.pk}/", {"status": "exited"})
    assert refused.status_code == 400 and "动态管理" in refused.json()["status"][0]
    assert client.patch(f"/api/households/{household.pk}/", {"hamlet": "五组"}).status_code == 200
    registry_services.change_status(
        household, "exited", acting_user=township_operator, reason="退出公告"
    )
    history = client.get(f"/api/households/{household.pk}/history/").json()
    assert [(c["old_status"], c["new_status"]) for c in history["status_changes"]] == [
        ("registered", "exited")
    ]
    assert [a["changes"] for a in history["audit"]] == [
        {"status": ["registered", "exited"]},
        {"hamlet": ["", "五组"]},
    ]


def test_areas_filters(village, other_village, township_operator) -> None:
    client = client_for(township_operator)
    villages = results(client.get("/api/areas/", {"level": "village"}))
    assert [(a["code"], a["children_count"]) for a in villages] == [(village.pk, 0)]
    township = results(client.get("/api/areas/", {"level": "township"}))
    assert [(a["code"], a["children_count"]) for a in township] == [(village.parent_id, 1)]
    root = UserFactory(role="viewer", area=None, is_superuser=True)
    by_prefix = results(client_for(root).get("/api/areas/", {"code": "532527101"}))
    assert [a["code"] for a in by_prefix] == [other_village.parent_id, other_village.pk]
    by_parent = results(client_for(root).get("/api/areas/", {"parent": village.parent_id}))
    assert [a["code"] for a in by_parent] == [village.pk]


def test_unauthenticated_requests_are_refused(village) -> None:
    HouseholdFactory(village=village)
    response = APIClient().get("/api/households/")
    assert (response.status_code, response["WWW-Authenticate"]) == (401, "Token")


def test_token_obtain_and_use(village, township_operator) -> None:
    HouseholdFactory(village=village)
    client = APIClient()
    response = client.post(
        "/api/token/", {"username": township_operator.username, "password": "pw-123456"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=township_operator).key
    client.credentials(HTTP_AUTHORIZATION="Token " + token)
    assert len(results(client.get("/api/households/"))) == 1
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token nope")
    assert bad.get("/api/households/").status_code == 401


def test_create_token_command(village, township_operator) -> None:
    out = io.StringIO()
    call_command("create_token", township_operator.username, stdout=out)
    key = out.getvalue().strip()
    assert key == Token.objects.get(user=township_operator).key
    again = io.StringIO()
    call_command("create_token", township_operator.username, stdout=again)
    assert again.getvalue().strip() == key
    reset = io.StringIO()
    call_command("create_token", township_operator.username, "--reset", stdout=reset)
    assert reset.getvalue().strip() != key
    assert Token.objects.filter(user=township_operator).count() == 1


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="integer bounds in the schema come from the database backend; committed on SQLite",
)
def test_schema_matches_committed_openapi_yaml(db, tmp_path) -> None:
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    committed = (ROOT / "docs" / "openapi.yaml").read_text()
    # Regenerate with: jingzhun spectacular --validate --fail-on-warn --file docs/openapi.yaml
    assert generated.read_text() == committed


def test_docs_page_uses_local_swagger_ui(village, township_operator) -> None:
    client = APIClient()
    client.force_login(township_operator)
    page = client.get("/api/docs/").content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    static = ROOT / "src" / "jingzhun" / "static" / "vendor" / "swagger-ui"
    for name in ["swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"]:
        assert (static / name).stat().st_size > 10_000
