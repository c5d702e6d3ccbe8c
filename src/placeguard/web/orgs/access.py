"""Who a user is, for access decisions: the principal checks shared by every app."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from placeguard.web.orgs.models import Organisation, User

__all__ = ["active_org", "is_principal_valid", "visible_organisations", "visible_users"]


def is_principal_valid(user: User | AnonymousUser) -> bool:
    """Rule R0: an authenticated, active user in an active organisation."""
    if not isinstance(user, User) or not user.is_active:
        return False
    org = user.organisation
    return org is not None and org.active


def active_org(user: User | AnonymousUser) -> Organisation | None:
    """The user's organisation when the principal is valid, else None."""
    if not is_principal_valid(user):
        return None
    assert isinstance(user, User)  # narrowed by is_principal_valid
    return user.organisation


def visible_organisations(user: User | AnonymousUser) -> QuerySet[Organisation]:
    """The organisation directory: any valid principal sees active organisations.

    Names, kinds and jurisdictions are not sensitive (partners must find each other);
    members, tokens and contact details of other organisations are served elsewhere, scoped.
    """
    if not is_principal_valid(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(active=True)


def visible_users(user: User | AnonymousUser) -> QuerySet[User]:
    """Users a principal may list: org admins their own organisation, platform admins everyone."""
    if not is_principal_valid(user):
        return User.objects.none()
    assert isinstance(user, User)
    qs = User.objects.select_related("organisation").prefetch_related("role_grants")
    if user.is_platform_admin:
        return qs
    if user.is_org_admin:
        return qs.filter(organisation=user.organisation)
    return qs.filter(pk=user.pk)
