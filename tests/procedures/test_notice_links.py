"""What makes a notice actionable: the county's supervision hotline (12317 unless the county sets
its own), the objection address, the seal and signature line, and the QR code linking to the
notice's objection form, drawn locally from exactly that link."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import resolve

from jingzhun.areas.models import Area
from jingzhun.procedures import notices, views_public
from jingzhun.procedures.flows import StepId
from jingzhun.procedures.notice_links import objection_url, qr_svg
from tests.factories import area_chain
from tests.procedures.builders import advance, exit_batch, meeting_household
from tests.procedures.pdftext import pdf_response_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(staff, monkeypatch):
    """One household of an exit batch on notice (2019-01-05 to 01-11, today 01-10)."""
    village = staff.village_op.area
    procedures = exit_batch(village, staff, [meeting_household(village)])
    advance(procedures, StepId.NOTICE, staff, monkeypatch)
    return procedures[0].notice


def county_of(notice) -> Area:
    return notice.batch.area.parent.parent


@pytest.fixture
def printed(monkeypatch):
    """The HTML the PDF view hands to WeasyPrint (the QR code is in it as SVG)."""
    pages: list[str] = []
    monkeypatch.setattr(notices, "html_to_pdf", lambda html: pages.append(html) or b"%PDF-")
    return pages


def test_the_national_hotline_when_the_county_sets_none(posted, settings):
    assert county_of(posted).supervision_phone == ""
    content = notices.notice_content(posted)
    assert (content.supervision_phone, content.objection_address) == ("12317", "")
    page = Client().get(f"/notices/{posted.token}/").content.decode()
    assert '<dd id="supervision-phone"><a href="tel:12317">12317</a></dd>' in page
    assert "异议受理地址" not in page

    settings.SUPERVISION_PHONE = "0871-12317"
    assert notices.notice_content(posted).supervision_phone == "0871-12317"


def test_the_county_overrides_the_hotline_and_gives_the_objection_address(posted, printed):
    Area.objects.filter(code=county_of(posted).code).update(
        supervision_phone="0874-3122317", objection_address="县乡村振兴局信访室（县政府大楼 3 楼）"
    )
    content = notices.notice_content(posted)
    assert (content.supervision_phone, content.objection_address) == (
        "0874-3122317",
        "县乡村振兴局信访室（县政府大楼 3 楼）",
    )
    page = Client().get(f"/notices/{posted.token}/").content.decode()
    assert '<a href="tel:0874-3122317">0874-3122317</a>' in page
    assert "<dd>县乡村振兴局信访室（县政府大楼 3 楼）</dd>" in page
    Client().get(f"/notices/{posted.token}/pdf/")
    assert "监督举报电话：0874-3122317" in printed[0]
    assert "异议受理地址：县乡村振兴局信访室（县政府大楼 3 楼）" in printed[0]
    assert "12317<" not in printed[0]


def test_another_county_keeps_its_own_hotline(posted):
    """The override is the notice's own county's, not any county's."""
    other_village = area_chain("520102")  # another province's county, same names
    Area.objects.filter(code=other_village.parent.parent_id).update(supervision_phone="0874-1")
    assert notices.notice_content(posted).supervision_phone == "12317"


def test_the_printed_notice_has_the_seal_line_and_a_qr_of_its_objection_form(posted, printed):
    response = Client().get(f"/notices/{posted.token}/pdf/")
    assert response.status_code == 200
    (html,) = printed
    url = f"http://testserver/notices/{posted.token}/#objection"
    assert objection_url(posted, response.wsgi_request) == url
    # The QR code is exactly segno's drawing of that link, inline: nothing to fetch.
    qr = qr_svg(url)
    assert qr.startswith("<svg") and 'class="qr"' in qr
    assert f'<div id="qr">{qr}</div>' in html
    assert f'<div class="link">{url}</div>' in html
    assert qr_svg(url + "x") not in html  # a different link draws a different code
    assert "<img" not in html and "src=" not in html and "href=" not in html
    # The link opens the notice's page, whose objection form carries id="objection".
    link = urlsplit(url)
    assert resolve(link.path).func == views_public.notice_page
    assert resolve(link.path).kwargs == {"token": posted.token}
    assert link.fragment == "objection"
    assert 'id="objection"' in Client().get(link.path).content.decode()
    # The seal and signature line, signed by the village committee, dated the first day.
    assert "100镇201村村民委员会（盖章）" in html
    assert "负责人（签字）：" in html
    assert "日期：2019年1月5日" in html


def test_the_qr_link_uses_the_public_address_when_set(posted, printed, settings):
    settings.PUBLIC_URL = "https://fp.example.gov.cn"
    settings.ALLOWED_HOSTS = ["10.1.2.3"]  # the intranet address staff print from
    Client().get(f"/notices/{posted.token}/pdf/", HTTP_HOST="10.1.2.3:8000")
    url = f"https://fp.example.gov.cn/notices/{posted.token}/#objection"
    assert qr_svg(url) in printed[0]
    assert "10.1.2.3" not in printed[0]


def test_the_real_pdf_shows_the_hotline_the_seal_and_the_link(posted):
    text = pdf_response_text(Client().get(f"/notices/{posted.token}/pdf/"))
    assert "监督举报电话：12317" in text
    assert "村民委员会（盖章）" in text
    assert f"http://testserver/notices/{posted.token}/#objection" in text.replace("\n", "")


def test_a_mobile_number_entered_as_hotline_is_never_printed(posted, printed, caplog):
    county = county_of(posted)
    Area.objects.filter(code=county.code).update(supervision_phone="13812345678")
    assert notices.notice_content(posted).supervision_phone == "12317"
    assert f"county {county.code}: its supervision phone looks like a mobile number" in caplog.text
    Client().get(f"/notices/{posted.token}/pdf/")
    assert "13812345678" not in printed[0]
    assert "13812345678" not in Client().get(f"/notices/{posted.token}/").content.decode()
