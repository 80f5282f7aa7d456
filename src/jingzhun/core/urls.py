from django.urls import path

from . import views, views_help

urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views_help.help_page, name="help"),
    path("help/<str:slug>/", views_help.help_page, name="help-section"),
]
