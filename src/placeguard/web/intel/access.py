"""The one visibility path for incident datasets, and who may analyse them.

* **visibility**: a dataset is visible to the members of its owner organisation only (raw
  rows stay within the importing organisation, as the dataset licences require);
* **analysis** (upload, dashboard, claims, reports, the trends API), checked after
  visibility: analysts of a law-enforcement or authority organisation; other members of the
  owner organisation read the dataset's metadata only (403 on analysis); everyone else gets
  404 on a dataset and 403 on the upload.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from placeguard.web.intel.models import Dataset, ThreatSource
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.choices import TERRITORIAL_KINDS, Role
from placeguard.web.orgs.models import User

__all__ = ["can_analyse", "sources_visible_to", "visible_to"]


def visible_to(user: User | AnonymousUser) -> QuerySet[Dataset]:
    """Datasets ``user`` may see: those of their own (active) organisation."""
    org = active_org(user)
    if org is None:
        return Dataset.objects.none()
    return Dataset.objects.filter(owner_id=org.pk)


def sources_visible_to(user: User | AnonymousUser) -> QuerySet[ThreatSource]:
    """Threat sources ``user`` may see: those published from their organisation's datasets.

    Operators whose assessments use a source never see it (nor its dataset): their
    assessment carries the numbers and the provenance line only.
    """
    org = active_org(user)
    if org is None:
        return ThreatSource.objects.none()
    return ThreatSource.objects.filter(dataset__owner_id=org.pk)


def can_analyse(user: User | AnonymousUser) -> bool:
    """Whether ``user`` is a national analyst (ANALYST of law enforcement or an authority)."""
    org = active_org(user)
    return (
        org is not None
        and org.kind in TERRITORIAL_KINDS
        and isinstance(user, User)
        and user.has_role(Role.ANALYST)
    )
