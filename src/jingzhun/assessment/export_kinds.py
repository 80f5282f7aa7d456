"""The assessment's export kinds for background exports (registered in AssessmentConfig.ready;
their writers are imported when a job runs, not at start-up)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jingzhun.exports.kinds import ExportKind, lazy

COMPARISON = ExportKind(
    name="assessment.compare",
    label=_("评估对比"),
    write=lazy("jingzhun.assessment.compare_workbook.write_job"),
    file_prefix="compare",
)
