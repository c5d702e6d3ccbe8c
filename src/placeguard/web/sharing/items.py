"""Writes shared by every shareable kind: parsing the sharing fields, checking, storing, publishing.

Bulletins, incidents and good practices carry the same sharing fields (TLP, audience, caveats,
need-to-know; :mod:`placeguard.web.sharing.shareable`). This module parses them, turns a record
plus its input into the pure policy's :class:`~placeguard.core.sharing.model.Item`, checks the
write-time invariants I1–I8 *before* anything is written, stores the audience rows, and
publishes and withdraws under W2 with their audit events. Each app's ``services.py`` adds its
own fields around these and holds the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from placeguard.core.errors import (
    ConflictError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.core.sharing import invariants, policy
from placeguard.core.sharing.model import Decision, Item, Principal, Problem
from placeguard.core.vocab import TLP
from placeguard.web.audit import services as audit
from placeguard.web.notifications import services as notifications
from placeguard.web.orgs.models import Region, User
from placeguard.web.sharing import principals
from placeguard.web.sharing.choices import TLP_RANK, BulletinStatus
from placeguard.web.sharing.queries import shared_visible_to
from placeguard.web.sharing.shareable import SharedItem, ShareSpec

__all__ = [
    "IMMUTABLE_FIELDS",
    "SHARING_FIELDS",
    "InvariantError",
    "SharingData",
    "apply_sharing",
    "check_immutable",
    "check_sharing",
    "deny",
    "get_for",
    "parse_sharing",
    "policy_item",
    "principal_of",
    "problems_error",
    "publish",
    "sharing_of",
    "sharing_snapshot",
    "withdraw",
    "write_audience",
    "writer_check",
]

#: The sharing fields a client may set on any shareable record.
SHARING_FIELDS = frozenset(
    {
        "tlp",
        "audience_public",
        "audience_community",
        "groups",
        "orgs",
        "users",
        "le_only",
        "pii",
        "source_protected",
        "need_to_know",
    }
)
BOOL_FIELDS = ("audience_public", "audience_community", "le_only", "pii", "source_protected")
_ID_LISTS = ("groups", "orgs", "users")


class InvariantError(ValidationError):
    """A write-time invariant (I1–I8) or a policy rule refused the change: HTTP 422."""

    code = "invariant_violation"


def problems_error(problems: Sequence[Problem]) -> InvariantError:
    """One 422 error listing every violated rule with its field."""
    return InvariantError(
        _("The change breaks the sharing rules; nothing was saved."),
        errors=[FieldError(p.field, f"{p.rule}: {p.message}", code=p.rule) for p in problems],
    )


def principal_of(actor: User) -> Principal:
    """The policy principal of a writer; 403 for a user without organisation."""
    principal = principals.principal_for(actor)
    if principal is None:
        raise PermissionDeniedError(_("You need an organisation to share."))
    return principal


def deny(decision: Decision, *, visible: bool = True, noun: str = "record") -> None:
    """Raise for a denied write: 404 if the actor cannot see the record, else 403."""
    if decision.allowed:
        return
    if not visible:
        raise NotFoundError(_("No such %(noun)s.") % {"noun": noun})
    msg = f"{decision.rule}: {decision.reason}"
    raise PermissionDeniedError(msg)


def writer_check(principal: Principal, level: TLP) -> None:
    """R0 and W6 for any write: valid principal, two-factor above CLEAR, writable token."""
    if not policy.principal_is_valid(principal):
        raise PermissionDeniedError(_("Your account or organisation is inactive or not vetted."))
    if not principal.mfa and level is not TLP.CLEAR:
        raise PermissionDeniedError(_("Two-factor authentication is required above TLP:CLEAR."))
    if principal.read_only:
        raise PermissionDeniedError(_("This token is read-only."))


# --------------------------------------------------------------------------- parsing


@dataclass
class SharingData:
    """Parsed sharing fields (types checked; meaning is checked by the invariants)."""

    tlp: TLP = TLP.AMBER
    audience_public: bool = False
    audience_community: bool = False
    groups: frozenset[int] = frozenset()
    orgs: frozenset[int] = frozenset()
    users: frozenset[int] = frozenset()
    le_only: bool = False
    pii: bool = False
    source_protected: bool = False
    need_to_know: frozenset[str] | None = None


def as_datetime(value: Any) -> datetime | None:
    """An aware datetime from an ISO string or datetime; ``TypeError`` when it is neither."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif isinstance(value, str):
        parsed = parse_datetime(value)
    else:
        parsed = None
    if parsed is None:
        raise TypeError
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return parsed


