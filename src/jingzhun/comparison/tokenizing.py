"""Tokenise a department's file before it leaves the department (`jingzhun tokenize`, issue #12
item 4). No Django: the department runs it on its own machine, on its own file.

The output has the kind's columns and the file's rows: the ID column's header becomes
`<header>（令牌）` and its numbers keyed tokens (`idtokens.token`), names become their pinyin
initials (`idtokens.reduce_name`), and `出生日期` (from the number, also from one that fails its
check) is appended when the kind has no birth-date column, for fuzzy linking. Columns the kind
does not declare are dropped: they could carry a number (a guardian's, a contact's) that nothing
would tokenise. A row whose ID cell is empty or invalid keeps an empty token (`unkeyed`: it can
only be linked fuzzily); its raw value is never written. An .xlsx output carries a second sheet
`说明` naming the key_id, the kind and the counts; the file is created with mode 0600 and
replaces the target only once complete.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from jingzhun import idtokens
from jingzhun.standards.dataset_kinds import Column, DatasetKind
from jingzhun.workbook.safe import append_row

TOKEN_SUFFIX = "（令牌）"  # noqa: S105 - a header suffix, not a password
BIRTH_DATE_HEADER = "出生日期"
NOTES_SHEET = "说明"
SUFFIXES = (".xlsx", ".csv")
# Excel keeps 15 significant digits of a number: an 18-digit ID typed into a number cell has lost
# its last digits, and 1 in 11 of those still passes the check digit as someone else's number.
EXCEL_DIGITS = 15
_SHEET_TITLE_FORBIDDEN = str.maketrans("", "", "[]:*?/\\")


class TokenizeError(ValueError):
    """A file that cannot be tokenised; `str(err)` is Chinese with English in parentheses."""


@dataclass(frozen=True)
class TokenizeSummary:
    """What `tokenize_file` wrote."""

    target: Path
    kind: str
    key_id: str
    rows: int  # data rows written (rows blank in the kind's columns skipped)
    tokenised: int  # rows whose ID number became a token
    unkeyed: int  # rows with an empty or invalid ID cell: an empty token, linked fuzzily only
    numeric_ids: int  # of the unkeyed: IDs stored as numbers with more digits than Excel keeps
    dropped_columns: tuple[str, ...]  # headers in the file the kind does not declare


def default_target(source: Path) -> Path:
    """`<stem>.tokens<suffix>` beside the source."""
    return source.with_name(f"{source.stem}.tokens{source.suffix.lower()}")


def tokenize_file(source: Path, kind: DatasetKind, key: bytes, target: Path) -> TokenizeSummary:
    """Read `source` (.xlsx first sheet or .csv) as a file of `kind`, write the tokenised copy to
    `target` (.xlsx or .csv, by its suffix); TokenizeError when the file cannot be read as one."""
    source, target = Path(source), Path(target)
    for path in (source, target):
        if path.suffix.lower() not in SUFFIXES:
            raise TokenizeError(
                f"只支持 .xlsx 和 .csv 文件：{path.name} (only .xlsx and .csv files)"
            )
    if target.resolve() == source.resolve():
        raise TokenizeError(
            f"输出文件不能是输入文件：{target} (the output may not be the input file)"
        )
    if len(key) < idtokens.KEY_BYTES:
        raise TokenizeError(
            f"密钥太短，至少 {idtokens.KEY_BYTES} 字节"
            f" (key too short, at least {idtokens.KEY_BYTES} bytes)"
        )
    grid = _read(source)
    header_index, positions, dropped = _layout(grid, kind)
    columns = sorted(positions, key=positions.__getitem__)  # the file's column order
    id_column = next(c for c in columns if c.slot == "id_number")
    add_birth = "birth_date" not in kind.by_slot()

    headers = [c.header + TOKEN_SUFFIX if c is id_column else c.header for c in columns]
    if add_birth:
        headers.append(BIRTH_DATE_HEADER)
    rows: list[list[Any]] = []
    tokenised = unkeyed = numeric_ids = 0
    for raw in grid[header_index + 1 :]:
        cells = [_cell(raw, positions[c]) for c in columns]
        if all(_is_blank(value) for value in cells):
            continue  # blank in the kind's columns (perhaps not in a dropped one): no row
        number, lossy = _id_text(_cell(raw, positions[id_column]))
        born = None if lossy or not number else idtokens.birth_date(number)
        # A number that fails its check gets no token (it matches nobody), but its stated
        # birth date is kept for linking the row by name and birth date.
        stated = born or (None if lossy or not number else idtokens.claimed_birth_date(number))
        out: list[Any] = []
        for column, value in zip(columns, cells, strict=True):
            if column is id_column:
                out.append(idtokens.token(number, key) if born else "")
            elif column.slot == "name":
                out.append(idtokens.reduce_name(_text(value)))
            else:
                out.append(value)
        if add_birth:
            out.append(stated.isoformat() if stated else "")
        if born:
            tokenised += 1
        else:
            unkeyed += 1
            numeric_ids += lossy
        rows.append(out)

    summary = TokenizeSummary(
        target=target,
        kind=kind.id,
        key_id=idtokens.key_id(key),
        rows=len(rows),
        tokenised=tokenised,
        unkeyed=unkeyed,
        numeric_ids=numeric_ids,
        dropped_columns=tuple(dropped),
    )
    if target.suffix.lower() == ".xlsx":
        payload = _xlsx_bytes(kind, headers, rows, summary)
    else:
        payload = _csv_bytes(headers, rows)
    _write_private(target, payload)
    return summary


def _read(source: Path) -> list[list[Any]]:
    if not source.is_file():
        raise TokenizeError(f"文件不存在：{source} (file not found)")
    if source.suffix.lower() == ".csv":
        data = source.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise TokenizeError(
                    f"无法识别文件编码（应为 UTF-8 或 GB18030）：{source.name}"
                    " (unknown encoding: UTF-8 or GB18030 expected)"
                ) from None
        try:
            return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
        except csv.Error as exc:
            raise TokenizeError(
                f"无法读取 CSV 文件：{source.name} (cannot read the CSV): {exc}"
            ) from None
    try:
        book = CalamineWorkbook.from_path(str(source))
        return [list(row) for row in book.get_sheet_by_index(0).to_python()]
    except Exception:  # noqa: BLE001 - calamine raises several types for an unreadable file
        raise TokenizeError(
            f"无法读取 Excel 文件：{source.name} (cannot read the .xlsx file)"
        ) from None


def _layout(grid: list[list[Any]], kind: DatasetKind) -> tuple[int, dict[Column, int], list[str]]:
    """The header row's index, each declared column's position and the undeclared headers."""
    header_index = next(
        (i for i, row in enumerate(grid) if not all(_is_blank(v) for v in row)), None
    )
    if header_index is None:
        raise TokenizeError("文件是空的 (the file is empty)")
    by_header: dict[str, Column] = {}
    for column in kind.columns:
        by_header[column.header] = column
        by_header[column.header_en.casefold()] = column
    id_column = kind.by_slot().get("id_number")
    if id_column is None:
        raise TokenizeError(
            f"数据集类型 {kind.id} 没有证件号码列，无需令牌化 (kind {kind.id} has no ID column)"
        )
    positions: dict[Column, int] = {}
    dropped: list[str] = []
    for index, value in enumerate(grid[header_index]):
        header = _text(value)
        if not header:
            continue
        if header.endswith(TOKEN_SUFFIX):
            raise TokenizeError(f"文件已经令牌化（列「{header}」） (the file is already tokenised)")
        column = by_header.get(header) or by_header.get(header.casefold())
        if column is None:
            dropped.append(header)
            continue
        if column in positions:
            raise TokenizeError(f"列「{header}」重复 (column appears twice)")
        positions[column] = index
    if id_column not in positions:
        raise TokenizeError(
            f"找不到证件号码列「{id_column.header}」或「{id_column.header_en}」"
            f"（数据集类型 {kind.id}） (no ID column in the header row)"
        )
    return header_index, positions, dropped


def _cell(row: list[Any], index: int) -> Any:
    return row[index] if index < len(row) else None  # a CSV row may be shorter than its header


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as text: a whole number without '.0', a date (or midnight datetime) as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _id_text(value: Any) -> tuple[str, bool]:
    """The ID cell as text, and whether it is a number cell with more digits than Excel keeps
    (its last digits are lost: never tokenised, it could be someone else's valid number)."""
    if isinstance(value, bool) or value is None:
        return "", False
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return str(value), False
        digits = str(abs(int(value)))
        return digits, len(digits) > EXCEL_DIGITS
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        return "", False
    return str(value).strip(), False


def _xlsx_bytes(
    kind: DatasetKind, headers: list[str], rows: list[list[Any]], summary: TokenizeSummary
) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind.name.translate(_SHEET_TITLE_FORBIDDEN)[:31] or kind.id)
    append_row(sheet, headers)
    for row in rows:
        append_row(sheet, row)
    notes = book.create_sheet(NOTES_SHEET)
    today = datetime.date.today()  # noqa: DTZ011 - a calendar date on the department's machine
    for item in (
        ("项目 (item)", "值 (value)"),
        ("密钥指纹 (key_id)", summary.key_id),
        ("数据集类型 (kind)", summary.kind),
        ("行数 (rows)", summary.rows),
        ("已生成令牌 (tokenised)", summary.tokenised),
        ("无令牌 (unkeyed)", summary.unkeyed),
        ("生成日期 (date)", today.isoformat()),
    ):
        append_row(notes, item)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv_bytes(headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([_text(value) for value in row] for row in rows)
    # With a BOM: Excel and WPS on a Chinese desktop read UTF-8 without one as GBK.
    return buffer.getvalue().encode("utf-8-sig")


def _write_private(target: Path, payload: bytes) -> None:
    """Create a temporary file with mode 0600 beside `target`, then move it into place: an
    existing target (any mode) is replaced whole, never left half-written or world-readable."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
