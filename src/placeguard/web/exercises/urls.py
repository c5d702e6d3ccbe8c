"""Web routes (pages) of exercises."""

from __future__ import annotations

from django.urls import URLPattern, path

from placeguard.web.exercises import views

app_name = "exercises"
urlpatterns: list[URLPattern] = [
    path("", views.exercise_list, name="list"),
    path("new/", views.exercise_create, name="create"),
    path("tasks/", views.tasks, name="tasks"),
    path("actions/<int:action_id>/", views.action_update, name="action-update"),
    path("actions/<int:action_id>/promote/", views.action_promote, name="action-promote"),
    path("<int:exercise_id>/", views.exercise_detail, name="detail"),
    path("<int:exercise_id>/msel/", views.msel, name="msel"),
    path("<int:exercise_id>/msel.<str:fmt>", views.msel_export, name="msel-export"),
    path("<int:exercise_id>/msel/import/", views.msel_import, name="msel-import"),
    path("<int:exercise_id>/msel/from-study/", views.msel_from_study, name="msel-from-study"),
    path("<int:exercise_id>/injects/<int:inject_id>/edit/", views.inject_edit, name="inject-edit"),
    path(
        "<int:exercise_id>/injects/<int:inject_id>/delete/",
        views.inject_delete,
        name="inject-delete",
    ),
    path("<int:exercise_id>/injects/<int:inject_id>/move/", views.inject_move, name="inject-move"),
    path(
        "<int:exercise_id>/injects/<int:inject_id>/respond/",
        views.inject_respond,
        name="inject-respond",
    ),
    path("<int:exercise_id>/conduct/", views.conduct, name="conduct"),
    path("<int:exercise_id>/conduct/state.json", views.conduct_state, name="conduct-state"),
    path("<int:exercise_id>/evaluate/", views.evaluate, name="evaluate"),
    path("<int:exercise_id>/aar/", views.aar, name="aar"),
    path("<int:exercise_id>/aar.pdf", views.aar_pdf, name="aar-pdf"),
]
