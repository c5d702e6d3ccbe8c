"""The one visibility path for patrol teams, response stations and patrol plans.

Rules (docs/allocation.md):

* only a **vetted, active law-enforcement organisation** has allocation data; its members
  (any role) read their own organisation's teams, stations and plans;
* editors (ANALYST, PUBLISHER, ORG_ADMIN) of such an organisation plan patrols, run coverage
  and manage teams and stations; other members get 403;
* everyone else — operators, authorities, unvetted police, other forces, platform admins —
  sees nothing, and gets 404 (platform admins manage, they do not read operational data).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from placeguard.web.allocation.models import PatrolPlan, PatrolTeam, ResponseStation
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.choices import EDITOR_ROLES, OrgKind
from placeguard.web.orgs.models import Organisation, User

__all__ = [
    "can_plan",
    "can_view",
    "force_of",
    "stations_visible_to",
    "teams_visible_to",
    "visible_to",
]

Principal = User | AnonymousUser


def force_of(user: Principal) -> Organisation | None:
    """The user's organisation when it is a vetted, active law-enforcement force, else None."""
    org = active_org(user)
    if org is None or not org.vetted or org.kind != OrgKind.LAW_ENFORCEMENT:
        return None
    return org


def visible_to(user: Principal) -> QuerySet[PatrolPlan]:
    """Patrol plans ``user`` may read: their own force's."""
    org = force_of(user)
    if org is None:
        return PatrolPlan.objects.none()
    return PatrolPlan.objects.filter(organisation_id=org.id)


def teams_visible_to(user: Principal) -> QuerySet[PatrolTeam]:
    """Patrol teams ``user`` may read: their own force's (inactive ones included)."""
    org = force_of(user)
    if org is None:
        return PatrolTeam.objects.none()
    return PatrolTeam.objects.filter(organisation_id=org.id)


def stations_visible_to(user: Principal) -> QuerySet[ResponseStation]:
    """Response stations ``user`` may read: their own force's (inactive ones included)."""
    org = force_of(user)
    if org is None:
        return ResponseStation.objects.none()
    return ResponseStation.objects.filter(organisation_id=org.id)


def can_view(user: Principal) -> bool:
    """Whether ``user`` belongs to a force that has allocation data at all (else: 404)."""
    return force_of(user) is not None


def can_plan(user: Principal) -> bool:
    """Whether ``user`` may plan patrols, run coverage and manage teams and stations."""
    return can_view(user) and isinstance(user, User) and user.has_role(*EDITOR_ROLES)
