"""Forms of the SAR pages. They gather input; ``services`` checks its meaning (every rule lives
there, so the pages and the API refuse the same things)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from placeguard.web.common.forms import PlaceguardForm
from placeguard.web.sars.choices import BEHAVIOURS, BehaviourCode, Channel, SarStatus, Tier

__all__ = ["NoteForm", "SarForm", "VetForm", "behaviour_choices"]


def behaviour_choices(tier: Tier) -> list[tuple[str, Any]]:
    """``(code, translated label)`` of the categories of one tier, in the standard's order."""
    return [(code, label) for code, label in BehaviourCode.choices if BEHAVIOURS[code].tier is tier]


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(_MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class SarForm(PlaceguardForm):
    """File a report: behaviours, narrative, time, place, people, attachments, reporter."""

    site = forms.ChoiceField(label=_("Site"))
    tier_one = forms.MultipleChoiceField(
        label=_("Criminal or potential terrorism-related behaviour"),
        choices=behaviour_choices(Tier.DEFINED_CRIMINAL),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    tier_two = forms.MultipleChoiceField(
        label=_("Behaviour that is not criminal in itself"),
        help_text=_(
            "Photography, questions and observation are usually lawful. If you choose one of "
            "these, state the specific facts that made this occasion suspicious."
        ),
        choices=behaviour_choices(Tier.NEEDS_VETTING_FACTS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    observed_from = forms.DateTimeField(
        label=_("When it started"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    observed_until = forms.DateTimeField(
        label=_("When it ended"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    location_detail = forms.CharField(label=_("Where at the site"), required=False, max_length=300)
    narrative = forms.CharField(
        label=_("What happened"),
        help_text=_("Describe the behaviour you saw, not who the person seemed to be."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    why_suspicious = forms.CharField(
        label=_("Why it seemed suspicious"), widget=forms.Textarea(attrs={"rows": 3})
    )
    articulable_facts = forms.CharField(
        label=_("Articulable facts (needed for the second group of behaviours)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    subject_count = forms.IntegerField(label=_("Number of people"), required=False, min_value=0)
    subject_description = forms.CharField(
        label=_("Description of people"),
        help_text=_("Clothing, height and distinguishing marks only."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    vehicle_description = forms.CharField(
        label=_("Vehicles"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    channel = forms.ChoiceField(label=_("How it was reported to you"), choices=Channel.choices)
    attachments = _MultipleFileField(
        label=_("Photos, video or documents (JPEG, PNG, MP4, PDF)"),
        required=False,
        widget=_MultipleFileInput(),
    )
    reporter_full_name = forms.CharField(label=_("Your name"), max_length=200)
    reporter_job_title = forms.CharField(label=_("Your role"), required=False, max_length=200)
    reporter_phone = forms.CharField(label=_("Your phone"), required=False, max_length=64)
    reporter_email = forms.EmailField(label=_("Your email"), required=False)
    reporter_may_contact = forms.BooleanField(
        label=_("Police may contact me"), required=False, initial=True
    )

    #: Service field names → form fields.
    FIELD_MAP = {"behaviours": "tier_one", "reporter": "reporter_full_name"}

    def __init__(self, *args: Any, sites: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("site", [("", gettext("Choose a site")), *sites])

    def raw(self) -> dict[str, Any]:
        """The cleaned input in the services' shape."""
        d = self.cleaned_data
        return {
            "site": d["site"],
            "behaviours": [*d["tier_one"], *d["tier_two"]],
            "channel": d["channel"],
            "observed_from": d["observed_from"],
            "observed_until": d.get("observed_until"),
            "location_detail": d["location_detail"],
            "narrative": d["narrative"],
            "why_suspicious": d["why_suspicious"],
            "articulable_facts": d["articulable_facts"],
            "subject_count": d.get("subject_count"),
            "subject_description": d["subject_description"],
            "vehicle_description": d["vehicle_description"],
            "reporter": {
                "full_name": d["reporter_full_name"],
                "job_title": d["reporter_job_title"],
                "phone": d["reporter_phone"],
                "email": d["reporter_email"],
                "may_contact": bool(d["reporter_may_contact"]),
            },
        }

    def service_field(self, name: str) -> str:
        """The form field showing a service error about ``name`` (``reporter.email`` …)."""
        if name.startswith("reporter."):
            return "reporter_" + name.split(".", 1)[1]
        return self.FIELD_MAP.get(name, name)


class VetForm(PlaceguardForm):
    """A police vetting decision."""

    status = forms.ChoiceField(
        label=_("New status"),
        choices=[c for c in SarStatus.choices if c[0] not in {SarStatus.NEW, SarStatus.PURGED}],
    )
    note = forms.CharField(
        label=_("Rationale (law enforcement only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    vetting_facts = forms.CharField(
        label=_("Articulable facts supporting a referral (law enforcement only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    refer_to = forms.MultipleChoiceField(
        label=_("Also refer to these forces"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, forces: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["refer_to"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = forces


class NoteForm(PlaceguardForm):
    """A law-enforcement-only note."""

    body = forms.CharField(label=_("Note (law enforcement only)"), widget=forms.Textarea)
