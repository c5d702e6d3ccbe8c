"""Forms of the site pages.

The site form only converts browser input into the service's raw mapping (see
``validation.FIELDS``); every rule lives in ``validation.parse_site`` and the service, whose
errors the view puts back on the fields.
"""

from __future__ import annotations

import json
from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from placeguard.core.errors import ValidationError
from placeguard.web.common.forms import PlaceguardForm, apply_service_errors
from placeguard.web.orgs.choices import SELF_OPERATING_KINDS, TERRITORIAL_KINDS, OrgKind
from placeguard.web.orgs.models import Organisation, Region, User
from placeguard.web.sites.api.filters import SiteFilter
from placeguard.web.sites.choices import SiteStatus, SiteType
from placeguard.web.sites.models import Site
from placeguard.web.sites.validation import FIELDS, Lookups, as_raw, parse_site

__all__ = ["SiteForm", "SiteListFilter", "initial_from_site", "operator_choices", "region_choices"]

TIME_PROFILE_EXAMPLE = json.dumps(
    {
        "weekly": {
            "mon": [["08:00", "22:00"]],
            "sat": [["09:00", "23:30"]],
            "sun": [["10:00", "12:30"], ["17:00", "19:00"]],
        },
        "typical_share": 0.6,
        "events": [
            {
                "name": "Cup final",
                "start": "2027-05-01T15:00",
                "end": "2027-05-01T19:00",
                "expected_attendance": 42000,
            }
        ],
    },
    indent=2,
)


