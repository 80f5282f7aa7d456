"""Journey (issue #13 item 1): the county leader opens 驾驶舱 from the top bar, sees the headline
figures, the map and the townships, switches the map's indicator, and drills from a township's
poverty incidence to that township's household list, whose total is the township's poor
households on the dashboard. A township cadre opens their part on a 390 px phone: nothing scrolls
sideways and every touch target is at least 44 px high. The screenshots
docs/screenshots/dashboard-*.png are taken here, so they stay current (`JINGZHUN_SCREENSHOTS=1`
writes them there; an ordinary run writes to a temporary folder)."""

from __future__ import annotations

import pytest

from jingzhun.areas.models import Area
from jingzhun.assessment.services import run_assessment
from jingzhun.registry.demo import DEMO_COUNTY, build_demo
from tests.browser.conftest import check_fits, go_to, log_in, shoot
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCALE = 0.05  # ~800 persons over the demo county's 15 townships and 139 villages

# The first village hexagon's code and centre in the map's pixels (ECharts converts).
CENTRE_OF_FIRST_VILLAGE = """async () => {
  const shapes = await (await fetch('/dashboard/map.json')).json();
  const feature = shapes.features[0];
  const ring = feature.geometry.coordinates[0].slice(0, 6);
  const x = ring.reduce((sum, p) => sum + p[0], 0) / 6;
  const y = ring.reduce((sum, p) => sum + p[1], 0) / 6;
  const chart = echarts.getInstanceByDom(document.getElementById('dashboard-map'));
  const pixel = chart.convertToPixel({geoIndex: 0}, [x, y]);
  return [feature.properties.code, pixel[0], pixel[1]];
}"""


@pytest.fixture
def county(db):
    build_demo(SCALE, users=False)
    run_assessment(standard_id="yunnan-2018", year=2018, area_code=DEMO_COUNTY.ljust(12, "0"))
    return Area.objects.get(code=DEMO_COUNTY.ljust(12, "0"))


def test_leader_drills_from_a_township_incidence_to_its_households(
    live_server, page, county, screenshots
):
    UserFactory(username="leader", role="county_admin", area=county)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.emulate_media(reduced_motion="reduce")  # no chart animation: the same screenshots
    log_in(page, live_server, "leader")
    go_to(page, "驾驶舱")
    page.wait_for_url("**/dashboard/")
    assert page.locator("h1").inner_text() == "泸西县 · 驾驶舱"
    page.wait_for_selector("#dashboard-map canvas")
    page.wait_for_selector("#trend-chart canvas")
    assert page.locator("#children tbody tr").count() == 15  # the county's townships
    assert page.locator("#blockers li").count() >= 1
    page.select_option("#map-indicator", label="监测户数")
    page.select_option("#map-indicator", label="贫困发生率（%）")
    shoot(page, screenshots, "dashboard-county", full=True)

    # A click on a village of the map opens that village's poor households (the indicator's list).
    code, x, y = page.evaluate(CENTRE_OF_FIRST_VILLAGE)
    box = page.locator("#dashboard-map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(f"**/registry/households/?area={code}&status=registered&status=relapsed")
    assert page.locator("#result-count").is_visible()
    page.go_back()
    page.wait_for_selector("#dashboard-map canvas")

    row = page.locator("#children tbody tr").first
    households = row.locator("a.poor-households").inner_text()
    incidence = row.locator("a.incidence")
    assert incidence.inner_text().replace(".", "").isdigit()
    incidence.click()
    page.wait_for_url("**/registry/households/?area=*")
    assert page.locator("#result-count").inner_text() == f"共 {households} 户"


def test_township_cadre_reads_their_part_on_a_phone(live_server, page, county, screenshots):
    township = Area.objects.filter(parent=county).order_by("code").first()
    UserFactory(username="xiang", role="township_operator", area=township)
    page.set_viewport_size({"width": 390, "height": 844})
    page.emulate_media(reduced_motion="reduce")
    log_in(page, live_server, "xiang")
    go_to(page, "驾驶舱")
    page.wait_for_url("**/dashboard/")
    page.wait_for_selector("#dashboard-map canvas")
    # The township's villages, not one row for the whole township.
    villages = Area.objects.filter(parent=township).count()
    assert page.locator("#children tbody tr").count() == villages > 1
    check_fits(page)
    shoot(page, screenshots, "dashboard-township-phone")
    page.evaluate("document.getElementById('dashboard-map').scrollIntoView({block: 'center'})")
    shoot(page, screenshots, "dashboard-township-phone-map")
