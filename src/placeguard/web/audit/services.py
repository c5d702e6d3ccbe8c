"""Writing and verifying the audit chain.

Every service function calls :func:`record` inside its own ``transaction.atomic`` block, so a
change and its audit event commit or roll back together.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from placeguard.web.audit.models import AuditChainHead, AuditEvent
from placeguard.web.orgs.models import User

__all__ = ["ChainReport", "Change", "diff_fields", "record", "record_many", "verify_chain"]

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    """The bytes hashed for ``event``: every content field plus the previous hash."""
    at: datetime = event.at
    payload = {
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "organisation_id": event.organisation_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "diff": event.diff,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(event: AuditEvent) -> str:
    """SHA-256 hex digest of the event's canonical form."""
    return hashlib.sha256(_canonical(event)).hexdigest()


def _jsonable(value: Any) -> Any:
    """Make a field value JSON-stable so that the hash survives a database round trip."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)  # exact, and immune to JSON float formatting differences
    return str(value)


def diff_fields(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    """``{field: [old, new]}`` for the fields that changed (all fields when ``before`` is None)."""
    before = before or {}
    out: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = _jsonable(before.get(key)), _jsonable(after.get(key))
        if old != new:
            out[key] = [old, new]
    return out


@dataclass(frozen=True, slots=True)
class Change:
    """One object and its diff, for :func:`record_many`."""

    obj: models.Model
    diff: dict[str, Any]


def _new_event(
    actor: User | None,
    actor_label: str | None,
    action: str,
    obj: models.Model,
    diff: dict[str, Any],
) -> AuditEvent:
    return AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_label=actor_label or (actor.username if actor is not None else "system"),
        organisation_id=actor.organisation_id if actor is not None else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        diff=_jsonable(diff),
    )


def _append(events: list[AuditEvent]) -> list[AuditEvent]:
    """Chain ``events`` after the current head and store them; caller holds the transaction."""
    if not transaction.get_connection().in_atomic_block:
        msg = "audit events must be recorded inside the service's transaction"
        raise RuntimeError(msg)
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    prev = head.last_hash
    for event in events:
        event.prev_hash = prev
        event.hash = compute_hash(event)
        prev = event.hash
    AuditEvent.objects.bulk_create(events)
    head.last_hash = prev
    head.count += len(events)
    head.save(update_fields=["last_hash", "count"])
    return events


def record_many(
    *, actor: User | None, action: str, changes: list[Change], actor_label: str | None = None
) -> list[AuditEvent]:
    """Append one event per change, in order, with one lock of the chain head."""
    return _append([_new_event(actor, actor_label, action, c.obj, c.diff) for c in changes])


def record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    diff: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction."""
    return _append([_new_event(actor, actor_label, action, obj, diff or {})])[0]


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Outcome of :func:`verify_chain`."""

    checked: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when the chain is intact."""
        return not self.problems


def verify_chain(*, batch_size: int = 2000) -> ChainReport:
    """Recompute every hash in insertion order and compare links and the head row."""
    problems: list[str] = []
    prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        checked += 1
        if event.prev_hash != prev:
            problems.append(
                f"event {event.id}: previous-hash link broken "
                "(a row before it was deleted or edited)"
            )
        if compute_hash(event) != event.hash:
            problems.append(f"event {event.id}: content does not match its hash (row was edited)")
        prev = event.hash
    head = AuditChainHead.objects.filter(id=1).first()
    head_count = head.count if head else 0
    head_hash = head.last_hash if head else GENESIS
    if head_count != checked:
        problems.append(f"chain head counts {head_count} events but {checked} are stored")
    if head_hash != prev:
        problems.append("chain head does not point at the last stored event (tail was removed)")
    return ChainReport(checked=checked, problems=tuple(problems))
