"""Scoped reads of allocation data, always starting from ``access`` visibility."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from placeguard.web.allocation.access import (
    force_of,
    stations_visible_to,
    teams_visible_to,
    visible_to,
)
from placeguard.web.allocation.models import PatrolPlan, PatrolTeam, ResponseStation
from placeguard.web.assessments.choices import AssessmentStatus
from placeguard.web.assessments.models import Assessment
from placeguard.web.orgs.models import Region, User
from placeguard.web.sites.access import visible_to as sites_visible_to
from placeguard.web.sites.choices import SiteStatus
from placeguard.web.sites.models import Site

__all__ = [
    "approved_risk",
    "jurisdiction",
    "plan_list",
    "plannable_sites",
    "station_list",
    "team_list",
]

Principal = User | AnonymousUser


def plan_list(user: Principal) -> QuerySet[PatrolPlan]:
    """Visible plans for lists: the large JSON columns are left out."""
    return visible_to(user).select_related("created_by").defer("results")


def team_list(user: Principal) -> QuerySet[PatrolTeam]:
    """Visible teams with their districts."""
    return teams_visible_to(user).prefetch_related("districts").order_by("name", "id")


def station_list(user: Principal) -> QuerySet[ResponseStation]:
    """Visible stations, by name."""
    return stations_visible_to(user).order_by("name", "id")


def plannable_sites(user: Principal) -> QuerySet[Site]:
    """Active sites a force may plan for: the sites it sees (none for everyone else)."""
    if force_of(user) is None:
        return Site.objects.none()
    return sites_visible_to(user).filter(status=SiteStatus.ACTIVE).select_related("region")


def jurisdiction(user: Principal) -> QuerySet[Region]:
    """The regions of the user's force (the districts teams may have)."""
    org = force_of(user)
    if org is None:
        return Region.objects.none()
    return Region.objects.filter(organisations=org).order_by("name")


def approved_risk(site_ids: Iterable[int]) -> dict[int, float]:
    """Total risk of each site's latest approved assessment (sites without one are absent).

    Callers pass ids of sites they already checked as visible.
    """
    rows = (
        Assessment.objects.filter(site_id__in=list(site_ids), status=AssessmentStatus.APPROVED)
        .exclude(total_risk__isnull=True)
        .order_by("site_id", "-submitted_at", "-id")
        .values_list("site_id", "total_risk")
    )
    out: dict[int, float] = {}
    for site_id, risk in rows:
        if risk is not None:
            out.setdefault(site_id, float(risk))
    return out
