"""Break-glass (R10): a platform admin's two-person, time-boxed, logged read of one record.

Platform admins are not content readers. When an emergency needs one to read a bulletin,
incident or practice (abuse of the platform, a legal order), one admin **requests** a grant for
that record with a reason and a time box (15–240 minutes), a **second** admin **approves** it,
and from then until it expires (or someone **revokes** it) the policy lets the requester read
that record. Each step is an audit event in the same transaction as the change; each read of
the record under a grant is an audit event too (:func:`log_read`). On approval the originating
organisation's admins and the record's author get an in-app notification, and the record's
page shows them a banner naming who, why and until when (:func:`banner_for`).

A grant never opens a draft, TLP:RED, a law-enforcement-only record or a protected source: the
policy checks those before break-glass (``policy._view_own``), so such a request is refused
up front with the rule that would block it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from placeguard.core.errors import (
    ConflictError,
    FieldError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.core.sharing.model import ItemKind, Status
from placeguard.core.vocab import TLP, Role
from placeguard.web.audit import services as audit
from placeguard.web.notifications import services as notifications
from placeguard.web.orgs.models import User
from placeguard.web.sharing import principals
from placeguard.web.sharing.items import InvariantError
from placeguard.web.sharing.models import BreakGlassGrant
from placeguard.web.sharing.shareable import SPECS, SharedItem

__all__ = [
    "MAX_MINUTES",
    "MIN_MINUTES",
    "approve",
    "banner_for",
    "grants_visible_to",
    "is_live",
    "log_read",
    "request_grant",
    "revoke",
]

MIN_MINUTES, MAX_MINUTES, DEFAULT_MINUTES = 15, 240, 60
#: A request nobody approved within this long can no longer be approved.
REQUEST_TTL = timedelta(hours=24)
_FIELDS = {"item_kind", "item_id", "reason", "minutes"}
_KINDS = (ItemKind.BULLETIN, ItemKind.INCIDENT, ItemKind.PRACTICE)


def _platform_admin(actor: User) -> None:
    principal = principals.principal_for(actor)
    if principal is None or not principal.is_platform_admin or not principal.active:
        raise PermissionDeniedError(_("Only platform admins use break-glass."))


def is_live(grant: BreakGlassGrant, now: datetime | None = None) -> bool:
    """Approved, not revoked and not yet expired."""
    moment = now or timezone.now()
    return (
        grant.approved_at is not None
        and grant.revoked_at is None
        and grant.expires_at is not None
        and grant.expires_at > moment
    )


def grants_visible_to(user: User | AnonymousUser | None) -> QuerySet[BreakGlassGrant]:
    """Platform admins see every grant; an organisation's admins see those on its records."""
    if not isinstance(user, User) or not user.is_active or user.organisation_id is None:
        return BreakGlassGrant.objects.none()
    rule = Q(pk__in=[])
    if user.has_role(Role.PLATFORM_ADMIN):
        rule = Q()
    elif user.has_role(Role.ORG_ADMIN):
        rule = Q(item_org_id=user.organisation_id)
    return BreakGlassGrant.objects.filter(rule).select_related("requester", "approver")


def _record(kind: ItemKind, item_id: int) -> SharedItem:
    model: Any = SPECS[kind].model
    found: SharedItem | None = model.objects.filter(pk=item_id).first()
    if found is None:
        raise ValidationError(
            _("No such record."),
            errors=[FieldError("item_id", _("No such record."), "not_found")],
        )
    return found


def _unopenable(record: SharedItem) -> str | None:
    """Why break-glass cannot open ``record`` (the rule that stays in force), or None."""
    if record.status in {Status.DRAFT.value, Status.PURGED.value}:
        return _("Break-glass does not open drafts or purged records (R1, R2).")
    if record.tlp == TLP.RED.value:
        return _("Break-glass does not open TLP:RED: only its named recipients read it (R4).")
    if record.le_only:
        return _("Break-glass does not open law-enforcement-only records (R6).")
    if record.source_protected:
        return _("Break-glass does not open records with a protected source (R11).")
    return None


def _parse(raw: Mapping[str, Any]) -> tuple[ItemKind, int, str, int]:
    errors = [FieldError(k, _("Unknown field."), "unknown_field") for k in raw if k not in _FIELDS]
    kind_value, item_id = raw.get("item_kind"), raw.get("item_id")
    kind = next((k for k in _KINDS if k.value == kind_value), None)
    if kind is None:
        choices = ", ".join(k.value for k in _KINDS)
        errors.append(FieldError("item_kind", _("One of: %(c)s.") % {"c": choices}, "invalid"))
    if not isinstance(item_id, int) or isinstance(item_id, bool) or item_id < 1:
        errors.append(FieldError("item_id", _("A record id."), "invalid"))
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        msg = _("Say why (it is shown to the originator).")
        errors.append(FieldError("reason", msg, "required"))
    elif len(reason) > 2000:
        errors.append(FieldError("reason", _("At most 2,000 characters."), "max_length"))
    minutes = raw.get("minutes", DEFAULT_MINUTES)
    if (
        not isinstance(minutes, int)
        or isinstance(minutes, bool)
        or not MIN_MINUTES <= minutes <= MAX_MINUTES
    ):
        msg = _("Between %(lo)d and %(hi)d minutes.") % {"lo": MIN_MINUTES, "hi": MAX_MINUTES}
        errors.append(FieldError("minutes", msg, "out_of_range"))
    if errors:
        raise ValidationError(_("The break-glass request is not valid."), errors=errors)
    assert kind is not None
    assert isinstance(item_id, int)
    assert isinstance(reason, str)
    assert isinstance(minutes, int)
    return kind, item_id, reason.strip(), minutes


