"""Template filters shared by every page (``{% load placeguard_tags %}``)."""

from __future__ import annotations

from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

register = template.Library()

#: Human wording of audit actions; unknown actions are shown as stored.
ACTION_LABELS: dict[str, Promise] = {
    "site.create": _("registered site"),
    "site.update": _("edited site"),
    "site.archive": _("archived site"),
    "site.restore": _("restored site"),
    "organisation.create": _("registered organisation"),
    "organisation.update": _("edited organisation"),
    "user.create": _("created user"),
    "user.update": _("edited user"),
    "user.roles": _("changed roles of"),
    "token.issue": _("issued API token"),
    "token.revoke": _("revoked API token"),
    "assessment.start": _("started"),
    "assessment.answers": _("answered questions of"),
    "assessment.context": _("changed the context of"),
    "assessment.submit": _("submitted"),
    "assessment.approve": _("approved"),
    "assessment.return": _("returned for changes"),
    "assessment.supersede": _("superseded"),
    "review_comment.create": _("wrote"),
    "action_item.create": _("created action item"),
    "action_item.update": _("updated action item"),
    "risk_acceptance.create": _("accepted a risk"),
    "risk_acceptance.revoke": _("revoked a risk acceptance"),
    "risk_acceptance.expire": _("recorded the expiry of a risk acceptance"),
}


@register.filter
def action_label(action: str) -> str:
    """``site.create`` → "registered site" (translated)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


@register.filter
def changed_fields(diff: object) -> str:
    """Comma-separated names of the fields an audit diff touched."""
    if not isinstance(diff, dict):
        return ""
    return ", ".join(str(k) for k in diff)
