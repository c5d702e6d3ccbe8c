"""Practice forms: types and widgets only; meaning is checked by the services (one validator)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from placeguard.web.orgs.models import Organisation, User
from placeguard.web.practices.choices import PracticeKind
from placeguard.web.practices.tags import vocabulary
from placeguard.web.sharing.choices import Tlp
from placeguard.web.sharing.models import SharingGroup


def _choices(facet: str) -> list[tuple[str, str]]:
    return list(vocabulary(facet).items())


class PracticeForm(forms.Form):
    """A practice, its tags and its audience."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PracticeKind.choices)
    body = forms.CharField(
        label=_("Body"), widget=forms.Textarea(attrs={"rows": 10}), required=False,
        help_text=_("Markdown. Links are allowed; scripts and images are removed."),
    )  # fmt: skip
    site_types = forms.MultipleChoiceField(label=_("Site types"), choices=(), required=False)
    scenarios = forms.MultipleChoiceField(label=_("Scenarios"), choices=(), required=False)
    measures = forms.MultipleChoiceField(label=_("Measures"), choices=(), required=False)
    source = forms.CharField(
        label=_("Source"), max_length=200, required=False,
        help_text=_('Where it was learned, e.g. "incident:12" or "exercise:3".'),
    )  # fmt: skip
    tlp = forms.ChoiceField(label=_("TLP"), choices=Tlp.choices, initial=Tlp.AMBER)
    audience_public = forms.BooleanField(label=_("Public (TLP:CLEAR only)"), required=False)
    audience_community = forms.BooleanField(
        label=_("The community (TLP:GREEN or CLEAR)"), required=False
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Sharing groups"), queryset=SharingGroup.objects.none(), required=False
    )
    orgs = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.filter(active=True, vetted=True),
        required=False,
    )
    users = forms.ModelMultipleChoiceField(
        label=_("Named people (required for TLP:RED)"),
        queryset=User.objects.filter(is_active=True, organisation__isnull=False),
        required=False,
    )
    le_only = forms.BooleanField(label=_("Law enforcement only"), required=False)
    pii = forms.BooleanField(label=_("Contains personal data"), required=False)
    source_protected = forms.BooleanField(label=_("Source protected"), required=False)
    need_to_know = forms.CharField(
        label=_("Need to know (roles or teams, comma-separated)"), required=False,
        help_text=_("Leave empty for no list. E.g. ANALYST, security-lead."),
    )  # fmt: skip

    def __init__(self, *args: Any, groups: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, facet in (("site_types", "site_type"), ("scenarios", "scenario"),
                            ("measures", "measure")):  # fmt: skip
            self.fields[name].choices = _choices(facet)  # type: ignore[attr-defined]
        if groups is not None:
            self.fields["groups"].queryset = groups  # type: ignore[attr-defined]

    def raw(self) -> dict[str, Any]:
        """The cleaned data as service input."""
        d = self.cleaned_data
        ntk = [t.strip() for t in (d.get("need_to_know") or "").split(",") if t.strip()]
        return {
            "title": d["title"], "kind": d["kind"], "body": d.get("body") or "",
            "site_types": list(d.get("site_types") or []),
            "scenarios": list(d.get("scenarios") or []),
            "measures": list(d.get("measures") or []),
            "source": d.get("source") or "", "tlp": d["tlp"],
            "audience_public": bool(d.get("audience_public")),
            "audience_community": bool(d.get("audience_community")),
            "groups": [g.pk for g in d.get("groups") or []],
            "orgs": [o.pk for o in d.get("orgs") or []],
            "users": [u.pk for u in d.get("users") or []],
            "le_only": bool(d.get("le_only")), "pii": bool(d.get("pii")),
            "source_protected": bool(d.get("source_protected")),
            "need_to_know": ntk or None,
        }  # fmt: skip
