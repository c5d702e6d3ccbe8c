"""Choices of the good-practice library."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PracticeKind(models.TextChoices):
    """A good practice (what works) or a lesson learned (from an incident or exercise)."""

    PRACTICE = "practice", _("Good practice")
    LESSON = "lesson", _("Lesson learned")
