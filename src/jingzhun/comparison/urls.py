from django.urls import path

from . import views, views_duplicates, views_findings, views_reports, views_runs, views_tasks
from .linkage import views as views_links

urlpatterns = [
    path("", views_findings.finding_list, name="comparison-findings"),
    path("findings.xlsx", views_findings.finding_export, name="comparison-findings-export"),
    path("reports/", views_reports.report_page, name="comparison-report"),
    path("reports.xlsx", views_reports.report_export, name="comparison-report-export"),
    path("tasks/", views_tasks.task_list, name="comparison-tasks"),
    path("tasks.xlsx", views_tasks.task_export, name="comparison-tasks-export"),
    path("tasks/import/", views_tasks.task_import, name="comparison-tasks-import"),
    path("tasks/<int:pk>/", views_tasks.task_detail, name="comparison-task"),
    path("duplicates/", views_duplicates.pair_list, name="comparison-duplicates"),
    path("duplicates.xlsx", views_duplicates.pair_export, name="comparison-duplicates-export"),
    path("duplicates/find/", views_duplicates.pair_find, name="comparison-duplicates-find"),
    path("duplicates/<int:pk>/", views_duplicates.pair_detail, name="comparison-duplicate"),
    path("links/", views_links.link_list, name="comparison-links"),
    path("links/<int:pk>/decide/", views_links.link_decide, name="comparison-link-decide"),
    path("runs/", views_runs.run_list, name="comparison-runs"),
    path("runs/start/", views_runs.run_start, name="comparison-run-start"),
    path("runs/<int:pk>/", views_runs.run_detail, name="comparison-run"),
    path("runs/<int:pk>/progress/", views_runs.run_progress, name="comparison-run-progress"),
    path("datasets/", views.dataset_list, name="dataset-list"),
    path("datasets/load/", views.dataset_load, name="dataset-load"),
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset-detail"),
    path("datasets/template/<slug:kind>.xlsx", views.template_xlsx, name="dataset-template"),
]
