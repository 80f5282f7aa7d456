"""The draft-standard editor: a form over the adopted standard producing TOML for review,
download and the preview; a pasted draft fills the form; problems listed in one language."""

from __future__ import annotations

import pytest
from django.conf import settings

from jingzhun.standards import loader
from tests.factories import UserFactory, area_chain

pytestmark = pytest.mark.django_db

URL = "/assessment/draft/"


@pytest.fixture
def officer(client):
    area_chain()
    user = UserFactory(role="viewer")
    client.force_login(user)
    return user


def form_data(**changes):
    """The form as the page first shows it for yunnan-2018 (every indicator on), changed."""
    adopted = loader.load("yunnan-2018")
    data = {
        "adopted": "yunnan-2018",
        "action": "review",
        "name": "云南草案",
        "name_en": "Yunnan draft",
        "param__incidence_max": "3",
        "param__collective_income_min": "20000",
    }
    for level in ("household", "village", "county"):
        for indicator in adopted.indicators(level):
            data[f"on__{level}__{indicator.id}"] = "on"
            if not isinstance(indicator.threshold, str) and indicator.threshold is not None:
                data[f"threshold__{level}__{indicator.id}"] = str(indicator.threshold)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_shows_the_adopted_standard_by_name(client, officer):
    html = client.get(URL).content.decode()
    assert "云南省贫困退出标准（2018年）" in html
    assert (
        'name="on__household__pension"' in html
        and 'name="threshold__county__exited_villages"' in html
    )
    # The poverty line is not a number to type: it is named.
    assert "当年扶贫标准线（2018 年为 2,995 元）" in html
    assert "yunnan-2018-draft" not in html  # nothing generated yet


def test_edits_produce_toml_that_loads_and_is_shown_for_review(client, officer):
    response = client.post(
        URL,
        form_data(
            **{
                "on__household__pension": None,  # switched off
                "threshold__county__exited_villages": "95",
                "param__collective_income_min": "30000",
                "add0_field": "household.dropouts",
                "add0_op": "<=",
                "add0_threshold": "0",
                "add0_label": "无辍学",
            }
        ),
    )
    assert response.status_code == 200
    text = response.context["toml"]
    draft = loader.loads(text)
    assert [i.id for i in draft.household] == [
        "income",
        "education",
        "medical",
        "housing",
        "measures",
        "dropouts",
    ]
    assert draft.indicator("county", "exited_villages").threshold == 95
    assert draft.parameters["collective_income_min"] == 30000
    assert 'remove = ["household.pension"]' in text
    html = response.content.decode()
    assert 'id="draft-toml"' in html and "collective_income_min = 30000" in html
    # The preview button posts the same text to the existing preview page.
    assert 'action="/assessment/preview/"' in html


def test_download_is_the_same_toml(client, officer):
    response = client.post(
        URL, form_data(action="download", **{"threshold__county__exited_villages": "80"})
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="yunnan-2018-draft.toml"'
    text = response.content.decode()
    assert 'id = "exited_villages"\nthreshold = 80\n' in text
    assert loader.loads(text).indicator("county", "exited_villages").threshold == 80


def test_an_impossible_addition_is_refused_on_its_field(client, officer):
    response = client.post(
        URL, form_data(add0_field="village.hardened_road", add0_op=">", add0_threshold="1")
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"add0_op": ["“通硬化路”是是否项，只能选“为‘是’”"]}
    assert "toml" not in response.context


def test_a_pasted_draft_fills_the_form(client, officer):
    adopted = loader.load("yunnan-2018")
    text = (
        'id = "x"\nname = "草案甲"\nname_en = "Draft A"\nregion = "53"\nyear = 2018\n'
        'version = "1"\nextends = "yunnan-2018"\nremove = ["village.road"]\n'
        '[[county]]\nid = "exited_villages"\nthreshold = 85\n'
    )
    response = client.post(URL, {"action": "load", "adopted": "yunnan-2018", "draft_text": text})
    assert response.status_code == 200
    form = response.context["form"]
    assert form["name"].value() == "草案甲"
    assert not form["on__village__road"].value() and form["on__village__power"].value()
    assert str(form["threshold__county__exited_villages"].value()) == "85"
    assert not response.context["beyond"]
    assert adopted.id == response.context["adopted"].id


def test_a_broken_pasted_draft_lists_every_problem_in_one_language(client, officer):
    text = (
        'id = "x"\nname = "草案"\nname_en = "D"\nregion = "53"\nyear = 2018\nversion = "1"\n'
        'extends = "yunnan-2018"\n[[household]]\nid = "income"\nop = "=>"\n'
        '[[village]]\nid = "road"\nwhen_null = "maybe"\n'
    )
    response = client.post(URL, {"action": "load", "adopted": "yunnan-2018", "draft_text": text})
    assert response.status_code == 400
    assert response.context["errors"] == [
        "draft.toml：户层指标 income：op：未知比较符 '=>'",
        "draft.toml：村层指标 road：when_null：只能是 met 或 unmet",
    ]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(URL, {"action": "load", "adopted": "yunnan-2018", "draft_text": text})
    assert (
        response.context["errors"][1]
        == "draft.toml: village indicator road: when_null: must be met or unmet"
    )


def test_a_user_without_scope_is_refused(client):
    client.force_login(UserFactory(role="viewer", area=None))
    assert client.get(URL).status_code == 403
