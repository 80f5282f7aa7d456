from django.urls import path

from . import views_help

urlpatterns = [
    path("help/", views_help.help_page, name="help"),
    path("help/<str:slug>/", views_help.help_page, name="help-section"),
]
