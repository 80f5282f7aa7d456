from django.urls import path

from . import views

urlpatterns = [
    path("datasets/", views.dataset_list, name="dataset-list"),
    path("datasets/load/", views.dataset_load, name="dataset-load"),
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset-detail"),
    path("datasets/template/<slug:kind>.xlsx", views.template_xlsx, name="dataset-template"),
]
