"""Dataset pages: load through an import job, the scoped list, a file's provenance and masked
rows, the blank template per kind."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.comparison.models import Dataset
from tests.comparison.test_loading import csv_bytes, vehicle, xlsx
from tests.factories import UserFactory, id_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clerk(client, village):
    user = UserFactory(role="county_admin", area=village.parent.parent)
    client.force_login(user)
    return user


def post(client, content: bytes, name: str, **extra: str):
    upload = SimpleUploadedFile(name, content)
    data = {"kind": "vehicles", "year": "2019", "file": upload} | extra
    return client.post(reverse("dataset-load"), data, follow=True)


def test_a_file_loads_through_its_import_job_and_is_listed(client, clerk):
    number = id_number(datetime.date(1975, 5, 6))

    page = post(client, xlsx([vehicle(number)]), "车辆.xlsx", received_on="2019-12-20")

    assert "导入完成" in page.content.decode()
    assert "<td>机动车登记</td><td>1</td><td>0</td><td>0</td>" in page.content.decode()
    dataset = Dataset.objects.get()
    assert dataset.received_on == datetime.date(2019, 12, 20)
    listed = client.get(reverse("dataset-list")).content.decode()
    assert f'id="dataset-{dataset.pk}"' in listed and "公安局交警大队" in listed
    detail = client.get(reverse("dataset-detail", args=[dataset.pk])).content.decode()
    assert number not in detail  # masked
    assert number[:6] in detail and "小型轿车" in detail and "86000" in detail


def test_a_csv_with_errors_gives_the_errors_and_stores_nothing(client, clerk):
    page = post(client, csv_bytes([vehicle(id_number(), price="八万")]), "车辆.csv")

    text = page.content.decode()
    assert "发现 1 处错误，未写入任何数据" in text and "「八万」" in text
    assert not Dataset.objects.exists()


def test_another_township_sees_nothing_and_a_viewer_may_not_load(client, village, other_village):
    client.force_login(UserFactory(role="township_operator", area=village.parent))
    post(client, xlsx([vehicle(id_number())]), "车辆.xlsx")
    dataset = Dataset.objects.get()
    assert dataset.area == village.parent
    stranger = UserFactory(role="township_operator", area=other_village.parent)
    client.force_login(stranger)
    assert f'id="dataset-{dataset.pk}"' not in client.get(reverse("dataset-list")).content.decode()
    assert client.get(reverse("dataset-detail", args=[dataset.pk])).status_code == 404
    client.force_login(UserFactory(role="viewer", area=village.parent.parent))
    assert client.get(reverse("dataset-load")).status_code == 403


def test_the_blank_template_has_the_kinds_headers(client, clerk):
    response = client.get(reverse("dataset-template", args=["deaths"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ["证件号码", "姓名", "死亡日期", "数据来源"]
    assert client.get(reverse("dataset-template", args=["nothing"])).status_code == 404


def test_the_pages_in_english(client, clerk):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("dataset-load")).content.decode()
    assert "Load department data" in page
