"""The one visibility function per model: the queryset twin of ``core.sharing.policy.can_view``.

:func:`bulletins_visible_to` selects exactly the bulletins for which ``can_view`` allows reading
(content or a withdrawn stub) and annotates ``is_stub``; :func:`acks_visible_to` selects exactly
the acknowledgements ``can_view`` allows with their bulletin as parent (R7). Lists, details,
search, counts, CSV export and receipts all start here. The mapping rule by rule is in
docs/sharing-policy.md ("Planned queryset twin"); the oracle tests hold this module, the pure
policy and a naive re-implementation to the same answers.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from placeguard.core.sharing.model import CONTENT_ROLES, EDITOR_ROLES, Principal
from placeguard.core.sharing.policy import DEFAULT_NEED_TO_KNOW, principal_is_valid
from placeguard.core.vocab import TLP, OrgKind
from placeguard.web.orgs.models import User
from placeguard.web.sharing.choices import BulletinStatus
from placeguard.web.sharing.models import BULLETIN, Acknowledgement, Bulletin
from placeguard.web.sharing.principals import principal_for
from placeguard.web.sharing.shareable import ShareSpec

__all__ = ["acks_visible_to", "bulletins_visible_to", "shared_visible_to", "visible_to"]

_NOTHING = Q(pk__in=[])
_OFFICIAL = [OrgKind.LAW_ENFORCEMENT.value, OrgKind.AUTHORITY.value]
_PRIVATE = frozenset({OrgKind.OPERATOR, OrgKind.SECURITY_PROVIDER, OrgKind.COMMUNITY})
_LIVE = [BulletinStatus.PUBLISHED, BulletinStatus.EXPIRED]


def _valid(user: User | AnonymousUser | None) -> tuple[bool, Principal | None]:
    """(authenticated?, principal); an authenticated user without a valid principal sees nothing."""
    if not isinstance(user, User):
        return False, None
    principal = principal_for(user)
    if principal is None or not principal_is_valid(principal):
        return True, None
    return True, principal


def _held(p: Principal) -> set[str]:
    return {role.value for role in p.roles} | set(p.teams)


def _default_ntk_applies(p: Principal) -> bool:
    """R8 default bites this reader: a private organisation's user without the default tokens."""
    return p.org_kind in _PRIVATE and not (_held(p) & DEFAULT_NEED_TO_KNOW)


def _with_stub(qs: QuerySet[Any], p: Principal | None) -> QuerySet[Any]:
    stub = Q(status=BulletinStatus.WITHDRAWN)
    if p is not None:
        stub &= ~Q(org_id=p.org_id)
    annotated: QuerySet[Any] = qs.annotate(
        is_stub=ExpressionWrapper(stub, output_field=BooleanField())
    )
    return annotated


def shared_visible_to(
    spec: ShareSpec, user: User | AnonymousUser | None, *, whole_set: bool = False
) -> QuerySet[Any]:
    """Records of kind ``spec`` that ``user`` may see (content or withdrawn stub).

    The queryset twin of ``policy.can_view`` for every shareable kind (bulletins, incidents,
    practices): rows are annotated with ``is_stub``. ``whole_set`` is a plan hint for readers of
    every visible row (counts, CSV export): it ANDs a logically redundant union of indexed
    look-ups so the database starts from the rows addressed to the reader. Pages (the list)
    leave it off and walk ``(created, id)`` instead. The rows are the same either way.
    """
    model: Any = spec.model
    authenticated, p = _valid(user)
    base = model.objects.exclude(status=BulletinStatus.PURGED)  # R2
    if not authenticated:  # R0: anonymous readers get live public CLEAR without reading caveats
        rows = base.filter(
            audience_public=True,
            tlp=TLP.CLEAR.value,
            status__in=_LIVE,
            le_only=False,
            source_protected=False,
        )
        return _with_stub(rows, None)
    if p is None:
        return _with_stub(model.objects.none(), None)
    mine = OuterRef("pk")
    named = Q(Exists(spec.rows_of(spec.user_row, item=mine, user_id=p.user_id)))
    any_org = spec.rows_of(spec.org_row, item=mine)
    own_org_addressed = Q(Exists(any_org.filter(org_id=p.org_id)))
    conds = Q()
    if not p.mfa:  # R0
        conds &= Q(tlp=TLP.CLEAR.value)
    draft_ok = Q(author_id=p.user_id)  # R1 (no co-editors on shareable records)
    if p.has_role(EDITOR_ROLES):
        draft_ok |= Q(org_id=p.org_id)
    conds &= ~Q(status=BulletinStatus.DRAFT) | draft_ok
    conds &= ~Q(tlp=TLP.RED.value) | Q(author_id=p.user_id) | named  # R4
    if not (p.org_kind is OrgKind.LAW_ENFORCEMENT and p.le_vetted):  # R6
        conds &= Q(le_only=False) | Q(author_id=p.user_id)
    identity = Q(source_protected=False) | Q(author_id=p.user_id)  # R11 (identity)
    if p.org_kind is OrgKind.LAW_ENFORCEMENT:
        identity |= own_org_addressed
    conds &= identity

    public = Q(audience_public=True, tlp=TLP.CLEAR.value) & ~Q(status=BulletinStatus.DRAFT)
    glass = _break_glass_ids(spec, p)
    if glass:  # R10 break-glass; the R1, R4, R6 and R11 conditions above still apply
        public |= Q(pk__in=glass)
    if not p.has_role(CONTENT_ROLES):  # R10
        grant = public
    else:
        paths = Q(audience_community=True, tlp_rank__lte=1) if p.communities else _NOTHING
        if p.groups:
            paths |= Q(tlp_rank__lte=3) & Q(
                Exists(spec.rows_of(spec.group_row, item=mine, group_id__in=p.groups))
            )
        paths |= Q(tlp_rank__lte=3) & own_org_addressed
        if p.provider_for:
            paths |= Q(tlp_rank__lte=2) & Q(Exists(any_org.filter(org_id__in=p.provider_for)))
        held = _held(p)
        ntk = ~Q(tlp_rank__in=[1, 2, 3]) | (
            Q(has_need_to_know=True)
            & Q(Exists(spec.rows_of(spec.ntk_row, item=mine, token__in=held)))
        )
        default = (
            Q(tlp_rank__in=[2, 3], org_kind__in=_OFFICIAL) if _default_ntk_applies(p) else _NOTHING
        )
        ntk |= Q(has_need_to_know=False) & ~default
        grant = public | Q(author_id=p.user_id) | Q(org_id=p.org_id) | named | (paths & ntk)
    # For a page the candidate union made PostgreSQL materialise and sort every addressed row
    # (1-2 s over 100,000 bulletins); without it the database walks the (created, id) index
    # newest first and stops at the page. Counting everything is faster with it.
    if whole_set:
        conds &= Q(pk__in=_candidates(spec, p))
    return _with_stub(base.filter(conds & grant), p)


