"""All writes of the notifications app: the queuing hook, read marks and webhook endpoints.

**The hook** (:func:`queue`) is how any sharing app tells its recipients about an event. The
caller passes the users its own visibility rules admit (for bulletins ``sharing.services
.recipients``, the exact ``can_view`` set); nothing here widens that set. One call writes, with
one bulk insert per table and a fixed number of queries per 1,000 recipients:

- one in-app :class:`Notification` per active recipient;
- one e-mail :class:`OutboxMessage` per active recipient with an address, subject prefixed with
  the TLP (``[TLP:AMBER] …``);
- for TLP:CLEAR, GREEN and AMBER only, one webhook message per active endpoint of an
  organisation at least one recipient belongs to (never for AMBER+STRICT or RED).

TLP:RED is a content-free ping everywhere ("You have a new TLP:RED item, sign in to read it"):
no title, no text, no link to the item in the e-mail. Rows carry deterministic idempotency
keys and are inserted with ``ignore_conflicts``: queuing the same event twice adds nothing.
Delivery runs after the caller's transaction commits (``transaction.on_commit`` → the
``deliver_outbox`` task).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from placeguard.core.errors import FieldError, NotFoundError, PermissionDeniedError, ValidationError
from placeguard.core.vocab import TLP
from placeguard.web.audit import services as audit
from placeguard.web.common.bulk import insert_rows
from placeguard.web.notifications.choices import Channel, DeliveryStatus
from placeguard.web.notifications.models import Notification, OutboxMessage, WebhookEndpoint
from placeguard.web.notifications.queries import (
    can_manage_webhooks,
    notifications_visible_to,
    webhooks_visible_to,
)
from placeguard.web.notifications.targets import Resolver, check_target
from placeguard.web.orgs.models import User

if TYPE_CHECKING:
    from placeguard.web.sharing.models import Bulletin
    from placeguard.web.sharing.shareable import SharedItem, ShareSpec

__all__ = [
    "ENDPOINT_FIELDS",
    "WEBHOOK_MAX_TLP",
    "ItemRef",
    "Queued",
    "create_endpoint",
    "delete_endpoint",
    "get_endpoint_for",
    "mark_read",
    "queue",
    "queue_for_bulletin",
    "rotate_secret",
    "update_endpoint",
]

#: Webhooks leave the platform for an organisation's systems: TLP:AMBER at most (never
#: AMBER+STRICT, whose recipients may not pass it on, nor RED, which names people).
WEBHOOK_MAX_TLP = TLP.AMBER
_INSERT_BATCH = 5000
Recipient = tuple[int, str, int | None]  # (user id, e-mail address or "", organisation id)


@dataclass(frozen=True, slots=True)
class ItemRef:
    """What a notification says about the shared item it points to.

    Parameters
    ----------
    kind
        The item kind (``bulletin``, ``incident``, ``sar``, …), as in ``core.sharing.ItemKind``.
    pk
        The item's id.
    tlp
        Its TLP level now.
    title
        Its title; pass ``""`` when recipients no longer see its content (a withdrawn stub).
        Dropped for TLP:RED whatever is passed.
    url
        The item's page (the page re-checks visibility; it is never shown for RED e-mails).
    """

    kind: str
    pk: int
    tlp: TLP
    title: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Queued:
    """How many rows one call of :func:`queue` tried to insert (repeats are ignored)."""

    in_app: int = 0
    email: int = 0
    webhook: int = 0


def _verb(event: str) -> str:
    action = event.rsplit(".", 1)[-1]
    verbs = {
        "published": _("New"),
        "withdrawn": _("Withdrawn"),
        "updated": _("Updated"),
        "created": _("New"),
        "submitted": _("New"),
        "break_glass": _("Break-glass read of your"),
    }
    return verbs.get(action, _("Update on a"))


def _one_line(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]


def red_ping() -> str:
    """The whole text of any TLP:RED notification."""
    return _("You have a new TLP:RED item, sign in to read it.")


def _texts(item: ItemRef, event: str) -> tuple[str, str, str, str]:
    """(in-app title, in-app text, e-mail subject, e-mail body) for ``item`` and ``event``."""
    label = f"TLP:{item.tlp.value.upper()}"
    if item.tlp is TLP.RED:
        ping = red_ping()
        return "", ping, f"[{label}] {_('New item on PlaceGuard')}", f"{ping}\n"
    kind = item.kind.replace("_", " ")
    title = _one_line(item.title, 200)
    headline = f"{_verb(event)} {label} {kind}"
    text = f"{headline}: {title}" if title else headline
    subject = _one_line(f"[{label}] {text}", 255)
    base = str(getattr(settings, "PLACEGUARD_BASE_URL", "")).rstrip("/")
    link = f"\n\n{base}{item.url}\n" if base and item.url else "\n"
    body = (
        f"{text}.\n\n"
        + _("Sign in to PlaceGuard to read it. Handle it according to %(label)s.")
        % {"label": label}
        + link
    )
    return title, text, subject, body


def _payload(item: ItemRef, event: str, key: str, now: datetime) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": item.kind, "id": item.pk, "tlp": item.tlp.value}
    if item.tlp is not TLP.RED and item.title:
        data["title"] = _one_line(item.title, 200)
    return {"id": key, "event": event, "occurred_at": now.isoformat(), "item": data}


def _chunk_size() -> int:
    limit = connection.features.max_query_params or 5000
    return max(100, min(int(limit) - 10, 5000))


def _active_recipients(user_ids: Iterable[int]) -> list[Recipient]:
    """(id, e-mail, organisation id) of the active users among ``user_ids``, in id order."""
    ids = sorted(set(user_ids))
    size = _chunk_size()
    rows: list[Recipient] = []
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        rows.extend(
            User.objects.filter(pk__in=chunk, is_active=True)
            .order_by("pk")
            .values_list("pk", "email", "organisation_id")
        )
    return rows


def _insert_ignoring(
    model: type[models.Model],
    constant: Mapping[str, Any],
    varying: tuple[str, Sequence[tuple[Any, ...]]],
) -> int:
    """Insert rows, skipping those a unique constraint already holds; returns rows offered.

    ``constant`` values are the same on every row; ``varying`` names the per-row fields (ids and
    strings) and their value tuples (``common.bulk.insert_rows``: one statement per few thousand
    rows, no model instances).
    """
    names, rows = varying
    return insert_rows(model, constant, names.split(), rows, ignore_conflicts=True)


def queue(
    item: ItemRef,
    *,
    event: str,
    user_ids: Iterable[int],
    org_ids: Iterable[int] | None = None,
    now: datetime | None = None,
) -> Queued:
    """Queue the in-app, e-mail and webhook notifications of ``event`` on ``item``.

    Parameters
    ----------
    item
        The item (kind, id, TLP, title, page).
    event
        ``<kind>.<verb>``, e.g. ``bulletin.published``; part of every idempotency key.
    user_ids
        The recipients: users who can view the item, as decided by the item's own visibility
        rules. Inactive users are skipped.
    org_ids
        Organisations whose webhook endpoints may be told (default: the recipients'
        organisations). Always narrowed to organisations with at least one recipient.
    now
        The time stamped on the rows (default: now).

    Returns
    -------
    Queued
        Rows offered to the database per channel (repeats of an earlier call insert nothing).

    Notes
    -----
    Call it inside the transaction that makes the event true: the rows commit or roll back with
    it, and the delivery task is enqueued only once it commits.
    """
    return _queue_rows(item, event, _active_recipients(user_ids), org_ids, now or timezone.now())


def _queue_rows(
    item: ItemRef,
    event: str,
    users: Sequence[Recipient],
    org_ids: Iterable[int] | None,
    now: datetime,
) -> Queued:
    """:func:`queue` once the active recipients are known."""
    title, text, subject, body = _texts(item, event)
    kind = item.kind
    prefix = f"{event}:{kind}:{item.pk}"
    common = {"event": event, "item_kind": kind, "item_id": item.pk, "tlp": item.tlp.value}
    in_app = _insert_ignoring(
        Notification,
        {**common, "title": title, "body": text, "url": item.url, "created": now},
        ("user", [(pk,) for pk, _email, _org in users]),
    )
    email = _insert_ignoring(
        OutboxMessage,
        {
            **common,
            "channel": Channel.EMAIL.value,
            "subject": subject,
            "body": body,
            "payload": {},
            "status": DeliveryStatus.PENDING.value,
            "attempts": 0,
            "last_error": "",
            "next_attempt_at": now,
            "created": now,
        },
        (
            "user idempotency_key to_address",
            [(pk, f"{prefix}:email:{pk}", address) for pk, address, _org in users if address],
        ),
    )
    hooks: list[OutboxMessage] = []
    if item.tlp.rank <= WEBHOOK_MAX_TLP.rank:
        reached = {org for _pk, _email, org in users if org is not None}
        orgs = reached if org_ids is None else reached & set(org_ids)
        endpoints = WebhookEndpoint.objects.filter(org_id__in=orgs, active=True).order_by("pk")
        for endpoint_id in endpoints.values_list("pk", flat=True):
            key = f"{prefix}:webhook:{endpoint_id}"
            hooks.append(
                OutboxMessage(
                    idempotency_key=key,
                    channel=Channel.WEBHOOK,
                    endpoint_id=endpoint_id,
                    event=event,
                    item_kind=kind,
                    item_id=item.pk,
                    tlp=item.tlp.value,
                    payload=_payload(item, event, key, now),
                    next_attempt_at=now,
                    created=now,
                )
            )
    OutboxMessage.objects.bulk_create(hooks, batch_size=_INSERT_BATCH, ignore_conflicts=True)
    if email or hooks:
        from placeguard.web.notifications.delivery import enqueue_delivery

        transaction.on_commit(enqueue_delivery)
    return Queued(in_app=in_app, email=email, webhook=len(hooks))


def queue_for_shared(
    spec: ShareSpec, record: SharedItem, *, event: str, user_ids: Iterable[int] | None = None
) -> Queued:
    """Queue ``event`` (``<kind>.published`` or ``<kind>.withdrawn``) on a shareable record.

    Works for every kind on the common sharing shape (bulletins, incidents, practices).
    Recipients are ``sharing.services.recipients``: every active user outside the originating
    organisation for whom ``can_view`` allows the content now (need-to-know and two-factor
    included).

    - **Published**: told to ``user_ids`` when the caller has computed the recipients already
      (``sharing.services.queue_for_recipients`` does, once for receipts and notifications),
      or else to ``recipients`` now. Idempotency keys make a repeat (widening a live record,
      forwarding it) tell only the new recipients.
    - **Withdrawn**: told to those who could read the record while it was published, without
      its title (outside the originator a withdrawn record is a stub, R2).
    """
    from placeguard.core.sharing.model import Status
    from placeguard.web.sharing import principals
    from placeguard.web.sharing import services as sharing

    if record.published_at is None:
        return Queued()  # never published: nobody outside ever had it
    withdrawn = event.endswith(".withdrawn")
    if withdrawn or user_ids is None:
        item = principals.shared_item(record, kind=spec.kind)
        if withdrawn:
            item = replace(item, status=Status.PUBLISHED)
        user_ids = [u.pk for u in sharing.recipients(record, item)]
    ref = ItemRef(
        kind=spec.kind.value,
        pk=record.pk,
        tlp=TLP(record.tlp),
        title="" if withdrawn else record.title,
        url=reverse(spec.detail_url, args=[record.pk]),
    )
    return _queue_rows(ref, event, _active_recipients(user_ids), None, timezone.now())


def queue_for_bulletin(
    bulletin: Bulletin, *, event: str, user_ids: Iterable[int] | None = None
) -> Queued:
    """:func:`queue_for_shared` for a bulletin (``bulletin.published`` / ``.withdrawn``)."""
    from placeguard.web.sharing.models import BULLETIN

    return queue_for_shared(BULLETIN, bulletin, event=event, user_ids=user_ids)


# --------------------------------------------------------------------------- in-app


def mark_read(*, actor: User, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's notifications read (``ids``, or all when None); returns how many.

    Ids of other users' notifications are ignored, as if they did not exist.
    """
    rows = notifications_visible_to(actor).filter(read_at__isnull=True)
    wanted: list[int] | None = None
    if ids is not None:
        wanted = sorted({int(i) for i in ids})
        rows = rows.filter(pk__in=wanted)
    with transaction.atomic():
        changed = rows.update(read_at=timezone.now())
        if changed:
            audit.record(
                actor=actor,
                action="notification.read",
                obj=actor,
                diff={"ids": wanted if wanted is not None else "all", "count": changed},
            )
    return changed


