from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("map.json", views.map_shapes, name="dashboard-map"),
]
