"""Forms of the capacity app. Forms check types; the services check meaning (and report every
problem, which :func:`placeguard.web.common.forms.apply_service_errors` puts on the fields)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from placeguard.core.vocab import SiteType
from placeguard.web.capacity.choices import ActionStatus, Gender, KirkpatrickLevel, RequestStatus
from placeguard.web.common.forms import PlaceguardForm

__all__ = [
    "ActionForm",
    "CourseForm",
    "EvidenceForm",
    "IndicatorForm",
    "ObjectiveForm",
    "ParticipantForm",
    "PlanForm",
    "ProgressForm",
    "RequestForm",
    "step_form",
]

S = RequestStatus


class DateInput(forms.DateInput):
    """A native date picker."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _date(label: Any, *, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


def _text(
    label: Any, *, required: bool = False, rows: int | None = None, **kw: Any
) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(label=label, required=required, widget=widget, **kw)


def _site_type_choices() -> list[tuple[str, str]]:
    return [(t.value, t.label) for t in SiteType]


def _scenario_choices() -> list[tuple[str, str]]:
    from placeguard.content import load_risk_pack

    pack = load_risk_pack()
    return [(s, f"{pack.scenario(s).name} ({s})") for s in pack.scenario_ids]


class RequestForm(PlaceguardForm):
    """A State authority's request for technical assistance."""

    title = _text(_("Title"), required=True, max_length=200)
    need = _text(
        _("Need"), required=True, rows=4, help_text=_("What capability is missing, and why now.")
    )
    target_audience = _text(_("Target audience"), rows=2)
    scenarios = forms.MultipleChoiceField(
        label=_("Scenarios"), required=False, widget=forms.CheckboxSelectMultiple
    )
    site_types = forms.MultipleChoiceField(
        label=_("Site types"), required=False, widget=forms.CheckboxSelectMultiple
    )
    legal_basis = _text(
        _("Legal basis"), rows=2, help_text=_("The national law or mandate the request rests on.")
    )
    preferred_start = _date(_("Preferred start"))
    preferred_end = _date(_("Preferred end"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("scenarios", _scenario_choices())
        self.set_choices("site_types", _site_type_choices())


class _Note(PlaceguardForm):
    note = _text(_("Note"), required=True, rows=3)


class _Assess(PlaceguardForm):
    assessment = _text(_("Assessment: gaps and prioritised recommendations"), required=True, rows=5)


class _Plan(PlaceguardForm):
    activities = _text(_("Activities"), required=True, rows=4)
    partners = _text(_("Partners"), rows=2)
    budget = forms.DecimalField(
        label=_("Budget"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    currency = _text(_("Currency (ISO 4217)"), max_length=3)


class _Delivered(PlaceguardForm):
    delivered_on = _date(_("Delivered on"), required=True)


class _Evaluate(PlaceguardForm):
    summary = _text(_("Evaluation summary"), required=True, rows=4)


class _Close(PlaceguardForm):
    completed_on = _date(_("Follow-up report received on"), required=True)
    report = _text(_("Follow-up report: steps taken"), required=True, rows=5)


class _Confirm(PlaceguardForm):
    pass


_STEP_FORMS: dict[str, type[PlaceguardForm]] = {
    S.TRIAGED: _Note,
    S.DECLINED: _Note,
    S.ASSESSED: _Assess,
    S.PLANNED: _Plan,
    S.DELIVERED: _Delivered,
    S.EVALUATED: _Evaluate,
    S.CLOSED: _Close,
}


def step_form(to: str) -> type[PlaceguardForm]:
    """The form a workflow step asks for (a bare confirmation when it needs nothing)."""
    return _STEP_FORMS.get(to, _Confirm)


class CourseForm(PlaceguardForm):
    """A course, tabletop exercise or mentoring session."""

    title = _text(_("Title"), required=True, max_length=200)
    topic = _text(_("Topic"), required=True, max_length=120)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    location = _text(_("Location"), max_length=200)
    start = _date(_("Start"), required=True)
    end = _date(_("End"))
    max_score = forms.FloatField(label=_("Test maximum score"), initial=100, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("sector", [("", str(_("(cross-sector)"))), *_site_type_choices()])


class ParticipantForm(PlaceguardForm):
    """A participant; gender is optional and never required."""

    name = _text(_("Name"), required=True, max_length=200)
    organisation = _text(_("Organisation"), max_length=200)
    role = _text(_("Role"), max_length=120)
    gender = forms.ChoiceField(label=_("Gender (optional)"), required=False, choices=Gender.choices)
    attended = forms.BooleanField(label=_("Attended"), required=False, initial=True)
    completed = forms.BooleanField(label=_("Completed the course"), required=False)
    pre_score = forms.FloatField(label=_("Pre-test score"), required=False, min_value=0)
    post_score = forms.FloatField(label=_("Post-test score"), required=False, min_value=0)
    satisfaction = forms.FloatField(
        label=_("Satisfaction (1–5)"), required=False, min_value=1, max_value=5
    )


class EvidenceForm(PlaceguardForm):
    """Kirkpatrick evidence."""

    level = forms.TypedChoiceField(label=_("Level"), coerce=int, choices=KirkpatrickLevel.choices)
    description = _text(_("Description"), required=True, rows=3)
    source = _text(
        _("Source"),
        required=True,
        max_length=200,
        help_text=_("e.g. the later exercise whose ratings show the behaviour"),
    )
    reference_url = _text(_("Reference (URL or path)"), max_length=500)
    date = _date(_("Date"))


class PlanForm(PlaceguardForm):
    """The strategy part of a national action plan (GAO's characteristics look for these)."""

    title = _text(_("Title"), required=True, max_length=200)
    purpose = _text(_("Purpose"), rows=2)
    scope = _text(_("Scope"), rows=2)
    methodology = _text(_("Methodology"), rows=2)
    problem_definition = _text(_("Problem definition"), rows=2)
    risk_assessment = _text(_("Risk assessment"), rows=2)
    risk_management = _text(_("Risk management"), rows=2)
    coordination = _text(_("Coordination"), rows=2)
    related_strategies = _text(_("Related strategies (one a line)"), rows=2)
    reporting_frequency = _text(_("Reporting frequency"), max_length=120)


class ObjectiveForm(PlaceguardForm):
    """A strategic objective."""

    title = _text(_("Title"), required=True, max_length=300)
    priority = forms.IntegerField(
        label=_("Priority (1 = highest)"), required=False, min_value=1, max_value=99
    )


class ActionForm(PlaceguardForm):
    """A plan action with its mandate references."""

    title = _text(_("Title"), required=True, max_length=300)
    lead_agency = _text(_("Lead agency"), max_length=200)
    supporting_agencies = _text(_("Supporting agencies (comma-separated)"))
    mandate_refs = forms.MultipleChoiceField(
        label=_("Mandate references"), required=False, widget=forms.CheckboxSelectMultiple
    )
    milestones = _text(_("Milestones"), rows=3, help_text=_("One a line: label | YYYY-MM-DD"))
    end = _date(_("End"))
    budget = forms.DecimalField(
        label=_("Budget"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    currency = _text(_("Currency (ISO 4217)"), max_length=3)
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)

    def __init__(self, *args: Any, mandates: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("mandate_refs", list(mandates.items()))


class IndicatorForm(PlaceguardForm):
    """An indicator of an action."""

    definition = _text(_("Definition"), required=True, max_length=300)
    unit = _text(_("Unit"), max_length=60)
    baseline = forms.FloatField(label=_("Baseline"), required=False)
    target = forms.FloatField(label=_("Target"), required=False)
    frequency = _text(_("Frequency"), max_length=60)
    data_source = _text(_("Data source"), max_length=200)


class ProgressForm(PlaceguardForm):
    """A periodic progress report."""

    period_end = _date(_("Period end"), required=True)
    summary = _text(_("Summary"), required=True, rows=5)


class StatusForm(PlaceguardForm):
    """Change an action's status."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


class RosterForm(PlaceguardForm):
    """A participants CSV for one course."""

    file = forms.FileField(
        label=_("Participants CSV"),
        help_text=_(
            "Columns: participant (required), organisation, role, gender, attended, completed, "
            "pre, post, satisfaction. At most 1 MB; nothing is saved if a row is wrong."
        ),
    )

    def clean_file(self) -> str:
        """The file's text (UTF-8), at most 1 MB."""
        upload = self.cleaned_data["file"]
        if upload.size > 1_000_000:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        try:
            text: str = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        return text
