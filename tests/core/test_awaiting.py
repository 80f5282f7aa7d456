"""待我办理: what awaits each user, by role and area, counted in one query; the home page's cards,
the top bar's badge and the empty state."""

from __future__ import annotations

import datetime
import itertools
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.comparison.models import (
    ComparisonRun,
    Dataset,
    DatasetRow,
    DuplicatePair,
    Finding,
    RowLink,
    VerificationTask,
)
from jingzhun.core import awaiting
from jingzhun.procedures.models import Batch, Notice, Objection, Procedure, StepRecord
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
_keys = itertools.count(1)


class World:
    """Village A (township 100) and village B (township 101) of one county, staff of each role,
    and work in every state: procedures awaiting each level (one late, one in a running notice,
    one blocked by an objection), verification tasks to check, to review and to act on, an open
    duplicate pair and a possible fuzzy link."""

    def __init__(self, village, other_village) -> None:
        township, county = village.parent, village.parent.parent
        self.village, self.other_village = village, other_village
        self.village_op = UserFactory(role="village_operator", area=village)
        self.other_op = UserFactory(role="village_operator", area=other_village)
        self.township = UserFactory(role="township_operator", area=township)
        self.township2 = UserFactory(role="township_operator", area=township)
        self.county = UserFactory(role="county_admin", area=county)
        self.viewer = UserFactory(role="viewer", area=county)
        now = timezone.now()
        today = timezone.localdate()
        batch = Batch.objects.create(kind="entry", area=village, year=2026, title="A村识别纳入")
        other_batch = Batch.objects.create(
            kind="entry", area=other_village, year=2026, title="B村识别纳入"
        )

        def procedure(state, *, since_days=0, batch=batch, notice=None):
            return Procedure.objects.create(
                batch=batch, kind="entry", village=batch.area, state=state,
                state_since=now - datetime.timedelta(days=since_days), reason="below_line",
                notice=notice,
            )  # fmt: skip

        def notice(end_days):
            end = today + datetime.timedelta(days=end_days)
            return Notice.objects.create(
                batch=batch, title="公示", start=end - datetime.timedelta(days=6), end=end,
                place="村委会", contact="村委会",
            )  # fmt: skip

        # Village A awaits its village review: one waiting 20 days (over 15: late), one new.
        procedure("proposal", since_days=20)
        procedure("proposal")
        # Village B: its own operator's.
        procedure("proposal", batch=other_batch)
        # Township review after a notice that ended 3 days ago; township2 took an earlier step.
        reviewed = procedure("notice", notice=notice(-3))
        StepRecord.objects.create(
            procedure=reviewed, step="proposal", new_state="proposal", actor=self.township2
        )
        # In a running notice (not yet the township's), and one blocked by an open objection.
        procedure("notice", notice=notice(2))
        blocked_notice = notice(-1)
        blocked = procedure("notice", notice=blocked_notice)
        Objection.objects.create(
            procedure=blocked, notice=blocked_notice, channel="in_person", text="收入不实",
            recorded_by=self.township2,
        )  # fmt: skip
        # County approval awaited, reviewed 12 days ago (over 10: late).
        procedure("township_review", since_days=12)

        run = ComparisonRun.objects.create(
            ruleset="national-2016", ruleset_version="1", ruleset_checksum="x", year=2026,
            area=county,
        )  # fmt: skip

        def task(status, *, area=village.code, due_days=10, checked_by=None, sentence="…"):
            finding = Finding.objects.create(
                ruleset="national-2016", rule="vehicle", meaning="exclusion", severity="high",
                key=f"vehicle:{next(_keys)}", area_code=area, sentence=sentence,
                first_run=run, last_run=run,
            )  # fmt: skip
            return VerificationTask.objects.create(
                finding=finding, area_code=area, status=status, checked_by=checked_by,
                due=today + datetime.timedelta(days=due_days),
            )  # fmt: skip

        self.late_task = task("assigned", due_days=-2, sentence="成员 李* 名下小型轿车")
        task("confirmed")
        task("closed")
        task("review", checked_by=self.township)  # township's own check: township2 reviews
        task("review", checked_by=self.village_op, area=other_village.code)
        task("assigned", area=township.code)  # found at the township: to check or hand down
        task("assigned", area=other_village.code)

        DuplicatePair.objects.create(
            kind="person", key=f"pair:{next(_keys)}", basis="name", area_code=village.code,
            shown={"first": {"name": "李*"}, "second": {"name": "李*"}}, first_found=now,
            last_found=now,
        )  # fmt: skip
        dataset = Dataset.objects.create(
            kind="assistance", year=2026, area=county, department="民政局",
            received_on=today, file_name="a.xlsx", rows=1, checksum=f"c{next(_keys)}",
        )  # fmt: skip
        row = DatasetRow.objects.create(dataset=dataset, row=2, name="王小明", id_valid=False)
        person = PersonFactory(household__village=other_village, name="王晓明")
        RowLink.objects.create(
            dataset_row=row, person=person, area_code=other_village.code, method="fuzzy",
            score=0.91, status="possible",
        )  # fmt: skip