def _break_glass_ids(spec: ShareSpec, p: Principal) -> list[int]:
    """Records of this kind a platform admin's live break-glass grants open (R10)."""
    if not p.is_platform_admin:
        return []
    return sorted(item_id for kind, item_id in p.break_glass if kind is spec.kind)


def bulletins_visible_to(
    user: User | AnonymousUser | None, *, whole_set: bool = False
) -> QuerySet[Bulletin]:
    """Bulletins ``user`` may see (content or withdrawn stub), annotated with ``is_stub``."""
    return shared_visible_to(BULLETIN, user, whole_set=whole_set)


def _candidates(spec: ShareSpec, p: Principal) -> QuerySet[Any]:
    """Every record one of the grant paths could admit, as a union of indexed look-ups.

    Logically redundant with the grant (each path below is implied by one of its terms).
    """
    model: Any = spec.model
    ids = model.objects.order_by().values("pk")
    item_id = f"{spec.fk}_id"
    parts = [
        ids.filter(author_id=p.user_id),
        ids.filter(org_id=p.org_id),
        ids.filter(audience_public=True, tlp=TLP.CLEAR.value),
        ids.filter(audience_community=True, tlp_rank__lte=1),
        spec.rows_of(spec.org_row, org_id__in={p.org_id, *p.provider_for})
        .order_by()
        .values(item_id),
        spec.rows_of(spec.user_row, user_id=p.user_id).order_by().values(item_id),
    ]
    if p.groups:
        parts.append(spec.rows_of(spec.group_row, group_id__in=p.groups).order_by().values(item_id))
    glass = _break_glass_ids(spec, p)
    if glass:
        parts.append(ids.filter(pk__in=glass))
    first, *rest = parts
    union: QuerySet[Any] = first.union(*rest)
    return union


def acks_visible_to(user: User | AnonymousUser | None) -> QuerySet[Acknowledgement]:
    """Acknowledgements ``user`` may see: their own rules as W3's default child, and R7."""
    _authenticated, p = _valid(user)
    if p is None:  # children are never public (the default child audience is organisations)
        return Acknowledgement.objects.none()
    parents = bulletins_visible_to(user).filter(Q(is_stub=False)).values("pk")
    if not p.has_role(CONTENT_ROLES):  # R10: no public grant applies to a child
        return Acknowledgement.objects.none()
    conds = Q(bulletin_id__in=parents)
    if not p.mfa:
        conds &= Q(bulletin__tlp=TLP.CLEAR.value)
    me = Q(user_id=p.user_id)
    red = Q(bulletin__tlp=TLP.RED.value)
    conds &= ~red | me | Q(bulletin__author_id=p.user_id)  # R4: {parent author, writer}
    if not (p.org_kind is OrgKind.LAW_ENFORCEMENT and p.le_vetted):  # R6
        conds &= Q(bulletin__le_only=False) | me
    identity = Q(bulletin__source_protected=False) | me
    if p.org_kind is OrgKind.LAW_ENFORCEMENT:
        identity |= ~red & (Q(bulletin__org_id=p.org_id) | Q(org_id=p.org_id))
    conds &= identity
    org_path = Q(bulletin__tlp_rank__lte=3) & Q(bulletin__org_id=p.org_id)
    if p.provider_for:
        org_path |= Q(bulletin__tlp_rank__lte=2) & (
            Q(bulletin__org_id__in=p.provider_for) | Q(org_id__in=p.provider_for)
        )
    if _default_ntk_applies(p):
        org_path &= ~Q(bulletin__tlp_rank__in=[2, 3], org__kind__in=_OFFICIAL)
    grant = me | Q(org_id=p.org_id) | (red & Q(bulletin__author_id=p.user_id)) | org_path
    return Acknowledgement.objects.filter(conds & grant)


def visible_to(user: User | AnonymousUser | None) -> QuerySet[Bulletin]:
    """Alias of :func:`bulletins_visible_to`, the name every app uses for its main model."""
    return bulletins_visible_to(user)
