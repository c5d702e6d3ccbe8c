"""Choices of the incidents app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.core.vocab import Scenario


class InvestigationStatus(models.TextChoices):
    """Where the investigation of an incident stands."""

    OPEN = "open", _("Open")
    UNDER_INVESTIGATION = "under_investigation", _("Under investigation")
    CLOSED = "closed", _("Closed")


class TaskStatus(models.TextChoices):
    """Progress of an investigation task."""

    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class CustodyAction(models.TextChoices):
    """What happened to a piece of evidence (chain of custody)."""

    COLLECTED = "collected", _("Collected")
    UPLOADED = "uploaded", _("Uploaded")
    DOWNLOADED = "downloaded", _("Downloaded")
    TRANSFERRED = "transferred", _("Transferred")
    VERIFIED = "verified", _("Verified")
    RELEASED = "released", _("Released")
    INTEGRITY_FAILURE = "integrity_failure", _("Integrity check failed")


#: Custody actions a person records by hand (the others are written by uploads and downloads).
MANUAL_CUSTODY_ACTIONS = frozenset(
    {CustodyAction.COLLECTED, CustodyAction.TRANSFERRED, CustodyAction.RELEASED}
)
#: Custody actions that must say why.
REASON_REQUIRED = frozenset({CustodyAction.TRANSFERRED, CustodyAction.RELEASED})

#: Attack scenarios of the risk content (core vocabulary).
SCENARIO_CHOICES = [(s.value, s.value.replace("_", " ").capitalize()) for s in Scenario]
