"""A workbook column (header, how a cell parses) and the markers every workbook shares.

`model_column` derives a column from a model field (header = the field's Chinese verbose_name),
so a field added to a model appears in the template, the export and the import at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils import translation

ERROR_HEADER = "错误信息"
# The templates' example rows carry this marker before their key (户编号, 区划代码); the imports
# skip them, so a blank template imports as nothing. A user who deletes the marker makes the row
# data.
EXAMPLE_MARK = "【示例】"


def is_example(value: object) -> bool:
    """A key cell marking an example row: 【示例】…, [示例]…, 示例…."""
    return isinstance(value, str) and value.strip().lstrip("【[（( ").startswith("示例")


@dataclass(frozen=True)
class Column:
    """One column: `field` is the model attribute it fills (attname), `kind` how a cell parses."""

    field: str
    header: str
    kind: str  # text | int | decimal | bool | date | choice | choices | ref (or the caller's own)
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (code, Chinese label)
    max_length: int | None = None
    decimal_places: int = 2
    max_digits: int = 12
    min_value: int | None = None
    max_value: int | None = None
    readonly: bool = False  # exported for reading, ignored on import (derived or a label)
    default: object = None
    width: int = 12


def choice_labels(choices: type[models.TextChoices]) -> tuple[tuple[str, str], ...]:
    """(code, Chinese label) of an enum: workbooks are Chinese whatever the page language."""
    with translation.override("zh-hans"):
        return tuple((value, str(label)) for value, label in choices.choices)


def _field_labels(f: models.Field) -> tuple[tuple[str, str], ...]:
    with translation.override("zh-hans"):
        return tuple((value, str(label)) for value, label in f.choices)


def model_column(
    model_field: models.Field, *, required: bool | None = None, **extra: object
) -> Column:
    """The column of a model field: kind, limits, default and width from the field; `extra`
    overrides any of them."""
    f = model_field
    validators = {
        type(v).__name__: v.limit_value for v in f.validators if hasattr(v, "limit_value")
    }
    common: dict[str, object] = {
        "field": f.attname,
        "header": str(f.verbose_name),
        "default": f.get_default() if f.has_default() else ("" if f.blank and not f.null else None),
        "min_value": validators.get("MinValueValidator"),
        "max_value": validators.get("MaxValueValidator"),
    }
    if required is None:
        required = not f.blank and not f.has_default()
    common["required"] = required
    if f.choices:
        kind, common["choices"] = "choice", _field_labels(f)
        common["width"] = 14
    elif isinstance(f, models.BooleanField):
        kind = "bool"
        common["width"] = max(8, len(common["header"]) * 2 + 2)
    elif isinstance(f, models.DecimalField):
        kind = "decimal"
        common["decimal_places"], common["max_digits"] = f.decimal_places, f.max_digits
    elif isinstance(f, models.PositiveSmallIntegerField | models.IntegerField):
        kind = "int"
        common["min_value"] = common["min_value"] if common["min_value"] is not None else 0
    elif isinstance(f, models.DateField):
        kind = "date"
    else:
        kind = "text"
        common["max_length"] = f.max_length
        common["width"] = min(30, max(12, (f.max_length or 12) // 2))
    if "width" not in common:
        common["width"] = max(10, len(common["header"]) * 2 + 2)
    common["kind"] = kind
    common.update(extra)
    return Column(**common)  # type: ignore[arg-type]
