"""The board (动态管理) and a batch's list as .xlsx: the page's tables, every row of the page's
filter (all its pages), the page's columns and masking (户主 masked as on the page). Audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from jingzhun.exports.sheets import Table, list_export_response

from . import views, views_board
from .flows import Kind, StepId
from .models import Procedure

# Rows per list written in the request (about 1 s per 10,000 rows with openpyxl's write-only
# mode); a larger board is narrowed by area first, as the page asks.
EXPORT_MAX_ROWS = 20_000

# Sheet titles stay Chinese in every language (other tools look sheets up by name).
AWAITING, OVERDUE, BATCHES, LIST = "待我办理", "超期未办", "批次", "名单"


def _where(procedure: Procedure) -> str:
    return procedure.household.number if procedure.household_id else procedure.village.name


def _common_headers() -> list[tuple[str, int]]:
    return [
        (gettext("户编号 / 村"), 22),
        (gettext("户主"), 10),
        (gettext("类别"), 12),
        (gettext("批次"), 30),
        (gettext("进度"), 12),
        (gettext("进入当前进度"), 14),
    ]


def _common(procedure: Procedure) -> list[Any]:
    return [
        _where(procedure),
        procedure.head_masked,
        procedure.get_kind_display(),
        procedure.batch.title,
        procedure.get_state_display(),
        timezone.localdate(procedure.state_since) if procedure.state_since else None,
    ]


def awaiting_table(rows: list[Procedure]) -> Table:
    headers = [*_common_headers(), (gettext("下一环节"), 14), (gettext("能否办理"), 24)]

    def cells(p: Procedure) -> list[Any]:
        step = p.next_step
        can = gettext("暂不能办理：{why}").format(why=p.blocked) if p.blocked else gettext("可办理")
        return [*_common(p), str(StepId(step.id).label) if step else "", can]

    return Table(AWAITING, headers, (cells(p) for p in rows))


def overdue_table(rows: list[Procedure]) -> Table:
    headers = [*_common_headers(), (gettext("应办结日期"), 14), (gettext("超期天数"), 10)]
    return Table(OVERDUE, headers, ([*_common(p), p.due, p.late_days] for p in rows))


def batches_table(groups: list[tuple[Any, list[dict[str, Any]]]]) -> Table:
    headers = [
        (gettext("类别"), 12),
        (gettext("批次"), 30),
        (gettext("区划"), 16),
        (gettext("总数"), 8),
        (gettext("办理中"), 30),
        (gettext("已结束"), 30),
    ]

    def stages(items: list[Any]) -> str:
        return "，".join(f"{st.label} {st.count}" for st in items)

    rows = [
        [
            str(label),
            item["batch"].title,
            item["batch"].area.name,
            item["stages"].total,
            stages(item["stages"].open),
            stages(item["stages"].closed),
        ]
        for label, items in groups
        for item in items
    ]
    return Table(BATCHES, headers, rows)


def _too_many(request: HttpRequest, back: str) -> HttpResponse:
    messages.error(
        request,
        gettext("超过 {limit} 条，无法一次导出，请按区划筛选后再导出。").format(
            limit=f"{EXPORT_MAX_ROWS:,}"
        ),
    )
    return redirect(back)


@never_cache
@login_required
def board_xlsx(request: HttpRequest) -> HttpResponse:
    """The board of the request's filter: 待我办理, 超期未办 (every page) and the year's
    batches, one sheet each."""
    lists = views_board.board_lists(request)
    query = views_board._board_query(request)
    back = "{}?{}".format(reverse("procedures-board"), query.urlencode())
    if any(lists[name].count() > EXPORT_MAX_ROWS for name in ("awaiting", "overdue")):
        return _too_many(request, back)
    awaiting = views_board.awaiting_rows(lists["awaiting"], limit=None)
    overdue = views_board.overdue_rows(lists["overdue"], lists["today"], limit=None)
    area = lists["area"]
    return list_export_response(
        [awaiting_table(awaiting), overdue_table(overdue), batches_table(lists["groups"])],
        acting_user=request.user,
        report="procedures.board",
        file_prefix="procedures-board",
        filters={"year": lists["year"], "area": lists["area_code"]},
        message=gettext("导出动态管理（{year} 年度，{area}）").format(
            year=lists["year"], area=area.name if area else gettext("本人管辖范围")
        ),
        area_code=lists["area_code"] or None,
    )


@never_cache
@login_required
def batch_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's list (名单) as the batch page shows it."""
    batch = views._batch(request, pk)
    rows = views._batch_procedures(request, batch)
    household_kind = batch.kind != Kind.VILLAGE_EXIT
    headers = [(gettext("户编号") if household_kind else gettext("行政村"), 22)]
    if household_kind:
        headers += [(gettext("户主"), 10), (gettext("家庭人口"), 10)]
    headers += [
        (gettext("原因类别"), 16),
        (gettext("进度"), 12),
        (gettext("下一环节"), 14),
        (gettext("进入当前进度时间"), 18),
        (gettext("未处理异议"), 10),
        (gettext("结束原因"), 24),
    ]

    def cells(p: Procedure) -> list[Any]:
        row: list[Any] = [_where(p)]
        if household_kind:
            row += [p.head_masked, p.size]
        step = p.next_step
        return [
            *row,
            p.get_reason_display(),
            p.get_state_display(),
            str(StepId(step.id).label) if step else "",
            p.state_since,
            p.open_objections,
            p.closing_reason,
        ]

    return list_export_response(
        [Table(LIST, headers, (cells(p) for p in rows))],
        acting_user=request.user,
        report="procedures.batch",
        file_prefix=f"procedures-batch-{batch.pk}",
        filters={"batch": batch.pk},
        message=gettext("导出批次名单 {title}").format(title=batch.title),
        area_code=batch.area_id,
    )