# --------------------------------------------------------------------------- webhooks

#: Fields a client may send for an endpoint.
ENDPOINT_FIELDS = frozenset({"url", "description", "active", "allow_private"})


@dataclass(frozen=True, slots=True)
class EndpointData:
    """Checked endpoint input."""

    url: str
    description: str = ""
    active: bool = True
    allow_private: bool = False


def _parse_endpoint(
    raw: Mapping[str, Any], *, base: EndpointData | None, actor: User
) -> EndpointData:
    values: dict[str, Any] = {"url": ""}
    if base is not None:
        values.update(
            url=base.url,
            description=base.description,
            active=base.active,
            allow_private=base.allow_private,
        )
    errors = [
        FieldError(str(k), _("Unknown field."), code="unknown_field")
        for k in raw
        if k not in ENDPOINT_FIELDS
    ]
    for key in ENDPOINT_FIELDS & set(raw):
        value = raw[key]
        if key in {"url", "description"} and isinstance(value, str):
            values[key] = value.strip()
        elif key in {"active", "allow_private"} and isinstance(value, bool):
            values[key] = value
        else:
            errors.append(FieldError(key, _("Invalid value."), code="invalid"))
    if not values["url"]:
        errors.append(FieldError("url", _("A URL is required."), code="required"))
    elif len(values["url"]) > 500:
        errors.append(FieldError("url", _("At most 500 characters."), code="max_length"))
    if len(values.get("description", "")) > 200:
        errors.append(FieldError("description", _("At most 200 characters."), code="max_length"))
    if errors:
        raise ValidationError(_("Invalid webhook endpoint."), errors=errors)
    data = EndpointData(**values)
    previous = base.allow_private if base is not None else False
    if data.allow_private != previous and not actor.is_platform_admin:
        raise PermissionDeniedError(_("Only a platform admin may allow a private address."))
    return data