def id_set(value: Any) -> frozenset[int]:
    """A set of integer ids from a list of ints or digit strings; ``TypeError`` otherwise."""
    if not isinstance(value, list | tuple | set | frozenset):
        raise TypeError
    out = set()
    for v in value:
        if isinstance(v, bool) or not isinstance(v, int | str):
            raise TypeError
        out.add(int(v))
    return frozenset(out)


def region_ids(value: Any) -> frozenset[int]:
    """Region ids from ids or region codes; ``LookupError`` names an unknown region."""
    if not isinstance(value, list | tuple | set | frozenset):
        raise TypeError
    ids = {int(v) for v in value if isinstance(v, int) and not isinstance(v, bool)}
    codes = {v for v in value if isinstance(v, str)}
    if len(ids) + len(codes) != len(set(value)):
        raise TypeError
    found = dict(Region.objects.filter(code__in=codes).values_list("code", "pk"))
    missing = codes - set(found)
    if missing or (ids and Region.objects.filter(pk__in=ids).count() != len(ids)):
        raise LookupError
    return frozenset(ids | set(found.values()))


def parse_sharing_field(data: SharingData, key: str, value: Any) -> None:
    """Set one sharing field of ``data`` from ``value``; ``TypeError``/``ValueError`` if invalid."""
    if key == "tlp":
        data.tlp = TLP(value)
    elif key in BOOL_FIELDS:
        if not isinstance(value, bool):
            raise TypeError
        setattr(data, key, value)
    elif key in _ID_LISTS:
        setattr(data, key, id_set(value))
    elif key == "need_to_know":
        if value is None:
            data.need_to_know = None
        elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            data.need_to_know = frozenset(v.strip() for v in value if v.strip())
        else:
            raise TypeError


def parse_sharing(raw: Mapping[str, Any], data: SharingData) -> list[FieldError]:
    """Parse the sharing fields of ``raw`` into ``data`` in place; every problem is returned."""
    errors = []
    for key, value in raw.items():
        if key not in SHARING_FIELDS:
            continue
        try:
            parse_sharing_field(data, key, value)
        except (TypeError, ValueError):
            errors.append(FieldError(key, _("Invalid value."), code="invalid"))
    return errors


def sharing_of(record: SharedItem, into: SharingData) -> SharingData:
    """Fill ``into`` with the current sharing fields of ``record`` and return it."""
    rows: Any = record
    into.tlp = TLP(record.tlp)
    for name in BOOL_FIELDS:
        setattr(into, name, getattr(record, name))
    into.groups = frozenset(r.group_id for r in rows.group_rows.all())
    into.orgs = frozenset(r.org_id for r in rows.org_rows.all() if not r.via_rule)
    into.users = frozenset(r.user_id for r in rows.user_rows.all())
    ntk = [r.token for r in rows.ntk_rows.all()]
    into.need_to_know = frozenset(ntk) if record.has_need_to_know else None
    return into


def sharing_snapshot(data: SharingData) -> dict[str, Any]:
    """The sharing fields as JSON values, for audit diffs."""
    return {
        "tlp": data.tlp.value,
        **{name: getattr(data, name) for name in BOOL_FIELDS},
        **{name: sorted(getattr(data, name)) for name in _ID_LISTS},
        "need_to_know": sorted(data.need_to_know) if data.need_to_know is not None else None,
    }


# --------------------------------------------------------------------------- checking

#: I7: fields of every shareable record that never change (a different value gets 422).
IMMUTABLE_FIELDS = frozenset({"id", "author", "org", "parent", "kind"})


