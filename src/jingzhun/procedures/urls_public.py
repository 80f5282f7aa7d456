"""Public notice pages (公示), served without login under /notices/ (views_public.py)."""

from django.urls import path

from . import views_public

urlpatterns = [
    path("receipt/", views_public.receipt_lookup, name="objection-receipt"),
    path("<uuid:token>/", views_public.notice_page, name="notice-public"),
    path("<uuid:token>/pdf/", views_public.notice_pdf, name="notice-public-pdf"),
]
