"""Forms of the allocation pages: they convert browser input into the services' raw input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from placeguard.web.allocation import queries
from placeguard.web.allocation.choices import AttackerModel
from placeguard.web.allocation.services import MAX_DAYS, MAX_SHIFTS, MAX_UNITS
from placeguard.web.common.forms import PlaceguardForm
from placeguard.web.orgs.models import User
from placeguard.web.sites.choices import SiteType

__all__ = ["CoverageForm", "PlannerForm"]


class PlannerForm(PlaceguardForm):
    """Sites (directly, or every site of the chosen regions and types), teams, shifts, attacker."""

    name = forms.CharField(label=_("Plan name"), max_length=200, required=False)
    regions = forms.MultipleChoiceField(
        label=_("Regions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("With no site chosen below, every site of these regions (all when none)."),
    )
    site_types = forms.MultipleChoiceField(
        label=_("Site types"),
        required=False,
        choices=SiteType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("With no site chosen below, only sites of these types (all when none)."),
    )
    sites = forms.MultipleChoiceField(
        label=_("Sites"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Optional: choose sites one by one instead of by region and type."),
    )
    teams = forms.MultipleChoiceField(
        label=_("Patrol teams"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every chosen team is on duty in every shift; districts bind where it goes."),
    )
    shifts_per_day = forms.IntegerField(
        label=_("Shifts a day"), min_value=1, max_value=MAX_SHIFTS, initial=2
    )
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=MAX_DAYS, initial=7)
    start = forms.DateField(
        label=_("First day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Default: today."),
    )
    attacker_model = forms.ChoiceField(
        label=_("Attacker model"),
        choices=AttackerModel.choices,
        initial=AttackerModel.SSE,
        widget=forms.RadioSelect,
    )
    rationality = forms.FloatField(
        label=_("Rationality λ (quantal response)"),
        required=False,
        help_text=_("Higher λ: the attacker picks the best site more reliably, e.g. 0.5."),
    )
    uncertainty = forms.FloatField(
        label=_("Payoff uncertainty (intervals)"),
        required=False,
        help_text=_("Relative width of the attacker's payoff intervals, e.g. 0.3 for ±30 %."),
    )
    interdiction = forms.FloatField(
        label=_("Interdiction probability"),
        min_value=0,
        max_value=1,
        initial=0.5,
        help_text=_("Chance that a team present stops an attack (0 to 1)."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.set_choices("regions", [(r.code, r.name) for r in queries.jurisdiction(user)])
        sites = queries.plannable_sites(user).order_by("name", "id")
        self.set_choices("sites", [(str(s.pk), f"{s.name} — {s.region.name}") for s in sites])
        teams = queries.team_list(user).filter(active=True)
        self.set_choices(
            "teams",
            [
                (
                    str(t.pk),
                    f"{t.name} ({', '.join(r.name for r in t.districts.all()) or _('anywhere')})",
                )
                for t in teams
            ],
        )

    def to_raw(self) -> dict[str, Any]:
        """The service's raw input."""
        data = self.cleaned_data
        site_ids = [int(s) for s in data.get("sites") or []]
        if not site_ids:
            sites = queries.plannable_sites(self.user)
            if data.get("regions"):
                sites = sites.filter(region__code__in=data["regions"])
            if data.get("site_types"):
                sites = sites.filter(site_type__in=data["site_types"])
            site_ids = list(sites.order_by("name", "id").values_list("id", flat=True))
        attacker: dict[str, Any] = {"model": data["attacker_model"]}
        if data.get("rationality") is not None:
            attacker["rationality"] = data["rationality"]
        if data.get("uncertainty") is not None:
            attacker["uncertainty"] = data["uncertainty"]
        return {
            "name": data.get("name") or "",
            "sites": site_ids,
            "teams": [int(t) for t in data.get("teams") or []],
            "shifts_per_day": data["shifts_per_day"],
            "days": data["days"],
            "start": data.get("start"),
            "attacker": attacker,
            "interdiction": data["interdiction"],
        }


class CoverageForm(PlaceguardForm):
    """Standard, regions and the number of new units to place."""

    standard_minutes = forms.FloatField(
        label=_("Response-time standard (minutes)"), min_value=0.5, max_value=120, initial=15
    )
    units = forms.IntegerField(
        label=_("New response units to place"),
        min_value=0,
        max_value=MAX_UNITS,
        initial=2,
        help_text=_("Suggested locations maximise the people covered (MCLP); 0: none."),
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Sites of these regions only (all when none)."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("regions", [(r.code, r.name) for r in queries.jurisdiction(user)])