def _endpoint_snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """What the audit trail records (never the secret)."""
    return {
        "org": endpoint.org_id,
        "url": endpoint.url,
        "description": endpoint.description,
        "active": endpoint.active,
        "allow_private": endpoint.allow_private,
    }


def new_secret() -> str:
    """A fresh signing secret (256 bits, hex)."""
    return secrets.token_hex(32)


def get_endpoint_for(actor: User | None, pk: int) -> WebhookEndpoint:
    """The endpoint ``pk`` if ``actor`` manages it, else NotFoundError."""
    endpoint: WebhookEndpoint | None = webhooks_visible_to(actor).filter(pk=pk).first()
    if endpoint is None:
        raise NotFoundError(_("No such webhook endpoint."))
    return endpoint


def create_endpoint(
    raw: Mapping[str, Any], *, actor: User, resolve: Resolver | None = None
) -> WebhookEndpoint:
    """Register a webhook endpoint for the actor's organisation (organisation admins).

    The URL must pass the target guard (public addresses only unless ``allow_private``, which
    only a platform admin may set). The secret is generated here; read it from the returned
    object once, it is not shown again.
    """
    if actor.organisation_id is None or not can_manage_webhooks(actor):
        raise PermissionDeniedError(_("Only organisation admins manage webhooks."))
    data = _parse_endpoint(raw, base=None, actor=actor)
    check_target(data.url, allow_private=data.allow_private, resolve=resolve)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            org_id=actor.organisation_id,
            url=data.url,
            description=data.description,
            active=data.active,
            allow_private=data.allow_private,
            secret=new_secret(),
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="webhook.create",
            obj=endpoint,
            diff=audit.diff_fields(None, _endpoint_snapshot(endpoint)),
        )
    return endpoint


