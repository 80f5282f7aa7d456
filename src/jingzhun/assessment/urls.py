"""Assessment pages. Runs (list, start, progress): views.py; one run's reports: views_reports.py;
comparisons of two runs and draft-standard previews: views_compare.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.run_list, name="assessment-runs"),
    path("start/", views.run_start, name="assessment-start"),
    path("runs/<int:pk>/progress/", views.run_progress, name="assessment-progress"),
]
