"""Starting a run from the page without the engine room: the engine is the deployment's
setting, progress is a percentage and a step in words, a year without incomes warns first,
standards are shown by name."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from jingzhun.assessment.choices import Step
from jingzhun.assessment.models import AssessmentRun
from jingzhun.assessment.services import create_run, execute_run
from tests.factories import IncomeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(registry):
    return UserFactory(role="county_admin", area=registry["v"][0].parent.parent)


def start(client, **data):
    form = {"standard": "yunnan-2018", "year": "2018", "area": ""} | data
    return client.post(reverse("assessment-start"), form)


@pytest.mark.parametrize("engine", ["db", "duckdb"])
def test_steps_are_reported_in_order_and_the_percentage_rises_to_100(registry, engine):
    run = create_run(standard_id="yunnan-2018", engine=engine)
    assert (run.step, run.percent) == (Step.QUEUED, 0)
    seen: list[tuple[str, int]] = []
    execute_run(run, progress=lambda message: seen.append((run.step, run.percent)))
    steps = [step for step, _percent in seen]
    assert list(dict.fromkeys(steps)) == ["read", "household", "village", "county", "save"]
    percents = [percent for _step, percent in seen]
    assert percents == sorted(percents) and percents[0] == 5
    run.refresh_from_db()
    assert (run.status, run.step, run.percent) == ("finished", "done", 100)


def test_the_progress_fragment_shows_the_step_in_words_and_the_percentage(client, admin):
    run = create_run(standard_id="yunnan-2018", area_code=admin.area_id)
    AssessmentRun.objects.filter(pk=run.pk).update(status="running", step="household", percent=20)
    client.force_login(admin)
    fragment = client.get(reverse("assessment-progress", args=[run.pk])).content.decode()
    assert "正在计算户级指标" in fragment
    assert '<progress max="100" value="20"' in fragment and "20%" in fragment
    assert 'hx-trigger="every 1s"' in fragment
    # The step is stored as a code: its words follow the reader's language.
    with translation.override("en"):
        assert str(Step.HOUSEHOLD.label) == translation.gettext("正在计算户级指标")


def test_the_engine_is_the_deployments_not_the_officers(client, admin, settings):
    settings.ASSESSMENT_ENGINE = "duckdb"
    client.force_login(admin)
    page = client.get(reverse("assessment-runs")).content.decode()
    assert 'name="engine"' not in page
    assert "计算引擎：DuckDB 快照（由系统部署设定）" in page
    # An engine posted anyway is ignored.
    assert start(client, engine="db").status_code == 302
    assert AssessmentRun.objects.get().engine == "duckdb"


def test_a_year_without_incomes_warns_and_asks_to_confirm(client, admin):
    client.force_login(admin)
    response = start(client, year="2019")  # the fixture has incomes of 2017 and 2018 only
    assert response.status_code == 400
    html = response.content.decode()
    assert "所选范围内没有 2019 年度的收入数据（有数据的最近年度是 2018 年）" in html
    assert 'name="confirm_no_income"' in html
    assert not AssessmentRun.objects.exists()
    response = start(client, year="2019", confirm_no_income="on")
    assert response.status_code == 302
    assert AssessmentRun.objects.get().year == 2019


def test_a_year_with_incomes_starts_at_once_and_the_check_is_one_query(
    client, admin, django_assert_max_num_queries
):
    from jingzhun.assessment.forms import income_years

    with django_assert_max_num_queries(1):
        assert income_years(admin, "", 2018) == (2, 2018)  # h1 and h3
    client.force_login(admin)
    response = start(client)
    assert response.status_code == 302
    assert 'name="confirm_no_income"' not in client.get(reverse("assessment-runs")).content.decode()


def test_the_check_is_scoped_to_the_chosen_area(client, admin, registry):
    from jingzhun.assessment.forms import income_years

    # 522301…: the other county's income of 2020 is not the admin's.
    IncomeFactory(household=registry["h"][6], year=2020, members_count=1)
    other = UserFactory(role="county_admin", area=registry["v"][3].parent.parent)
    assert income_years(admin, "", 2020) == (0, 2018)
    assert income_years(other, "", 2020) == (1, 2020)
    # Within the county, a village without incomes (V2: h5, h6) has none of any year.
    assert income_years(admin, registry["v"][1].code, 2018) == (0, None)


def test_standards_are_shown_by_name(client, admin):
    create_run(standard_id="national-2016", area_code=admin.area_id)
    client.force_login(admin)
    page = client.get(reverse("assessment-runs")).content.decode()
    runs = page.split('id="runs"')[1]
    assert "国家贫困退出标准（厅字〔2016〕16号）" in runs and "national-2016" not in runs
    form = page.split('id="run-form"')[1].split("</form>")[0]
    assert "云南省贫困退出标准（2018年）</option>" in form
    assert "yunnan-2018</option>" not in form and "(yunnan-2018" not in form


def test_the_api_uses_the_deployments_engine_unless_asked(admin, settings):
    from rest_framework.test import APIClient

    settings.ASSESSMENT_ENGINE = "duckdb"
    client = APIClient()
    client.force_authenticate(admin)
    assert client.post("/api/assessment-runs/", {}, format="json").status_code == 201
    assert client.post("/api/assessment-runs/", {"engine": "db"}, format="json").status_code == 201
    assert list(AssessmentRun.objects.order_by("pk").values_list("engine", flat=True)) == [
        "duckdb",
        "db",
    ]
