"""Exercises (HSEEP): the exercise, its objectives and MSEL, the conduct log, evaluator ratings
and the after-action report / improvement plan.

Visibility is decided by :mod:`placeguard.web.exercises.access` only; every write goes through
:mod:`placeguard.web.exercises.services`.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from placeguard.web.exercises.choices import (
    CapabilityElement,
    ConductEventKind,
    CorrectiveActionStatus,
    DeliveryMethod,
    ExerciseScope,
    ExerciseStatus,
    ExerciseType,
    InjectState,
    InjectType,
    Rating,
)
from placeguard.web.orgs.models import Organisation, Region
from placeguard.web.sites.models import Site

_USER = settings.AUTH_USER_MODEL


class Exercise(models.Model):
    """An exercise of one site, one region (a city) or one sector, owned by an organisation.

    The conduct clock is kept as ``clock_offset_s`` (scenario seconds elapsed up to
    ``clock_since``) plus, while running, the wall time since ``clock_since``; the events that
    moved it are in :class:`ConductEvent`.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    exercise_type = models.CharField(
        _("type"), max_length=16, choices=ExerciseType.choices, default=ExerciseType.TABLETOP
    )
    scope = models.CharField(
        _("scope"), max_length=8, choices=ExerciseScope.choices, default=ExerciseScope.SITE
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exercises",
        verbose_name=_("site"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exercises",
        verbose_name=_("region"),
    )
    sector = models.CharField(_("sector"), max_length=32, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ExerciseStatus.choices,
        default=ExerciseStatus.PLANNING,
        db_index=True,
    )
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="owned_exercises",
        verbose_name=_("owner organisation"),
    )
    participants = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="exercises",
        verbose_name=_("participating organisations"),
    )
    scenarios = models.JSONField(_("scenarios"), default=list, blank=True)
    scheduled_on = models.DateField(_("date"), null=True, blank=True)
    summary = models.TextField(_("scenario summary"), blank=True)
    notes = models.JSONField(_("planner notes"), default=list, blank=True)
    clock_offset_s = models.FloatField(default=0.0)
    clock_since = models.DateTimeField(null=True, blank=True)
    clock_running = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering: ClassVar = ["-created", "-id"]
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("exercises:detail", args=[self.pk])


class Objective(models.Model):
    """An exercise objective: a capability target and its critical tasks (the EEG rows)."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="objectives")
    code = models.CharField(_("id"), max_length=16)
    title = models.CharField(_("title"), max_length=300)
    capability = models.CharField(_("capability"), max_length=64, blank=True)
    capability_target = models.TextField(_("capability target"), blank=True)
    critical_tasks = models.JSONField(_("critical tasks"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["exercise", "position", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["exercise", "code"], name="exercise_objective_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Inject(models.Model):
    """One MSEL row; ``time_min`` is scenario minutes after STARTEX."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="injects")
    seq = models.PositiveIntegerField(_("sequence"))
    time_min = models.PositiveIntegerField(_("scenario time (min)"))
    inject_type = models.CharField(_("inject type"), max_length=16, choices=InjectType.choices)
    delivery = models.CharField(_("delivery"), max_length=16, choices=DeliveryMethod.choices)
    sender = models.CharField(_("from"), max_length=200)
    recipient = models.CharField(_("to"), max_length=200)
    description = models.TextField(_("description"))
    expected_action = models.TextField(_("expected action"), blank=True)
    objective = models.CharField(_("objective"), max_length=16, blank=True)
    scenario = models.CharField(_("scenario"), max_length=32, blank=True)
    contingency_for = models.PositiveIntegerField(_("contingency for"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=InjectState.choices, default=InjectState.PENDING
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    released_clock_s = models.FloatField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["exercise", "seq"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["exercise", "seq"], name="exercise_inject_seq")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.description[:60]}"


class ConductEvent(models.Model):
    """One facilitator action during conduct (the server's record of the clock)."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=ConductEventKind.choices)
    inject = models.ForeignKey(
        Inject, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    at = models.DateTimeField(_("at"))
    clock_s = models.FloatField(_("exercise clock (s)"))
    shift_min = models.IntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["exercise", "at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.clock_s:.0f}s"


class InjectResponse(models.Model):
    """What players did or said in answer to an inject."""

    inject = models.ForeignKey(Inject, on_delete=models.CASCADE, related_name="responses")
    player = models.CharField(_("player / organisation"), max_length=200)
    text = models.TextField(_("response"))
    author = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["inject", "at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class TaskRating(models.Model):
    """One evaluator's P/S/M/U rating of one critical task, with the observation behind it."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="ratings")
    task = models.CharField(_("critical task"), max_length=32)
    evaluator = models.ForeignKey(_USER, on_delete=models.CASCADE, related_name="+")
    rating = models.CharField(_("rating"), max_length=1, choices=Rating.choices)
    observation = models.TextField(_("observation"), blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["objective", "task", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["objective", "task", "evaluator"], name="exercise_rating_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task}: {self.rating}"


class Strength(models.Model):
    """Something that went well (AAR)."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="strengths")
    capability = models.CharField(_("capability"), max_length=64, blank=True)
    objective = models.CharField(_("objective"), max_length=16, blank=True)
    text = models.TextField(_("strength"))

    class Meta:
        ordering: ClassVar = ["exercise", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class AreaForImprovement(models.Model):
    """Something that did not go well, and its root cause (AAR)."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("id"), max_length=16)
    capability = models.CharField(_("capability"), max_length=64, blank=True)
    objective = models.CharField(_("objective"), max_length=16, blank=True)
    observation = models.TextField(_("observation"))
    root_cause = models.TextField(_("root cause"))

    class Meta:
        ordering: ClassVar = ["exercise", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["exercise", "code"], name="exercise_area_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.observation[:60]}"


class CorrectiveAction(models.Model):
    """One improvement-plan row, owned by an organisation and tracked to closure.

    ``exercise`` and ``area`` are where it came from; :attr:`origin` is a stable label other
    apps store when they promote the action (to a national-plan action or a training request).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exercise = models.ForeignKey(
        Exercise, on_delete=models.PROTECT, related_name="corrective_actions"
    )
    area = models.ForeignKey(
        AreaForImprovement,
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name=_("area for improvement"),
    )
    code = models.CharField(_("id"), max_length=16)
    description = models.TextField(_("corrective action"))
    element = models.CharField(
        _("capability element"), max_length=16, choices=CapabilityElement.choices
    )
    owner_org = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="corrective_actions",
        verbose_name=_("owner organisation"),
    )
    contact = models.CharField(_("contact"), max_length=200)
    start = models.DateField(_("start"))
    due = models.DateField(_("due"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CorrectiveActionStatus.choices,
        default=CorrectiveActionStatus.OPEN,
        db_index=True,
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["due", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["exercise", "code"], name="exercise_action_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description[:60]}"

    @property
    def origin(self) -> str:
        """Stable origin label: ``exercise:<exercise uuid>/action:<code>``."""
        return f"exercise:{self.exercise.uuid}/action:{self.code}"

    @property
    def origin_url(self) -> str:
        """Where the action is shown in its AAR/IP."""
        return reverse("exercises:aar", args=[self.exercise_id]) + f"#action-{self.code}"
