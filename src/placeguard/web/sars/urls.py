"""Web routes (pages) of sars."""

from __future__ import annotations

from django.urls import URLPattern, path

from placeguard.web.sars import views

app_name = "sars"
urlpatterns: list[URLPattern] = [
    path("", views.sar_list, name="list"),
    path("new/", views.sar_create, name="create"),
    path("<int:pk>/", views.sar_detail, name="detail"),
    path("<int:pk>/vet/", views.sar_vet, name="vet"),
    path("<int:pk>/notes/", views.sar_note, name="note"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/download/",
        views.sar_download,
        name="download",
    ),
]
