"""Patrol teams, response stations and stored patrol plans of law-enforcement organisations.

Visibility is decided by :mod:`placeguard.web.allocation.access` only: a vetted
law-enforcement organisation's members see their own organisation's rows, nobody else does.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.web.allocation.choices import PlanStatus
from placeguard.web.orgs.models import Organisation, Region


class PatrolTeam(models.Model):
    """A patrol team; with districts it covers only sites in those regions."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="patrol_teams",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100)
    districts = models.ManyToManyField(
        Region,
        blank=True,
        related_name="patrol_teams",
        verbose_name=_("districts"),
        help_text=_("Regions the team patrols; none means anywhere in the jurisdiction."),
    )
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["name", "id"]
        verbose_name = _("patrol team")
        verbose_name_plural = _("patrol teams")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="unique_patrol_team_name_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ResponseStation(models.Model):
    """A place response units start from (police station, rapid-response base)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="response_stations",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100)
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["name", "id"]
        verbose_name = _("response station")
        verbose_name_plural = _("response stations")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="unique_station_name_per_org"
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90),
                name="station_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180),
                name="station_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PatrolPlan(models.Model):
    """A solved patrol plan: its inputs, its equilibrium and its sampled schedule.

    ``parameters`` holds what was asked (sites, teams, shifts, days, attacker model, payoff
    overrides); ``results`` what was computed (coverage per site with the payoff derivation,
    defender utility, attacked sites, gap, the schedule and its seed). Plans are immutable.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="patrol_plans",
        verbose_name=_("organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patrol_plans",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.OPTIMAL
    )
    parameters = models.JSONField(_("parameters"), default=dict)
    results = models.JSONField(_("results"), default=dict)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("patrol plan")
        verbose_name_plural = _("patrol plans")

    def __str__(self) -> str:
        return self.name
