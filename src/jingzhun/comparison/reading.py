"""Read a department's file: .xlsx (first sheet), .csv (UTF-8, with or without BOM; GB18030 as
Excel in China saves it) or, from the command line, .parquet (a large list as a data platform
exports it), as a header and its data rows. The xlsx goes through the same upload guard as the
registry workbook (size, zip bomb, DOCTYPE, rows) before it is opened. Row numbers are those of
the file as a spreadsheet shows it (header = row 1), Parquet included, so an error names the same
row whichever format the list came in."""

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
    if name.lower().endswith(".parquet"):
        return _parquet(content)
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


def _parquet(content: bytes) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """Columns as the header, rows read batch by batch (a 10-million-row list is never one
    Python list). Parquet's own types arrive as Python values (dates as dates, numbers as
    numbers), which the loader's cell parsing accepts as it does calamine's."""
    import pyarrow as pa  # only the command line reads Parquet
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(pa.BufferReader(content))
    except (pa.ArrowException, OSError):
        raise Unreadable(_("无法读取 Parquet 文件")) from None
    header = [str(name).strip() for name in file.schema_arrow.names]
    if not header:
        raise Unreadable(_("文件中没有数据"))
    limit = settings.IMPORT_MAX_ROWS

    def data() -> Iterator[tuple[int, list]]:
        number = 1
        for batch in file.iter_batches(batch_size=50_000):
            columns = [column.to_pylist() for column in batch.columns]
            for cells in zip(*columns, strict=True):
                number += 1
                if number > limit + 1:
                    raise Unreadable(_("文件超过 {n} 行，请拆分后分批导入").format(n=f"{limit:,}"))
                yield number, list(cells)

    return header, data()
