"""Compare two stored runs, and preview a draft standard against the adopted one (nothing is
stored: the draft lives in the form, never on disk). Pages and their .xlsx exports (audited).

The figures come from `compare.Comparison` and `preview.Preview` (set-based, in the engine);
these views only scope, parse parameters and format one page of rows.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jingzhun.areas.choices import Level as AreaLevel
from jingzhun.areas.models import Area
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.core.paging import page_number
from jingzhun.exports.tasks import create_job
from jingzhun.standards import Standard, StandardError, loader
from jingzhun.standards.schema import LEVEL_ZH

from .choices import Level, Status
from .compare import (
    CHANGE_LABELS,
    CHANGES,
    GROUPING_LABELS,
    LEVEL_GROUPINGS,
    LEVELS,
    MET,
    UNMET,
    Comparison,
    grouping,
)
from .compare_workbook import (
    entity_cells,
    entity_columns,
    export_size,
    format_reasons,
    reasons_text,
    write_comparison,
    write_workbook,
)
from .export_kinds import COMPARISON
from .models import AssessmentRun
from .names import standard_label
from .preview import CHANGES as PREVIEW_CHANGES
from .preview import Preview
from .services import _prefix, default_standard_id, resolve_scope
from .standard_errors import problems

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUNS_OFFERED = 100
DRAFT_MAX_CHARS = 200_000
AREA_CHOICES_LIMIT = 2_000
# Above this many listed entities a comparison's workbook is written by the task worker (the
# button's POST queues it; its page shows the progress): a county run against a township run
# lists ~7,800 households and took ~1.5 s to write in the request on the demo county.
SYNC_EXPORT_MAX_ROWS = 2_000


# ------------------------------------------------------------------------------ formatting


def _area_param(text: str | None) -> str:
    """An area prefix from a link (digits only, at most 12)."""
    text = (text or "").strip()
    return text if text.isascii() and text.isdigit() and len(text) <= 12 else ""


# ------------------------------------------------------------------------------ compare


def _comparison(request: HttpRequest) -> Comparison:
    """The two runs of ?a=&b=, both readable by the user (404 otherwise); the comparison keeps
    to the user's scope, so a run of an area above theirs compares their rows only."""
    visible = AssessmentRun.objects.readable_by(request.user)
    try:
        a_id, b_id = int(request.GET["a"]), int(request.GET["b"])
    except (KeyError, ValueError):
        raise Http404 from None
    a = get_object_or_404(visible, pk=a_id)
    b = get_object_or_404(visible, pk=b_id)
    return Comparison(a, b, scope=request.user.scope_prefix() or "", language=get_language())


@never_cache
@login_required
def compare(request: HttpRequest) -> HttpResponse:
    runs = AssessmentRun.objects.readable_by(request.user).filter(status=Status.FINISHED)
    context: dict[str, Any] = {"runs": runs[:RUNS_OFFERED]}
    if request.GET.get("a") and request.GET.get("b"):
        comparison = _comparison(request)
        level = request.GET.get("level")
        level = level if level in LEVELS else Level.HOUSEHOLD
        by = grouping(level, request.GET.get("by"))
        change = request.GET.get("change")
        change = change if change in CHANGES else UNMET
        page = page_number(request.GET.get("page"))
        area = _area_param(request.GET.get("area"))
        areas, level_totals = comparison.by_area(level, by)
        for row in areas:
            row["cells"] = [(c, row[c]) for c in CHANGES]
        rows, has_next = comparison.entities(level, change, page, area)
        format_reasons(rows)
        context.update(
            a=comparison.a,
            b=comparison.b,
            unfinished=[r for r in (comparison.a, comparison.b) if r.status != Status.FINISHED],
            runs_compared=[("A", comparison.a), ("B", comparison.b)],
            query=f"a={comparison.a.pk}&b={comparison.b.pk}",
            totals=[
                {
                    "level": lv,
                    "label": Level(lv).label,
                    "counts": counts,
                    "cells": [(c, counts[c]) for c in CHANGES],
                }
                for lv, counts in comparison.totals().items()
            ],
            level=level,
            level_label=Level(level).label,
            by=by,
            groupings=[(g, GROUPING_LABELS[g]) for g in LEVEL_GROUPINGS[level]],
            areas=areas,
            level_totals=level_totals,
            indicators=comparison.by_indicator(level),
            change=change,
            change_label=CHANGE_LABELS[change],
            area=area,
            rows=rows,
            page=page,
            has_next=has_next,
        )
    context["changes"] = [(c, CHANGE_LABELS[c]) for c in CHANGES]
    return render(request, "assessment/compare.html", context)


