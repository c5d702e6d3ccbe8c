"""Capacity building: technical assistance on request, courses, and national action plans.

Visibility is decided by :mod:`placeguard.web.capacity.access` only. Courses, participants and
evidence are visible exactly when their request is; objectives, actions, indicators and
progress reports exactly when their plan is.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.web.capacity.choices import (
    ActionStatus,
    Gender,
    KirkpatrickLevel,
    RequestStatus,
)
from placeguard.web.orgs.models import Organisation

#: Statuses in which the six-month follow-up is still owed.
FOLLOW_UP_OPEN = (RequestStatus.DELIVERED, RequestStatus.EVALUATED, RequestStatus.FOLLOW_UP_DUE)


class Origin(models.Model):
    """Where an item came from: a label, a link and a generic reference ``app.model:pk``."""

    origin_label = models.CharField(_("came from"), max_length=300, blank=True)
    origin_url = models.CharField(_("origin link"), max_length=500, blank=True)
    origin_ref = models.CharField(_("origin reference"), max_length=120, blank=True, db_index=True)

    class Meta:
        abstract = True


class TrainingRequest(Origin):
    """A State authority's request for technical assistance, through its workflow."""

    requesting_org = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="training_requests",
        verbose_name=_("requesting organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    need = models.TextField(_("need"))
    target_audience = models.TextField(_("target audience"), blank=True)
    scenarios = models.JSONField(_("scenarios"), default=list, blank=True)
    site_types = models.JSONField(_("site types"), default=list, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    preferred_start = models.DateField(_("preferred start"), null=True, blank=True)
    preferred_end = models.DateField(_("preferred end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    triage_note = models.TextField(_("triage note"), blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    plan_activities = models.TextField(_("planned activities"), blank=True)
    plan_partners = models.TextField(_("partners"), blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    followup_due = models.DateField(_("follow-up due"), null=True, blank=True)
    evaluation_summary = models.TextField(_("evaluation summary"), blank=True)
    followup_completed_on = models.DateField(_("follow-up completed on"), null=True, blank=True)
    followup_report = models.TextField(_("follow-up report"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("training request")
        verbose_name_plural = _("training requests")

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Follow-up still owed and its due date has passed."""
        today = today or dt.date.today()  # noqa: DTZ011 - calendar date of the server
        return (
            self.status in FOLLOW_UP_OPEN
            and self.followup_due is not None
            and self.followup_completed_on is None
            and self.followup_due < today
        )


class Course(models.Model):
    """A course, tabletop exercise or mentoring session delivered under a request."""

    request = models.ForeignKey(
        TrainingRequest,
        on_delete=models.CASCADE,
        related_name="courses",
        verbose_name=_("request"),
    )
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=120)
    sector = models.CharField(_("sector"), max_length=120, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    max_score = models.FloatField(_("test maximum score"), default=100.0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["start", "id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    """One participant of one course. Gender is optional (blank = not stated)."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="participants", verbose_name=_("course")
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=120, blank=True)
    gender = models.CharField(
        _("gender"), max_length=16, choices=Gender.choices, blank=True, default=Gender.NOT_STATED
    )
    attended = models.BooleanField(_("attended"), default=True)
    completed = models.BooleanField(_("completed the course"), default=False)
    pre_score = models.FloatField(_("pre-test score"), null=True, blank=True)
    post_score = models.FloatField(_("post-test score"), null=True, blank=True)
    satisfaction = models.FloatField(_("satisfaction (1–5)"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["name", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.name


class Evidence(models.Model):
    """Kirkpatrick evidence for a course (levels 3–4 may point at later exercise ratings)."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("course")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=KirkpatrickLevel.choices)
    description = models.TextField(_("description"))
    source = models.CharField(_("source"), max_length=200)
    reference_url = models.CharField(_("reference (URL)"), max_length=500, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["level", "id"]
        verbose_name = _("evaluation evidence")
        verbose_name_plural = _("evaluation evidence")

    def __str__(self) -> str:
        return f"L{self.level}: {self.source}"


class ActionPlan(models.Model):
    """A national action plan (strategy) owned by a State authority."""

    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="action_plans",
        verbose_name=_("owning authority"),
    )
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    scope = models.TextField(_("scope"), blank=True)
    methodology = models.TextField(_("methodology"), blank=True)
    problem_definition = models.TextField(_("problem definition"), blank=True)
    risk_assessment = models.TextField(_("risk assessment"), blank=True)
    risk_management = models.TextField(_("risk management"), blank=True)
    coordination = models.TextField(_("coordination"), blank=True)
    related_strategies = models.TextField(_("related strategies (one a line)"), blank=True)
    reporting_frequency = models.CharField(_("reporting frequency"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["title", "id"]
        verbose_name = _("national action plan")
        verbose_name_plural = _("national action plans")

    def __str__(self) -> str:
        return self.title


class PlanObjective(models.Model):
    """A strategic objective of a plan; priority 1 is the highest."""

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("plan")
    )
    title = models.CharField(_("title"), max_length=300)
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["priority", "id"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.title


class PlanAction(Origin):
    """An action under an objective. ``mandate_refs`` hold provision ids of ``mandates.yaml``;
    ``milestones`` ``[{"label": str, "date": "YYYY-MM-DD"}]``."""

    objective = models.ForeignKey(
        PlanObjective,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("objective"),
    )
    title = models.CharField(_("title"), max_length=300)
    lead_agency = models.CharField(_("lead agency"), max_length=200, blank=True)
    supporting_agencies = models.JSONField(_("supporting agencies"), default=list, blank=True)
    mandate_refs = models.JSONField(_("mandate references"), default=list, blank=True)
    milestones = models.JSONField(_("milestones"), default=list, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )

    class Meta:
        ordering: ClassVar = ["objective_id", "id"]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")

    def __str__(self) -> str:
        return self.title


class PlanIndicator(models.Model):
    """How progress on an action is measured."""

    action = models.ForeignKey(
        PlanAction, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("action")
    )
    definition = models.CharField(_("definition"), max_length=300)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    frequency = models.CharField(_("frequency"), max_length=60, blank=True)
    data_source = models.CharField(_("data source"), max_length=200, blank=True)

    class Meta:
        ordering: ClassVar = ["id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.definition


class ProgressReport(models.Model):
    """A periodic progress report on a plan (e.g. the six-month follow-up)."""

    plan = models.ForeignKey(
        ActionPlan,
        on_delete=models.CASCADE,
        related_name="progress_reports",
        verbose_name=_("plan"),
    )
    period_end = models.DateField(_("period end"))
    summary = models.TextField(_("summary"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-period_end", "-id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.plan} — {self.period_end}"