@pytest.fixture
def world(village, other_village):
    return World(village, other_village)


def counts(user) -> dict[str, tuple[int, int]]:
    return {card.key: (card.count, card.overdue) for card in awaiting.summary(user).cards}


def test_a_village_operator_sees_the_villages_steps_tasks_and_pairs(world):
    assert counts(world.village_op) == {
        "procedures.steps": (2, 1),
        "comparison.tasks": (2, 1),  # to check (late) and to act on; not the closed one
        "comparison.duplicates": (1, 0),
    }
    assert counts(world.other_op) == {
        "procedures.steps": (1, 0),
        "comparison.tasks": (1, 0),  # the review of its village's check is the township's
        "comparison.links": (1, 0),
    }


def test_a_township_user_reviews_others_checks_and_decides_others_objections(world):
    # township: the review after the notice (the running notice and the blocked one are not
    # yet takeable), the objection township2 recorded, its own task to hand down; not the
    # review of its own check, nothing of township 101.
    assert counts(world.township) == {
        "procedures.steps": (1, 0),
        "procedures.objections": (1, 0),
        "comparison.tasks": (1, 0),
        "comparison.duplicates": (1, 0),
    }
    # township2 took an earlier step of that procedure and recorded the objection: neither is
    # theirs; the review of township's check is.
    assert counts(world.township2) == {
        "comparison.tasks": (2, 0),
        "comparison.duplicates": (1, 0),
    }


def test_a_county_user_sees_the_countys(world):
    assert counts(world.county) == {
        "procedures.steps": (1, 1),  # county approval, 12 days waiting
        "procedures.objections": (1, 0),
        "comparison.tasks": (2, 0),  # both reviews of the county
        "comparison.duplicates": (1, 0),
        "comparison.links": (1, 0),
    }


def test_nothing_awaits_a_viewer_or_a_user_without_an_area(world, django_assert_num_queries):
    superuser = UserFactory(role="county_admin", area=None, is_superuser=True)
    with django_assert_num_queries(0):
        assert awaiting.summary(world.viewer).cards == []
        assert awaiting.summary(superuser).cards == []


def test_all_counts_are_one_query_that_also_reads_the_users_area(world, django_assert_num_queries):
    user = type(world.county).objects.get(pk=world.county.pk)  # area not loaded yet
    with django_assert_num_queries(1):
        summary = awaiting.summary(user)
        assert user.area.name == "泸西县"  # the row the counts came with
    assert summary.total == 6
    assert summary.overdue == 1


def test_items_link_to_the_pages_where_the_work_is_done(world):
    cards = {card.key: card for card in awaiting.summary(world.village_op, items=3).cards}
    steps = cards["procedures.steps"]
    assert [(i.label, i.count, i.overdue, i.note) for i in steps.items] == [
        ("A村识别纳入", 2, True, "待民主评议")
    ]
    assert steps.items[0].url.startswith("/procedures/batches/")
    assert steps.url == reverse("procedures-board") + "#awaiting"
    tasks = cards["comparison.tasks"]
    assert tasks.items[0].label == "成员 李* 名下小型轿车"
    assert tasks.items[0].overdue
    assert tasks.items[0].url == reverse("comparison-task", args=[world.late_task.pk])
    assert cards["comparison.duplicates"].items[0].label == "李* / 李*"
    link = awaiting.summary(world.other_op, items=3).cards[-1].items[0]
    assert (link.label, link.note) == ("王*明 → 王*明", "匹配概率 91%")


