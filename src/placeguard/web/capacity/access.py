"""The one visibility path for capacity building, and who may do what.

Technical assistance
    A request is visible to its **requesting organisation** and to the **programme office**
    (any organisation of kind PROGRAMME). Editors (ANALYST, PUBLISHER, ORG_ADMIN) of a vetted
    public authority or law-enforcement agency submit requests; editors of the programme office
    triage, assess, plan, deliver and evaluate them and manage courses; the six-month follow-up
    is recorded by editors of either side. Everyone else who sees a request reads it (403 on
    writes); outsiders get 404.
National action plans
    A plan is visible to its **owning authority**, to the **programme office** (which helps
    draft and follows up) and, read-only, to **vetted law enforcement of the same country**
    (they implement many actions). Only editors of the owning authority write.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from placeguard.web.capacity.models import ActionPlan, Course, TrainingRequest
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.choices import EDITOR_ROLES, OrgKind
from placeguard.web.orgs.models import User

__all__ = [
    "REQUESTER_KINDS",
    "can_edit_plan",
    "can_manage",
    "can_request",
    "can_write_followup",
    "courses_visible_to",
    "is_programme",
    "plans_visible_to",
    "visible_to",
]

#: Organisation kinds that may ask for technical assistance (a State's authorities).
REQUESTER_KINDS = frozenset({OrgKind.AUTHORITY, OrgKind.LAW_ENFORCEMENT})


def _editor(user: User | AnonymousUser) -> bool:
    return isinstance(user, User) and user.has_role(*EDITOR_ROLES)


def is_programme(user: User | AnonymousUser) -> bool:
    """Whether ``user`` belongs to the programme office."""
    org = active_org(user)
    return org is not None and org.kind == OrgKind.PROGRAMME


def visible_to(user: User | AnonymousUser) -> QuerySet[TrainingRequest]:
    """Requests ``user`` may read: their organisation's, or all for the programme office."""
    org = active_org(user)
    if org is None:
        return TrainingRequest.objects.none()
    if org.kind == OrgKind.PROGRAMME:
        return TrainingRequest.objects.all()
    return TrainingRequest.objects.filter(requesting_org=org)


def can_request(user: User | AnonymousUser) -> bool:
    """Whether ``user`` may submit a request for their organisation."""
    org = active_org(user)
    return org is not None and org.vetted and org.kind in REQUESTER_KINDS and _editor(user)


def can_manage(user: User | AnonymousUser) -> bool:
    """Whether ``user`` may move requests through the workflow and manage courses."""
    return is_programme(user) and _editor(user) and isinstance(user, User)


def can_write_followup(user: User | AnonymousUser, request: TrainingRequest) -> bool:
    """Programme editors and editors of the requesting organisation record the follow-up."""
    org = active_org(user)
    if org is None or not _editor(user):
        return False
    return org.kind == OrgKind.PROGRAMME or org.id == request.requesting_org_id


def plans_visible_to(user: User | AnonymousUser) -> QuerySet[ActionPlan]:
    """Plans ``user`` may read (see the module docstring)."""
    org = active_org(user)
    if org is None:
        return ActionPlan.objects.none()
    if org.kind == OrgKind.PROGRAMME:
        return ActionPlan.objects.all()
    rule = Q(owner=org)
    if org.kind == OrgKind.LAW_ENFORCEMENT and org.vetted:
        rule |= Q(owner__country_code=org.country_code)
    return ActionPlan.objects.filter(rule)


def can_edit_plan(user: User | AnonymousUser, plan: ActionPlan | None = None) -> bool:
    """Editors of the owning authority (``plan=None``: may create plans at all)."""
    org = active_org(user)
    if org is None or not _editor(user) or not org.vetted or org.kind != OrgKind.AUTHORITY:
        return False
    return plan is None or plan.owner_id == org.id


def courses_visible_to(user: User | AnonymousUser) -> QuerySet[Course]:
    """Courses ``user`` may read: those of the requests they see."""
    return Course.objects.filter(request__in=visible_to(user))
