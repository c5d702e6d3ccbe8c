"""Web routes (pages) of allocation: patrol plans and response coverage."""

from __future__ import annotations

from django.urls import URLPattern, path

from placeguard.web.allocation import views

app_name = "allocation"
urlpatterns: list[URLPattern] = [
    path("", views.planner, name="planner"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<int:plan_id>/schedule.csv", views.schedule_csv, name="schedule_csv"),
    path("plans/<int:plan_id>/schedule.ics", views.schedule_ics, name="schedule_ics"),
    path("coverage/", views.coverage, name="coverage"),
]
