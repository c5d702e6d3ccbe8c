"""Choices of the sites app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.core.vocab import SiteType as CoreSiteType


class SiteType(models.TextChoices):
    """Type of vulnerable target (DESIGN.md vocabulary)."""

    PLACE_OF_WORSHIP = CoreSiteType.PLACE_OF_WORSHIP.value, _("Place of worship")
    PUBLIC_SPACE = CoreSiteType.PUBLIC_SPACE.value, _("Public space")
    RETAIL = CoreSiteType.RETAIL.value, _("Retail")
    HOSPITALITY = CoreSiteType.HOSPITALITY.value, _("Hospitality")
    TOURIST_SITE = CoreSiteType.TOURIST_SITE.value, _("Tourist site")
    VENUE = CoreSiteType.VENUE.value, _("Venue / major event")
    TRANSPORT_HUB = CoreSiteType.TRANSPORT_HUB.value, _("Transport hub")
    EDUCATION = CoreSiteType.EDUCATION.value, _("Education")
    HEALTH = CoreSiteType.HEALTH.value, _("Health")


class SiteStatus(models.TextChoices):
    """Lifecycle of a site record; archived sites drop out of lists but keep their history."""

    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")
