"""Scoped reads of sites, always starting from ``access.visible_to``."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, QuerySet

from placeguard.web.orgs.models import User
from placeguard.web.sites.access import visible_to
from placeguard.web.sites.models import Site

__all__ = ["counts_by_type", "site_list"]


def site_list(user: User | AnonymousUser) -> QuerySet[Site]:
    """Visible sites with everything a list, map or export shows, in a fixed number of queries."""
    return (
        visible_to(user)
        .select_related("region", "operator")
        .prefetch_related("responsible_le", "tags")
    )


def counts_by_type(user: User | AnonymousUser) -> dict[str, int]:
    """Active visible sites per site type."""
    rows = (
        visible_to(user)
        .filter(status="active")
        .values("site_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["site_type"]: r["n"] for r in rows}
