"""Web routes (pages) of the intelligence app. No route returns incident rows."""

from __future__ import annotations

from django.urls import URLPattern, path

from placeguard.web.intel import views

app_name = "intel"
urlpatterns: list[URLPattern] = [
    path("", views.dataset_list, name="list"),
    path("upload/", views.dataset_upload, name="upload"),
    path("datasets/<int:dataset_id>/", views.dataset_detail, name="detail"),
    path("datasets/<int:dataset_id>/claim/", views.dataset_claim, name="claim"),
    path("datasets/<int:dataset_id>/report.html", views.report_html, name="report_html"),
    path("datasets/<int:dataset_id>/report.pdf", views.report_pdf, name="report_pdf"),
    path("datasets/<int:dataset_id>/status.json", views.dataset_status, name="status"),
    path("datasets/<int:dataset_id>/delete/", views.dataset_delete, name="delete"),
    path(
        "datasets/<int:dataset_id>/threat-sources/",
        views.threat_source_publish,
        name="publish_source",
    ),
    path(
        "threat-sources/<int:source_id>/deactivate/",
        views.threat_source_deactivate,
        name="deactivate_source",
    ),
]