def check_immutable(
    spec: ShareSpec, raw: Mapping[str, Any], record: SharedItem | None, actor: User
) -> None:
    """I7: refuse (422) a client value for an immutable field that differs from the current one.

    For a new record (``record`` None) the current values are those the service will set: no
    id, the actor as author, the actor's organisation, no parent, the kind of ``spec``.
    """
    current = {
        "id": record.pk if record else None,
        "author": record.author_id if record else actor.pk,
        "org": record.org_id if record else actor.organisation_id,
        "parent": None,
        "kind": spec.noun,
    }
    problems = [
        Problem("I7", key, f"{key} cannot be set or changed.")
        for key in sorted(IMMUTABLE_FIELDS)
        if key in raw and raw[key] != current[key]
    ]
    if problems:
        raise problems_error(problems)


def apply_sharing(record: SharedItem, data: SharingData) -> None:
    """Copy the sharing fields of ``data`` onto ``record`` (not saved)."""
    for name in BOOL_FIELDS:
        setattr(record, name, getattr(data, name))
    record.tlp = data.tlp.value
    record.tlp_rank = TLP_RANK[data.tlp.value]
    record.has_need_to_know = data.need_to_know is not None


def policy_item(
    spec: ShareSpec,
    data: SharingData,
    *,
    pk: int,
    author_id: int,
    org_id: int,
    org_kind: str,
    status: str,
    rule_orgs: Iterable[int] = (),
) -> Item:
    """The policy item ``data`` would make, before anything is written."""
    model: Any = spec.model
    row = model(pk=pk or None, author_id=author_id, org_id=org_id, org_kind=org_kind)
    row.status = status
    apply_sharing(row, data)
    orgs = [(o, False) for o in data.orgs] + [(o, True) for o in rule_orgs if o not in data.orgs]
    return principals.shared_item(
        row,
        kind=spec.kind,
        groups=data.groups,
        orgs=orgs,
        users=data.users,
        need_to_know=data.need_to_know or (),
    )


def check_sharing(
    actor: Principal,
    item: Item,
    *,
    before: Item | None = None,
    extra: Iterable[Problem] = (),
) -> None:
    """Check I1–I8 for a create (``before`` None) or an update; raise every problem at once."""
    directory = principals.directory_for(
        orgs=item.audience.all_orgs, groups=item.audience.groups, users=item.audience.users
    )
    if before is None:
        problems = invariants.check_create(actor, item, directory=directory)
    else:
        problems = invariants.check_update(actor, before, item, directory=directory)
    problems = [*problems, *extra]
    if problems:
        raise problems_error(problems)


def write_audience(spec: ShareSpec, record: SharedItem, data: SharingData) -> None:
    """Replace the audience rows of ``record`` by ``data`` (rule-resolved orgs are kept)."""
    rows: Any = record
    fk = {spec.fk: record}
    rows.group_rows.all().delete()
    spec.group_row.objects.bulk_create(  # type: ignore[attr-defined]
        [spec.group_row(**fk, group_id=g) for g in data.groups]
    )
    rows.org_rows.filter(via_rule=False).exclude(org_id__in=data.orgs).delete()
    existing = set(rows.org_rows.values_list("org_id", flat=True))
    rows.org_rows.filter(org_id__in=data.orgs, via_rule=True).update(via_rule=False)
    spec.org_row.objects.bulk_create(  # type: ignore[attr-defined]
        [spec.org_row(**fk, org_id=o) for o in data.orgs if o not in existing]
    )
    rows.user_rows.all().delete()
    spec.user_row.objects.bulk_create(  # type: ignore[attr-defined]
        [spec.user_row(**fk, user_id=u) for u in data.users]
    )
    rows.ntk_rows.all().delete()
    spec.ntk_row.objects.bulk_create(  # type: ignore[attr-defined]
        [spec.ntk_row(**fk, token=t) for t in sorted(data.need_to_know or ())]
    )


# --------------------------------------------------------------------------- reading


