"""Choices of the assessments app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssessmentStatus(models.TextChoices):
    """Lifecycle of an assessment.

    ``draft`` → ``submitted`` → ``approved`` (or ``returned`` → edited → ``submitted`` again);
    approving one supersedes the site's previously approved assessment.
    """

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")
    SUPERSEDED = "superseded", _("Superseded")


#: Statuses of an assessment still in progress: a site has at most one.
OPEN_STATUSES = frozenset(
    {AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED, AssessmentStatus.RETURNED}
)
#: Statuses in which the answers and context may be edited.
EDITABLE_STATUSES = frozenset({AssessmentStatus.DRAFT, AssessmentStatus.RETURNED})
#: Statuses with a stored (kept) engine result that plans, action items and acceptances use.
RESULT_STATUSES = frozenset({AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED})


class RiskBand(models.TextChoices):
    """Band of a 1–125 score (the engine's ``scales.BANDS``, least to most severe)."""

    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    HIGH = "high", _("High")
    VERY_HIGH = "very high", _("Very high")


class ActionStatus(models.TextChoices):
    """Progress of an action item."""

    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


#: Action statuses that can no longer be overdue.
CLOSED_ACTION_STATUSES = frozenset({ActionStatus.DONE, ActionStatus.CANCELLED})


class AcceptanceStatus(models.TextChoices):
    """State of a risk acceptance; an active one past its expiry date counts as expired."""

    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
