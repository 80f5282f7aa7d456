"""Registry pages. Page views live in views.py; Excel import/export pages in views_excel.py."""

from django.urls import path

from . import views, views_excel

urlpatterns = [
    path("households/", views.household_list, name="household-list"),
    path("households/new/", views.household_create, name="household-create"),
    path("households/search-id/", views.household_search_id, name="household-search-id"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household-edit"),
    path("households/<int:pk>/persons/new/", views.person_create, name="person-create"),
    path("households/<int:pk>/incomes/<int:year>/", views.income_edit, name="income-edit"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("persons/<int:pk>/reveal/", views.person_reveal, name="person-reveal"),
    path("import/", views_excel.import_upload, name="registry-import"),
    path("export.xlsx", views_excel.export_xlsx, name="registry-export"),
    path("template.xlsx", views_excel.template_xlsx, name="registry-template"),
]
