"""The area workbook page: links, upload with its result, the error file, the export, scope."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.areas.models import Area
from tests.areas.test_excel import township, village, workbook
from tests.factories import UserFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(content: bytes, name: str = "areas.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


@pytest.fixture
def editor(client, county_admin):
    client.force_login(county_admin)
    return client


def test_the_page_links_template_export_and_is_linked_from_the_tree_and_nav(editor):
    page = editor.get(reverse("area-import")).content.decode()
    assert reverse("area-template") in page
    assert reverse("area-export") in page
    assert 'enctype="multipart/form-data"' in page
    tree = editor.get(reverse("area-tree")).content.decode()
    assert f'href="{reverse("area-import")}"' in tree
    assert tree.count(f'href="{reverse("area-import")}"') == 2  # the tree's link and the nav's


def test_the_template_and_the_export_download(editor):
    template = editor.get(reverse("area-template"))
    assert template["Content-Type"] == XLSX
    assert openpyxl.load_workbook(io.BytesIO(template.content)).sheetnames == ["说明", "区划"]
    export = editor.get(reverse("area-export"))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content))["区划"]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == ["532527000000", "532527100000", "532527100201"]


def test_a_dry_run_then_an_import_show_the_counts(editor):
    content = workbook([township("532527101", "新镇"), village("532527101201", "新村")])

    checked = editor.post(
        reverse("area-import"), {"file": upload(content), "dry_run": "on"}, follow=True
    )

    assert "校验通过（仅校验，未写入）" in checked.content.decode()
    assert not Area.objects.filter(code="532527101000").exists()

    done = editor.post(reverse("area-import"), {"file": upload(content)}, follow=True)

    page = done.content.decode()
    assert "导入完成" in page
    assert "<td>乡镇</td><td>1</td><td>0</td><td>0</td>" in page
    assert "<td>行政村</td><td>1</td><td>0</td><td>0</td>" in page
    assert Area.objects.get(code="532527101201").name == "新村"


def test_errors_are_listed_and_the_annotated_file_downloads(editor):
    wrong = village("532527101201", "新村", 上级区划代码="532527102")
    content = workbook([township("532527101", "新镇"), wrong])

    response = editor.post(
        reverse("area-import"), {"file": upload(content, "mine.xlsx")}, follow=True
    )

    page = response.content.decode()
    assert "发现 1 处错误，未写入任何数据" in page
    assert "上级区划代码应为「532527101000」" in page
    errors = editor.get(reverse("import-errors", args=[response.context["job"].pk]))
    assert errors["Content-Disposition"].endswith('filename="mine.errors.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(errors.streaming_content)))["区划"]
    assert sheet.cell(row=1, column=sheet.max_column).value == "错误信息"
    assert not Area.objects.filter(code="532527101000").exists()


def test_a_viewer_may_download_but_not_upload(client, viewer):
    client.force_login(viewer)
    page = client.get(reverse("area-import")).content.decode()
    assert 'enctype="multipart/form-data"' not in page
    assert client.get(reverse("area-export")).status_code == 200

    response = client.post(
        reverse("area-import"), {"file": upload(workbook([township("532527101", "新镇")]))}
    )

    assert response.status_code == 403
    assert not Area.objects.filter(code="532527101000").exists()


def test_the_page_needs_a_login(client, db):
    response = client.get(reverse("area-import"))
    assert response.status_code == 302


def test_an_operator_of_another_county_cannot_touch_this_one(client, village):
    other = Area.objects.create(
        code="532501000000", name="个旧市", level="county", parent_id="532500000000"
    )
    client.force_login(UserFactory(role="county_admin", area=other))

    response = client.post(
        reverse("area-import"), {"file": upload(workbook([village_row()]))}, follow=True
    )

    assert "不在您的管辖范围内" in response.content.decode()
    assert Area.objects.get(code="532527100201").name == "100镇201村"


def village_row() -> dict:
    return village("532527100201", "改名村")


def test_the_page_and_its_errors_in_english(editor):
    editor.post(reverse("set_language"), {"language": "en", "next": "/"})
    wrong = village("532527101201", "新村", 上级区划代码="532527102")

    response = editor.post(
        reverse("area-import"),
        {"file": upload(workbook([township("532527101", "新镇"), wrong]))},
        follow=True,
    )

    page = response.content.decode()
    assert "Import job" in page
    assert (
        "The parent code should be “532527101000” (the first 9 digits of the code), "
        "got “532527102000”"
    ) in page
