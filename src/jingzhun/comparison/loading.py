"""Load a department's file as a dataset: every row checked against its kind, nothing stored
unless all of it is right, the rows written set-based with the file's provenance.

Re-loading the same file (same kind, year, area and checksum) changes nothing. A different file
of the same kind, year and area becomes the current one; the earlier stays, not current, so the
findings it produced keep their evidence.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun import areacodes, idcodes, idtokens
from jingzhun.areas.models import Area
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.core import bulk
from jingzhun.standards import dataset_kinds
from jingzhun.standards.dataset_kinds import Column, DatasetKind
from jingzhun.workbook import RowError, SheetCounts, cells
from jingzhun.workbook.cells import CellError

from .linkage.keys import KeyFileError
from .linkage.linking import LinkSummary, link_datasets
from .models import Dataset, DatasetRow
from .reading import Unreadable, read_table
from .snapshots import keep_dataset

logger = logging.getLogger(__name__)

# The ID column's header in a tokenised file (`jingzhun tokenize`).
TOKEN_SUFFIX = "（令牌）"  # noqa: S105 - a header, not a secret
BIRTH_DATE = "_birth_date"  # the layout's name of a tokenised file's appended 出生日期 column
BIRTH_DATE_HEADER = "出生日期"
_ID_SHAPE = re.compile(r"^(\d{17}[\dX]|\d{15})$")
_AREA = re.compile(r"^\d{6,12}$")
MIN_YEAR, MAX_YEAR = 1900, 2100


@dataclass
class LoadResult:
    kind: str
    year: int
    row_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    dataset: Dataset | None = None
    unchanged: bool = False  # this very file was loaded before: nothing written
    superseded: int = 0  # earlier files of the kind, year and area no longer current
    unkeyed: int = 0  # rows without a valid ID number (or token): linked by name only
    dry_run: bool = False
    links: LinkSummary | None = None  # token and possible fuzzy links made after the load
    link_error: str = ""  # an agreement key file that could not be used

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def batch(self) -> str:
        """What an import job shows as its batch: the dataset's number."""
        return f"#{self.dataset.pk}" if self.dataset is not None else ""

    @property
    def counts(self) -> dict[str, SheetCounts]:
        """The rows as an import job's counts: new rows, or unchanged for a file loaded before."""
        label = dataset_kinds.load(self.kind).name
        if self.unchanged:
            return {label: SheetCounts(unchanged=self.row_count)}
        return {label: SheetCounts(created=0 if self.dry_run else self.row_count)}


