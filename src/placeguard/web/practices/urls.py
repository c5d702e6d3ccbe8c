"""Web routes (pages) of practices."""

from __future__ import annotations

from django.urls import URLPattern, path

from placeguard.web.practices import views

app_name = "practices"
urlpatterns: list[URLPattern] = [
    path("", views.practice_list, name="list"),
    path("export.csv", views.practice_export, name="export"),
    path("new/", views.practice_create, name="create"),
    path("<int:pk>/", views.practice_detail, name="detail"),
    path("<int:pk>/edit/", views.practice_edit, name="edit"),
    path("<int:pk>/publish/", views.practice_publish, name="publish"),
    path("<int:pk>/withdraw/", views.practice_withdraw, name="withdraw"),
    path("<int:pk>/curate/", views.practice_curate, name="curate"),
]
