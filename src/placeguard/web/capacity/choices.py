"""Choices of the capacity app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    """Where a technical-assistance request is in the UN workflow (docs/preparedness-method.md)."""

    SUBMITTED = "submitted", _("Submitted")
    TRIAGED = "triaged", _("Triaged")
    ASSESSED = "assessed", _("Assessed")
    PLANNED = "planned", _("Planned")
    DELIVERING = "delivering", _("Delivering")
    DELIVERED = "delivered", _("Delivered")
    EVALUATED = "evaluated", _("Evaluated")
    FOLLOW_UP_DUE = "follow_up_due", _("Follow-up due")
    CLOSED = "closed", _("Closed")
    DECLINED = "declined", _("Declined")


class Gender(models.TextChoices):
    """Optional, for disaggregated indicators only; never required."""

    NOT_STATED = "", _("Not stated")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other / self-described")


class KirkpatrickLevel(models.IntegerChoices):
    """Kirkpatrick's four levels of training evaluation."""

    REACTION = 1, _("1 — Reaction")
    LEARNING = 2, _("2 — Learning")
    BEHAVIOUR = 3, _("3 — Behaviour")
    RESULTS = 4, _("4 — Results")


class ActionStatus(models.TextChoices):
    """Status of a national-plan action (``cancelled`` actions cover no provision)."""

    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DELAYED = "delayed", _("Delayed")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