def load_dataset(
    content: bytes,
    *,
    kind: str | DatasetKind,
    year: int,
    acting_user: Any,
    name: str,
    area_code: str | None = None,
    received_on: datetime.date | None = None,
    key_id: str = "",
    dry_run: bool = False,
) -> LoadResult:
    """Check `content` (.xlsx or .csv by `name`) against `kind`; unless `dry_run` or an error,
    store it for `area_code` (default: the user's own area; it must be inside the user's
    scope) as received on `received_on` (default today). A tokenised file (its ID column's
    header ends in （令牌）) is stored with the public `key_id` of the agreement key it was
    tokenised with: no raw ID number of it is ever stored."""
    kind = kind if isinstance(kind, DatasetKind) else dataset_kinds.load(kind)
    result = LoadResult(kind=kind.id, year=year, dry_run=dry_run)
    if acting_user is None or not acting_user.can_edit():
        raise PermissionDenied(_("您没有导入部门数据的权限"))
    area = _area(acting_user, area_code, result)
    if not MIN_YEAR <= year <= timezone.localdate().year + 1:
        result.errors.append(
            RowError("", 0, "", _("数据年度不正确，实际为「{value}」").format(value=year))
        )
    if result.errors:
        return result
    try:
        header, rows = read_table(content, name)
        layout = _layout(kind, header, result)
        parsed = [] if result.errors else list(_rows(kind, layout, rows, result))
    except Unreadable as exc:
        result.errors.append(RowError("", 0, "", str(exc)))
        return result
    if result.errors or dry_run:
        result.row_count = len(parsed) if not result.errors else 0
        return result
    result.row_count = len(parsed)
    checksum = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        existing = Dataset.objects.filter(
            kind=kind.id, year=year, area=area, checksum=checksum
        ).first()
        if existing is not None:
            result.dataset, result.unchanged = existing, True
            return result
        result.superseded = Dataset.objects.filter(
            kind=kind.id, year=year, area=area, current=True
        ).update(current=False)
        dataset = Dataset.objects.create(
            kind=kind.id,
            year=year,
            area=area,
            department=kind.department,
            received_on=received_on or timezone.localdate(),
            loaded_by=acting_user if getattr(acting_user, "pk", None) else None,
            file_name=name[:200],
            checksum=checksum,
            rows=len(parsed),
            key_id=key_id[:16],
        )
        bulk.insert_dicts(DatasetRow, [{**values, "dataset_id": dataset.pk} for values in parsed])
        audit.record(
            actor=dataset.loaded_by,
            action=Action.IMPORT,
            instance=dataset,
            model="comparison.dataset",
            object_repr=f"{kind.name} {year} {name}"[:200],
            changes={
                "kind": kind.id,
                "year": year,
                "rows": len(parsed),
                "checksum": checksum,
                "superseded": result.superseded,
                "tokenised": layout.tokenised,
            },
            area_code=area.code,
            message=_("导入部门数据 {kind}（{department}）{year} 年 {rows} 行").format(
                kind=kind.name, department=kind.department, year=year, rows=len(parsed)
            ),
        )
    result.dataset = dataset
    # After the load's own transaction: a key file that may not be used does not undo the load
    # (`jingzhun link_datasets` links again once it is fixed).
    try:
        result.links = link_datasets([dataset], acting_user=dataset.loaded_by)
    except KeyFileError as exc:
        result.link_error = str(exc)
    if settings.COMPARISON_ENGINE != "db":
        # The list's Parquet file for DuckDB / Spark runs (comparison/snapshots.py), written
        # now rather than by the next run; a failure here only leaves it to that run.
        try:
            keep_dataset(dataset)
        except Exception:  # noqa: BLE001 - the load itself succeeded
            logger.exception("could not write the Parquet file of dataset %s", dataset.pk)
    return result


def _area(user: Any, code: str | None, result: LoadResult) -> Area:
    scope = user.scope_prefix()
    code = areacodes.pad(code) if code else getattr(user, "area_id", None)
    if not code:
        result.errors.append(RowError("", 0, "", _("请指定数据适用的区划（--area）")))
        return None  # type: ignore[return-value]
    area = Area.objects.filter(code=code).first()
    if area is None:
        result.errors.append(RowError("", 0, "", _("区划代码「{code}」不存在").format(code=code)))
    elif scope is None or not area.code.startswith(scope):
        result.errors.append(RowError("", 0, "", _("该区划不在您的管辖范围内")))
    return area  # type: ignore[return-value]


@dataclass
class _Layout:
    positions: dict[str, int]  # column name → position in the row
    tokenised: bool = False  # the ID column holds keyed tokens (`jingzhun tokenize`)


def _layout(kind: DatasetKind, header: list[str], result: LoadResult) -> _Layout:
    """Where each of the kind's columns is; a required one missing or any one twice is an error
    (row 1), so nothing below is read against the wrong columns."""
    layout = _Layout(positions={})
    if "birth_date" not in kind.by_slot() and BIRTH_DATE_HEADER in header:
        # Appended by `jingzhun tokenize` (from the number it replaced): kept for linking.
        layout.positions[BIRTH_DATE] = header.index(BIRTH_DATE_HEADER)
    for column in kind.columns:
        names = {column.header, column.header_en}
        if column.slot == "id_number":
            names |= {column.header + TOKEN_SUFFIX, column.header_en + " (token)"}
        found = [i for i, cell in enumerate(header) if cell in names]
        if len(found) > 1:
            result.errors.append(RowError("", 1, column.header, _("列重复")))
        elif found:
            layout.positions[column.name] = found[0]
            if column.slot == "id_number" and header[found[0]].endswith((TOKEN_SUFFIX, "(token)")):
                layout.tokenised = True
        elif column.required:
            message = _("缺少必填列「{header}」").format(header=column.header)
            result.errors.append(RowError("", 1, column.header, message))
    return layout


