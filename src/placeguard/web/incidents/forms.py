"""Incident forms: types and widgets only; meaning is checked by the services (one validator)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from placeguard.web.incidents.choices import (
    MANUAL_CUSTODY_ACTIONS,
    SCENARIO_CHOICES,
    CustodyAction,
    InvestigationStatus,
    TaskStatus,
)
from placeguard.web.orgs.models import User
from placeguard.web.sharing.forms import BulletinForm
from placeguard.web.sites.models import Site


class IncidentForm(BulletinForm):
    """An incident and its audience picker (the bulletin form without body and targeting)."""

    body = None  # type: ignore[assignment]
    target_site_types = None  # type: ignore[assignment]
    target_regions = None  # type: ignore[assignment]
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 6}), required=False,
        help_text=_("Markdown. Links are allowed; scripts and images are removed."),
    )  # fmt: skip
    occurred_at = forms.DateTimeField(label=_("Occurred at"), required=False)
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"), queryset=Site.objects.none(), required=False,
        help_text=_("Only sites you can see are offered."),
    )  # fmt: skip
    scenario = forms.ChoiceField(
        label=_("Scenario"), choices=[("", "—"), *SCENARIO_CHOICES], required=False
    )
    deaths = forms.IntegerField(label=_("Deaths (empty = unknown)"), min_value=0, required=False)
    injured = forms.IntegerField(label=_("Injured (empty = unknown)"), min_value=0, required=False)
    investigation_status = forms.ChoiceField(
        label=_("Investigation"), choices=InvestigationStatus.choices
    )
    lead_investigator = forms.ModelChoiceField(
        label=_("Lead investigator"), queryset=User.objects.none(), required=False
    )

    def __init__(
        self, *args: Any, sites: Any = None, colleagues: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if sites is not None:
            self.fields["sites"].queryset = sites  # type: ignore[attr-defined]
        if colleagues is not None:
            self.fields["lead_investigator"].queryset = colleagues  # type: ignore[attr-defined]

    def raw(self) -> dict[str, Any]:
        """The cleaned data as service input."""
        raw = super().raw()
        for key in ("body", "target_site_types", "target_regions"):
            raw.pop(key, None)
        d = self.cleaned_data
        lead = d.get("lead_investigator")
        raw.update(
            summary=d.get("summary") or "",
            occurred_at=d.get("occurred_at"),
            sites=[s.pk for s in d.get("sites") or []],
            scenario=d.get("scenario") or "",
            deaths=d.get("deaths"),
            injured=d.get("injured"),
            investigation_status=d["investigation_status"],
            lead_investigator=lead.pk if lead is not None else None,
        )
        return raw


class TimelineForm(forms.Form):
    """A timeline entry."""

    occurred_at = forms.DateTimeField(label=_("When (YYYY-MM-DD HH:MM)"))
    text = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))


class TaskForm(forms.Form):
    """A new task."""

    title = forms.CharField(label=_("Task"), max_length=200)
    due = forms.DateField(label=_("Due (YYYY-MM-DD)"), required=False)


class TaskStatusForm(forms.Form):
    """A task's new status."""

    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)


class EvidenceForm(forms.Form):
    """An evidence upload."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG, JPEG, MP4, ZIP or plain text; the SHA-256 is taken on upload."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CustodyForm(forms.Form):
    """A hand-over recorded by hand."""

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[(a.value, a.label) for a in CustodyAction if a in MANUAL_CUSTODY_ACTIONS],
    )
    handed_to = forms.CharField(label=_("Handed to"), max_length=200, required=False)
    reason = forms.CharField(
        label=_("Reason (required to transfer or release)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class LessonForm(forms.Form):
    """A lesson learned."""

    text = forms.CharField(label=_("Lesson"), widget=forms.Textarea(attrs={"rows": 3}))
    recommendation = forms.CharField(
        label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    tags = forms.CharField(label=_("Tags (comma-separated)"), required=False)
