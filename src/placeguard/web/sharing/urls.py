"""Web routes (pages) of sharing."""

from __future__ import annotations

from django.urls import URLPattern, path

from placeguard.web.sharing import views

app_name = "sharing"
urlpatterns: list[URLPattern] = [
    path("bulletins/", views.bulletin_list, name="list"),
    path("bulletins/new/", views.bulletin_create, name="create"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="detail"),
    path("bulletins/<int:pk>/edit/", views.bulletin_edit, name="edit"),
    path("bulletins/<int:pk>/publish/", views.bulletin_publish, name="publish"),
    path("bulletins/<int:pk>/withdraw/", views.bulletin_withdraw, name="withdraw"),
    path("bulletins/<int:pk>/acknowledge/", views.bulletin_acknowledge, name="acknowledge"),
    path("bulletins/<int:pk>/receipts/", views.bulletin_receipts, name="receipts"),
    path("groups/", views.group_list, name="groups"),
    path("groups/new/", views.group_form, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
    path("groups/<int:pk>/edit/", views.group_form, name="group_edit"),
]
