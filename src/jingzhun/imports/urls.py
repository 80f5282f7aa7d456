from django.urls import path

from . import views

urlpatterns = [
    path("", views.job_list, name="import-list"),
    path("<int:pk>/", views.job_detail, name="import-detail"),
    path("<int:pk>/progress/", views.job_progress, name="import-progress"),
    path("<int:pk>/errors.xlsx", views.job_errors, name="import-errors"),
]