def get_for(spec: ShareSpec, actor: User | None, pk: int, *, content: bool = True) -> Any:
    """The record ``pk`` of kind ``spec`` if ``actor`` sees it, else 404.

    A withdrawn stub is returned only when ``content=False``.
    """
    rows = shared_visible_to(spec, actor).select_related("author", "org")
    record = rows.filter(pk=pk).first()
    if record is None or (content and getattr(record, "is_stub", False)):
        raise NotFoundError(_("No such %(noun)s.") % {"noun": spec.noun})
    return record


# --------------------------------------------------------------------------- life cycle


def publish(
    spec: ShareSpec,
    record: SharedItem,
    *,
    actor: User,
    rule_orgs: Iterable[int] = (),
    store_rule_orgs: Callable[[], object] | None = None,
    after: Callable[[], object] | None = None,
) -> SharedItem:
    """Publish a draft (W2) after checking I1–I8 on the published form.

    A broadcast (community or public audience) needs a second publisher: the first call records
    the request, a call by another publisher publishes. ``store_rule_orgs`` (targeting rules)
    and ``after`` (queueing receipts or notifications) run inside the transaction.
    """
    principal = principal_of(actor)
    item = principals.shared_item(record, kind=spec.kind)
    visible = policy.can_view(principal, item).content
    decision = policy.can_publish(principal, item)
    deny(decision, visible=visible, noun=spec.noun)
    rule_orgs = sorted(set(rule_orgs))
    final = policy_item(
        spec,
        sharing_of(record, SharingData()),
        pk=record.pk,
        author_id=record.author_id,
        org_id=record.org_id,
        org_kind=record.org_kind,
        status=BulletinStatus.PUBLISHED,
        rule_orgs=rule_orgs,
    )
    problems = invariants.check_invariants(
        final,
        directory=principals.directory_for(
            orgs=final.audience.all_orgs, groups=final.audience.groups, users=final.audience.users
        ),
    )
    if problems:
        raise problems_error(problems)
    with transaction.atomic():
        if decision.needs_approval and record.approval_requested_by_id in (None, actor.pk):
            if record.approval_requested_by_id == actor.pk:
                raise ConflictError(_("A second publisher must approve this broadcast."))
            record.approval_requested_by = actor
            record.save(update_fields=["approval_requested_by", "updated"])
            audit.record(actor=actor, action=f"{spec.noun}.approval_requested", obj=record)
            return record
        if store_rule_orgs is not None:
            store_rule_orgs()
        record.status = BulletinStatus.PUBLISHED
        record.published_at = timezone.now()
        record.save(update_fields=["status", "published_at", "updated"])
        audit.record(
            actor=actor,
            action=f"{spec.noun}.publish",
            obj=record,
            diff={
                "status": ["draft", "published"],
                "rule_orgs": rule_orgs,
                "approved_by": record.approval_requested_by_id,
            },
        )
        if after is not None:
            after()
        else:
            notifications.queue_for_shared(spec, record, event=f"{spec.noun}.published")
    return record


def withdraw(
    spec: ShareSpec,
    record: SharedItem,
    *,
    reason: str,
    actor: User,
    after: Callable[[], object] | None = None,
) -> SharedItem:
    """Withdraw a published record (W2); outside the originator it becomes a stub (R2).

    Those who could read it are told, without its title, unless ``after`` replaces that.
    """
    principal = principal_of(actor)
    item = principals.shared_item(record, kind=spec.kind)
    deny(
        policy.can_withdraw(principal, item),
        visible=policy.can_view(principal, item).content,
        noun=spec.noun,
    )
    if not reason.strip():
        raise ValidationError(
            _("Say why."), errors=[FieldError("reason", _("A reason is required."), "required")]
        )
    with transaction.atomic():
        record.status = BulletinStatus.WITHDRAWN
        record.withdrawal_reason = reason.strip()
        record.withdrawn_at = timezone.now()
        record.save(update_fields=["status", "withdrawal_reason", "withdrawn_at", "updated"])
        audit.record(
            actor=actor,
            action=f"{spec.noun}.withdraw",
            obj=record,
            diff={"status": ["published", "withdrawn"], "reason": reason.strip()},
        )
        if after is not None:
            after()
        else:
            notifications.queue_for_shared(spec, record, event=f"{spec.noun}.withdrawn")
    return record
