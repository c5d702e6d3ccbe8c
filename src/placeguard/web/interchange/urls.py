"""Web routes (pages) of interchange."""

from __future__ import annotations

from django.urls import URLPattern, path

from placeguard.web.interchange import views

app_name = "interchange"
urlpatterns: list[URLPattern] = [path("", views.index, name="index")]
