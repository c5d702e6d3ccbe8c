"""Allocation API shapes. Types are checked here; meaning is checked by the services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from placeguard.web.allocation.choices import AttackerModel, ScheduleFile
from placeguard.web.allocation.models import PatrolPlan, PatrolTeam, ResponseStation
from placeguard.web.common.strict import StrictInputMixin
from placeguard.web.orgs.models import Region


class PatrolTeamSerializer(serializers.ModelSerializer[PatrolTeam]):
    """A patrol team as read."""

    districts: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = PatrolTeam
        fields = ["id", "name", "districts", "active", "created", "updated"]
        read_only_fields = fields


class PatrolTeamWriteSerializer(StrictInputMixin, serializers.Serializer[PatrolTeam]):
    """Input for creating or changing a team."""

    name = serializers.CharField(max_length=100)
    districts = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        help_text="Region codes of your jurisdiction; empty: anywhere in it.",
    )
    active = serializers.BooleanField(required=False)


class ResponseStationSerializer(serializers.ModelSerializer[ResponseStation]):
    """A response station as read."""

    class Meta:
        model = ResponseStation
        fields = ["id", "name", "latitude", "longitude", "active", "created", "updated"]
        read_only_fields = fields


class ResponseStationWriteSerializer(StrictInputMixin, serializers.Serializer[ResponseStation]):
    """Input for creating or changing a station."""

    name = serializers.CharField(max_length=100)
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    active = serializers.BooleanField(required=False)


class PatrolPlanListSerializer(serializers.ModelSerializer[PatrolPlan]):
    """A patrol plan in a list."""

    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = PatrolPlan
        fields = ["id", "name", "status", "created_at", "created_by", "parameters"]
        read_only_fields = fields


class PatrolPlanSerializer(PatrolPlanListSerializer):
    """A patrol plan with its results (coverage, equilibrium, derivation, schedule and seed)."""

    class Meta(PatrolPlanListSerializer.Meta):
        fields = [*PatrolPlanListSerializer.Meta.fields, "results"]
        read_only_fields = fields


class AttackerSerializer(serializers.Serializer[Any]):
    """The attacker model."""

    model = serializers.ChoiceField(choices=AttackerModel.choices, default=AttackerModel.SSE)
    rationality = serializers.FloatField(
        required=False, help_text="λ of the quantal-response attacker (model quantal)."
    )
    uncertainty = serializers.FloatField(
        required=False, help_text="Relative width of attacker payoff intervals (model interval)."
    )


class AttackerTypeSerializer(serializers.Serializer[Any]):
    """One attacker type of a Bayesian plan."""

    name = serializers.CharField(max_length=100)
    prior = serializers.FloatField()
    weights = serializers.DictField(
        child=serializers.FloatField(),
        required=False,
        help_text="Site type → attractiveness (default: the type defaults).",
    )


class PatrolPlanRunSerializer(StrictInputMixin, serializers.Serializer[PatrolPlan]):
    """Input for running a patrol plan."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    sites = serializers.ListField(child=serializers.IntegerField(), help_text="Site ids.")
    teams = serializers.ListField(child=serializers.IntegerField(), help_text="Patrol team ids.")
    shifts_per_day = serializers.IntegerField(required=False)
    days = serializers.IntegerField(required=False)
    start = serializers.DateField(required=False)
    attacker = AttackerSerializer(required=False)
    attacker_types = AttackerTypeSerializer(many=True, required=False)
    overrides = serializers.DictField(
        child=serializers.DictField(child=serializers.FloatField()),
        required=False,
        help_text="Site id → payoff name → value.",
    )
    interdiction = serializers.FloatField(required=False)
    casualty_rate = serializers.FloatField(required=False)


class ScheduleQuerySerializer(serializers.Serializer[Any]):
    """Schedule download format."""

    file = serializers.ChoiceField(choices=ScheduleFile.choices, default=ScheduleFile.CSV)


class CoverageRunSerializer(StrictInputMixin, serializers.Serializer[Any]):
    """Input for a coverage run."""

    standard_seconds = serializers.FloatField(help_text="Response-time standard, seconds.")
    units = serializers.IntegerField(
        required=False, default=0, help_text="New response units to place (MCLP); 0: none."
    )
    regions = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, help_text="Region codes."
    )


class CoverageResultSerializer(serializers.Serializer[Any]):
    """Response times per site, shares covered, isochrones and suggested unit locations."""

    standard_s = serializers.FloatField()
    share_sites = serializers.FloatField(allow_null=True)
    share_people = serializers.FloatField(allow_null=True)
    sites = serializers.ListField(child=serializers.DictField())
    stations = serializers.ListField(child=serializers.DictField())
    uncovered = serializers.ListField(child=serializers.IntegerField())
    unreachable = serializers.ListField(child=serializers.IntegerField())
    isochrones = serializers.DictField()
    siting = serializers.DictField(allow_null=True)
    graph = serializers.DictField()
