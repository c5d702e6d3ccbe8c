"""Forms of the assessment pages.

They only turn browser input into the services' arguments; every rule lives in the services
(and the engine's input check), whose errors the views put back on the fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from placeguard.core.errors import ValidationError
from placeguard.engines.risk.catalogue import Question, RiskPack
from placeguard.web.assessments.choices import ActionStatus, AssessmentStatus, RiskBand
from placeguard.web.assessments.labels import SYMBOLIC_CHOICES, THREAT_LEVEL_CHOICES
from placeguard.web.assessments.models import ActionItem
from placeguard.web.common.forms import PlaceguardForm
from placeguard.web.orgs.models import Region, User
from placeguard.web.sites.choices import SiteType

__all__ = [
    "ANSWER_NA",
    "ANSWER_NOT_ANSWERED",
    "ANSWER_UNKNOWN",
    "AcceptRiskForm",
    "ActionItemForm",
    "AllocationForm",
    "ApproveForm",
    "AssessmentListFilterForm",
    "CommentForm",
    "ContextForm",
    "CreateActionItemsForm",
    "PlanForm",
    "PortfolioFilterForm",
    "ReturnForm",
    "RevokeForm",
    "SectionForm",
    "WhatIfForm",
    "answer_field_name",
    "future",
    "scenario_choices",
]

ANSWER_UNKNOWN = "unknown"
ANSWER_NA = "n/a"
#: The radio button that takes a question back to "not answered" (the answer is removed).
ANSWER_NOT_ANSWERED = "none"
#: Longest comment, rationale or note (the services' limit).
MAX_TEXT = 5000


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as ISO ``YYYY-MM-DD``."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# ------------------------------------------------------------------ answering
def answer_field_name(question_id: str) -> str:
    """Form field of a question: ``GOV-01`` → ``q_GOV-01``."""
    return f"q_{question_id}"


def _encode(value: object) -> str | None:
    """A stored answer as the radio button's value."""
    if value is None:
        return None
    return str(value)


class SectionForm(PlaceguardForm):
    """The questions of one section, each a radio group: options worst to best, then
    "Unknown", "Not applicable" and "Not answered" (chosen for a question without an answer;
    choosing it for an answered question removes the answer). A question whose group is not
    sent at all keeps its stored answer."""

    def __init__(
        self,
        *args: Any,
        questions: Sequence[Question],
        answers: Mapping[str, Any],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                answer_field_name(q.id): _encode(answers.get(q.id)) or ANSWER_NOT_ANSWERED
                for q in questions
            },
        )
        super().__init__(*args, **kwargs)
        self.questions = tuple(questions)
        for q in self.questions:
            choices: list[tuple[str, str | Promise]] = [
                (str(i), o.label) for i, o in enumerate(q.options)
            ]
            choices += [
                (ANSWER_UNKNOWN, _("Unknown")),
                (ANSWER_NA, _("Not applicable")),
                (ANSWER_NOT_ANSWERED, _("Not answered")),
            ]
            self.fields[answer_field_name(q.id)] = forms.ChoiceField(
                label=q.text,
                help_text=q.help,
                required=False,
                choices=choices,
                widget=forms.RadioSelect,
            )

    def bound_questions(self) -> list[tuple[Question, forms.BoundField]]:
        """Each question with its bound field, in order (for the template)."""
        return [(q, self[answer_field_name(q.id)]) for q in self.questions]

    def answers(self) -> dict[str, int | str | None]:
        """The chosen answers for ``services.save_answers``: option index, ``"unknown"``,
        ``"n/a"`` or None for "Not answered" (which clears); groups not sent are left out."""
        out: dict[str, int | str | None] = {}
        for q in self.questions:
            value = self.cleaned_data.get(answer_field_name(q.id))
            if not value:
                continue
            if value == ANSWER_NOT_ANSWERED:
                out[q.id] = None
            else:
                out[q.id] = int(value) if value.isdigit() else value
        return out

    def apply_answer_errors(self, exc: ValidationError) -> None:
        """Put the service's ``answers.<question id>`` errors on the questions' fields."""
        if not exc.errors:
            self.add_error(None, exc.message)
            return
        for err in exc.errors:
            qid = err.field.removeprefix("answers.").split(".", 1)[0]
            name = answer_field_name(qid)
            self.add_error(name if name in self.fields else None, err.message)


