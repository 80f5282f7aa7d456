"""Cell parsers: one Excel cell (as python-calamine or a user's typing gives it) → a field value.

Pure functions; each raises CellError with a Chinese message. Accepted forms are what a registry
officer types: 是/否 for booleans, the Chinese label or the code for choices, dates as date cells
or ISO text, numbers as number cells or text. `format_cell` is the way back, for the writers.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from .columns import Column

TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
FALSE = {"否", "无", "n", "no", "false", "0", "×", "✗"}
_MULTI_SPLIT = re.compile(r"[,，、;；\s]+")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def shown(value: Any) -> str:
    """A value as echoed in a message: its text, cut at 40 characters."""
    if isinstance(value, datetime.date):
        word = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        word = str(int(value))
    else:
        word = str(value).strip()
    return word if len(word) <= 40 else word[:40] + "…"


class CellError(ValueError):
    """A cell that cannot be read; `str(err)` is the Chinese message for the user."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    """Cell as text; a number typed into a text column (phone, account) loses no digits or '.0'."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = text(value).lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise CellError(_("应填「是」或「否」，实际为「{value}」").format(value=shown(value)))


def _not_integer(value: Any) -> CellError:
    return CellError(_("应为整数，实际为「{value}」").format(value=shown(text(value))))


def _not_number(value: Any) -> CellError:
    return CellError(_("应为数字，实际为「{value}」").format(value=shown(text(value))))


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _not_integer(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _not_integer(value)
    word = text(value)
    if re.fullmatch(r"[+-]?\d+(\.0+)?", word):
        return int(word.split(".")[0])
    raise _not_integer(value)


def parse_decimal(value: Any, places: int = 2, max_digits: int = 12) -> Decimal:
    if isinstance(value, bool):
        raise _not_number(value)
    # repr of a float is its shortest exact decimal form: 0.1 stays 0.1, not 0.1000000000000000055.
    word = repr(value) if isinstance(value, float) else text(value).replace(",", "")
    try:
        number = Decimal(word)
    except InvalidOperation:
        raise _not_number(value) from None
    if not number.is_finite():
        raise _not_number(value)
    quantum = Decimal(1).scaleb(-places)
    try:
        rounded = number.quantize(quantum)
    except InvalidOperation:  # more digits than the context holds: far too large anyway
        raise _too_large(word) from None
    if rounded != number:
        raise CellError(
            _("最多{places}位小数，实际为「{value}」").format(places=places, value=shown(word))
        )
    if len(rounded.as_tuple().digits) > max_digits and rounded != 0:
        raise _too_large(word)
    return rounded


def _too_large(value: Any) -> CellError:
    return CellError(_("数值过大，实际为「{value}」").format(value=shown(value)))


def parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = _DATE.match(text(value))
    if match:
        try:
            return datetime.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise CellError(
        _("应为日期，格式如 2018-01-31，实际为「{value}」").format(value=shown(text(value)))
    )


def choice_lookup(column: Column) -> dict[str, str]:
    """Label or code (codes case-insensitive) → code."""
    lookup = {code.lower(): code for code, _label in column.choices}
    lookup.update({label: code for code, label in column.choices})
    return lookup


def parse_choice(value: Any, lookup: dict[str, str]) -> str:
    word = text(value)
    code = lookup.get(word) or lookup.get(word.lower())
    if code is None:
        raise CellError(_("「{value}」不是可选值").format(value=shown(word)))
    return code


def parse_choices(value: Any, lookup: dict[str, str]) -> str:
    """Several choices separated by 、 or commas → sorted, comma-separated codes."""
    codes = {parse_choice(part, lookup) for part in _MULTI_SPLIT.split(text(value)) if part}
    return ",".join(sorted(codes))


def parse_cell(value: Any, column: Column, lookup: dict[str, str] | None = None) -> Any:
    """The field value of one cell; a blank cell gives the field's default."""
    if is_blank(value):
        if column.required:
            raise CellError(_("必填"))
        return column.default
    kind = column.kind
    if kind in {"text", "ref"}:
        result: Any = text(value)
        if column.max_length and len(result) > column.max_length:
            raise CellError(
                _("不能超过{n}个字符，实际为{length}个字符「{value}」").format(
                    n=column.max_length, length=len(result), value=shown(result)
                )
            )
        return result
    if kind == "bool":
        return parse_bool(value)
    if kind == "int":
        result = parse_int(value)
    elif kind == "decimal":
        result = parse_decimal(value, column.decimal_places, column.max_digits)
    elif kind == "date":
        return parse_date(value)
    elif kind == "choice":
        return parse_choice(value, lookup if lookup is not None else choice_lookup(column))
    elif kind == "choices":
        return parse_choices(value, lookup if lookup is not None else choice_lookup(column))
    else:  # pragma: no cover - a column kind without a parser is a programming error
        raise AssertionError(kind)
    if column.min_value is not None and result < column.min_value:
        raise CellError(
            _("不能小于{n}，实际为「{value}」").format(n=column.min_value, value=shown(result))
        )
    if column.max_value is not None and result > column.max_value:
        raise CellError(
            _("不能大于{n}，实际为「{value}」").format(n=column.max_value, value=shown(result))
        )
    if kind == "int" and result > 32767:
        raise _too_large(result)
    return result


def format_cell(value: Any, column: Column, labels: dict[str, str] | None = None) -> Any:
    """A field value as written to the workbook (labels for choices, 是/否, dates as dates)."""
    if value is None or value == "":
        return None
    if column.kind == "bool":
        return "是" if value else "否"
    if column.kind in {"choice", "choices"}:
        labels = labels if labels is not None else dict(column.choices)
        if column.kind == "choices":
            return "、".join(labels.get(v, v) for v in str(value).split(",") if v)
        return labels.get(value, value)
    if column.kind == "decimal":
        # Numbers stay numbers in Excel; Decimal → float is exact enough for 2-place money (≤ 12
        # digits) and reads back through repr() to the same Decimal.
        return float(value)
    return value
