"""Read a department's file: .xlsx (first sheet) or .csv (UTF-8, with or without BOM; GB18030 as
Excel in China saves it), as a header and its data rows. The xlsx goes through the same upload
guard as the registry workbook (size, zip bomb, DOCTYPE, rows) before it is opened."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from jingzhun.workbook.guard import NotAnXlsx, WorkbookRejected, check_workbook


class Unreadable(ValueError):
    """The file cannot be read at all; `str(err)` is the message for the user."""


def read_table(content: bytes, name: str) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """(header cells, (Excel/CSV row number, cells) of every non-empty data row)."""
    if name.lower().endswith(".csv"):
        return _csv(content)
    try:
        check_workbook(io.BytesIO(content))
    except NotAnXlsx:
        raise Unreadable(_("无法读取文件，请上传 Excel (.xlsx) 或 CSV 文件")) from None
    except WorkbookRejected as exc:
        raise Unreadable(exc.message) from None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # noqa: BLE001 - calamine raises several types for an unreadable file
        raise Unreadable(_("无法读取文件，请上传 Excel (.xlsx) 或 CSV 文件")) from None
    if not rows:
        raise Unreadable(_("文件中没有数据"))
    header = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    return header, ((number, list(cells)) for number, cells in enumerate(rows[1:], start=2))


def _csv(content: bytes) -> tuple[list[str], Iterator[tuple[int, list]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise Unreadable(_("无法识别文件编码，请另存为 UTF-8 编码的 CSV"))
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    if not header:
        raise Unreadable(_("文件中没有数据"))
    limit = settings.IMPORT_MAX_ROWS

    def data() -> Iterator[tuple[int, list]]:
        for number, cells in enumerate(rows, start=2):
            if number > limit + 1:
                raise Unreadable(_("文件超过 {n} 行，请拆分后分批导入").format(n=f"{limit:,}"))
            yield number, cells

    return [cell.strip() for cell in header], data()
