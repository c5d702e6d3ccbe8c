"""Sharing forms: types and widgets only; meaning is checked by the services (one validator)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from placeguard.web.orgs.models import Organisation, Region, User
from placeguard.web.sharing.choices import Tlp
from placeguard.web.sharing.models import SharingGroup
from placeguard.web.sites.choices import SiteType


class BulletinForm(forms.Form):
    """A bulletin and its audience picker."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Body"), widget=forms.Textarea(attrs={"rows": 8}), required=False,
        help_text=_("Markdown. Links are allowed; scripts and images are removed."),
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
    target_site_types = forms.MultipleChoiceField(
        label=_("Target: site types"), choices=SiteType.choices, required=False
    )
    target_regions = forms.ModelMultipleChoiceField(
        label=_("Target: regions"), queryset=Region.objects.all(), required=False,
        help_text=_("Resolved to the operators of matching sites when the bulletin is published."),
    )  # fmt: skip
    le_only = forms.BooleanField(label=_("Law enforcement only"), required=False)
    pii = forms.BooleanField(label=_("Contains personal data"), required=False)
    source_protected = forms.BooleanField(label=_("Source protected"), required=False)
    need_to_know = forms.CharField(
        label=_("Need to know (roles or teams, comma-separated)"), required=False,
        help_text=_("Leave empty for no list. E.g. ANALYST, security-lead."),
    )  # fmt: skip
    valid_from = forms.DateTimeField(label=_("Valid from"), required=False)
    valid_until = forms.DateTimeField(label=_("Valid until"), required=False)

    def __init__(self, *args: Any, groups: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.fields["groups"].queryset = groups  # type: ignore[attr-defined]

    def raw(self) -> dict[str, Any]:
        """The cleaned data as service input."""
        d = self.cleaned_data
        ntk = [t.strip() for t in (d.get("need_to_know") or "").split(",") if t.strip()]
        return {
            "title": d["title"], "body": d.get("body") or "", "tlp": d["tlp"],
            "audience_public": bool(d.get("audience_public")),
            "audience_community": bool(d.get("audience_community")),
            "groups": [g.pk for g in d.get("groups") or []],
            "orgs": [o.pk for o in d.get("orgs") or []],
            "users": [u.pk for u in d.get("users") or []],
            "target_site_types": list(d.get("target_site_types") or []),
            "target_regions": [r.pk for r in d.get("target_regions") or []],
            "le_only": bool(d.get("le_only")), "pii": bool(d.get("pii")),
            "source_protected": bool(d.get("source_protected")),
            "need_to_know": ntk or None,
            "valid_from": d.get("valid_from"), "valid_until": d.get("valid_until"),
        }  # fmt: skip


class WithdrawForm(forms.Form):
    """Why a bulletin is withdrawn (shown to recipients on the stub)."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class GroupForm(forms.Form):
    """A sharing group's settings and membership rule."""

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    hide_members = forms.BooleanField(label=_("Hide the member list"), required=False)
    rule_org_kinds = forms.MultipleChoiceField(
        label=_("Rule: organisation kinds"), required=False,
        choices=[(k, k.replace("_", " ").title()) for k in
                 ["LAW_ENFORCEMENT", "AUTHORITY", "OPERATOR", "SECURITY_PROVIDER", "COMMUNITY",
                  "PROGRAMME"]],
    )  # fmt: skip
    rule_site_types = forms.MultipleChoiceField(
        label=_("Rule: sectors (site types)"), choices=SiteType.choices, required=False
    )
    rule_regions = forms.ModelMultipleChoiceField(
        label=_("Rule: regions"), queryset=Region.objects.all(), required=False
    )

    def raw(self) -> dict[str, Any]:
        """The cleaned data as service input."""
        d = self.cleaned_data
        return {
            "name": d["name"], "description": d.get("description") or "",
            "active": bool(d.get("active")), "hide_members": bool(d.get("hide_members")),
            "rule_org_kinds": list(d.get("rule_org_kinds") or []),
            "rule_site_types": list(d.get("rule_site_types") or []),
            "rule_regions": [r.pk for r in d.get("rule_regions") or []],
        }  # fmt: skip


class MembersForm(forms.Form):
    """The explicit members of a group, and which of them may edit it."""

    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=Organisation.objects.filter(active=True), required=False
    )
    extenders = forms.ModelMultipleChoiceField(
        label=_("Extenders (may edit membership)"),
        queryset=Organisation.objects.filter(active=True),
        required=False,
    )
