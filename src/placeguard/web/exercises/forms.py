"""Forms of the exercises pages. They check types only; meaning is checked by the services and
put back on these fields (:func:`placeguard.web.common.forms.apply_service_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from placeguard.core.vocab import SiteType
from placeguard.web.common.forms import PlaceguardForm
from placeguard.web.exercises.choices import (
    CapabilityElement,
    CorrectiveActionStatus,
    DeliveryMethod,
    ExerciseScope,
    ExerciseType,
    InjectType,
)

#: Largest MSEL file accepted (bytes).
MAX_MSEL_BYTES = 2 * 1024 * 1024


class ExerciseForm(PlaceguardForm):
    """Design an exercise: what, where, who, which scenarios and corrective actions."""

    name = forms.CharField(label=_("Exercise name"), max_length=200)
    exercise_type = forms.ChoiceField(
        label=_("Type"), choices=ExerciseType.choices, initial=ExerciseType.TABLETOP
    )
    scope = forms.ChoiceField(
        label=_("Scope"), choices=ExerciseScope.choices, initial=ExerciseScope.SITE
    )
    site = forms.ChoiceField(label=_("Site"), required=False)
    region = forms.ChoiceField(label=_("City or region"), required=False)
    sector = forms.ChoiceField(
        label=_("Sector"),
        required=False,
        choices=[("", "—"), *[(s.value, s.value.replace("_", " ")) for s in SiteType]],
    )
    scheduled_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    participants = forms.MultipleChoiceField(
        label=_("Participating organisations"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scenarios = forms.MultipleChoiceField(
        label=_("Scenarios"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pre-selected: the site's highest risks in its latest assessment."),
    )
    corrective_actions = forms.MultipleChoiceField(
        label=_("Open corrective actions to test"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class InjectForm(PlaceguardForm):
    """One MSEL row."""

    time_min = forms.CharField(
        label=_("Scenario time"), max_length=10, help_text=_("Minutes after STARTEX, or T+H:MM.")
    )
    inject_type = forms.ChoiceField(label=_("Inject type"), choices=InjectType.choices)
    delivery = forms.ChoiceField(label=_("Delivery"), choices=DeliveryMethod.choices)
    sender = forms.CharField(label=_("From"), max_length=200)
    recipient = forms.CharField(label=_("To"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    expected_action = forms.CharField(
        label=_("Expected action"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    objective = forms.CharField(label=_("Objective"), required=False, max_length=16)
    scenario = forms.CharField(label=_("Scenario"), required=False, max_length=32)
    contingency_for = forms.CharField(
        label=_("Contingency for (sequence)"), required=False, max_length=6
    )

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        time = str(data["time_min"]).strip()
        data["time_min"] = int(time) if time.isdigit() else time
        return data


class ImportForm(PlaceguardForm):
    """Upload an MSEL (CSV or XLSX); it replaces the current injects."""

    file = forms.FileField(label=_("MSEL file (.csv or .xlsx)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_MSEL_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


class ResponseForm(PlaceguardForm):
    """What players did in answer to an inject."""

    player = forms.CharField(label=_("Player or organisation"), max_length=200)
    text = forms.CharField(label=_("Response"), widget=forms.Textarea(attrs={"rows": 2}))


class StrengthForm(PlaceguardForm):
    """A strength observed."""

    capability = forms.ChoiceField(label=_("Capability"), required=False)
    text = forms.CharField(label=_("Strength"), widget=forms.Textarea(attrs={"rows": 2}))


class AreaForm(PlaceguardForm):
    """An area for improvement."""

    capability = forms.ChoiceField(label=_("Capability"), required=False)
    observation = forms.CharField(
        label=_("Area for improvement"), widget=forms.Textarea(attrs={"rows": 2})
    )
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 2}))


class ActionForm(PlaceguardForm):
    """A corrective action for an area for improvement."""

    area = forms.ChoiceField(label=_("Area for improvement"))
    description = forms.CharField(
        label=_("Corrective action"), widget=forms.Textarea(attrs={"rows": 2})
    )
    element = forms.ChoiceField(label=_("Capability element"), choices=CapabilityElement.choices)
    owner_org = forms.ChoiceField(label=_("Owner organisation"))
    contact = forms.CharField(label=_("Contact"), max_length=200)
    start = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    due = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))


class ActionStatusForm(PlaceguardForm):
    """Update a corrective action's status."""

    status = forms.ChoiceField(label=_("Status"), choices=CorrectiveActionStatus.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )


class PromoteForm(PlaceguardForm):
    """Promote a corrective action to a national-plan action or a training request.

    ``targets`` are the (value, label) pairs the user may choose; ``objectives`` the
    (pk, label) pairs of objectives of plans they write.
    """

    target = forms.ChoiceField(label=_("Promote to"), widget=forms.RadioSelect)
    objective = forms.ChoiceField(label=_("National action plan objective"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    need = forms.CharField(
        label=_("Need (for a training request)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        targets: list[tuple[str, str]],
        objectives: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        target = self.fields["target"]
        objective = self.fields["objective"]
        assert isinstance(target, forms.ChoiceField)
        assert isinstance(objective, forms.ChoiceField)
        target.choices = targets
        objective.choices = [("", "—"), *objectives]
