"""Assessment pages. Runs (list, start, progress): views.py; one run's reports: views_reports.py;
comparisons of two runs and draft-standard previews: views_compare.py."""

from django.urls import path

from . import views, views_compare, views_draft, views_reports

urlpatterns = [
    path("", views.run_list, name="assessment-runs"),
    path("start/", views.run_start, name="assessment-start"),
    path("runs/<int:pk>/progress/", views.run_progress, name="assessment-progress"),
    path("runs/<int:pk>/cancel/", views.run_cancel, name="assessment-cancel"),
    path("runs/<int:pk>/stop/", views.run_stop, name="assessment-stop"),
    path("runs/<int:pk>/delete/", views.run_delete, name="assessment-delete"),
    # One run's reports (views_reports.py)
    path("runs/<int:pk>/", views_reports.run_detail, name="assessment-run"),
    path("runs/<int:pk>/report.xlsx", views_reports.run_xlsx, name="assessment-run-xlsx"),
    path("runs/<int:pk>/blockers/", views_reports.run_blockers, name="assessment-blockers"),
    path("runs/<int:pk>/households/", views_reports.run_households, name="assessment-list"),
    path(
        "runs/<int:pk>/households.xlsx",
        views_reports.run_households_xlsx,
        name="assessment-list-xlsx",
    ),
    path("runs/<int:pk>/villages/", views_reports.run_villages, name="assessment-villages"),
    path(
        "runs/<int:pk>/villages.xlsx",
        views_reports.run_villages_xlsx,
        name="assessment-villages-xlsx",
    ),
    path(
        "runs/<int:pk>/villages/<str:code>/sheet/",
        views_reports.run_village_sheet,
        name="assessment-village-sheet",
    ),
    path(
        "runs/<int:pk>/villages/<str:code>/sheet.pdf",
        views_reports.run_village_sheet_pdf,
        name="assessment-village-sheet-pdf",
    ),
    path("runs/<int:pk>/counties/", views_reports.run_counties, name="assessment-counties"),
    # Two runs compared, a draft standard previewed (views_compare.py)
    path("compare/", views_compare.compare, name="assessment-compare"),
    path("compare.xlsx", views_compare.compare_export, name="assessment-compare-xlsx"),
    path("preview/", views_compare.preview, name="assessment-preview"),
    path("preview.xlsx", views_compare.preview_export, name="assessment-preview-xlsx"),
    # A draft standard edited in a form, written as TOML (views_draft.py)
    path("draft/", views_draft.draft_editor, name="assessment-draft"),
]
