"""Web routes (pages) of site engineering."""

from __future__ import annotations

from django.urls import URLPattern, path

from placeguard.web.engineering import views

app_name = "engineering"
urlpatterns: list[URLPattern] = [
    path("sites/<int:site_id>/", views.study_list, name="list"),
    path("sites/<int:site_id>/new/", views.study_create, name="create"),
    path("studies/<int:study_id>/", views.study_detail, name="detail"),
    path("studies/<int:study_id>/report/", views.study_report, name="report"),
    path("studies/<int:study_id>/result.json", views.study_json, name="json"),
    path("studies/<int:study_id>/status.json", views.study_status, name="status"),
    path("studies/<int:study_id>/delete/", views.study_delete, name="delete"),
]
