"""Web routes (pages) of incidents."""

from __future__ import annotations

from django.urls import URLPattern, path

from placeguard.web.incidents import views

app_name = "incidents"
urlpatterns: list[URLPattern] = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_create, name="create"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/edit/", views.incident_edit, name="edit"),
    path("<int:pk>/publish/", views.incident_publish, name="publish"),
    path("<int:pk>/withdraw/", views.incident_withdraw, name="withdraw"),
    path("<int:pk>/timeline/", views.timeline_add, name="timeline_add"),
    path("<int:pk>/tasks/", views.task_add, name="task_add"),
    path("<int:pk>/tasks/<int:task_pk>/", views.task_status, name="task_status"),
    path("<int:pk>/evidence/new/", views.evidence_upload, name="evidence_upload"),
    path(
        "<int:pk>/evidence/<int:evidence_pk>/download/",
        views.evidence_download,
        name="evidence_download",
    ),
    path("<int:pk>/evidence/<int:evidence_pk>/custody/", views.custody_add, name="custody_add"),
    path("<int:pk>/lessons/", views.lesson_add, name="lesson_add"),
    path(
        "<int:pk>/lessons/<int:lesson_pk>/practice/",
        views.lesson_practice,
        name="lesson_practice",
    ),
]
