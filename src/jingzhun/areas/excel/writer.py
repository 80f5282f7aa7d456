"""Write the area workbook: the template (instructions and example rows) and an export.

Both have the same 区划 sheet, so an export imports back unchanged. Attributes of another level are
left blank (a township has no 贫困村 flag to show).
"""

from __future__ import annotations

import io
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.workbook import SYSTEM, cells
from jingzhun.workbook.safe import append_row
from jingzhun.workbook.styles import MAX_ROWS, example_row, header_cell

from ..choices import Level
from ..models import Area
from ..validation import COUNTY_FIELDS, MIN_YEAR, VILLAGE_FIELDS
from .columns import COLUMNS, EXAMPLES, INSTRUCTIONS, SHEET

LEVEL_WORDS = "省,市,县,乡镇,行政村"


def _instructions() -> list[str]:
    return [
        _("区划表填写说明"),
        _(
            "一行一个区划（省、市、县、乡镇、行政村），按区划代码匹配：已有的更新，没有的新增；导入从不删除区划。"
        ),
        _("区划代码：12位统计用区划代码；也可填2、4、6、9位，自动在末尾补0。"),
        _(
            "级别、上级区划代码：可留空，按区划代码推出；填写时必须与代码一致（乡镇代码的前6位是所属县，行政村代码的前9位是所属乡镇）。"
        ),
        _("上级区划必须已在系统中或在同一文件中；同一上级下名称不能重复。"),
        _("红色粗体列为必填。是/否 列填「是」或「否」；留空表示未知（贫困村留空为「否」）。"),
        _(
            "贫困村出列日期：出列公告的日期，只有贫困村才能填写，不能晚于今天；"
            "只填年度（如 2017）时按该年12月31日计，本年度出列请填具体日期。"
        ),
        _(
            "贫困村计划出列年度：县里计划该村出列的年度（{low}年至明年），只有贫困村才能填写。"
        ).format(low=MIN_YEAR),
        _(
            "农村户籍人口至通广播电视等村级指标只填行政村；农村居民人均可支配收入、增幅、义务教育发展基本均衡县认定年度以及公示上印的监督举报电话、异议受理地址只填县级行政区划。"
        ),
        _("数值不能为负数（两个增幅可以为负）。"),
        _("区划代码以「【示例】」开头的行是示例，导入时跳过；删除示例标记后该行按数据导入。"),
        _("任何一行有错误时不写入任何数据，并返回标注了错误的原文件（错误信息列）。"),
        _(
            "县级用户只能导入本县的乡镇、行政村和本县自身的指标；省、市、县区划由系统管理员导入，缺少的上级按国家行政区划代码自动补建。"
        ),
    ]


def _book(template: bool) -> tuple[Workbook, Any]:
    book = Workbook(write_only=True)
    if template:
        notes = book.create_sheet(INSTRUCTIONS)
        notes.column_dimensions["A"].width = 110
        for line in _instructions():
            append_row(notes, [line])
    sheet = book.create_sheet(SHEET)
    sheet.freeze_panes = "C2"
    for index, col in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = col.width
        words = {"bool": "是,否", "choice": LEVEL_WORDS}.get(col.kind)
        if words:
            rule = DataValidation(
                type="list", formula1=f'"{words}"', allow_blank=True, errorStyle="warning"
            )
            rule.error = _("请从列表中选择")
            rule.add(f"{letter}2:{letter}{MAX_ROWS}")
            sheet.data_validations.append(rule)
    append_row(sheet, [header_cell(sheet, col) for col in COLUMNS])
    return book, sheet


def _finish(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_LABELS = {col.field: dict(col.choices) for col in COLUMNS if col.choices}


def _row(values: dict[str, Any]) -> list[Any]:
    level = values["level"]
    out = []
    for col in COLUMNS:
        value = values.get(col.field)
        if (col.field in VILLAGE_FIELDS and level != Level.VILLAGE) or (
            col.field in COUNTY_FIELDS and level != Level.COUNTY
        ):
            value = None
        out.append(cells.format_cell(value, col, _LABELS.get(col.field)))
    return out


def template_workbook() -> bytes:
    """The empty area workbook: 说明 (instructions) and 区划 with example rows marked 【示例】."""
    book, sheet = _book(template=True)
    for example in EXAMPLES:
        append_row(sheet, example_row(sheet, COLUMNS, _row(example), {"code"}))
    return _finish(book)


def export_workbook(areas: QuerySet[Area] | None = None, *, acting_user: Any) -> bytes:
    """The areas the user may see (intersected with `areas`), in code order; audited."""
    visible = Area.objects.visible_to(acting_user)
    if areas is not None:
        visible = visible.filter(pk__in=areas.values("pk"))
    book, sheet = _book(template=False)
    count = 0
    for values in visible.order_by("code").values(*(col.field for col in COLUMNS)):
        append_row(sheet, _row(values))
        count += 1
    content = _finish(book)
    with transaction.atomic():
        audit.record(
            actor=acting_user if getattr(acting_user, "pk", None) else None,
            action=Action.EXPORT,
            model="areas.area",
            object_repr=_("区划表导出"),
            changes={"count": count},
            area_code=acting_user.scope_prefix() or "",
            message=(_("命令行") + "：" if acting_user is SYSTEM else "")
            + _("导出区划 {n} 个").format(n=count),
        )
    return content
