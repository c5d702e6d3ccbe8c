"""Web routes (pages) of capacity building."""

from __future__ import annotations

from django.urls import URLPattern, path

from placeguard.web.capacity import views

app_name = "capacity"
urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/step/<slug:to>/", views.request_step, name="step"),
    path("requests/<int:pk>/courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("courses/<int:pk>/participants/new/", views.participant_create, name="participant_create"),
    path("courses/<int:pk>/evidence/new/", views.evidence_create, name="evidence_create"),
    path(
        "courses/<int:pk>/participants/import/", views.participant_import, name="participant_import"
    ),
    path("participants/<int:pk>/", views.participant_edit, name="participant_edit"),
    path("participants/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("indicators/", views.indicators, name="indicators"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/follow-up.<slug:fmt>", views.plan_export, name="plan_export"),
    path("plans/<int:pk>/objectives/new/", views.objective_create, name="objective_create"),
    path("plans/<int:pk>/progress/new/", views.progress_create, name="progress_create"),
    path("objectives/<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("actions/<int:pk>/status/", views.action_status, name="action_status"),
    path("actions/<int:pk>/indicators/new/", views.indicator_create, name="indicator_create"),
]
