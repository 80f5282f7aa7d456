"""The language of one request never leaks into the next: pages and the API schema requested in
English and in Chinese, in both orders, in one thread, each label in the language asked for."""

from __future__ import annotations

import re

import django_filters as df
import pytest
from django.conf import settings
from django.urls import get_resolver, reverse
from django.utils import translation
from django.utils.functional import Promise

from jingzhun.core.filters import FilterSet
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
LABEL = re.compile(r"<label\b[^>]*>(.*?)</label>", re.S)
TAG = re.compile(r"<[^>]+>")

PAGES = [
    "household-list",
    "procedures-board",
    "assessment-runs",
    "assessment-compare",
    "assessment-preview",
]
API_FILTERED = [
    "/api/households/",
    "/api/persons/",
    "/api/areas/",
    "/api/procedures/",
    "/api/assessment-runs/",
]

# Labels that are the same in both languages: proper names and codes.
SAME_IN_BOTH = {"English", "简体中文"}


def set_language(client, code: str) -> None:
    """The site's language switch (a cookie), as a user picks it."""
    response = client.post(reverse("set_language"), {"language": code, "next": "/"})
    assert response.status_code == 302


def labels(page: str) -> list[str]:
    found = [TAG.sub("", text).strip() for text in LABEL.findall(page)]
    return [text for text in found if text and text not in SAME_IN_BOTH]


def schema_descriptions(client) -> dict[str, str]:
    """Every query parameter's description of the filtered list endpoints."""
    schema = client.get(reverse("api:api-schema"), {"format": "json"}).json()
    return {
        "{} {}".format(path, parameter["name"]): parameter.get("description", "")
        for path in API_FILTERED
        for parameter in schema["paths"][path]["get"]["parameters"]
        if parameter["in"] == "query" and parameter.get("description")
    }


def in_language(client, code: str) -> dict[str, list[str]]:
    """Request the API docs, the schema and the pages in `code`; every label found, by page."""
    set_language(client, code)
    assert client.get(reverse("api:api-docs")).status_code == 200
    seen = {name: labels(client.get(reverse(name)).content.decode()) for name in PAGES}
    seen["schema"] = sorted(schema_descriptions(client).values())
    for name in PAGES:  # once more, after the schema was built in this language
        seen[name + " (again)"] = labels(client.get(reverse(name)).content.decode())
    return seen


def assert_in_language(seen: dict[str, list[str]], code: str) -> None:
    for where, texts in seen.items():
        assert texts, where
        if code == "zh-hans":
            wrong = [text for text in texts if not CJK.search(text)]
        else:
            wrong = [text for text in texts if CJK.search(text)]
        assert wrong == [], f"{where}: {wrong}"


@pytest.fixture(autouse=True)
def default_language_afterwards():
    """LocaleMiddleware leaves the last request's language active in the thread; a later test
    (the OpenAPI file check runs `spectacular` in-process) must not inherit English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def signed_in(client, county_admin, village):
    PersonFactory(household=HouseholdFactory(village=village))
    client.force_login(county_admin)
    return client


@pytest.mark.parametrize("order", [("en", "zh-hans"), ("zh-hans", "en")])
def test_the_language_of_one_request_never_leaks_into_the_next(signed_in, order):
    first, second = order
    first_seen = in_language(signed_in, first)
    second_seen = in_language(signed_in, second)
    assert_in_language(first_seen, first)
    assert_in_language(second_seen, second)
    # And back: the first language again, exactly as it was.
    assert in_language(signed_in, first) == first_seen
    # The household filter the report was about, by its words (the label suffix is full-width
    # in Chinese: locale/zh_Hans overrides Django's ":").
    seen = {first: first_seen, second: second_seen}
    assert "危房等级：" in seen["zh-hans"]["household-list"]
    assert "Housing safety grade:" in seen["en"]["household-list"]


def test_an_english_schema_leaves_the_chinese_one_as_it_was(signed_in):
    """Serializer instances built once (the responses of @extend_schema, at import) keep the
    fields built under the first language they were used in; DRF drops a label that equals the
    prettified field name in that language ("Batch"), so an English schema generated first took
    the Chinese titles away for the life of the process. English first, then Chinese."""
    url = reverse("api:api-schema")
    english = signed_in.get(url, {"format": "json", "lang": "en"}).json()
    chinese = signed_in.get(url, {"format": "json"}).json()
    procedure = chinese["components"]["schemas"]["Procedure"]["properties"]
    assert (procedure["batch"]["title"], procedure["village"]["title"]) == ("批次", "行政村")
    person = chinese["components"]["schemas"]["Person"]["properties"]
    assert person["household"]["title"] == "所在户"
    assert "title" not in english["components"]["schemas"]["Procedure"]["properties"]["batch"]
    assert signed_in.get(url, {"format": "json"}).json() == chinese


def project_filtersets() -> list[type[df.FilterSet]]:
    """Every FilterSet class of the project (the URL conf imports every API view and page)."""
    get_resolver().url_patterns  # noqa: B018 -- imports every view module and its filters
    found, todo = [], [df.FilterSet]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("jingzhun.") and cls is not FilterSet:
            found.append(cls)
    return sorted(found, key=lambda cls: cls.__qualname__)


FILTERSETS = project_filtersets()


def test_every_filterset_is_found():
    names = {cls.__name__ for cls in FILTERSETS}
    expected = {"HouseholdFilter", "PersonFilter", "AreaFilter", "ProcedureFilter", "RunFilter"}
    assert expected <= names


@pytest.mark.parametrize("filterset", FILTERSETS, ids=lambda f: f.__name__)
def test_every_filter_label_is_lazy(filterset):
    """Labels translated when shown, never frozen when the class (or the schema) is built."""
    assert issubclass(filterset, FilterSet)
    eager = [
        name
        for name, filter_ in filterset.base_filters.items()
        if not isinstance(filter_.label, Promise)
    ]
    assert eager == []
