"""The one visibility path for engineering studies, and who may run or delete them.

* **visibility**: a study is visible exactly when its site is
  (:func:`placeguard.web.sites.access.visible_to`);
* **editing** (run a study, delete one), checked after visibility: editors (ANALYST,
  PUBLISHER, ORG_ADMIN) of the site's operator — who edit the site itself — and editors of a
  vetted law-enforcement or authority organisation whose jurisdiction covers the site;
* everyone else who sees the site reads (403 on writes); outsiders get 404.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from placeguard.web.engineering.models import EngineeringStudy
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.choices import TERRITORIAL_KINDS
from placeguard.web.orgs.models import User
from placeguard.web.sites.access import can_edit as can_edit_sites
from placeguard.web.sites.access import visible_to as sites_visible_to
from placeguard.web.sites.models import Site

__all__ = ["can_edit", "visible_to"]


def visible_to(user: User | AnonymousUser) -> QuerySet[EngineeringStudy]:
    """Studies ``user`` may read: those of the sites they see."""
    return EngineeringStudy.objects.filter(
        site_id__in=sites_visible_to(user).values_list("id", flat=True)
    )


def can_edit(user: User | AnonymousUser, site: Site) -> bool:
    """Whether ``user`` may run and delete studies of ``site`` (which they can see)."""
    if not can_edit_sites(user):
        return False
    org = active_org(user)
    if org is None:
        return False
    return org.id == site.operator_id or (org.vetted and org.kind in TERRITORIAL_KINDS)
