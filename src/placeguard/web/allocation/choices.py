"""Choices of the allocation app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttackerModel(models.TextChoices):
    """How the attacker is assumed to choose a site (docs/allocation-games.md)."""

    SSE = "sse", _("Rational (strong Stackelberg equilibrium)")
    QUANTAL = "quantal", _("Boundedly rational (quantal response)")
    INTERVAL = "interval", _("Uncertain payoffs (intervals, worst case)")


class PlanStatus(models.TextChoices):
    """How good the stored plan is known to be."""

    OPTIMAL = "optimal", _("Proven optimal")
    TIME_LIMIT = "time_limit", _("Best found within the time limit")
    LOCAL = "local", _("Best of several local optima")


class ScheduleFile(models.TextChoices):
    """Download formats of a plan's schedule."""

    CSV = "csv", _("CSV")
    ICS = "ics", _("iCalendar")
