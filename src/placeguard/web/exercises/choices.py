"""Choices of the exercises app, mirroring the preparedness engine's enums."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.engines.preparedness.aar import ActionStatus as _ActionStatus
from placeguard.engines.preparedness.aar import CapabilityElement as _Element
from placeguard.engines.preparedness.catalogue import DeliveryMethod as _Delivery
from placeguard.engines.preparedness.catalogue import InjectType as _InjectType


class ExerciseType(models.TextChoices):
    """HSEEP exercise types (discussion-based first, then operations-based)."""

    TABLETOP = "tabletop", _("Tabletop exercise")
    DRILL = "drill", _("Drill")
    FUNCTIONAL = "functional", _("Functional exercise")
    FULL_SCALE = "full_scale", _("Full-scale exercise")


class ExerciseScope(models.TextChoices):
    """What the exercise is about: one site, a city or region, or a whole sector."""

    SITE = "site", _("A site")
    REGION = "region", _("A city or region")
    SECTOR = "sector", _("A sector")


class ExerciseStatus(models.TextChoices):
    """Life cycle: planning → conducting → evaluating → completed."""

    PLANNING = "planning", _("Planning")
    CONDUCTING = "conducting", _("Conducting")
    EVALUATING = "evaluating", _("Evaluating")
    COMPLETED = "completed", _("Completed")


class InjectType(models.TextChoices):
    """HSEEP inject kinds."""

    CONTEXTUAL = _InjectType.CONTEXTUAL.value, _("Contextual")
    EXPECTED_ACTION = _InjectType.EXPECTED_ACTION.value, _("Expected action")
    CONTINGENCY = _InjectType.CONTINGENCY.value, _("Contingency")


class DeliveryMethod(models.TextChoices):
    """How the controller delivers an inject."""

    VERBAL = _Delivery.VERBAL.value, _("Verbal")
    HANDOUT = _Delivery.HANDOUT.value, _("Handout")
    PHONE = _Delivery.PHONE.value, _("Phone")
    EMAIL = _Delivery.EMAIL.value, _("E-mail")
    RADIO = _Delivery.RADIO.value, _("Radio")
    VIDEO = _Delivery.VIDEO.value, _("Video")
    SOCIAL_MEDIA = _Delivery.SOCIAL_MEDIA.value, _("Social media")


class InjectState(models.TextChoices):
    """Where an inject is during conduct."""

    PENDING = "pending", _("Pending")
    RELEASED = "released", _("Released")
    SKIPPED = "skipped", _("Skipped")


class ConductEventKind(models.TextChoices):
    """What the facilitator did (the stored event log of the conduct clock)."""

    START = "start", _("Started")
    PAUSE = "pause", _("Paused")
    RESUME = "resume", _("Resumed")
    RELEASE = "release", _("Inject released")
    SKIP = "skip", _("Inject skipped")
    RETIME = "retime", _("Remaining injects re-timed")
    END = "end", _("Ended")


class Rating(models.TextChoices):
    """HSEEP performance ratings."""

    P = "P", _("P — performed without challenges")
    S = "S", _("S — performed with some challenges")
    M = "M", _("M — performed with major challenges")
    U = "U", _("U — unable to be performed")


class CapabilityElement(models.TextChoices):
    """Where a corrective action acts (POETE)."""

    PLANNING = _Element.PLANNING.value, _("Planning")
    ORGANISATION = _Element.ORGANISATION.value, _("Organisation")
    EQUIPMENT = _Element.EQUIPMENT.value, _("Equipment")
    TRAINING = _Element.TRAINING.value, _("Training")
    EXERCISES = _Element.EXERCISES.value, _("Exercises")


class CorrectiveActionStatus(models.TextChoices):
    """Life cycle of a corrective action (``done`` is the engine's ``completed``)."""

    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


#: Web status → engine status.
ENGINE_ACTION_STATUS = {
    CorrectiveActionStatus.OPEN: _ActionStatus.OPEN,
    CorrectiveActionStatus.IN_PROGRESS: _ActionStatus.IN_PROGRESS,
    CorrectiveActionStatus.DONE: _ActionStatus.COMPLETED,
    CorrectiveActionStatus.CANCELLED: _ActionStatus.CANCELLED,
}
CLOSED_ACTION_STATUSES = frozenset({CorrectiveActionStatus.DONE, CorrectiveActionStatus.CANCELLED})
