"""The one visibility path for assessments and everything hanging off them, and who may do what.

Visibility (docs/assessments.md): an assessment, its comments, action items and risk
acceptances are visible exactly when the site is (:func:`placeguard.web.sites.access.visible_to`).

Capabilities, checked *after* visibility (an outsider gets 404, a visible-but-not-allowed
caller 403):

* **editing** (start, answers, context, submit): editors (ANALYST, PUBLISHER, ORG_ADMIN) of the
  site's operator, or editors of a vetted law-enforcement or authority organisation that sees
  the site (its jurisdiction covers it);
* **reviewing** (comment, approve, return): editors of a vetted law-enforcement or authority
  organisation that sees the site and is not its operator;
* **action items**: editors of the site's operator;
* **risk acceptance** (a sign-off): ORG_ADMIN or PUBLISHER of the site's operator.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from placeguard.web.assessments.models import ActionItem, Assessment, ReviewComment, RiskAcceptance
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.choices import EDITOR_ROLES, TERRITORIAL_KINDS, Role
from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sites.access import visible_to as sites_visible_to
from placeguard.web.sites.models import Site

__all__ = [
    "SIGN_OFF_ROLES",
    "acceptances_visible_to",
    "action_items_visible_to",
    "can_accept_risk",
    "can_edit_answers",
    "can_manage_actions",
    "can_review",
    "comments_visible_to",
    "visible_to",
]

#: Roles that may sign a risk acceptance off for their organisation.
SIGN_OFF_ROLES = frozenset({Role.ORG_ADMIN, Role.PUBLISHER})


def _visible_site_ids(user: User | AnonymousUser) -> QuerySet[Site, int]:
    return sites_visible_to(user).values_list("id", flat=True)


def visible_to(user: User | AnonymousUser) -> QuerySet[Assessment]:
    """Assessments ``user`` may read: those of the sites they see."""
    return Assessment.objects.filter(site_id__in=_visible_site_ids(user))


def comments_visible_to(user: User | AnonymousUser) -> QuerySet[ReviewComment]:
    """Review comments ``user`` may read: those on assessments they see."""
    return ReviewComment.objects.filter(assessment__site_id__in=_visible_site_ids(user))


def action_items_visible_to(user: User | AnonymousUser) -> QuerySet[ActionItem]:
    """Action items ``user`` may read: those of the sites they see."""
    return ActionItem.objects.filter(site_id__in=_visible_site_ids(user))


def acceptances_visible_to(user: User | AnonymousUser) -> QuerySet[RiskAcceptance]:
    """Risk acceptances ``user`` may read: those on assessments they see."""
    return RiskAcceptance.objects.filter(assessment__site_id__in=_visible_site_ids(user))


def _editor_org(user: User | AnonymousUser) -> Organisation | None:
    """The user's organisation when they hold an editor role in it, else None."""
    org = active_org(user)
    if org is None or not isinstance(user, User) or not user.has_role(*EDITOR_ROLES):
        return None
    return org


def _is_territorial(org: Organisation) -> bool:
    return org.vetted and org.kind in TERRITORIAL_KINDS


def can_edit_answers(user: User | AnonymousUser, site: Site) -> bool:
    """Whether ``user`` may start, fill in and submit assessments of a site they can see."""
    org = _editor_org(user)
    if org is None:
        return False
    return org.id == site.operator_id or _is_territorial(org)


def can_review(user: User | AnonymousUser, site: Site) -> bool:
    """Whether ``user`` may comment on, approve or return assessments of a site they can see."""
    org = _editor_org(user)
    return org is not None and _is_territorial(org) and org.id != site.operator_id


def can_manage_actions(user: User | AnonymousUser, site: Site) -> bool:
    """Whether ``user`` may create and update the site's action items (operator side)."""
    org = _editor_org(user)
    return org is not None and org.id == site.operator_id


def can_accept_risk(user: User | AnonymousUser, site: Site) -> bool:
    """Whether ``user`` may sign off (or revoke) a risk acceptance for the site (operator side)."""
    return (
        can_manage_actions(user, site) and isinstance(user, User) and user.has_role(*SIGN_OFF_ROLES)
    )
