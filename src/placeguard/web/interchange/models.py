"""Models of interchange: one row per export or import, the object its audit event names."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.web.orgs.models import Organisation, User


class Exchange(models.Model):
    """One STIX or MISP export, or one STIX import, by one user (audited as it happens)."""

    class Direction(models.TextChoices):
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")

    class Format(models.TextChoices):
        STIX = "stix", _("STIX 2.1")
        MISP = "misp", _("MISP JSON")

    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, related_name="+"
    )
    max_tlp = models.CharField(_("maximum TLP"), max_length=16, blank=True)
    counts = models.JSONField(_("objects per kind"), default=dict)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-created", "-id"]
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")

    def __str__(self) -> str:
        return f"{self.format} {self.direction} #{self.pk}"
