"""The area tree as a list (issue #13 item 4): collapsed to the user's own area, a scoped search
by name or code that opens the path to the area, and the figures as .xlsx (audited)."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingzhun.audit.models import AuditEntry
from tests.factories import HouseholdFactory, PersonFactory, UserFactory, area_chain

pytestmark = pytest.mark.django_db


def opened(page: str) -> list[str]:
    return re.findall(r'<details id="area-(\d+)" open', page)


def test_only_the_users_own_area_is_open(client, county_admin, village, other_village):
    client.force_login(county_admin)
    page = client.get(reverse("area-tree")).content.decode()
    assert opened(page) == [county_admin.area_id]
    assert f'<details id="area-{village.parent_id}">' in page  # the townships: closed


def test_search_by_name_opens_the_path_and_marks_the_match(
    client, county_admin, village, other_village
):
    client.force_login(county_admin)
    response = client.get(reverse("area-tree"), {"q": other_village.name})
    page = response.content.decode()
    assert [a.code for a in response.context["matches"]] == [other_village.code]
    assert sorted(opened(page)) == [county_admin.area_id, other_village.parent_id]
    assert f'<li class="village match" id="area-{other_village.code}">' in page
    assert f'href="#area-{other_village.code}"' in page


def test_search_by_code_finds_a_township_by_its_significant_digits(client, county_admin, village):
    client.force_login(county_admin)
    township = village.parent_id
    for text in (township, township[:9]):
        response = client.get(reverse("area-tree"), {"q": text})
        assert [a.code for a in response.context["matches"]] == [township, village.code]


def test_search_is_scoped(client, township_operator, village, other_village):
    client.force_login(township_operator)
    response = client.get(reverse("area-tree"), {"q": other_village.code})
    assert response.context["matches"] == []
    assert "在您的管辖范围内没有找到该区划。" in response.content.decode()
    assert other_village.name not in response.content.decode()


def test_tree_export_one_row_per_area_with_level_parent_and_figures(
    client, county_admin, village, other_village
):
    village.poor_village = True
    village.save()
    PersonFactory(household=HouseholdFactory(village=village))
    client.force_login(county_admin)
    response = client.get(reverse("area-tree-export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["行政区划"]
    header, *rows = sheet.iter_rows(values_only=True)
    assert header == (
        "区划代码",
        "区划名称",
        "级别",
        "上级区划代码",
        "上级区划名称",
        "贫困村",
        "农村户籍人口",
        "建档立卡户数",
        "建档立卡人数",
        "未脱贫户数（含返贫）",
        "未脱贫人数（含返贫）",
    )
    by_code = {row[0]: row for row in rows}
    assert [row[0] for row in rows] == sorted(by_code)  # the page's order: parents first
    county = village.parent.parent
    assert by_code[county.code][2:5] == ("县", county.parent_id, county.parent.name)
    assert by_code[village.code][2:] == (
        "行政村",
        village.parent_id,
        village.parent.name,
        "是",
        1000,
        1,
        1,
        1,
        1,
    )
    assert by_code[county.code][5:] == (None, 2000, 1, 1, 1, 1)  # 贫困村: villages only
    entry = AuditEntry.objects.get(action="export", model="areas.tree")
    assert entry.actor == county_admin and entry.area_code == county_admin.scope_prefix()
    assert entry.changes["counts"] == {"行政区划": len(rows)}


def test_tree_export_is_scoped(client, village, other_village):
    operator = UserFactory(role="village_operator", area=other_village)
    client.force_login(operator)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(reverse("area-tree-export")).content))
    codes = [row[0] for row in sheet.active.iter_rows(min_row=2, values_only=True)]
    assert codes == [other_village.code]


def test_tree_export_queries_do_not_grow_with_areas(client, county_admin, village):
    client.force_login(county_admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("area-tree-export")).status_code == 200
        return len(captured)

    once = queries()
    for number in range(3):
        other = area_chain(township=str(110 + number), village=str(210 + number))
        PersonFactory(household=HouseholdFactory(village=other))
    assert queries() == once


def test_a_closed_areas_children_are_left_out_until_it_is_opened(
    client, county_admin, village, other_village
):
    """A province holds thousands of areas: only the open areas' children are in the page; a
    closed one links to the page with it open (no JavaScript needed)."""
    client.force_login(county_admin)
    page = client.get(reverse("area-tree")).content.decode()
    assert f'id="area-{village.code}"' not in page
    township = village.parent_id
    assert f'href="?open={township}#area-{township}"' in page
    opened_page = client.get(reverse("area-tree"), {"open": township}).content.decode()
    assert sorted(opened(opened_page)) == [county_admin.area_id, township]
    assert f'id="area-{village.code}"' in opened_page
    assert f'id="area-{other_village.code}"' not in opened_page
    outsider = UserFactory(role="township_operator", area=other_village.parent)
    client.force_login(outsider)
    foreign = client.get(reverse("area-tree"), {"open": township}).content.decode()
    assert opened(foreign) == [other_village.parent_id]
    assert village.name not in foreign


def test_opening_a_second_area_keeps_the_first_open_and_the_search(
    client, county_admin, village, other_village
):
    client.force_login(county_admin)
    first, second = village.parent_id, other_village.parent_id
    page = client.get(reverse("area-tree"), {"open": first, "q": "县"}).content.decode()
    assert f'href="?q=%E5%8E%BF&amp;open={first}&amp;open={second}#area-{second}"' in page
    both = client.get(reverse("area-tree") + f"?open={first}&open={second}").content.decode()
    assert sorted(opened(both)) == sorted([county_admin.area_id, first, second])
