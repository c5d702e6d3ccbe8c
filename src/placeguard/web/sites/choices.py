"""Choices of the sites app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.core.vocab import SiteType as _T


class SiteType(models.TextChoices):
    """Type of vulnerable target (DESIGN.md vocabulary)."""

    PLACE_OF_WORSHIP = _T.PLACE_OF_WORSHIP.value, _("Place of worship")
    PUBLIC_SPACE = _T.PUBLIC_SPACE.value, _("Public space")
    RETAIL = _T.RETAIL.value, _("Retail")
    HOSPITALITY = _T.HOSPITALITY.value, _("Hospitality")
    TOURIST_SITE = _T.TOURIST_SITE.value, _("Tourist site")
    VENUE = _T.VENUE.value, _("Venue / major event")
    TRANSPORT_HUB = _T.TRANSPORT_HUB.value, _("Transport hub")
    EDUCATION = _T.EDUCATION.value, _("Education")
    HEALTH = _T.HEALTH.value, _("Health")


class SiteStatus(models.TextChoices):
    """Lifecycle of a site record; archived sites drop out of lists but keep their history."""

    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")