@never_cache
@login_required
def compare_export(request: HttpRequest) -> HttpResponse:
    """Totals, the counts by area and every changed entity with its reasons, one sheet each.
    Up to SYNC_EXPORT_MAX_ROWS listed entities the file answers at once; more become a
    background export (the page's button posts) — a GET of such a comparison asks first."""
    comparison = _comparison(request)
    a, b = comparison.a, comparison.b
    if export_size(comparison) > SYNC_EXPORT_MAX_ROWS:
        if request.method != "POST":
            return render(
                request,
                "assessment/compare_export_confirm.html",
                {"a": a, "b": b, "limit": SYNC_EXPORT_MAX_ROWS},
            )
        job = create_job(
            kind=COMPARISON.name,
            parameters={"a": a.pk, "b": b.pk, "language": comparison.language},
            acting_user=request.user,
        )
        return redirect("export-detail", job.pk)
    content = io.BytesIO()
    write_comparison(comparison, content, acting_user=request.user)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(content.getvalue(), f"compare-{a.pk}-{b.pk}-{stamp}.xlsx")


# ------------------------------------------------------------------------------ preview


def _example(adopted: Standard) -> str:
    """The text the draft box starts with: a draft extending the adopted standard."""
    return (
        f'id = "{adopted.id}-draft"\n'
        f'name = "{adopted.name}（征求意见稿）"\n'
        f'name_en = "{adopted.name_en} (draft)"\n'
        f'region = "{adopted.region}"\n'
        f"year = {adopted.year}\n"
        'version = "draft"\n'
        f'extends = "{adopted.id}"\n\n'
        "# 例：修改阈值或新增指标\n"
        "# [parameters]\n"
        "# collective_income_min = 30000\n"
    )


