"""The upload form of a study: the GeoJSON (file or pasted text) and the run parameters.

The form checks types only; meaning (every GeoJSON and parameter problem) is checked by
:func:`placeguard.web.engineering.services.create_study` and put back on these fields.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from placeguard.web.common.forms import PlaceguardForm
from placeguard.web.engineering.choices import EvacuationMode, StudyKind, VehicleChoice

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

#: Largest GeoJSON accepted from the page (bytes).
MAX_GEOJSON_BYTES = 5 * 1024 * 1024

EVACUATION_FIELDS = (
    "occupants",
    "mode",
    "target_time_s",
    "pre_movement_s",
    "blocked",
    "runs",
    "seed",
    "occupants_min",
    "pre_movement_minimum_s",
    "pre_movement_median_s",
    "pre_movement_sigma",
    "microscopic",
    "micro_max_time_s",
)
VEHICLE_FIELDS = (
    "vehicle",
    "mass_kg",
    "max_accel_ms2",
    "braking_ms2",
    "mu",
    "max_speed_kmh",
    "radius_m",
    "spacing_m",
    "final_approach_m",
    "start_speed_kmh",
    "corner_leg_m",
)


def _float(label: StrOrPromise, help_text: StrOrPromise = "", **kwargs: Any) -> forms.FloatField:
    return forms.FloatField(label=label, required=False, help_text=help_text, **kwargs)


class StudyForm(PlaceguardForm):
    """Run a new study."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Study"), choices=StudyKind.choices, widget=forms.RadioSelect)
    geojson_file = forms.FileField(
        label=_("GeoJSON file"),
        required=False,
        help_text=_(
            "The layout (evacuation) or the site file (vehicle); or draw it on the map, "
            "or paste it below."
        ),
    )
    geojson_text = forms.CharField(
        label=_("GeoJSON text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "mono"}),
    )
    # evacuation
    occupants = forms.IntegerField(
        label=_("Occupants"), required=False, min_value=0,
        help_text=_("Total; the layout's loads are scaled (spread by area if none)."),
    )  # fmt: skip
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=EvacuationMode.choices,
        initial=EvacuationMode.EVACUATION,
        required=False,
    )
    target_time_s = _float(_("Target time (s)"), _("How many people are safe by then."))
    pre_movement_s = _float(_("Pre-movement time, single run (s)"), initial=0)
    blocked = forms.CharField(
        label=_("Blocked openings"), required=False, max_length=500,
        help_text=_("Opening ids, separated by commas."),
    )  # fmt: skip
    runs = forms.IntegerField(
        label=_("Monte Carlo runs"), required=False, min_value=0, initial=100,
        help_text=_("0 for a single deterministic run."),
    )  # fmt: skip
    seed = forms.IntegerField(label=_("Seed"), required=False, initial=0)
    occupants_min = forms.IntegerField(
        label=_("Lowest occupancy (Monte Carlo)"), required=False, min_value=0,
        help_text=_("Default: 70 % of the occupants."),
    )  # fmt: skip
    pre_movement_minimum_s = _float(_("Pre-movement minimum (s)"), initial=30)
    pre_movement_median_s = _float(_("Pre-movement median (s)"), initial=60)
    pre_movement_sigma = _float(_("Pre-movement spread σ"), initial=0.6)
    microscopic = forms.BooleanField(
        label=_("Also run a microscopic simulation (JuPedSim)"), required=False,
        help_text=_("Evacuation mode only, at most 2,000 people; slower, runs in the background. "
                    "Checked against the hydraulic model (flagged suspect when they disagree)."),
    )  # fmt: skip
    micro_max_time_s = _float(_("Microscopic time limit (s)"), initial=600)
    # vehicle
    vehicle = forms.ChoiceField(
        label=_("Vehicle class"),
        choices=VehicleChoice.choices,
        initial=VehicleChoice.N3,
        required=False,
    )
    mass_kg = _float(_("Mass (kg)"), _("Leave empty to keep the class value."))
    max_accel_ms2 = _float(_("Acceleration (m/s²)"))
    braking_ms2 = _float(_("Braking (m/s²)"))
    mu = _float(_("Tyre–road friction μ"))
    max_speed_kmh = _float(_("Top speed (km/h)"))
    radius_m = _float(_("Search radius (m)"), initial=300)
    spacing_m = _float(_("Perimeter sampling (m)"), initial=5)
    final_approach_m = _float(_("Longest straight final run (m)"), initial=25)
    start_speed_kmh = _float(_("Speed at the start of an approach (km/h)"), initial=0)
    corner_leg_m = _float(_("Corner leg for turn radii (m)"), initial=10)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("geojson_file")
        text = (data.get("geojson_text") or "").strip()
        if upload is not None:
            if upload.size > MAX_GEOJSON_BYTES:
                self.add_error("geojson_file", _("The file is larger than 5 MB."))
                return data
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("geojson_file", _("The file is not UTF-8 text."))
                return data
        if not text:
            self.add_error("geojson_text", _("Upload a GeoJSON file or paste its text."))
            return data
        try:
            data["geojson"] = json.loads(text)
        except ValueError as exc:
            field = "geojson_file" if upload is not None else "geojson_text"
            self.add_error(field, _("Not valid JSON: %(e)s") % {"e": exc})
        return data

    def parameters(self) -> dict[str, Any]:
        """The run parameters of the chosen kind (empty values left to the defaults)."""
        data = self.cleaned_data
        names = EVACUATION_FIELDS if data.get("kind") == StudyKind.EVACUATION else VEHICLE_FIELDS
        out = {k: data.get(k) for k in names if data.get(k) not in (None, "")}
        if "blocked" in out:
            out["blocked"] = [b.strip() for b in str(out["blocked"]).split(",") if b.strip()]
        return out


class DeleteForm(PlaceguardForm):
    """Confirm deleting a study."""

    confirm = forms.BooleanField(label=_("Yes, delete this study"), required=True)
