"""The one visibility path for sites.

Every list, detail, search, count, export and map of sites starts from :func:`visible_to`.
Rules (docs/registry.md#visibility):

* an organisation always sees the sites it operates, vetted or not;
* a *vetted* law-enforcement organisation sees sites in the regions of its jurisdiction and
  sites that name it as responsible;
* a *vetted* authority sees the sites of its regions, or of its whole country when it has none;
* nobody else sees anything — platform admins included (they manage, they do not read).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.choices import EDITOR_ROLES, OrgKind
from placeguard.web.orgs.models import Organisation, Region, User
from placeguard.web.sites.models import Site

__all__ = ["can_edit", "jurisdiction_regions", "visible_to"]


def jurisdiction_regions(org: Organisation) -> QuerySet[Region]:
    """Regions whose sites a territorial organisation sees (none for other kinds or unvetted)."""
    if not org.vetted or not org.active:
        return Region.objects.none()
    if org.kind == OrgKind.LAW_ENFORCEMENT:
        return Region.objects.filter(organisations=org)
    if org.kind == OrgKind.AUTHORITY:
        own = Region.objects.filter(organisations=org)
        return own if own.exists() else Region.objects.filter(country_code=org.country_code)
    return Region.objects.none()


def visible_to(user: User | AnonymousUser) -> QuerySet[Site]:
    """All sites ``user`` may read. Archived sites are included; callers filter by status."""
    org = active_org(user)
    if org is None:
        return Site.objects.none()
    rule = Q(operator_id=org.id)
    if org.vetted and org.kind in {OrgKind.LAW_ENFORCEMENT, OrgKind.AUTHORITY}:
        rule |= Q(region_id__in=jurisdiction_regions(org).values("id"))
    if org.vetted and org.kind == OrgKind.LAW_ENFORCEMENT:
        named = Site.responsible_le.through.objects.filter(
            site_id=OuterRef("pk"), organisation_id=org.id
        )
        rule |= Q(Exists(named))
    return Site.objects.filter(rule)


def can_edit(user: User | AnonymousUser) -> bool:
    """Capability check for registry writes (object visibility is checked separately)."""
    return active_org(user) is not None and isinstance(user, User) and user.has_role(*EDITOR_ROLES)
