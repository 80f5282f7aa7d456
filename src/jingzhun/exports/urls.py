from django.urls import path

from . import views

urlpatterns = [
    path("", views.job_list, name="export-list"),
    path("<int:pk>/", views.job_detail, name="export-detail"),
    path("<int:pk>/progress/", views.job_progress, name="export-progress"),
    path("<int:pk>/download/", views.job_download, name="export-download"),
]
