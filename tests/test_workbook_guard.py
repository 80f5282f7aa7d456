"""Issue #11 item 4: a small upload must not exhaust the server. Every import (registry and area
pages, both commands) refuses, before parsing, with a message naming the limit and the file's
value: an oversized upload, a zip bomb, a total unzipped size over the limit, a DOCTYPE/ENTITY,
a huge declared dimension, too many rows, a file that is no .xlsx. Nothing is written."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from jingzhun.areas.models import Area
from jingzhun.audit.models import AuditEntry
from jingzhun.registry.models import Household, Person
from jingzhun.workbook.guard import WorkbookRejected, check_workbook
from tests.areas.test_excel import township
from tests.areas.test_excel import workbook as area_workbook
from tests.registry.test_excel_import import household, person, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "xl/worksheets/sheet1.xml"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def registry_file() -> bytes:
    return workbook({"户": [household()], "成员": [person()]})


def with_part(content: bytes, name: str, data: bytes) -> bytes:
    """`content` (an .xlsx) with the part `name` replaced by `data`."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = data if item.filename == name else source.read(item.filename)
            target.writestr(item.filename, body)
    return buffer.getvalue()


def sheet_of(rows: int, cell: str = "x", dimension: str = "") -> bytes:
    body = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{cell}</t></is></c></row>'
        for n in range(1, rows + 1)
    )
    dimension = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"{HEAD}{dimension}<sheetData>{body}</sheetData></worksheet>".encode()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>'
    b"</sheetData></worksheet>"
)


def zip_bomb() -> bytes:
    """About 30 KB on disk, 8 MB unzipped: one sheet of the same row over and over."""
    row = b'<row><c t="inlineStr"><is><t>' + b"A" * 200 + b"</t></is></c></row>"
    data = HEAD.encode() + b"<sheetData>" + row * 40_000 + b"</sheetData></worksheet>"
    return with_part(registry_file(), SHEET, data)


def incompressible(megabytes: float) -> bytes:
    """A sheet of random text: unzipped hardly larger than zipped, so only the size limit."""
    text = os.urandom(int(megabytes * (1 << 20)) // 2).hex()
    rows = "".join(
        f'<row r="{n + 1}"><c r="A{n + 1}" t="inlineStr"><is><t>{text[i : i + 4000]}</t></is>'
        "</c></row>"
        for n, i in enumerate(range(0, len(text), 4000))
    )
    return with_part(
        registry_file(), SHEET, f"{HEAD}<sheetData>{rows}</sheetData></worksheet>".encode()
    )


# (the file, settings for the test, a part of the expected message)
CASES = {
    "zip bomb": (zip_bomb, {}, "压缩比超过 100 倍（实际约"),
    "unzipped size": (
        lambda: incompressible(1.5),
        {"IMPORT_MAX_UNCOMPRESSED_MB": 1},
        "文件解压后超过 1 MB（实际约 1.",
    ),
    "billion laughs": (
        lambda: with_part(registry_file(), SHEET, BILLION_LAUGHS),
        {},
        "文件中的「xl/worksheets/sheet1.xml」含有 DOCTYPE 或实体声明",
    ),
    "declared columns": (
        lambda: with_part(registry_file(), SHEET, sheet_of(1, dimension="A1:XFD1048576")),
        {},
        "工作表的列数超过 200 列（实际 16384 列）",
    ),
    "declared rows": (
        lambda: with_part(registry_file(), SHEET, sheet_of(1, dimension="A1:Z1048576")),
        {"IMPORT_MAX_ROWS": 100_000},
        "文件的行数超过 100000 行（实际至少 1048576 行）",
    ),
    "too many rows": (
        lambda: with_part(registry_file(), SHEET, sheet_of(60)),
        {"IMPORT_MAX_ROWS": 50},
        "文件的行数超过 50 行（实际至少 6",
    ),
    "not an xlsx": (
        lambda: "户编号,姓名\n1,张三\n".encode(),
        {},
        "无法读取文件",
    ),
    "a zip with no workbook": (
        lambda: _plain_zip(),
        {},
        "无法读取文件",
    ),
}


def _plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


def written() -> tuple[int, int, int, int]:
    return (
        Household.objects.count(),
        Person.objects.count(),
        Area.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("case", CASES)
def test_the_guard_refuses_with_the_limit_and_the_value(case, settings):
    make, overrides, message = CASES[case]
    for name, value in overrides.items():
        setattr(settings, name, value)
    with pytest.raises(WorkbookRejected) as refused:
        check_workbook(io.BytesIO(make()))
    assert message in refused.value.message


INLINE = 1 << 30  # imported in the request, whatever the size (the worker path: tests/imports)


@pytest.mark.parametrize("case", CASES)
def test_the_registry_page_answers_the_message_and_writes_nothing(case, client, county_admin):
    make, overrides, message = CASES[case]
    client.force_login(county_admin)
    before = written()
    with override_settings(**overrides, IMPORT_SYNC_MAX_BYTES=INLINE):
        response = client.post(
            reverse("registry-import"),
            {"file": SimpleUploadedFile("mine.xlsx", make(), content_type=XLSX)},
            follow=True,
        )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert written() == before


@pytest.mark.parametrize("case", CASES)
def test_the_area_page_answers_the_message_and_writes_nothing(case, client, county_admin):
    make, overrides, message = CASES[case]
    content = make()
    if case not in ("not an xlsx", "a zip with no workbook"):  # the same attack, on sheet 区划
        content = with_part(area_workbook([township("532527101", "新镇")]), SHEET, _sheet(content))
    client.force_login(county_admin)
    before = written()
    with override_settings(**overrides, IMPORT_SYNC_MAX_BYTES=INLINE):
        response = client.post(
            reverse("area-import"),
            {"file": SimpleUploadedFile("areas.xlsx", content, content_type=XLSX)},
            follow=True,
        )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert written() == before


def _sheet(content: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(content)).read(SHEET)


@pytest.mark.parametrize("command", ["import", "import_areas"])
@pytest.mark.parametrize("case", ["zip bomb", "billion laughs", "not an xlsx"])
def test_the_commands_exit_non_zero_with_the_message(command, case, village, tmp_path, capsys):
    make, _overrides, message = CASES[case]
    path = tmp_path / "bad.xlsx"
    path.write_bytes(make())
    before = written()
    with pytest.raises(SystemExit) as exit_:
        call_command(command, str(path))
    assert exit_.value.code == 1
    assert message in capsys.readouterr().err
    assert written() == before


@pytest.mark.parametrize("url", ["registry-import", "area-import"])
def test_an_oversized_upload_is_a_form_error(url, client, county_admin, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    client.force_login(county_admin)
    before = written()
    content = registry_file() + b"\0" * (1 << 20)  # 1 MB of padding after the zip
    response = client.post(
        reverse(url), {"file": SimpleUploadedFile("big.xlsx", content, content_type=XLSX)}
    )
    assert response.status_code == 200
    assert "文件超过 1 MB（实际约 1.0 MB），请拆分后分批导入" in response.content.decode()
    assert written() == before


def test_a_good_workbook_passes_and_is_rewound():
    stream = io.BytesIO(registry_file())
    stream.seek(3)
    check_workbook(stream)
    assert stream.tell() == 3
