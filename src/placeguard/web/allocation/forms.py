"""Forms of the allocation pages: they convert browser input into the services' raw input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from placeguard.web.allocation import queries
from placeguard.web.allocation.attackers import PREFERENCES, preference_weights
from placeguard.web.allocation.choices import AttackerModel
from placeguard.web.allocation.services import MAX_DAYS, MAX_SHIFTS, MAX_UNITS
from placeguard.web.common.forms import PlaceguardForm
from placeguard.web.orgs.models import User
from placeguard.web.sites.choices import SiteType

__all__ = ["CoverageForm", "PlannerForm", "StationForm", "TeamForm", "cell_name", "shown_value"]


PREFERENCE_CHOICES = [(key, label) for key, (label, _types) in PREFERENCES.items()]
PAYOFF_LABELS = {
    "defender_covered": _("defender, covered"),
    "defender_uncovered": _("defender, uncovered"),
    "attacker_covered": _("attacker, covered"),
    "attacker_uncovered": _("attacker, uncovered"),
}


def cell_name(site_id: int, payoff: str) -> str:
    """The form field of one payoff-table cell."""
    return f"payoff_{site_id}_{payoff}"


def shown_value(value: float) -> float:
    """A payoff as the table shows it (6 significant digits)."""
    return float(f"{value:.6g}")


def _parse_ids(raw: object) -> list[int]:
    if not isinstance(raw, str):
        return []
    return list(dict.fromkeys(int(p) for p in raw.split(",") if p.strip().isdigit()))[:200]


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

    main_preference = forms.ChoiceField(
        label=_("Main attacker's preference"),
        choices=PREFERENCE_CHOICES,
        initial="default",
        required=False,
        help_text=_("Used when a second or third attacker type is given."),
    )
    type2_name = forms.CharField(label=_("Second type: name"), max_length=100, required=False)
    type2_prior = forms.FloatField(
        label=_("Second type: probability"),
        required=False,
        help_text=_("Share of attackers of this type, between 0 and 1 (exclusive)."),
    )
    type2_preference = forms.ChoiceField(
        label=_("Second type: preference"),
        choices=PREFERENCE_CHOICES,
        initial="default",
        required=False,
    )
    type3_name = forms.CharField(label=_("Third type: name"), max_length=100, required=False)
    type3_prior = forms.FloatField(label=_("Third type: probability"), required=False)
    type3_preference = forms.ChoiceField(
        label=_("Third type: preference"),
        choices=PREFERENCE_CHOICES,
        initial="default",
        required=False,
    )
    payoff_sites = forms.CharField(required=False, widget=forms.HiddenInput)
    payoff_basis = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.payoff_rows: list[dict[str, Any]] = []
        self._add_payoff_cells(self.data.get("payoff_sites") if self.is_bound else None)
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
            "attacker_types": self.attacker_types(),
            "interdiction": data["interdiction"],
        }

    # ------------------------------------------------------------ attacker types
    def _extra_types(self) -> list[tuple[str, float, str]]:
        data = self.cleaned_data
        out = []
        for k in (2, 3):
            name, prior = data.get(f"type{k}_name") or "", data.get(f"type{k}_prior")
            if name or prior is not None:
                out.append((name, prior or 0.0, data.get(f"type{k}_preference") or "default"))
        return out

    def attacker_types(self) -> list[dict[str, Any]]:
        """The service's ``attacker_types``: none, or the main type plus the extra ones."""
        extra = self._extra_types()
        if not extra:
            return []
        main_prior = 1.0 - sum(prior for _name, prior, _pref in extra)
        types = [
            {
                "name": str(_("Main attacker")),
                "prior": main_prior,
                "weights": preference_weights(
                    self.cleaned_data.get("main_preference") or "default"
                ),
            }
        ]
        types += [
            {"name": name, "prior": prior, "weights": preference_weights(pref or "default")}
            for name, prior, pref in extra
        ]
        return types

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        total = 0.0
        for k in (2, 3):
            name, prior = data.get(f"type{k}_name"), data.get(f"type{k}_prior")
            if f"type{k}_prior" in self.errors:
                continue
            if prior is not None and not 0 < prior < 1:
                self.add_error(f"type{k}_prior", _("Give a probability between 0 and 1."))
            elif prior is not None:
                total += prior
            if prior is not None and not name:
                self.add_error(f"type{k}_name", _("Name this attacker type."))
            if name and prior is None:
                self.add_error(f"type{k}_prior", _("Give this type's probability."))
        if total >= 1:
            self.add_error(
                "type2_prior",
                _(
                    "The extra types' probabilities must sum to less than 1 "
                    "(the rest is the main attacker)."
                ),
            )
        uses_types = any(data.get(f"type{k}_name") for k in (2, 3))
        if uses_types and data.get("attacker_model") not in (None, AttackerModel.SSE):
            self.add_error(
                "attacker_model",
                _("Several attacker types are solved for a rational attacker: choose “rational”."),
            )
        self._check_payoff_rows()
        return data

    # ------------------------------------------------------------ payoff overrides
    def _add_payoff_cells(self, raw_ids: object) -> None:
        """One number field per site of the payoff table and payoff (the table's cells)."""
        ids = _parse_ids(raw_ids)
        if not ids:
            return
        names = dict(
            queries.plannable_sites(self.user).filter(pk__in=ids).values_list("id", "name")
        )
        for site_id in ids:
            if site_id not in names:
                continue
            cells = []
            for payoff, label in PAYOFF_LABELS.items():
                name = cell_name(site_id, payoff)
                self.fields[name] = forms.FloatField(
                    label=f"{names[site_id]}: {label}",
                    required=True,
                    widget=forms.NumberInput(attrs={"step": "any", "class": "payoff-cell"}),
                )
                cells.append(name)
            self.payoff_rows.append({"id": site_id, "name": names[site_id], "cells": cells})

    def _check_payoff_rows(self) -> None:
        """Covered payoffs must not be worse (defender) or better (attacker) than uncovered."""
        data = self.cleaned_data
        for row in self.payoff_rows:
            got = {p: data.get(cell_name(row["id"], p)) for p in PAYOFF_LABELS}
            v: dict[str, float] = {k: x for k, x in got.items() if x is not None}
            if len(v) < len(got):
                continue
            if v["defender_covered"] < v["defender_uncovered"]:
                self.add_error(
                    cell_name(row["id"], "defender_covered"),
                    _("Must not be below the defender's uncovered payoff (%(v)s).")
                    % {"v": f"{v['defender_uncovered']:g}"},
                )
            if v["attacker_covered"] > v["attacker_uncovered"]:
                self.add_error(
                    cell_name(row["id"], "attacker_covered"),
                    _("Must not be above the attacker's uncovered payoff (%(v)s).")
                    % {"v": f"{v['attacker_uncovered']:g}"},
                )

    def rows(self) -> list[dict[str, Any]]:
        """The payoff table for the template: site name and bound cells."""
        return [
            {"id": r["id"], "name": r["name"], "cells": [self[c] for c in r["cells"]]}
            for r in self.payoff_rows
        ]

    def overrides(self, derived: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
        """The cells that differ from the derived payoffs (at the table's precision)."""
        base = {row["id"]: row["payoffs"] for row in derived}
        out: dict[str, dict[str, float]] = {}
        for row in self.payoff_rows:
            for payoff in PAYOFF_LABELS:
                value = self.cleaned_data.get(cell_name(row["id"], payoff))
                shown = base.get(row["id"], {}).get(payoff)
                if value is None or (shown is not None and value == shown_value(shown)):
                    continue
                out.setdefault(str(row["id"]), {})[payoff] = value
        return out

    def table_ids(self) -> list[int]:
        """The sites of the payoff table, in order."""
        return [r["id"] for r in self.payoff_rows]


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


class TeamForm(PlaceguardForm):
    """A patrol team: its name and districts (regions of the force's jurisdiction)."""

    name = forms.CharField(label=_("Team name"), max_length=100)
    districts = forms.MultipleChoiceField(
        label=_("Districts"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Regions the team patrols; none means anywhere in your jurisdiction."),
    )
    active = forms.BooleanField(
        label=_("Active (available for planning)"), required=False, initial=True
    )

    def __init__(self, *args: Any, user: User, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("districts", [(r.code, r.name) for r in queries.jurisdiction(user)])
        if not editing:
            del self.fields["active"]

    def to_raw(self) -> dict[str, Any]:
        """The service's raw input."""
        raw: dict[str, Any] = {
            "name": self.cleaned_data["name"],
            "districts": list(self.cleaned_data["districts"]),
        }
        if "active" in self.fields:
            raw["active"] = bool(self.cleaned_data["active"])
        return raw


class StationForm(PlaceguardForm):
    """A response station: its name and position (decimal degrees, WGS 84)."""

    name = forms.CharField(label=_("Station name"), max_length=100)
    latitude = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        help_text=_("Decimal degrees, e.g. 38.7110; click the map to fill it in."),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        help_text=_("Decimal degrees, e.g. -9.1370."),
    )
    active = forms.BooleanField(
        label=_("Active (used for response coverage)"), required=False, initial=True
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update(step="any", inputmode="decimal")
        if not editing:
            del self.fields["active"]

    def to_raw(self) -> dict[str, Any]:
        """The service's raw input."""
        raw = {k: self.cleaned_data[k] for k in ("name", "latitude", "longitude")}
        if "active" in self.fields:
            raw["active"] = bool(self.cleaned_data["active"])
        return raw
