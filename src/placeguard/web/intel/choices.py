"""Choices of the intelligence app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DatasetSource(models.TextChoices):
    """Layout of an uploaded incident file."""

    GTD = "gtd", _("Global Terrorism Database (GTD)")
    ACLED = "acled", _("ACLED export")
    RDWTI = "rdwti", _("RAND RDWTI export")
    UCDP = "ucdp", _("UCDP GED")
    GDELT = "gdelt", _("GDELT 1.0 / 2.0 event file")
    CSV = "csv", _("National incident log (CSV with a column mapping)")


class DatasetStatus(models.TextChoices):
    """Where the import is: queued → running → done | failed (nothing half-imported)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


FINISHED_STATUSES = frozenset({DatasetStatus.DONE, DatasetStatus.FAILED})


class ClaimMetric(models.TextChoices):
    """What a tested claim is about."""

    ATTACKS = "attacks", _("Attacks per year")
    DEATHS = "deaths", _("Deaths per year")
    LETHALITY = "lethality", _("Deaths per attack (lethality)")
    SHARE = "share", _("Share of all attacks")


class ClaimDirection(models.TextChoices):
    """The claimed direction of change."""

    INCREASE = "increase", _("Increase")
    DECREASE = "decrease", _("Decrease")