def request_grant(raw: Mapping[str, Any], *, actor: User) -> BreakGlassGrant:
    """Ask for a time-boxed read of one record (``item_kind``, ``item_id``, ``reason``,
    ``minutes``); a second platform admin must approve it."""
    _platform_admin(actor)
    kind, item_id, reason, minutes = _parse(raw)
    record = _record(kind, item_id)
    refused = _unopenable(record)
    if refused:
        raise InvariantError(refused, errors=[FieldError("item_id", refused, "not_openable")])
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            item_kind=kind.value,
            item_id=item_id,
            item_org_id=record.org_id,
            requester=actor,
            reason=reason,
            minutes=minutes,
            requested_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="break_glass.request",
            obj=grant,
            diff={"item": f"{kind.value}:{item_id}", "minutes": minutes, "reason": reason},
        )
    return grant


def approve(grant: BreakGlassGrant, *, actor: User) -> BreakGlassGrant:
    """The second person: start the time box and tell the originating organisation."""
    _platform_admin(actor)
    if grant.requester_id == actor.pk:
        raise PermissionDeniedError(_("A second platform admin must approve break-glass."))
    with transaction.atomic():
        locked = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
        now = timezone.now()
        if locked.approved_at is not None or locked.revoked_at is not None:
            raise ConflictError(_("This request was already decided."), code="decided")
        if now - locked.requested_at > REQUEST_TTL:
            raise ConflictError(_("This request is more than a day old: ask again."), code="stale")
        record = _record(ItemKind(locked.item_kind), locked.item_id)
        refused = _unopenable(record)  # the record may have changed since the request
        if refused:
            raise ConflictError(refused, code="not_openable")
        locked.approver = actor
        locked.approved_at = now
        locked.expires_at = now + timedelta(minutes=locked.minutes)
        locked.save(update_fields=["approver", "approved_at", "expires_at"])
        audit.record(
            actor=actor,
            action="break_glass.approve",
            obj=locked,
            diff={"item": f"{locked.item_kind}:{locked.item_id}",
                  "expires_at": locked.expires_at.isoformat()},
        )  # fmt: skip
        _tell_originator(locked, record)
    return locked


def _tell_originator(grant: BreakGlassGrant, record: SharedItem) -> None:
    """In-app notice to the originating organisation's admins and the record's author."""
    admins = User.objects.filter(
        organisation_id=record.org_id, is_active=True, role_grants__role=Role.ORG_ADMIN
    ).values_list("pk", flat=True)
    spec = SPECS[ItemKind(grant.item_kind)]
    notifications.queue(
        notifications.ItemRef(
            kind=spec.kind.value,
            pk=record.pk,
            tlp=TLP(record.tlp),
            title=record.title,
            url=reverse(spec.detail_url, args=[record.pk]),
        ),
        event=f"{spec.kind.value}.break_glass",
        user_ids={record.author_id, *admins},
        org_ids=[],  # not to webhooks: this is about the platform, not the content
    )


def revoke(grant: BreakGlassGrant, *, actor: User) -> BreakGlassGrant:
    """End a request or a live grant early (any platform admin)."""
    _platform_admin(actor)
    with transaction.atomic():
        locked = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="break_glass.revoke", obj=locked)
    return locked


def _live_on(kind: ItemKind, record: SharedItem) -> QuerySet[BreakGlassGrant]:
    return BreakGlassGrant.objects.filter(
        item_kind=kind.value,
        item_id=record.pk,
        approved_at__isnull=False,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


def log_read(user: User | AnonymousUser | None, kind: ItemKind, record: SharedItem) -> None:
    """Audit a platform admin's read of ``record`` under a live grant (every read is logged).

    Call it where a record's content is served (detail page and API detail). Nothing is
    written for anybody else, nor for a platform admin reading their own organisation's record.
    """
    if not isinstance(user, User) or not user.has_role(Role.PLATFORM_ADMIN):
        return
    if user.organisation_id == record.org_id:
        return
    grant = _live_on(kind, record).filter(requester_id=user.pk).first()
    if grant is not None:
        with transaction.atomic():
            audit.record(
                actor=user,
                action="break_glass.read",
                obj=grant,
                diff={"item": f"{kind.value}:{record.pk}"},
            )


def banner_for(
    user: User | AnonymousUser | None, kind: ItemKind, record: SharedItem
) -> list[BreakGlassGrant]:
    """Live grants on ``record``, for its originating organisation's users (else empty)."""
    if not isinstance(user, User) or user.organisation_id != record.org_id:
        return []
    return list(_live_on(kind, record).select_related("requester", "approver"))
