"""Choices of the engineering app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StudyKind(models.TextChoices):
    """Which engine a study runs."""

    EVACUATION = "evacuation", _("Evacuation (SFPE hydraulic model)")
    VEHICLE = "vehicle", _("Hostile-vehicle dynamics")


class StudyStatus(models.TextChoices):
    """Where the study's background run is (invalid input is refused before anything is stored).

    queued → running → complete | failed.
    """

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPLETE = "complete", _("Complete")
    FAILED = "failed", _("Failed")


#: Statuses after which nothing changes any more.
FINISHED_STATUSES = frozenset({StudyStatus.COMPLETE, StudyStatus.FAILED})


class EvacuationMode(models.TextChoices):
    """Where people go in an evacuation study."""

    EVACUATION = "evacuation", _("Evacuation: out through the exits")
    INVACUATION = "invacuation", _("Invacuation: into the protected space")
    LOCKDOWN = "lockdown", _("Lockdown: into the nearest lockable room")


class VehicleChoice(models.TextChoices):
    """Threat vehicle classes shipped in content/vehicle/vehicles.yaml."""

    CAR = "car", _("Car (1,500 kg)")
    VAN = "van", _("Van (3,500 kg)")
    N2 = "n2", _("Medium truck, N2 (7,200 kg)")
    N3 = "n3", _("Heavy truck, N3 (18,000 kg)")
