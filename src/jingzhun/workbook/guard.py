"""The pre-parse guard: an uploaded .xlsx is looked at as a zip, never extracted, before
python-calamine or openpyxl open it (issue #11 item 4).

A 623 KB file expanding to 172 MB kept the server busy for 9 minutes and 4.9 GB. `check_workbook`
refuses, with a message naming the limit and the file's value: a file that is no zip or no
workbook; a total uncompressed size over settings.IMPORT_MAX_UNCOMPRESSED_MB; a member compressed
more than MAX_RATIO times (a zip bomb: Excel's own parts compress 5-15 times); any XML part with a
DOCTYPE or an entity declaration (Excel never writes one; "billion laughs"); sheets whose rows,
counted or declared (`<dimension ref="A1:XFD1048576"/>`, a row or cell numbered far down), add up
to more than settings.IMPORT_MAX_ROWS, or a sheet wider than MAX_COLUMNS. Every part is read as a
stream in bounded chunks, and never more than its declared size (zipfile stops there and checks
the CRC), so the guard itself costs one pass over at most the allowed bytes.

Measured on the demo county's full export (8,584 households, 32,579 persons): 7.0 MB on disk,
66 MB uncompressed, 85,812 rows over six sheets, 40 columns at most, ratio 11 at most.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

MAX_RATIO = 100  # uncompressed/compressed of one member; Excel's parts: 5-15
MAX_COLUMNS = 200  # the widest import sheet has 40 columns
_CHUNK = 1 << 20
_OVERLAP = 64  # bytes kept from the previous chunk, so a token split across two is still seen
_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DIMENSION = re.compile(rb'<dimension\b[^>]*\bref="([A-Z]*)(\d*):?([A-Z]*)(\d*)"')
_ROW = re.compile(rb"<row\b")
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="(\d{1,12})"')
_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,8})(\d{1,12})"')
_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")


class WorkbookRejected(Exception):
    """The file is refused before parsing; `message` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAnXlsx(WorkbookRejected):
    """No zip, or a zip without `xl/workbook.xml`: the importers say so in their own words."""


def megabytes(size: int) -> str:
    """A size in MB as a message shows it: whole MB from 10 up, else one decimal."""
    value = size / (1 << 20)
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def check_upload_size(size: int) -> None:
    """Refuse an upload larger than settings.IMPORT_MAX_UPLOAD_MB."""
    limit = settings.IMPORT_MAX_UPLOAD_MB
    if size > limit * (1 << 20):
        raise WorkbookRejected(
            _("文件超过 {limit} MB（实际约 {size} MB），请拆分后分批导入").format(
                limit=limit, size=megabytes(size)
            )
        )


def check_workbook(source: str | Path | IO[bytes]) -> None:
    """Raise `WorkbookRejected` unless `source` is an .xlsx within the limits (module doc). A
    file-like source is rewound to where it was."""
    position = None if isinstance(source, str | Path) else source.tell()
    try:
        _check(source)
    except WorkbookRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError):
        raise NotAnXlsx(
            _(
                "无法读取文件：不是有效的 Excel (.xlsx) 文件，"
                "请在 Excel 或 WPS 中另存为 .xlsx 后上传"
            )
        ) from None
    finally:
        if position is not None:
            source.seek(position)


def _check(source: str | Path | IO[bytes]) -> None:
    with zipfile.ZipFile(source) as archive:
        members = archive.infolist()
        names = {member.filename for member in members}
        if "xl/workbook.xml" not in names:
            raise zipfile.BadZipFile("no xl/workbook.xml")
        limit = settings.IMPORT_MAX_UNCOMPRESSED_MB
        total = sum(member.file_size for member in members)
        if total > limit * (1 << 20):
            raise WorkbookRejected(
                _("文件解压后超过 {limit} MB（实际约 {size} MB），请拆分后分批导入").format(
                    limit=limit, size=megabytes(total)
                )
            )
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > _CHUNK and ratio > MAX_RATIO:
                raise WorkbookRejected(
                    _(
                        "文件中的「{part}」压缩比超过 {limit} 倍（实际约 {ratio} 倍），"
                        "不像 Excel 保存的文件，已拒绝"
                    ).format(part=member.filename, limit=MAX_RATIO, ratio=int(ratio))
                )
        rows = 0
        for member in members:
            if member.filename.endswith((".xml", ".rels", ".vml")):
                rows += _scan(archive, member)
                if rows > settings.IMPORT_MAX_ROWS:
                    raise WorkbookRejected(
                        _(
                            "文件的行数超过 {limit} 行（实际至少 {rows} 行），请拆分后分批导入"
                        ).format(limit=settings.IMPORT_MAX_ROWS, rows=rows)
                    )


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """Stream one XML part: refuse a DOCTYPE or ENTITY; for a worksheet, the rows it holds (the
    largest of the rows counted, the last row numbered and the declared dimension)."""
    is_sheet = bool(_SHEET.match(member.filename))
    counted = last_row = last_column = 0
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            if _FORBIDDEN.search(data):
                raise WorkbookRejected(
                    _(
                        "文件中的「{part}」含有 DOCTYPE 或实体声明，"
                        "Excel 不会保存这样的文件，已拒绝"
                    ).format(part=member.filename)
                )
            if is_sheet:
                # Counted on the new bytes only; the numbered ones on all (a max repeats safely).
                counted += len(_ROW.findall(chunk))
                for match in _DIMENSION.finditer(data):
                    for letters, number in ((match[1], match[2]), (match[3], match[4])):
                        last_column = max(last_column, _column_number(letters))
                        last_row = max(last_row, int(number or 0))
                for match in _ROW_NUMBER.finditer(data):
                    last_row = max(last_row, int(match[1]))
                for match in _CELL_REF.finditer(data):
                    last_column = max(last_column, _column_number(match[1]))
                    last_row = max(last_row, int(match[2]))
                if last_column > MAX_COLUMNS:
                    raise WorkbookRejected(
                        _("工作表的列数超过 {limit} 列（实际 {columns} 列），已拒绝").format(
                            limit=MAX_COLUMNS, columns=last_column
                        )
                    )
            tail = data[-_OVERLAP:]
    return max(counted, last_row)


__all__ = [
    "MAX_COLUMNS",
    "MAX_RATIO",
    "NotAnXlsx",
    "WorkbookRejected",
    "check_upload_size",
    "check_workbook",
]
