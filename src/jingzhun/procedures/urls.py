"""Procedure pages for staff (views.py). The public notice pages are in urls_public.py."""

from django.urls import path

from . import views, views_board, views_excel

urlpatterns = [
    path("", views_board.board, name="procedures-board"),
    path("export.xlsx", views_excel.board_xlsx, name="procedures-board-export"),
    path("new/", views.proposal_new, name="procedures-new"),
    path("batches/<int:pk>/", views.batch_detail, name="procedures-batch"),
    path("batches/<int:pk>/export.xlsx", views_excel.batch_xlsx, name="procedures-batch-export"),
    path("batches/<int:pk>/step/", views.batch_step, name="procedures-batch-step"),
    path("batches/<int:pk>/close/", views.batch_close, name="procedures-batch-close"),
    path("batches/<int:pk>/objections/", views.batch_objection, name="procedures-objection-new"),
    path(
        "objections/<int:pk>/resolve/", views.objection_resolve, name="procedures-objection-resolve"
    ),
    path("<int:pk>/", views.procedure_detail, name="procedures-detail"),
]
