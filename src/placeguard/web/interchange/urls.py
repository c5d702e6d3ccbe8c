"""Web routes (pages) of interchange."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "interchange"
urlpatterns: list[URLPattern] = []
