"""Risk assessments of sites, with their review comments, action items and risk acceptances.

Visibility of every model here follows the site's: see
:mod:`placeguard.web.assessments.access`. All writes go through
:mod:`placeguard.web.assessments.services`.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placeguard.web.assessments.choices import (
    CLOSED_ACTION_STATUSES,
    OPEN_STATUSES,
    AcceptanceStatus,
    ActionStatus,
    AssessmentStatus,
    RiskBand,
)
from placeguard.web.sites.models import Site


class Assessment(models.Model):
    """One risk assessment of one site: the answers, the context and, once submitted, the result.

    ``result`` is the engine's ``SiteAssessment.as_dict()`` computed at submission and kept, so
    an approved assessment reads the same years later whatever happens to the site or the pack.
    ``total_risk``, ``worst_band`` and ``top_scenario`` summarise it for lists and rankings.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("site")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
        db_index=True,
    )
    pack_version = models.CharField(_("content pack version"), max_length=32)
    threat_level = models.PositiveSmallIntegerField(
        _("threat level"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("National threat level, 1 (low) to 5 (critical)."),
    )
    symbolic = models.FloatField(
        _("symbolic value"),
        default=0.0,
        validators=[MinValueValidator(0), MaxValueValidator(2)],
        help_text=_("0 none, 1 regional landmark, 2 national symbol."),
    )
    threatened = models.BooleanField(
        _("specific threats reported"),
        default=False,
        help_text=_("Specific threats or hostile reconnaissance have been reported."),
    )
    impact = models.FloatField(
        _("societal impact weight"),
        default=1.0,
        validators=[MinValueValidator(1), MaxValueValidator(2)],
        help_text=_("1 means casualties only; up to 2 for wider societal impact."),
    )
    answers = models.JSONField(
        _("answers"),
        default=dict,
        blank=True,
        help_text=_('Question id → option index (0 = worst), "unknown" or "n/a".'),
    )
    result = models.JSONField(_("result"), null=True, blank=True)
    total_risk = models.FloatField(
        _("total risk"),
        null=True,
        blank=True,
        help_text=_("Expected casualties per year over all scenarios, at submission."),
    )
    worst_band = models.CharField(
        _("worst band"), max_length=16, choices=RiskBand.choices, blank=True
    )
    top_scenario = models.CharField(_("top scenario"), max_length=32, blank=True)
    prefilled_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pre-filled from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created = models.DateTimeField(_("started"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )

    class Meta:
        ordering: ClassVar = ["-created", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["site"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="assessment_one_open_per_site",
            ),
            models.UniqueConstraint(
                fields=["site"],
                condition=models.Q(status=AssessmentStatus.APPROVED),
                name="assessment_one_approved_per_site",
            ),
            models.CheckConstraint(
                condition=models.Q(threat_level__gte=1, threat_level__lte=5),
                name="assessment_threat_level_range",
            ),
            models.CheckConstraint(
                condition=models.Q(symbolic__gte=0, symbolic__lte=2),
                name="assessment_symbolic_range",
            ),
            models.CheckConstraint(
                condition=models.Q(impact__gte=1, impact__lte=2),
                name="assessment_impact_range",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["site", "status"], name="assessment_site_status_idx")
        ]

    def __str__(self) -> str:
        return f"Assessment {self.pk} of {self.site} ({self.status})"


class ReviewComment(models.Model):
    """A reviewer's remark on an assessment, optionally about one question."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="comments", verbose_name=_("assessment")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("text"))
    question_id = models.CharField(_("question"), max_length=32, blank=True)
    created = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["created", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self) -> str:
        return f"Comment {self.pk} on assessment {self.assessment_id}"


class ActionItem(models.Model):
    """One protective measure to put in place, taken from an assessment's plan.

    ``capex`` and ``opex`` are the plan's costs of bringing the measure to full quality, in
    ``currency`` (the content pack's).
    """

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="action_items",
        verbose_name=_("assessment"),
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="action_items", verbose_name=_("site")
    )
    measure_id = models.CharField(_("measure"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    owner_name = models.CharField(
        _("owner name"),
        max_length=200,
        blank=True,
        help_text=_("Who is responsible when they have no PlaceGuard account."),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ActionStatus.choices,
        default=ActionStatus.OPEN,
        db_index=True,
    )
    capex = models.DecimalField(_("one-off cost"), max_digits=14, decimal_places=2)
    opex = models.DecimalField(_("yearly running cost"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering: ClassVar = ["due_date", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["assessment", "measure_id"], name="action_item_one_per_measure"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        """Still to do and past its due date."""
        return (
            self.status not in CLOSED_ACTION_STATUSES
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )


class RiskAcceptance(models.Model):
    """A signed-off decision to accept one scenario's residual risk until a date.

    Stored as ``active`` until revoked or marked expired; an active acceptance whose
    ``expires_on`` has passed already counts as expired (:attr:`current_status`).
    """

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="acceptances",
        verbose_name=_("assessment"),
    )
    scenario = models.CharField(_("scenario"), max_length=32)
    rationale = models.TextField(_("rationale"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)
    expires_on = models.DateField(_("expires on"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AcceptanceStatus.choices,
        default=AcceptanceStatus.ACTIVE,
        db_index=True,
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering: ClassVar = ["-accepted_at", "-id"]
        verbose_name = _("risk acceptance")
        verbose_name_plural = _("risk acceptances")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["assessment", "scenario"],
                condition=models.Q(status=AcceptanceStatus.ACTIVE),
                name="risk_acceptance_one_active_per_scenario",
            ),
        ]

    def __str__(self) -> str:
        return f"Acceptance of {self.scenario} on assessment {self.assessment_id}"

    def is_expired(self, today: date | None = None) -> bool:
        """Past its expiry date (or already marked expired)."""
        if self.status == AcceptanceStatus.EXPIRED:
            return True
        return self.status == AcceptanceStatus.ACTIVE and self.expires_on < (
            today or timezone.localdate()
        )

    @property
    def current_status(self) -> str:
        """The status as of today: ``active`` past its expiry date reads ``expired``."""
        return AcceptanceStatus.EXPIRED.value if self.is_expired() else str(self.status)
