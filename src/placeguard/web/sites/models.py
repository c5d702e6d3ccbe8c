"""Sites: the vulnerable targets that every other capability reasons about."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.web.orgs.models import Organisation, Region
from placeguard.web.sites.choices import SiteStatus, SiteType


class Tag(models.Model):
    """A free label on sites (``night-economy``, ``heritage``, ``event-2027``)."""

    name = models.SlugField(_("name"), max_length=64, unique=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A place to protect.

    Visibility is decided by :func:`placeguard.web.sites.access.visible_to` only.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    site_type = models.CharField(_("type"), max_length=32, choices=SiteType.choices, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=SiteStatus.choices, default=SiteStatus.ACTIVE
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="sites", verbose_name=_("region")
    )
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), help_text=_("People present at the everyday peak.")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    time_profile = models.JSONField(
        _("time profile"),
        default=dict,
        blank=True,
        help_text=_("Weekly opening hours and special events (see docs/registry.md)."),
    )
    operator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="operated_sites",
        verbose_name=_("operator"),
    )
    responsible_le = models.ManyToManyField(
        Organisation,
        related_name="policed_sites",
        blank=True,
        verbose_name=_("responsible law enforcement"),
    )
    tags = models.ManyToManyField(Tag, related_name="sites", blank=True, verbose_name=_("tags"))
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["name", "id"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90),
                name="site_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180),
                name="site_longitude_range",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["region", "site_type"])]

    def __str__(self) -> str:
        return self.name
