"""The printable per-village sheet of one run (村级评估清单), for the village work team: every
household of the village the run assessed, with its masked head name, size, verdict and the
sentences of its unmet indicators; counts in the header, signature lines at the foot.

`village_sheet` is the only source of what the page and the PDF show (both templates get its
output), so the masking lives here: the head's name is masked with `jingzhun.masking`, and no ID
number, phone or other personal column is ever read. Three queries whatever the village's size:
the village (with its township and county), the verdicts with head and size as subqueries, and
the sentences. Producing the sheet, as a page or a PDF, is an export and is audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from jingzhun import areacodes
from jingzhun.areas.models import Area
from jingzhun.core.pdf import html_to_pdf
from jingzhun.masking import mask_name
from jingzhun.registry import choices as rc
from jingzhun.registry.queries import with_head_and_size

from . import excel, reports
from .choices import Level
from .models import AssessmentRun

TEMPLATE = "assessment/village_sheet.html"


@dataclass(frozen=True)
class SheetRow:
    line: int
    number: str  # the household number
    head: str  # the head's masked name ("—" without a head)
    size: int
    status: str  # the household's status label, read now
    met: bool
    reasons: tuple[str, ...]  # one sentence per unmet indicator, in the standard's order


@dataclass(frozen=True)
class VillageSheet:
    run: AssessmentRun
    code: str  # the village's 12-digit code
    county: str
    township: str
    village: str
    standard: str
    rows: tuple[SheetRow, ...]

    @property
    def place(self) -> str:
        """County, township and village, as the header names the village."""
        return "".join((self.county, self.township, self.village))

    @property
    def snapshot_note(self) -> str:
        return reports.snapshot_note(self.run)

    @property
    def households(self) -> int:
        return len(self.rows)

    @property
    def met(self) -> int:
        return sum(1 for row in self.rows if row.met)

    @property
    def unmet(self) -> int:
        return self.households - self.met


def find_village(run: AssessmentRun, user: Any, code: str) -> Area | None:
    """The village `code` if the user sees it and it lies within the run's root, else None
    (the caller answers 404: another area's village is indistinguishable from none)."""
    try:
        code = areacodes.pad(code)
    except ValueError:
        return None
    village = (
        Area.objects.visible_to(user)
        .filter(code=code, level="village")
        .select_related("parent__parent")
        .first()
    )
    if village is None or not code.startswith(reports.area_prefix(run.area_code)):
        return None
    return village


def village_sheet(run: AssessmentRun, user: Any, village: Area) -> VillageSheet:
    """Every household verdict of the run in `village` visible to the user, in household-number
    order. Two queries (the village comes from `find_village`)."""
    verdicts = reports.verdicts(run, user, Level.HOUSEHOLD).filter(
        area_code=village.code, household__isnull=False
    )
    rows = (
        with_head_and_size(verdicts, "household_id")
        .order_by("household__number", "id")
        .values(
            "entity",
            "met",
            "unmet",
            "household__number",
            "household__status",
            "head_name",
            "member_count",
        )
    )
    said: dict[str, dict[str, str]] = {}
    for entity, indicator, sentence in (
        reports.results(run, user, Level.HOUSEHOLD)
        .filter(area_code=village.code, met=False)
        .values_list("entity", "indicator", reports.explanation_field())
    ):
        said.setdefault(entity, {})[indicator] = sentence
    labels = {i.id: i.label for i in reports.indicators_of(run, Level.HOUSEHOLD)}
    statuses = dict(rc.Status.choices)
    listed = []
    for line, row in enumerate(rows, start=1):
        found = said.get(row["entity"], {})
        unmet = [i for i in row["unmet"].split(",") if i]  # stored in the standard's order
        listed.append(
            SheetRow(
                line=line,
                number=row["household__number"],
                head=mask_name(row["head_name"]) or "—",
                size=row["member_count"],
                status=str(statuses.get(row["household__status"], row["household__status"])),
                met=row["met"],
                reasons=tuple(found.get(i) or str(labels.get(i, i)) for i in unmet),
            )
        )
    township = village.parent
    county = township.parent if township is not None else None
    return VillageSheet(
        run=run,
        code=village.code,
        county=county.name if county else "",
        township=township.name if township else "",
        village=village.name,
        standard=reports.standard_name(run),
        rows=tuple(listed),
    )


def record_export(sheet: VillageSheet, user: Any, output: str) -> None:
    """The audit entry of one sheet produced (`output`: "html" or "pdf"), filed under the
    village."""
    excel.audit_export(
        sheet.run,
        user,
        "village_sheet",
        {"households": sheet.households, "met": sheet.met},
        {"village": sheet.code, "format": output},
        area_code=sheet.code,
        message=_("导出村级评估清单 #{run}({village})").format(
            run=sheet.run.pk, village=sheet.place
        ),
    )


def render_pdf(sheet: VillageSheet) -> bytes:
    """The sheet as an A4 PDF (the page's template without its screen-only links)."""
    html = render_to_string(TEMPLATE, {"sheet": sheet, "for_pdf": True})
    return html_to_pdf(html)
