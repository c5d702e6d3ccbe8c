"""Web routes (pages) of sars."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "sars"
urlpatterns: list[URLPattern] = []