def _rows(kind: DatasetKind, layout: _Layout, rows: Any, result: LoadResult):
    """The stored values of every non-empty data row; each bad cell is one error."""
    birth_from_id = "birth_date" not in kind.by_slot()
    for number, cells_ in rows:
        raw = {
            name: cells_[position] if position < len(cells_) else None
            for name, position in layout.positions.items()
        }
        if all(cells.is_blank(value) for value in raw.values()):
            continue
        values: dict[str, Any] = {"row": number, "id_valid": True}
        if BIRTH_DATE in raw and not cells.is_blank(raw[BIRTH_DATE]):
            try:
                values["birth_date"] = cells.parse_date(raw[BIRTH_DATE])
            except CellError as exc:
                result.errors.append(RowError("", number, BIRTH_DATE_HEADER, str(exc)))
        for column in kind.columns:
            if column.name not in layout.positions:
                continue
            try:
                _store(column, raw[column.name], values, layout.tokenised)
            except CellError as exc:
                result.errors.append(RowError("", number, column.header, str(exc)))
        if not (values.get("id_number") or values.get("id_token")) or not values["id_valid"]:
            result.unkeyed += 1
        birth = values.pop("_birth", None)
        if birth_from_id and birth is not None:
            # From the number itself (a tokenised file's 出生日期 column says the same).
            values["birth_date"] = birth
        yield values


def _store(column: Column, value: Any, values: dict[str, Any], tokenised: bool) -> None:
    """Parse one cell into its slot (raises CellError with the message for the user)."""
    if cells.is_blank(value):
        # A row without an ID number (or token) is kept: only its name, birth date and area can
        # link it, as a "possible" match a person confirms (counted as unkeyed).
        if column.required and column.slot != "id_number":
            raise CellError(_("必填"))
        return
    slot, kind = column.slot, column.type
    if kind == "id_number":
        if tokenised:
            word = cells.text(value).lower()
            if not idtokens.is_token(word):
                raise CellError(
                    _("应为 64 位令牌，实际为「{value}」").format(value=cells.shown(word))
                )
            values["id_token"] = word
            return
        number = idcodes.normalise(cells.text(value))
        if not _ID_SHAPE.match(number):
            raise CellError(
                _("证件号码应为18位，实际为「{value}」").format(value=cells.shown(value))
            )
        try:  # parsed once: valid, with its birth date (a department's list is often large)
            values["_birth"] = idcodes.parse(number).birth_date
            values["id_number"], values["id_valid"] = number, True
        except idcodes.IdNumberError:
            values["id_number"], values["id_valid"] = number, False
        return
    if kind == "text":
        word = cells.text(value)
        if column.choices and word not in column.choices:
            raise CellError(
                _("「{value}」不是可选值（{choices}）").format(
                    value=cells.shown(word), choices="、".join(column.choices)
                )
            )
        limit = 200 if slot == "detail" else 64 if slot == "name" else 32
        if len(word) > limit:
            raise CellError(
                _("不能超过{n}个字符，实际为{length}个字符「{value}」").format(
                    n=limit, length=len(word), value=cells.shown(word)
                )
            )
        values[slot] = word
    elif kind == "number":
        number = cells.parse_decimal(value, 2, 14) if slot != "count" else cells.parse_int(value)
        if isinstance(number, Decimal) and number < 0:
            raise CellError(_("不能为负数，实际为「{value}」").format(value=cells.shown(value)))
        values[slot] = number
    elif kind == "date":
        values[slot] = cells.parse_date(value)
    elif kind == "bool":
        values[slot] = cells.parse_bool(value)
    elif kind == "year":
        year = cells.parse_int(value)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CellError(_("年度不正确，实际为「{value}」").format(value=cells.shown(value)))
        values[slot] = year
    elif kind == "area_code":
        code = cells.text(value)
        if not _AREA.match(code):
            raise CellError(
                _("区划代码应为6至12位数字，实际为「{value}」").format(value=cells.shown(code))
            )
        values[slot] = areacodes.pad(code)
