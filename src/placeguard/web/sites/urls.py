"""Web routes (pages) of the site registry."""

from __future__ import annotations

from django.urls import URLPattern, path

from placeguard.web.sites import views

app_name = "sites"
urlpatterns: list[URLPattern] = [
    path("", views.site_list_view, name="list"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.geojson", views.export_geojson, name="export_geojson"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("new/", views.site_create, name="create"),
    path("<int:site_id>/", views.site_detail, name="detail"),
    path("<int:site_id>/edit/", views.site_edit, name="edit"),
    path("<int:site_id>/archive/", views.site_archive, name="archive"),
]
