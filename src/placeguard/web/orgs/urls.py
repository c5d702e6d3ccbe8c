"""Web routes (pages) of the organisation area."""

from __future__ import annotations

from django.urls import URLPattern, path

from placeguard.web.orgs import security_views, views

app_name = "orgs"
urlpatterns: list[URLPattern] = [
    path("", views.organisation_home, name="home"),
    path("edit/", views.organisation_edit, name="edit"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/edit/", views.user_edit, name="user_edit"),
    path(
        "users/<int:user_id>/reset-two-factor/",
        security_views.user_totp_reset,
        name="user_totp_reset",
    ),
    path("two-factor/", security_views.require_two_factor, name="require_two_factor"),
    path("security/", security_views.security_home, name="security"),
    path("security/two-factor/", security_views.totp_enrol, name="totp_enrol"),
    path("security/two-factor/disable/", security_views.totp_disable, name="totp_disable"),
    path("security/recovery-codes/", security_views.recovery_codes, name="recovery_codes"),
    path("security/tokens/", security_views.token_create, name="token_create"),
    path(
        "security/tokens/<int:token_id>/revoke/", security_views.token_revoke, name="token_revoke"
    ),
]
