"""Web routes (pages) of practices."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "practices"
urlpatterns: list[URLPattern] = []
