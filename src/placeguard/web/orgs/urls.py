"""Web routes (pages) of the organisation area."""

from __future__ import annotations

from django.urls import URLPattern, path

from placeguard.web.orgs import views

app_name = "orgs"
urlpatterns: list[URLPattern] = [
    path("", views.organisation_home, name="home"),
    path("edit/", views.organisation_edit, name="edit"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/edit/", views.user_edit, name="user_edit"),
]
