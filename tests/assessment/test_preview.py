"""Previewing a draft standard against the adopted one on the hand-built registry: who newly
meets or misses (computed by hand), validation errors naming indicator and field, scope, the
page, the workbook, the audit entry, and that nothing is stored."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from jingzhun.assessment.models import AssessmentRun, IndicatorResult, Verdict
from jingzhun.assessment.preview import Preview
from jingzhun.audit.models import AuditEntry
from jingzhun.registry.models import Measure
from jingzhun.standards import StandardError, loader
from tests.engine.conftest import person
from tests.factories import HouseholdFactory, IncomeFactory, UserFactory, area_chain

pytestmark = pytest.mark.django_db

DRAFTS = Path(__file__).resolve().parents[2] / "docs" / "drafts"
COLLECTIVE = (DRAFTS / "yunnan-2018-collective-30000.toml").read_text(encoding="utf-8")
TRANSFER = (DRAFTS / "yunnan-2018-transfer-share.toml").read_text(encoding="utf-8")
BROKEN = """
id = "broken-draft"
name = "坏草案"
name_en = "Broken draft"
region = "53"
year = 2018
version = "draft"
extends = "yunnan-2018"

[[household]]
id = "savings"
label = "有存款"
label_en = "Has savings"
value = "incom_per_capita * 2"
op = ">"
threshold = 100
"""


@pytest.fixture
def extra(registry):
    """Added to the fixture: V4, a village meeting all ten Yunnan indicators with a collective
    income of 25,000 (≥ 20,000, < 30,000); h8 (V1) meeting all six household indicators with no
    transfer income; h9 (V2) meeting them too, but 4,000 of its 5,000 yuan are 低保 (80 %)."""
    v4 = area_chain(village="204")
    for flag in (
        "hardened_road",
        "grid_power",
        "radio_tv",
        "broadband",
        "clinic_with_doctor",
        "safe_water",
        "public_space",
    ):
        setattr(v4, flag, True)
    v4.collective_income = Decimal("25000")
    v4.save()
    v1, v2 = registry["v"][0], registry["v"][1]
    h8 = HouseholdFactory(village=v1, status="registered", number="532527100201900108")
    person(h8, datetime.date(1980, 1, 1), "head", pension_insured=True)
    IncomeFactory(household=h8, year=2018, members_count=1)  # 8,500, no transfer income
    h9 = HouseholdFactory(village=v2, status="registered", number="532527101202000109")
    person(h9, datetime.date(1975, 1, 1), "head", pension_insured=True)
    IncomeFactory(
        household=h9,
        year=2018,
        members_count=1,
        wage_income=Decimal("1000"),
        operating_income=Decimal("0"),
        operating_expenses=Decimal("0"),
        dibao_income=Decimal("4000"),
    )
    Measure.objects.bulk_create(
        [
            Measure(household=h8, kind="industry", year=2018),
            Measure(household=h9, kind="industry", year=2018),
        ]
    )
    return {**registry, "v4": v4, "h8": h8, "h9": h9}


def preview(text: str, prefix: str = "", year: int = 2018) -> Preview:
    return Preview(
        adopted=loader.load("yunnan-2018"), draft=loader.loads(text), year=year, prefix=prefix
    )


def summary(p: Preview, level: str, by: str = "township") -> tuple[list, dict, dict]:
    areas, totals, indicators = p.summary(level, by)
    return areas, totals, {i["indicator"]: i for i in indicators}


def counts(totals: dict) -> tuple[int, int, int, int]:
    """(newly met, newly unmet, still met, still unmet)."""
    return totals["met"], totals["unmet"], totals["same_met"], totals["same_unmet"]


def test_raised_collective_income_makes_v4_newly_miss(extra):
    p = preview(COLLECTIVE)
    areas, totals, indicators = summary(p, "village")
    # V4 was the only village meeting all ten; at 30,000 it misses. V1's 50,000.10 still passes.
    assert (totals["unmet"], totals["met"], totals["same_unmet"], totals["same_met"]) == (
        1,
        0,
        4,
        0,
    )
    assert (totals["met_before"], totals["met_after"]) == (1, 0)
    assert indicators["collective_income"]["state"] == "changed"
    assert (indicators["collective_income"]["failing"], indicators["road"]["state"]) == (1, "")
    assert {a["code"]: a["unmet"] for a in areas} == {
        "522301100": 0,
        "532527100": 1,
        "532527101": 0,
    }
    rows, has_next = p.entities("village", "unmet")
    assert [r["entity"] for r in rows] == ["532527100204"] and not has_next
    (reason,) = rows[0]["reasons"]
    assert (reason["indicator"], reason["before_value"], reason["after_value"]) == (
        "collective_income",
        25000.0,
        25000.0,
    )
    assert (reason["before_threshold"], reason["after_threshold"]) == (20000.0, 30000.0)
    assert reason["explanation"] == "村集体经济收入 25,000 元，低于 30,000 元"
    # Households and counties do not depend on the village parameter.
    assert summary(p, "household")[1]["unmet"] == 0
    assert summary(p, "county")[1]["unmet"] == 0


def test_new_household_indicator_makes_h9_newly_miss(extra):
    p = preview(TRANSFER)
    h9 = str(extra["h9"].pk)
    _areas, totals, indicators = summary(p, "household")
    # h8 (share 0) keeps meeting; h9 (share 0.8) newly misses; the six fixture households
    # already missed the adopted standard.
    assert (totals["met"], totals["unmet"], totals["same_met"], totals["same_unmet"]) == (
        0,
        1,
        1,
        6,
    )
    # Failing the new indicator: h9 (0.8) and every household whose share is NULL (no income
    # record: h2, h5, h6, h7; net income 0: h3). h1's share is 1,500 / 10,000.07 = 0.15.
    assert (indicators["transfer_share"]["state"], indicators["transfer_share"]["failing"]) == (
        "added",
        6,
    )
    rows, _ = p.entities("household", "unmet")
    assert [r["entity"] for r in rows] == [h9]
    assert rows[0]["number"] == "532527101202000109" and rows[0]["head_name"] == "张三"
    (reason,) = rows[0]["reasons"]
    assert (reason["before_met"], reason["after_met"], reason["after_value"]) == (None, False, 0.8)
    assert reason["explanation"] == "转移性收入占家庭纯收入的 0.8,不低于 0.5"
    kept, _ = p.entities("household", "same_met")
    assert [r["entity"] for r in kept] == [str(extra["h8"].pk)]
    # Same draft for the village level: same indicators, nothing changes.
    assert summary(p, "village")[1]["total"] == summary(p, "village")[1]["same_unmet"] + 1


def test_scope_prefix_limits_the_preview(extra):
    p = preview(TRANSFER, prefix="522301")
    _areas, totals, _ = summary(p, "household")
    assert totals["total"] == 1  # h7 only
    rows, _ = p.entities("household", "same_unmet")
    assert [r["entity"] for r in rows] == [str(extra["h"][6].pk)]
    assert summary(p, "county")[1]["total"] == 1


def test_loads_a_draft_and_names_indicator_and_field():
    with pytest.raises(StandardError) as error:
        loader.loads(BROKEN, name="草案.toml")
    message = str(error.value)
    assert message.startswith("草案.toml: 户 household 指标 savings: value:")
    assert "incom_per_capita" in message
    # A draft may only extend a shipped standard, never a path on the server.
    with pytest.raises(StandardError, match="extends"):
        loader.loads(COLLECTIVE.replace('extends = "yunnan-2018"', 'extends = "/etc/x.toml"'))
    assert loader.loads(COLLECTIVE).path is None


def login(client, **fields):
    user = UserFactory(**fields)
    client.force_login(user)
    return user


def post(client, text: str, **extra):
    data = {"draft_text": text, "adopted": "yunnan-2018", "year": "2018", "area": "", **extra}
    return client.post(reverse("assessment-preview"), data)


def test_page_renders_lists_and_audits_without_storing(client, extra):
    user = login(client, role="viewer")  # read-only users may preview
    response = client.get(reverse("assessment-preview"))
    assert response.status_code == 200
    assert "extends = &quot;yunnan-2018&quot;" in response.content.decode()
    response = post(client, TRANSFER, show="household.unmet.1")
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("household-detail", args=[extra["h9"].pk]) in html
    assert "转移性收入占家庭纯收入的 0.8,不低于 0.5" in html
    assert "522301" not in html.split('id="preview-totals"')[1]  # the user's county only
    entry = AuditEntry.objects.get(model="assessment.preview")
    assert (entry.action, entry.actor, entry.area_code) == ("create", user, "532527000000")
    assert "yunnan-2018-transfer-share" in entry.message
    assert not AssessmentRun.objects.exists()
    assert not Verdict.objects.exists() and not IndicatorResult.objects.exists()
    # The village list of the other draft, by button value.
    response = post(client, COLLECTIVE, show="village.unmet.1")
    assert "532527100204" in response.content.decode()


def test_upload_broken_draft_and_out_of_scope_area(client, extra):
    login(client)
    response = post(client, BROKEN)
    assert response.status_code == 400
    html = response.content.decode()
    assert "指标 savings" in html and "value" in html and "incom_per_capita" in html
    upload = SimpleUploadedFile("草案.toml", BROKEN.encode("utf-8"))
    response = client.post(
        reverse("assessment-preview"),
        {"draft_file": upload, "adopted": "yunnan-2018", "year": "2018"},
    )
    assert response.status_code == 400
    # Every problem at once, in the page's language only.
    assert "草案.toml：户层指标 savings：value：未知字段 &#x27;incom_per_capita&#x27;" in (
        response.content.decode()
    )
    assert "unknown field" not in response.content.decode()
    upload = SimpleUploadedFile("draft.toml", TRANSFER.encode("utf-8"))
    response = client.post(
        reverse("assessment-preview"),
        {"draft_file": upload, "adopted": "yunnan-2018", "year": "2018"},
    )
    assert response.status_code == 200  # the uploaded text is now in the box for the next page
    assert "transfer_share" in response.content.decode()
    # Another county is not a choice for this user; nothing audited for refusals.
    response = post(client, TRANSFER, area="522301000000")
    assert response.status_code == 400
    assert AuditEntry.objects.filter(model="assessment.preview").count() == 1
    # A year without a poverty line is refused on the form, naming the indicator.
    response = post(client, TRANSFER, year="2001")
    assert response.status_code == 400 and "income" in response.content.decode()


def test_other_county_user_sees_none_of_this_county(client, extra):
    login(client, area_id="522301000000")
    response = post(client, TRANSFER, show="household.same_unmet.1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "522301100201000001" in html  # h7
    assert "532527" not in html.split('id="preview-totals"')[1]


def test_user_without_scope_is_refused(client, registry):
    login(client, area=None, is_superuser=False)
    assert client.get(reverse("assessment-preview")).status_code == 403


def test_export_opens_and_is_audited(client, extra):
    login(client)
    response = client.post(
        reverse("assessment-preview-xlsx"),
        {"draft_text": COLLECTIVE, "adopted": "yunnan-2018", "year": "2018"},
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "汇总"
    summary_rows = list(book["汇总"].iter_rows(min_row=2, values_only=True))
    assert summary_rows[1][0] == "村" and summary_rows[1][4:] == (0, 1)
    villages = list(book["村·变化名单"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in villages] == ["532527100204"]
    assert "25,000（标准 20,000） → 25,000（标准 30,000）" in villages[0][-1]
    entry = AuditEntry.objects.get(model="assessment.preview", action="export")
    assert "yunnan-2018-collective-30000" in entry.message