def update_endpoint(
    endpoint: WebhookEndpoint,
    raw: Mapping[str, Any],
    *,
    actor: User,
    resolve: Resolver | None = None,
) -> WebhookEndpoint:
    """Change an endpoint's URL, description or active flag (``allow_private``: platform admin)."""
    endpoint = get_endpoint_for(actor, endpoint.pk)
    base = EndpointData(
        url=endpoint.url,
        description=endpoint.description,
        active=endpoint.active,
        allow_private=endpoint.allow_private,
    )
    data = _parse_endpoint(raw, base=base, actor=actor)
    if (data.url, data.allow_private) != (base.url, base.allow_private):
        check_target(data.url, allow_private=data.allow_private, resolve=resolve)
    before = _endpoint_snapshot(endpoint)
    with transaction.atomic():
        endpoint.url = data.url
        endpoint.description = data.description
        endpoint.active = data.active
        endpoint.allow_private = data.allow_private
        endpoint.save()
        audit.record(
            actor=actor,
            action="webhook.update",
            obj=endpoint,
            diff=audit.diff_fields(before, _endpoint_snapshot(endpoint)),
        )
    return endpoint


def rotate_secret(endpoint: WebhookEndpoint, *, actor: User) -> WebhookEndpoint:
    """Replace the endpoint's signing secret (shown once in the answer)."""
    endpoint = get_endpoint_for(actor, endpoint.pk)
    with transaction.atomic():
        endpoint.secret = new_secret()
        endpoint.save(update_fields=["secret", "updated"])
        audit.record(actor=actor, action="webhook.rotate_secret", obj=endpoint)
    return endpoint


def delete_endpoint(endpoint: WebhookEndpoint, *, actor: User) -> None:
    """Delete an endpoint; its undelivered messages go with it."""
    endpoint = get_endpoint_for(actor, endpoint.pk)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="webhook.delete",
            obj=endpoint,
            diff=audit.diff_fields(_endpoint_snapshot(endpoint), {}),
        )
        endpoint.deliveries.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
        ).update(status=DeliveryStatus.CANCELLED)
        endpoint.delete()
