from django.urls import path

from . import views

urlpatterns = [
    path("", views.area_tree, name="area-tree"),
]