def test_the_task_list_filter_shows_the_same_tasks(client, world):
    client.force_login(world.township2)
    response = client.get(reverse("comparison-tasks"), {"mine": "1"})
    assert response.context["page"].paginator.count == 2
    client.force_login(world.village_op)
    response = client.get(reverse("comparison-tasks"), {"mine": "1", "overdue": "1"})
    assert [t.pk for t in response.context["page"]] == [world.late_task.pk]
    # The filter form keeps it (a checkbox, checked) when the user filters again.
    form = response.content.decode().split('id="task-filters"')[1].split("</form>")[0]
    assert 'name="mine" value="1" checked' in form


def test_the_home_page_starts_with_the_cards(client, world):
    client.force_login(world.county)
    page = client.get(reverse("home")).content.decode()
    section = page[page.index('<section id="awaiting"') : page.index("</section>")]
    assert page.index('<section id="awaiting"') < page.index('id="by-status"')
    assert re.findall(r'id="awaiting-([\w-]+)"', section) == [
        "title",
        "procedures-steps",
        "procedures-objections",
        "comparison-tasks",
        "comparison-duplicates",
        "comparison-links",
    ]
    assert "其中超期 1" in section
    assert 'href="/comparison/tasks/?mine=1"' in section
    assert "暂无待办" not in page


def test_the_top_bar_badge_shows_the_total_on_every_page(client, world):
    client.force_login(world.village_op)
    for url in (reverse("home"), reverse("household-list")):
        page = client.get(url).content.decode()
        nav = page[page.index("<nav") : page.index("</nav>")]
        assert re.search(r'<span class="nav-badge"[^>]*>.*?</span>5</span>', nav), url


def test_the_empty_state_and_no_badge(client, village):
    user = UserFactory(role="village_operator", area=village)
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert '<p class="panel muted" id="awaiting-empty">暂无待办</p>' in page
    assert "nav-badge" not in page


def test_a_viewer_gets_no_section_and_no_badge(client, world):
    client.force_login(world.viewer)
    page = client.get(reverse("home")).content.decode()
    assert 'id="awaiting"' not in page
    assert "nav-badge" not in page


def test_the_home_page_has_a_fixed_query_budget(client, world, django_assert_max_num_queries):
    """Session, user, the area with every count, one query per card's items (5), the figures
    (households, persons, incidence by township, population, names): 13 whatever the data."""
    client.force_login(world.county)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("home"))
    assert response.context["awaiting_summary"].total == 6


def test_another_page_pays_no_query_for_the_badge(client, world, django_assert_max_num_queries):
    client.force_login(world.viewer)
    client.get(reverse("household-list"))
    with django_assert_max_num_queries(20) as without:
        client.get(reverse("household-list"))
    budget = len(without.captured_queries)  # read now: the next request clears the log
    client.force_login(world.county)
    client.get(reverse("household-list"))
    with django_assert_max_num_queries(budget):
        page = client.get(reverse("household-list")).content.decode()
    assert "nav-badge" in page


def test_the_cards_fit_a_390_px_phone(client, world):
    """Server-side: no fixed widths in the section; the card grid and its links' 44 px targets
    are in site.css."""
    client.force_login(world.county)
    page = client.get(reverse("home")).content.decode()
    section = page[page.index('<section id="awaiting"') : page.index("</section>")]
    assert not re.search(r'style="[^"]*width|width="\d', section)
    css = awaiting.__file__.rsplit("/core/", 1)[0] + "/static/jingzhun/site.css"
    with open(css, encoding="utf-8") as handle:
        text = handle.read()
    assert "minmax(260px, 1fr)" in text
    assert re.search(r"\.awaiting-card li a \{[^}]*min-height: 44px", text)


def test_the_badge_is_counted_afresh_on_every_page(client, world):
    def badge(url):
        page = client.get(url).content.decode()
        found = re.search(r'<span class="nav-badge"[^>]*>.*?</span>(\d+)</span>', page)
        return int(found.group(1)) if found else 0

    client.force_login(world.village_op)
    assert badge(reverse("household-list")) == 5
    VerificationTask.objects.filter(pk=world.late_task.pk).update(status="closed")
    assert badge(reverse("household-list")) == 4
    client.force_login(world.other_op)
    assert badge(reverse("procedures-board")) == 3
