"""English that fits (issue #13 item 7): an English-language user at 1366 × 768 opens the main
pages. On each: nothing in the top bar overlaps anything else, the page does not scroll sideways,
and the page's chrome (navigation, headings, table headers, labels, buttons) has no Chinese left;
data values (names of places and people, the standard's and the rules' own names) may be Chinese.
"""

from __future__ import annotations

import json
import re

import pytest

from jingzhun.assessment.models import AssessmentRun
from jingzhun.comparison.runs import create_run, execute_run
from jingzhun.procedures.models import Batch
from jingzhun.registry.models import Person
from tests.browser.conftest import log_in
from tests.comparison.conftest import county  # noqa: F401  (department files about a household)
from tests.procedures.builders import Staff, exit_batch, meeting_household, village_meeting_standard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")  # Chinese characters

# The top bar's items, each a box that must not overlap another.
TOP_BAR = ".brand, #main-nav > a, #main-nav > details > summary, .tools > :not(link)"
# The page's chrome: what the interface itself says, not the data it shows.
CHROME = (
    "#main-nav, h1, h2, h3, thead th, label, button, summary, legend, option, .tools .help-link, "
    ".pager, .actions"
)
# Chrome still Chinese, waiting for a change in a file of another part of issue #13 (the final
# report of this test's commit says what): (page, element) → why. Remove an entry once fixed.
PENDING = {}

BOXES = """(selector) => Array.from(document.querySelectorAll(selector))
  .filter(e => e.offsetParent !== null)
  .map(e => { const r = e.getBoundingClientRect();
              return {what: e.tagName + ' ' + e.textContent.trim().slice(0, 30),
                      left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })"""
# (where, text) of each element: a label's text without the choices of its select (an option is
# an element of its own), hidden text included (a visually hidden label is read out).
TEXTS = """(selector) => Array.from(document.querySelectorAll(selector)).map(e => {
  const select = e.closest('select');
  const where = select ? 'select[name=' + select.name + '] option'
                       : e.tagName.toLowerCase() + (e.id ? '#' + e.id : '');
  const copy = e.cloneNode(true);
  copy.querySelectorAll('select, textarea').forEach(s => s.remove());
  return [where, copy.textContent.replace(/\\s+/g, ' ').trim()];
}).filter(([where, text]) => text)"""


def overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    """Pairs of boxes sharing more than a pixel each way."""
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            wide = min(a["right"], b["right"]) - max(a["left"], b["left"])
            high = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if wide > 1 and high > 1:
                found.append((a["what"], b["what"]))
    return found


def chinese_chrome(page, name: str, data: list[str]) -> list[str]:
    """The chrome's texts that still have Chinese once the data values are taken out."""
    left = []
    for where, text in page.evaluate(TEXTS, CHROME):
        for value in data:
            text = text.replace(value, "")
        if CJK.search(text) and (name, where) not in PENDING:
            left.append(f"{where}: {text}")
    return left


@pytest.fixture
def world(county):  # noqa: F811
    """A village's exit batch over a finished assessment run, and a comparison run's findings
    and tasks on the county fixture's household; the county officer reads English."""
    village = village_meeting_standard()
    staff = Staff(village)
    staff.county.username = "english"
    staff.county.save()
    households = [meeting_household(village), meeting_household(village)]
    exit_batch(village, staff, households)
    execute_run(create_run(ruleset_id="national-2016", year=2019, acting_user=staff.county))
    names = set(Person.objects.values_list("name", flat=True))
    areas = {village.name, village.parent.name, village.parent.parent.name}
    # The language switch names each language in itself; longest first ("100镇201村", "100镇").
    data = sorted(names | areas | {"简体中文"}, key=len, reverse=True)
    return {
        "household": households[0],
        "batch": Batch.objects.get(),
        "data": data,
    }


def test_main_pages_in_english_at_1366(live_server, page, world):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server, "english")
    page.select_option("#language-select", "en")
    page.click(".lang button[type=submit]")
    page.wait_for_selector("html[lang=en]")

    run = AssessmentRun.objects.get()
    pages = {
        "home": "/",
        "dashboard": "/dashboard/",
        "area tree": "/areas/",
        "household list": "/registry/households/",
        "household": "/registry/households/{}/".format(world["household"].pk),
        "assessment runs": "/assessment/",
        "assessment run": f"/assessment/runs/{run.pk}/",
        "procedures board": "/procedures/",
        "batch": "/procedures/batches/{}/".format(world["batch"].pk),
        "comparison findings": "/comparison/",
        "comparison tasks": "/comparison/tasks/",
        "imports": "/imports/",
        "exports": "/exports/",
        "help": "/help/household-page/",
    }
    problems = {}
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, name
        assert page.locator("html").get_attribute("lang") == "en", name
        found = {
            "overlapping": overlaps(page.evaluate(BOXES, TOP_BAR)),
            "scrolls sideways": page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            > 0,
            "Chinese": chinese_chrome(page, name, world["data"]),
        }
        found = {what: value for what, value in found.items() if value}
        if found:
            problems[name] = found
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)
