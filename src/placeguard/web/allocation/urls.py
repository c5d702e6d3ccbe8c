"""Web routes (pages) of allocation: patrol plans, coverage, teams and stations."""

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
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:team_id>/edit/", views.team_edit, name="team_edit"),
    path("teams/<int:team_id>/deactivate/", views.team_deactivate, name="team_deactivate"),
    path("stations/", views.station_list, name="stations"),
    path("stations/new/", views.station_create, name="station_create"),
    path("stations/<int:station_id>/edit/", views.station_edit, name="station_edit"),
    path(
        "stations/<int:station_id>/deactivate/",
        views.station_deactivate,
        name="station_deactivate",
    ),
]