class PreviewForm(forms.Form):
    draft_text = forms.CharField(
        label=_("草案标准（TOML）"),
        widget=forms.Textarea(attrs={"rows": 18, "cols": 90, "spellcheck": "false"}),
        required=False,
        max_length=DRAFT_MAX_CHARS,
    )
    draft_file = forms.FileField(
        label=_("或上传草案文件（.toml）"),
        required=False,
        help_text=_("上传的文件优先于文本框；草案只用于本次预览，不会保存"),
    )
    adopted = forms.ChoiceField(label=_("现行标准"))
    year = forms.IntegerField(label=_("评估年度"), min_value=2000, max_value=2100, required=False)
    area = forms.ChoiceField(label=_("范围"), required=False)
    by = forms.ChoiceField(
        label=_("户的汇总方式"),
        required=False,
        choices=[(g, GROUPING_LABELS[g]) for g in LEVEL_GROUPINGS[Level.HOUSEHOLD]],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.standards = {s.id: s for s in loader.available()}
        self.fields["adopted"].choices = [
            (s.id, standard_label(s)) for s in self.standards.values()
        ]
        self.fields["year"].help_text = _("留空则用现行标准所定年度")
        visible = Area.objects.visible_to(user)
        levels = [AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP]
        areas = list(
            visible.filter(level__in=levels).values_list("code", "name", "level")[
                :AREA_CHOICES_LIMIT
            ]
        )
        indent = {AreaLevel.TOWNSHIP: "\u3000", AreaLevel.COUNTY: ""}
        self.fields["area"].choices = [("", _("本人管辖范围（全部）"))] + [
            (code, indent.get(level, "") + name) for code, name, level in areas
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("draft_file")
        name = "draft.toml"
        text = data.get("draft_text") or ""
        if upload:
            if upload.size > DRAFT_MAX_CHARS * 4:
                self.add_error("draft_file", gettext("文件过大"))
                return data
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("draft_file", gettext("文件必须是 UTF-8 编码的 TOML 文本"))
                return data
            name = upload.name
            data["draft_text"] = text
        if not text.strip():
            self.add_error("draft_text", gettext("请粘贴或上传草案标准"))
            return data
        try:
            data["draft"] = loader.loads(text, name=name)
        except StandardError as error:
            # Every problem of the draft at once, each in the reader's language.
            self.add_error("draft_text" if not upload else "draft_file", problems(error))
        adopted = self.standards.get(data.get("adopted") or "")
        if adopted is not None and not data.get("year"):
            data["year"] = adopted.year
        data["adopted_standard"] = adopted
        return data


def _require_scope(request: HttpRequest) -> None:
    if request.user.scope_prefix() is None:
        raise PermissionDenied(gettext("您没有可预览的区划范围"))


def _preview(request: HttpRequest, form: PreviewForm) -> tuple[Preview, str] | None:
    """The preview of a valid form, or None with the refusal added to the form."""
    data = form.cleaned_data
    try:
        code = resolve_scope(request.user, data.get("area") or "")
    except PermissionDenied as error:
        form.add_error("area", str(error))
        return None
    except Area.DoesNotExist:
        form.add_error("area", gettext("未知区划"))
        return None
    try:
        preview = Preview(
            adopted=data["adopted_standard"],
            draft=data["draft"],
            year=data["year"],
            prefix=_prefix(code),
            language=get_language() or "zh",
        )
    except StandardError as error:
        form.add_error("draft_text", problems(error))
        return None
    return preview, code


def _audit_preview(request: HttpRequest, preview: Preview, code: str, action: str) -> None:
    """A preview reads the registry: recorded like a run (nothing is stored but this entry)."""
    draft = preview.draft
    verb = gettext("导出") if action == Action.EXPORT else gettext("预览")
    with transaction.atomic():
        audit.record(
            actor=request.user,
            action=action,
            model="assessment.preview",
            object_repr=f"{draft.id} {draft.version}"[:200],
            area_code=code,
            changes={"draft": draft.id, "adopted": preview.adopted.id, "year": preview.year},
            message=gettext(
                "{verb}草案标准 {draft}（对比 {adopted},{year} 年度），草案未保存"
            ).format(verb=verb, draft=draft.id, adopted=preview.adopted.id, year=preview.year),
        )


def _show(text: str | None) -> tuple[str, str, int, str]:
    """The list shown: 'level.change.page[.area]' from the button pressed."""
    parts = (text or "").split(".")
    level = parts[0] if parts and parts[0] in LEVELS else Level.HOUSEHOLD
    change = parts[1] if len(parts) > 1 and parts[1] in PREVIEW_CHANGES else UNMET
    page = page_number(parts[2] if len(parts) > 2 else None)
    area = _area_param(parts[3] if len(parts) > 3 else None)
    return level, change, page, area


@never_cache
@login_required
def preview(request: HttpRequest) -> HttpResponse:
    _require_scope(request)
    context: dict[str, Any] = {}
    if request.method == "POST":
        form = PreviewForm(request.POST, request.FILES, user=request.user)
        result = _preview(request, form) if form.is_valid() else None
        if result is not None:
            preview_, code = result
            by = form.cleaned_data.get("by") or "township"
            level, change, page, area = _show(request.POST.get("show"))
            summaries = []
            for lv in LEVELS:
                areas, totals, indicators = preview_.summary(lv, grouping(lv, by))
                for row in areas:
                    row["cells"] = [(c, row[c]) for c in PREVIEW_CHANGES]
                summaries.append(
                    {
                        "level": lv,
                        "label": Level(lv).label,
                        "areas": areas,
                        "totals": totals,
                        # Only indicators the draft touches or whose verdicts flip.
                        "indicators": [
                            i for i in indicators if i["state"] or i["failing"] or i["passing"]
                        ],
                        "unchanged": sum(
                            1
                            for i in indicators
                            if not (i["state"] or i["failing"] or i["passing"])
                        ),
                    }
                )
            rows, has_next = preview_.entities(level, change, page, area)
            format_reasons(rows)
            _audit_preview(request, preview_, code, Action.CREATE)
            context.update(
                preview=preview_,
                area_code=code,
                area_name=Area.objects.filter(code=code).values_list("name", flat=True).first()
                if code
                else "",
                summaries=summaries,
                level=level,
                level_label=Level(level).label,
                change=change,
                change_label=CHANGE_LABELS[change],
                area=area,
                rows=rows,
                page=page,
                has_next=has_next,
            )
            if form.cleaned_data.get("draft_file"):
                # Re-render with the uploaded text in the box: the next page or export posts it.
                data = request.POST.copy()
                data["draft_text"] = form.cleaned_data["draft_text"]
                form = PreviewForm(data, user=request.user)
                form.is_valid()
        status = 200 if result is not None else 400
    else:
        form = PreviewForm(user=request.user)
        if form.standards:
            adopted = form.standards.get(
                request.GET.get("adopted", ""), form.standards[default_standard_id()]
            )
            form.initial.update(adopted=adopted.id, draft_text=_example(adopted))
        status = 200
    context.update(form=form, preview_changes=[(c, CHANGE_LABELS[c]) for c in PREVIEW_CHANGES])
    return render(request, "assessment/preview.html", context, status=status)


@never_cache
@login_required
@require_POST
def preview_export(request: HttpRequest) -> HttpResponse:
    """The preview of the posted draft as a workbook (computed again, still not stored)."""
    _require_scope(request)
    form = PreviewForm(request.POST, request.FILES, user=request.user)
    result = _preview(request, form) if form.is_valid() else None
    if result is None:
        return render(request, "assessment/preview.html", {"form": form}, status=400)
    preview_, code = result
    by = form.cleaned_data.get("by") or "township"
    labels = [str(CHANGE_LABELS[c]) for c in PREVIEW_CHANGES]
    summary_rows, area_sheets, list_sheets = [], [], []
    for level in LEVELS:
        areas, totals, indicators = preview_.summary(level, grouping(level, by))
        summary_rows.append(
            [
                str(Level(level).label),
                totals["total"],
                totals["met_before"],
                totals["met_after"],
                totals[MET],
                totals[UNMET],
            ]
        )
        area_sheets.append(
            (
                f"{LEVEL_ZH[level]}·按区域",
                [gettext("区划代码"), gettext("名称"), *labels, gettext("合计")],
                [
                    [r["code"], r["name"], *[r[c] for c in PREVIEW_CHANGES], r["total"]]
                    for r in areas
                ],
            )
        )
        rows = preview_.export_rows(level)
        format_reasons(rows)
        list_sheets.append(
            (
                f"{LEVEL_ZH[level]}·变化名单",
                [gettext("变化"), *entity_columns(level), gettext("原因")],
                [
                    [str(CHANGE_LABELS[r["change"]]), *entity_cells(level, r), reasons_text(r)]
                    for r in rows
                ],
            )
        )
    summary = (
        "汇总",
        [
            gettext("层级"),
            gettext("对象数"),
            gettext("现行标准达标"),
            gettext("草案达标"),
            gettext("新达标"),
            gettext("新未达标"),
        ],
        summary_rows,
    )
    content = io.BytesIO()
    write_workbook([summary, *area_sheets, *list_sheets], content)
    _audit_preview(request, preview_, code, Action.EXPORT)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", preview_.draft.id)[:60]
    return _xlsx(content.getvalue(), f"preview-{safe}-{stamp}.xlsx")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