class _FilterForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SiteListFilter(SiteFilter):
    """The API's site filters, with widgets and choices suited to an HTML form."""

    class Meta(SiteFilter.Meta):
        form = _FilterForm

    site_type = django_filters.MultipleChoiceFilter(
        choices=SiteType.choices, label=_("Type"), widget=forms.CheckboxSelectMultiple
    )
    status = django_filters.ChoiceFilter(
        choices=SiteStatus.choices, label=_("Status"), empty_label=_("Any status")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offer the operators of the sites the user can see, by name (the API takes the slug).
        queryset = kwargs.get("queryset")
        operators = Organisation.objects.filter(
            pk__in=(queryset if queryset is not None else Site.objects.none()).values("operator_id")
        ).order_by("name")
        operator = django_filters.ChoiceFilter(
            field_name="operator__slug",
            label=_("Operator"),
            empty_label=_("Any operator"),
            choices=[(o.slug, o.name) for o in operators],
        )
        operator.model = Site
        operator.parent = self
        self.filters["operator"] = operator
        regions = (
            Region.objects.filter(sites__in=queryset).distinct() if queryset is not None else None
        )
        if regions is not None:
            region_filter = self.filters["region"]
            region_filter.queryset = regions.order_by("name")
            region_filter.extra["queryset"] = region_filter.queryset


def operator_choices(user: User, current: Organisation | None = None) -> list[tuple[str, str]]:
    """Organisations the user may register sites for.

    Self-operating organisations register their own sites only; police and authorities may
    register sites of any operator in their country. The service has the final word.
    """
    org = user.organisation
    if org is None:
        return []
    rule = Q(pk=org.pk)
    if org.kind in TERRITORIAL_KINDS:
        rule |= Q(active=True, kind__in=SELF_OPERATING_KINDS, country_code=org.country_code)
    if current is not None:
        rule |= Q(pk=current.pk)
    return [(o.slug, o.name) for o in Organisation.objects.filter(rule).order_by("name")]


def region_choices(user: User, current: Region | None = None) -> list[tuple[str, str]]:
    """Regions of the user's country (all regions when it has none), by name."""
    org = user.organisation
    regions = Region.objects.all()
    if org is not None and regions.filter(country_code=org.country_code).exists():
        regions = regions.filter(country_code=org.country_code)
    choices = [(r.code, r.name) for r in regions.order_by("name")]
    if current is not None and current.code not in {code for code, _name in choices}:
        choices.append((current.code, current.name))
    return choices


def _le_choices() -> list[tuple[str, str]]:
    orgs = Organisation.objects.filter(kind=OrgKind.LAW_ENFORCEMENT, active=True).order_by("name")
    return [(o.slug, o.name) for o in orgs]


class SiteForm(PlaceguardForm):
    """Every input field of a site; :meth:`to_raw` gives the service's mapping."""

    name = forms.CharField(label=_("Name"), max_length=200)
    site_type = forms.ChoiceField(label=_("Type"), choices=[("", "---------"), *SiteType.choices])
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    region = forms.ChoiceField(label=_("Region"))
    latitude = forms.FloatField(
        label=_("Latitude"), help_text=_("Decimal degrees from -90 to 90; north is positive.")
    )
    longitude = forms.FloatField(
        label=_("Longitude"), help_text=_("Decimal degrees from -180 to 180; east is positive.")
    )
    capacity = forms.IntegerField(
        label=_("Capacity"), help_text=_("People present at the everyday peak.")
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        initial="UTC",
        help_text=_("An IANA time zone name, for example Europe/Paris or Africa/Nairobi."),
    )
    operator = forms.ChoiceField(label=_("Operator"))
    responsible_le = forms.MultipleChoiceField(
        label=_("Responsible law enforcement"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Leave all unticked to assign the police forces whose jurisdiction covers the region."
        ),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas, for example: heritage, night-economy."),
    )
    time_profile = forms.CharField(
        label=_("Time profile (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "code"}),
        help_text=_(
            "Weekly opening hours as HH:MM pairs per day (mon to sun), the typical share of "
            "capacity present while open, and dated special events. Leave empty if unknown."
        ),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, user: User, site: Site | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices(
            "region", [("", "---------"), *region_choices(user, site.region if site else None)]
        )
        operators = operator_choices(user, site.operator if site else None)
        self.set_choices(
            "operator", operators if len(operators) == 1 else [("", "---------"), *operators]
        )
        if site is None and len(operators) == 1:
            self.fields["operator"].initial = operators[0][0]
        self.set_choices("responsible_le", _le_choices())
        if site is None:
            self.fields["time_zone"].initial = user.time_zone or "UTC"

    def to_raw(self) -> dict[str, Any]:
        """The cleaned data as the service's raw input mapping.

        On an invalid form, fields that did not clean are passed as submitted (the validator
        then reports on them in its own words), so the whole input can be checked at once.
        """
        data = getattr(self, "cleaned_data", {})
        raw: dict[str, Any] = {}
        for name in FIELDS:
            if name in data:
                raw[name] = data[name]
            else:
                # The widget reads the submitted value the way the form field would.
                widget = self.fields[name].widget
                raw[name] = widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        raw["tags"] = [t.strip() for t in str(raw.get("tags") or "").split(",") if t.strip()]
        # Nothing ticked: let the service assign by jurisdiction.
        raw["responsible_le"] = list(raw.get("responsible_le") or []) or None
        raw["time_zone"] = raw.get("time_zone") or "UTC"
        raw["time_profile"] = raw.get("time_profile") or None
        return raw

    def check_all(self) -> None:
        """Add the shared validator's findings to an invalid form, so every problem shows at once.

        Fields the form already rejected (a missing value, a non-number) keep only the form's
        message. Placement rules (operator, jurisdiction) are checked by the service on save.
        """
        try:
            parse_site(self.to_raw(), Lookups.load())
        except ValidationError as exc:
            apply_service_errors(self, exc, skip_fields_with_errors=True)


def initial_from_site(site: Site) -> dict[str, Any]:
    """Form initial values showing an existing site."""
    raw = as_raw(site)
    raw["tags"] = ", ".join(raw["tags"])
    raw["time_profile"] = json.dumps(raw["time_profile"], indent=2) if raw["time_profile"] else ""
    return raw
