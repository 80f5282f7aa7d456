"""Run and finding pages: start a run, follow it, read its counts and its findings (filtered,
scoped, in both languages), export them to .xlsx."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from jingzhun.audit.models import AuditEntry
from jingzhun.comparison.models import ComparisonRun, Finding
from jingzhun.comparison.runs import create_run, execute_run
from tests.factories import UserFactory
from tests.worker import task_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(client, village):
    user = UserFactory(role="county_admin", area=village.parent.parent)
    client.force_login(user)
    return user


@pytest.fixture
def finished(county, clerk):
    return execute_run(create_run(ruleset_id="national-2016", year=2019, acting_user=clerk))


@pytest.mark.django_db(transaction=True)
def test_start_a_run_and_follow_it_to_its_counts(county, client, clerk):
    response = client.post(
        reverse("comparison-run-start"), {"ruleset": "national-2016", "year": "2019"}
    )
    run = ComparisonRun.objects.get()
    assert response["Location"] == reverse("comparison-run", args=[run.pk])
    waiting = client.get(response["Location"]).content.decode()
    assert "等待后台任务进程" in waiting
    task_worker().run()
    poll = client.get(reverse("comparison-run-progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"
    page = client.get(response["Location"]).content.decode()
    assert 'id="rule-vehicle"' in page and "?rule=vehicle" in page
    assert "家庭成员名下有购置价超过3万元的机动车" in page


def test_the_findings_list_filters_and_links_the_household(finished, client, county):
    people, _ = county
    page = client.get(reverse("comparison-findings")).content.decode()
    assert "共 7 条" in page and "成员 李* 名下小型轿车（云G12345）" in page
    assert reverse("household-detail", args=[people["head"].household_id]) in page
    assert "李四" not in page
    only = client.get(reverse("comparison-findings"), {"rule": "payroll"}).content.decode()
    assert "共 1 条" in only and "财政供养人员（县农业局，公务员）" in only
    none = client.get(reverse("comparison-findings"), {"status": "resolved"}).content.decode()
    assert "没有符合条件的比对发现" in none


def test_other_townships_see_nothing_and_viewers_may_not_start(finished, client, other_village):
    client.force_login(UserFactory(role="township_operator", area=other_village.parent))
    assert "共 0 条" in client.get(reverse("comparison-findings")).content.decode()
    run = ComparisonRun.objects.get()
    assert client.get(reverse("comparison-run", args=[run.pk])).status_code == 404
    client.force_login(UserFactory(role="viewer", area=other_village.parent.parent))
    refused = client.post(reverse("comparison-run-start"), {"ruleset": "national-2016", "year": 1})
    assert refused.status_code == 403


def test_the_findings_export_is_the_filtered_list_and_audited(finished, client, clerk):
    response = client.get(reverse("comparison-findings-export"), {"meaning": "exclusion"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == Finding.objects.filter(meaning="exclusion").count() == 2
    assert {r[1] for r in rows} == {
        "家庭成员为财政供养人员",
        "家庭成员名下有购置价超过3万元的机动车",
    }
    entry = AuditEntry.objects.get(action="export", model="comparison.finding")
    assert entry.actor == clerk and entry.changes["rows"] == 2


def test_the_sentences_in_english(finished, client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("comparison-findings"), {"rule": "deceased"}).content.decode()
    assert "Member 李* died on 2019-05-01 (火化) and is still registered" in page


def test_pages_of_what_the_command_line_loaded_and_ran(county, client, clerk):
    """Loaded and run without a user (the demo, `jingzhun load_dataset`, `compare --store`):
    the pages name 命令行 instead of failing on the missing user."""
    from jingzhun.comparison.models import Dataset
    from jingzhun.workbook import SYSTEM

    Dataset.objects.update(loaded_by=None)
    execute_run(
        create_run(
            ruleset_id="national-2016", year=2019, area_code=clerk.area_id, acting_user=SYSTEM
        )
    )
    dataset = Dataset.objects.first()
    for url in (
        reverse("dataset-list"),
        reverse("dataset-detail", args=[dataset.pk]),
        reverse("comparison-runs"),
        reverse("comparison-run", args=[ComparisonRun.objects.get().pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "命令行" in response.content.decode(), url


def test_every_status_carries_over_to_the_export_link_and_the_pages(finished, client):
    """「全部状态」 (status empty): the export and the pager keep it, rather than falling back
    to the open findings only."""
    Finding.objects.filter(rule="vehicle").update(status="resolved")
    page = client.get(reverse("comparison-findings"), {"status": "", "meaning": "exclusion"})
    assert "共 2 条" in page.content.decode()
    export = f"{reverse('comparison-findings-export')}?{page.context['query']}"
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(export).content)).active
    assert sheet.max_row - 1 == 2  # the resolved vehicle finding included
    assert (
        client.get(reverse("comparison-findings"), {"meaning": "exclusion"})
        .context["page"]
        .paginator.count
        == 1
    )  # the default is still the open ones