class ContextForm(PlaceguardForm):
    """The threat level and the assessor's view of the site (draft or returned assessments)."""

    threat_level = forms.TypedChoiceField(
        label=_("National threat level"),
        coerce=int,
        choices=THREAT_LEVEL_CHOICES,
        help_text=_("Each step is about three times the threat of the one below."),
    )
    symbolic = forms.TypedChoiceField(
        label=_("Symbolic value"),
        coerce=float,
        choices=SYMBOLIC_CHOICES,
        help_text=_("The attention an attack here would draw."),
    )
    threatened = forms.BooleanField(
        label=_("Specific threats or hostile reconnaissance reported"),
        required=False,
    )
    impact = forms.FloatField(
        label=_("Societal impact weight"),
        min_value=1,
        max_value=2,
        widget=forms.NumberInput(attrs={"step": "0.1"}),
        help_text=_("1: casualties only; up to 2 for wider harm."),
    )

    def __init__(self, *args: Any, symbolic: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A value set through the API between the steps stays selectable.
        if symbolic is not None and float(symbolic) not in {float(v) for v, _l in SYMBOLIC_CHOICES}:
            choices = [(value, str(label)) for value, label in SYMBOLIC_CHOICES]
            self.set_choices("symbolic", [(f"{symbolic:g}", f"{symbolic:g}"), *choices])


def _question_choices(questions: Sequence[Question]) -> list[tuple[str, str]]:
    def short(text: str) -> str:
        return text if len(text) <= 80 else text[:79] + "…"

    return [
        ("", str(_("The whole assessment"))),
        *((q.id, f"{q.id} — {short(q.text)}") for q in questions),
    ]


# ------------------------------------------------------------------ review
class CommentForm(PlaceguardForm):
    """A reviewer's comment, optionally about one question."""

    text = forms.CharField(label=_("Comment"), max_length=MAX_TEXT, widget=_text_area())
    question_id = forms.ChoiceField(label=_("About"), required=False)

    def __init__(self, *args: Any, questions: Sequence[Question] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("question_id", _question_choices(questions))


class ApproveForm(PlaceguardForm):
    """Approve, with an optional comment."""

    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=MAX_TEXT, widget=_text_area(2)
    )


class ReturnForm(PlaceguardForm):
    """Return for changes: the comment says what to change."""

    comment = forms.CharField(
        label=_("What needs to change"), max_length=MAX_TEXT, widget=_text_area()
    )
    question_id = forms.ChoiceField(label=_("About"), required=False)

    def __init__(self, *args: Any, questions: Sequence[Question] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("question_id", _question_choices(questions))


# ------------------------------------------------------------------ plans and action items
class PlanForm(PlaceguardForm):
    """Budgets of a protection plan (GET; amounts in the pack's currency)."""

    capex = forms.FloatField(
        label=_("Capital budget"),
        min_value=0,
        initial=50000,
        widget=forms.NumberInput(attrs={"step": "1000"}),
        help_text=_("One-off spending available for new or better measures."),
    )
    opex = forms.FloatField(
        label=_("Yearly running-cost budget"),
        min_value=0,
        required=False,
        initial=25000,
        widget=forms.NumberInput(attrs={"step": "1000"}),
        help_text=_("Leave empty for no limit."),
    )
    openness = forms.FloatField(
        label=_("Most openness impact"),
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"step": "1"}),
        help_text=_(
            "Each measure changes the site's welcoming character by 0 (not at all) to 3 "
            "(a lot); the plan's total stays at or below this. Leave empty for no limit."
        ),
    )

    def __init__(self, *args: Any, currency: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if currency:
            for name in ("capex", "opex"):
                field = self.fields[name]
                field.label = f"{field.label} ({currency})"


class CreateActionItemsForm(PlaceguardForm):
    """Measures of a plan to turn into action items, with one due date."""

    measure_ids = forms.MultipleChoiceField(
        label=_("Measures"), widget=forms.CheckboxSelectMultiple
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    # The budgets travel along so that the plan can be shown again with any error.
    capex = forms.FloatField(required=False, widget=forms.HiddenInput)
    opex = forms.FloatField(required=False, widget=forms.HiddenInput)
    openness = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, measures: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("measure_ids", list(measures))


class ActionItemForm(PlaceguardForm):
    """Status, owner, due date and notes of an action item."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    owner = forms.ChoiceField(
        label=_("Owner"), required=False, help_text=_("A member of the site's operator.")
    )
    owner_name = forms.CharField(
        label=_("Owner without an account"),
        required=False,
        max_length=200,
        help_text=_("Who is responsible when they have no PlaceGuard account."),
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=MAX_TEXT, widget=_text_area(4)
    )

    def __init__(self, *args: Any, members: Sequence[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", str(_("Nobody yet")))]
        choices += [(str(u.pk), u.get_full_name() or u.username) for u in members]
        self.set_choices("owner", choices)

    @staticmethod
    def initial_for(item: ActionItem) -> dict[str, Any]:
        """Initial values showing an existing item."""
        return {
            "status": item.status,
            "owner": str(item.owner_id) if item.owner_id else "",
            "owner_name": item.owner_name,
            "due_date": item.due_date,
            "notes": item.notes,
        }

    def changes(self) -> dict[str, Any]:
        """The service's change mapping."""
        data = self.cleaned_data
        owner = data.get("owner") or ""
        return {
            "status": data["status"],
            "owner": int(owner) if owner else None,
            "owner_name": data.get("owner_name", ""),
            "due_date": data.get("due_date"),
            "notes": data.get("notes", ""),
        }


class AcceptRiskForm(PlaceguardForm):
    """Sign off one scenario's residual risk until a date."""

    scenario = forms.ChoiceField(label=_("Scenario"))
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=MAX_TEXT,
        widget=_text_area(3),
        help_text=_("Why the remaining risk is acceptable, and what would change the decision."),
    )
    expires_on = forms.DateField(
        label=_("Accepted until"),
        widget=DateInput(),
        help_text=_("A date in the future; the acceptance then lapses and must be renewed."),
    )

    def __init__(
        self, *args: Any, scenarios: Sequence[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("scenario", [("", "---------"), *scenarios])

    def clean_expires_on(self) -> date:
        """A future date (the service checks it too; here it shows with the other errors)."""
        value: date = self.cleaned_data["expires_on"]
        if value <= timezone.localdate():
            raise forms.ValidationError(_("Choose a date in the future."))
        return value


class RevokeForm(PlaceguardForm):
    """Revoke an acceptance, optionally saying why."""

    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=MAX_TEXT)


# ------------------------------------------------------------------ lists
class AssessmentListFilterForm(PlaceguardForm):
    """Status filter of the assessment list."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *AssessmentStatus.choices],
    )


ASSESSED_CHOICES = [("", _("Assessed or not")), ("yes", _("Assessed")), ("no", _("Not assessed"))]
ORDER_CHOICES = [
    ("-risk", _("Largest risk first")),
    ("risk", _("Smallest risk first")),
    ("name", _("Name A–Z")),
    ("-name", _("Name Z–A")),
]


class PortfolioFilterForm(PlaceguardForm):
    """Filters of the portfolio (GET); invalid values are ignored."""

    site_type = forms.MultipleChoiceField(
        label=_("Type"),
        required=False,
        choices=SiteType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    region = forms.MultipleChoiceField(
        label=_("Region"), required=False, widget=forms.CheckboxSelectMultiple
    )
    band = forms.MultipleChoiceField(
        label=_("Worst band"),
        required=False,
        choices=RiskBand.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    assessed = forms.ChoiceField(label=_("Assessment"), required=False, choices=ASSESSED_CHOICES)
    order = forms.ChoiceField(label=_("Order"), required=False, choices=ORDER_CHOICES)

    def __init__(self, *args: Any, regions: Sequence[Region] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("region", [(r.code, r.name) for r in regions])


class AllocationForm(PortfolioFilterForm):
    """A national grant budget and the portfolio's site filters (GET; nothing is stored)."""

    budget = forms.FloatField(
        label=_("Capital budget"),
        min_value=0,
        widget=forms.NumberInput(attrs={"step": "10000"}),
        help_text=_("One-off money to share between the sites, in the pack's currency."),
    )
    field_order = ("budget", "site_type", "region", "band")

    def __init__(self, *args: Any, currency: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only assessed sites take part, and the result has its own order.
        del self.fields["assessed"]
        del self.fields["order"]
        if currency:
            self.fields["budget"].label = f"{self.fields['budget'].label} ({currency})"


PLAN_OPTIMAL = "optimal"
PLAN_CUSTOM = "custom"
PLAN_KINDS = [
    (PLAN_OPTIMAL, _("The best plan for a capital budget")),
    (PLAN_CUSTOM, _("The measures I tick")),
]


class WhatIfForm(PlaceguardForm):
    """Two plans to compare (GET): each the budget-optimal plan for a capital budget or a
    hand-picked checklist of the plan's candidate measures."""

    def __init__(
        self,
        *args: Any,
        measures: Sequence[tuple[str, str]] = (),
        currency: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        money = f" ({currency})" if currency else ""
        for key in ("a", "b"):
            name = key.upper()
            self.fields[f"{key}_kind"] = forms.ChoiceField(
                label=_("Plan %(plan)s is") % {"plan": name},
                choices=PLAN_KINDS,
                widget=forms.RadioSelect,
            )
            self.fields[f"{key}_capex"] = forms.FloatField(
                label=_("Capital budget of plan %(plan)s") % {"plan": name} + money,
                min_value=0,
                required=False,
                widget=forms.NumberInput(attrs={"step": "1000"}),
                help_text=_("Used for the best plan: one-off spending available."),
            )
            self.fields[f"{key}_opex"] = forms.FloatField(
                label=_("Yearly running-cost budget of plan %(plan)s") % {"plan": name} + money,
                min_value=0,
                required=False,
                widget=forms.NumberInput(attrs={"step": "1000"}),
                help_text=_("For the best plan; leave empty for no limit."),
            )
            self.fields[f"{key}_openness"] = forms.FloatField(
                label=_("Most openness impact of plan %(plan)s") % {"plan": name},
                min_value=0,
                required=False,
                widget=forms.NumberInput(attrs={"step": "1"}),
                help_text=_("For the best plan; leave empty for no limit."),
            )
            self.fields[f"{key}_measures"] = forms.MultipleChoiceField(
                label=_("Measures of plan %(plan)s") % {"plan": name},
                required=False,
                choices=list(measures),
                widget=forms.CheckboxSelectMultiple,
                help_text=_(
                    "Used for a hand-picked plan. Each measure shows what bringing it to full "
                    "quality costs once; measures already fully in place are not listed."
                ),
            )

    def clean(self) -> dict[str, Any]:
        """A best plan needs its budget."""
        data = super().clean() or {}
        for key in ("a", "b"):
            missing = data.get(f"{key}_capex") is None and f"{key}_capex" not in self.errors
            if data.get(f"{key}_kind") == PLAN_OPTIMAL and missing:
                self.add_error(
                    f"{key}_capex", _("Enter the capital budget the best plan may spend.")
                )
        return data

    def plan_choice(self, key: str) -> dict[str, Any]:
        """Plan ``key`` ("a" or "b") as ``scoring.PlanChoice`` arguments: the budgets of the
        best plan (None: no limit), or the ticked measures of a hand-picked one."""
        data = self.cleaned_data
        if data[f"{key}_kind"] == PLAN_OPTIMAL:
            return {
                "budget": float(data[f"{key}_capex"]),
                "opex_budget": data.get(f"{key}_opex"),
                "openness_limit": data.get(f"{key}_openness"),
            }
        return {"measures": tuple(data.get(f"{key}_measures") or ())}

    def is_custom(self, key: str) -> bool:
        """Whether plan ``key`` is (being) hand-picked, as submitted or initially."""
        return bool(self[f"{key}_kind"].value() == PLAN_CUSTOM)


def scenario_choices(pack: RiskPack) -> list[tuple[str, str]]:
    """The pack's scenarios as (id, name) choices, in pack order."""
    return [(s.id, s.name) for s in pack.scenarios]


def future(days: int) -> date:
    """A date ``days`` from today (initial expiry of an acceptance)."""
    return timezone.localdate() + timedelta(days=days)
