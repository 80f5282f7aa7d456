from django.urls import path

from . import views, views_excel

urlpatterns = [
    path("", views.area_tree, name="area-tree"),
    path("tree.xlsx", views.tree_xlsx, name="area-tree-export"),
    path("import/", views_excel.area_import, name="area-import"),
    path("export.xlsx", views_excel.export_xlsx, name="area-export"),
    path("template.xlsx", views_excel.template_xlsx, name="area-template"),
]
