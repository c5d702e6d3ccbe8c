"""All writes of the good-practice library: create, edit, publish, withdraw and curate.

Every function takes a keyword-only ``actor``, decides with the pure sharing policy, checks the
write-time invariants I1–I8 *before* writing (every problem at once, 422) and writes the change
and its audit event in one transaction. The sharing machinery is that of bulletins
(``placeguard.web.sharing.items``); this module adds the practice fields around it.

Other apps publish their lessons learned through :func:`create_practice` (incidents call it
with ``source="incident:<id>"``), so its signature and input keys are a stable interface.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from placeguard.core.errors import (
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.core.sharing import policy
from placeguard.core.sharing import tlp as tlp_rules
from placeguard.core.sharing.model import (
    EDITOR_ROLES,
    PUBLISHER_ROLES,
    Item,
    ItemKind,
    Problem,
)
from placeguard.core.vocab import OrgKind
from placeguard.web.audit import services as audit
from placeguard.web.orgs.models import User
from placeguard.web.practices.choices import PracticeKind
from placeguard.web.practices.models import PRACTICE, Practice
from placeguard.web.practices.tags import tag_index, vocabulary
from placeguard.web.sharing import items, principals
from placeguard.web.sharing.choices import BulletinStatus

__all__ = [
    "IMMUTABLE_FIELDS",
    "PRACTICE_FIELDS",
    "InvariantError",
    "PracticeData",
    "create_practice",
    "curate_practice",
    "data_of",
    "get_practice_for",
    "parse_practice",
    "practice_item",
    "publish_practice",
    "update_practice",
    "withdraw_practice",
]

#: The list fields holding tags, with the facet whose vocabulary they use.
TAG_FIELDS = {"site_types": "site_type", "scenarios": "scenario", "measures": "measure"}
_TEXT_FIELDS = {"title": 200, "body": None, "source": 200}
#: Fields a client may set on a practice (create and edit).
PRACTICE_FIELDS = items.SHARING_FIELDS | frozenset({"kind", *TAG_FIELDS, *_TEXT_FIELDS})
#: I7: fields a client can never set or change (``curated`` only through curation).
IMMUTABLE_FIELDS = frozenset({"id", "author", "org", "parent", "curated"})
#: Error codes the API answers with 422 (the input is well-formed but refused).
STRICT_CODES = frozenset({"unknown_field", "immutable", "unknown_value"})

InvariantError = items.InvariantError


# --------------------------------------------------------------------------- parsing


@dataclass
class PracticeData(items.SharingData):
    """Parsed practice input (types and vocabularies checked; sharing by the invariants)."""

    title: str = ""
    body: str = ""
    kind: str = PracticeKind.PRACTICE.value
    site_types: tuple[str, ...] = ()
    scenarios: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    source: str = ""


def _tags(field: str, value: Any) -> tuple[tuple[str, ...], list[str]]:
    """(sorted known values, unknown values) of one tag list; ``TypeError`` if not a list."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise TypeError
    known = vocabulary(TAG_FIELDS[field])
    wanted = {v.strip() for v in value if v.strip()}
    unknown = sorted(wanted - set(known))
    return tuple(v for v in known if v in wanted), unknown


def _parse_field(data: PracticeData, key: str, value: Any, errors: list[FieldError]) -> None:
    if key in _TEXT_FIELDS:
        if not isinstance(value, str):
            raise TypeError
        setattr(data, key, value if key == "body" else value.strip())
    elif key == "kind":
        data.kind = PracticeKind(value).value
    elif key in TAG_FIELDS:
        values, unknown = _tags(key, value)
        if unknown:
            msg = _("Unknown value(s): %(values)s.") % {"values": ", ".join(unknown)}
            errors.append(FieldError(key, msg, code="unknown_value"))
        setattr(data, key, values)
    elif key in items.SHARING_FIELDS:
        items.parse_sharing_field(data, key, value)


def parse_practice(raw: Mapping[str, Any], *, base: PracticeData | None = None) -> PracticeData:
    """Check the types and vocabularies of ``raw`` (every problem at once).

    Unknown fields are refused (``unknown_field``), tag values outside the vocabularies too
    (``unknown_value``). Immutable fields are checked by the callers, against the record.
    """
    data = replace(base) if base is not None else PracticeData()
    errors: list[FieldError] = [
        FieldError(key, _("Unknown field."), code="unknown_field")
        for key in raw
        if key not in PRACTICE_FIELDS and key not in IMMUTABLE_FIELDS
    ]
    for key, value in raw.items():
        try:
            _parse_field(data, key, value, errors)
        except (TypeError, ValueError):
            errors.append(FieldError(key, _("Invalid value."), code="invalid"))
    if not data.title:
        errors.append(FieldError("title", _("A title is required."), code="required"))
    for key, limit in _TEXT_FIELDS.items():
        if limit is not None and len(getattr(data, key)) > limit:
            msg = _("At most %(n)d characters.") % {"n": limit}
            errors.append(FieldError(key, msg, code="max_length"))
    if errors:
        raise ValidationError(_("Invalid practice."), errors=errors)
    return data


def data_of(practice: Practice) -> PracticeData:
    """The current values of ``practice`` as input data."""
    data = PracticeData(
        title=practice.title,
        body=practice.body,
        kind=practice.kind,
        site_types=tuple(practice.site_types),
        scenarios=tuple(practice.scenarios),
        measures=tuple(practice.measures),
        source=practice.source,
    )
    items.sharing_of(practice, data)
    return data


def practice_item(practice: Practice) -> Item:
    """The policy item of a practice (its audience rows read)."""
    return principals.shared_item(practice, kind=ItemKind.PRACTICE)


def _item(data: PracticeData, *, pk: int, author_id: int, org_id: int, org_kind: str,
          status: str) -> Item:  # fmt: skip
    return items.policy_item(
        PRACTICE, data, pk=pk, author_id=author_id, org_id=org_id, org_kind=org_kind,
        status=status,
    )  # fmt: skip


def _parse_checked(
    raw: Mapping[str, Any], practice: Practice | None, actor: User, *,
    base: PracticeData | None = None,
) -> PracticeData:  # fmt: skip
    """Parse ``raw`` and check I7 (immutable fields), reporting both kinds of problem at once.

    Immutable-field problems make the error an :class:`InvariantError`; input problems alone
    stay a plain ``ValidationError``.
    """
    current = {
        "id": practice.pk if practice else None,
        "author": practice.author_id if practice else actor.pk,
        "org": practice.org_id if practice else actor.organisation_id,
        "parent": None,
        "curated": practice.curated if practice else False,
    }
    problems = [
        Problem("I7", key, f"{key} cannot be set or changed here.")
        for key in sorted(IMMUTABLE_FIELDS)
        if key in raw and raw[key] != current[key]
    ]
    try:
        data = parse_practice(raw, base=base)
    except ValidationError as exc:
        if not problems:
            raise
        error = items.problems_error(problems)
        error.errors = (*error.errors, *exc.errors)
        raise error from exc
    if problems:
        raise items.problems_error(problems)
    return data


def _snapshot(practice: Practice, data: PracticeData) -> dict[str, Any]:
    return {
        "status": practice.status,
        "title": data.title,
        "kind": data.kind,
        "source": data.source,
        **{field: list(getattr(data, field)) for field in TAG_FIELDS},
        **items.sharing_snapshot(data),
    }


def _apply(practice: Practice, data: PracticeData) -> None:
    for name in ("title", "body", "kind", "source"):
        setattr(practice, name, getattr(data, name))
    for field in TAG_FIELDS:
        setattr(practice, field, list(getattr(data, field)))
    practice.tag_index = tag_index(
        {facet: getattr(data, field) for field, facet in TAG_FIELDS.items()}
    )
    items.apply_sharing(practice, data)


# --------------------------------------------------------------------------- reading


def get_practice_for(actor: User | None, pk: int, *, content: bool = True) -> Practice:
    """The practice ``pk`` if ``actor`` sees it (a withdrawn stub only when ``content=False``)."""
    practice: Practice = items.get_for(PRACTICE, actor, pk, content=content)
    return practice


# --------------------------------------------------------------------------- writing


def create_practice(raw: Mapping[str, Any], *, actor: User) -> Practice:
    """Create a draft practice or lesson learned for the actor's organisation.

    ``raw`` keys: ``title``, ``body`` (Markdown), ``kind`` (``"practice"`` | ``"lesson"``),
    ``site_types``, ``scenarios``, ``measures`` (lists of catalogue ids), ``source`` (free text
    such as ``"incident:12"``) and the sharing fields (``tlp``, ``audience_public``,
    ``audience_community``, ``groups``, ``orgs``, ``users``, ``le_only``, ``pii``,
    ``source_protected``, ``need_to_know``). Every problem is reported at once (422) before
    anything is written; the draft is then published with :func:`publish_practice`.
    """
    principal = items.principal_of(actor)
    org = actor.organisation
    assert org is not None  # principal_of refused users without organisation
    data = _parse_checked(raw, None, actor)
    items.writer_check(principal, data.tlp)
    if not principal.has_role(EDITOR_ROLES):
        raise PermissionDeniedError(_("Only analysts, publishers and admins write practices."))
    item = _item(data, pk=0, author_id=actor.pk, org_id=org.pk, org_kind=org.kind,
                 status=BulletinStatus.DRAFT)  # fmt: skip
    items.check_sharing(principal, item)
    with transaction.atomic():
        practice = Practice(author=actor, org=org, org_kind=org.kind)
        _apply(practice, data)
        practice.save()
        items.write_audience(PRACTICE, practice, data)
        audit.record(
            actor=actor,
            action="practice.create",
            obj=practice,
            diff=audit.diff_fields(None, _snapshot(practice, data)),
        )
    return practice


def update_practice(practice: Practice, raw: Mapping[str, Any], *, actor: User) -> Practice:
    """Edit a practice: W1, then I7 and I5 (relaxing or widening by the originator's publishers).

    Widening the audience or relaxing the TLP is audited again as ``practice.widen``.
    """
    principal = items.principal_of(actor)
    before = practice_item(practice)
    visible = policy.can_view(principal, before).content
    items.deny(policy.can_edit(principal, before), visible=visible, noun="practice")
    old = data_of(practice)
    data = _parse_checked(raw, practice, actor, base=old)
    after = _item(data, pk=practice.pk, author_id=practice.author_id, org_id=practice.org_id,
                  org_kind=practice.org_kind, status=practice.status)  # fmt: skip
    items.check_sharing(principal, after, before=before)
    widened = not before.audience.covers(after.audience)
    relaxed = tlp_rules.is_relaxation(before.tlp, after.tlp)
    with transaction.atomic():
        _apply(practice, data)
        practice.save()
        items.write_audience(PRACTICE, practice, data)
        diff = audit.diff_fields(_snapshot(practice, old), _snapshot(practice, data))
        audit.record(actor=actor, action="practice.update", obj=practice, diff=diff)
        if widened or relaxed:
            audit.record(actor=actor, action="practice.widen", obj=practice, diff=diff)
    return practice


def publish_practice(practice: Practice, *, actor: User) -> Practice:
    """Publish a draft (W2, I1–I8); a broadcast waits for a second publisher's call."""
    items.publish(PRACTICE, practice, actor=actor)
    return practice


def withdraw_practice(practice: Practice, *, reason: str, actor: User) -> Practice:
    """Withdraw a published practice (W2); outside the originator it becomes a stub (R2)."""
    items.withdraw(PRACTICE, practice, reason=reason, actor=actor)
    return practice


def can_curate(actor: User | None, practice: Practice) -> bool:
    """May ``actor`` mark ``practice`` curated: a programme office publisher who can read it."""
    principal = principals.principal_for(actor) if isinstance(actor, User) else None
    if principal is None or not policy.principal_is_valid(principal):
        return False
    return (
        principal.org_kind is OrgKind.PROGRAMME
        and principal.has_role(PUBLISHER_ROLES)
        and not principal.read_only
        and practice.status in {BulletinStatus.PUBLISHED, BulletinStatus.EXPIRED}
        and policy.can_view(principal, practice_item(practice)).content
    )


def curate_practice(practice: Practice, *, curated: bool, actor: User) -> Practice:
    """Mark (or unmark) a published practice as curated by the programme office (audited).

    Only publishers and admins of a PROGRAMME organisation curate, and only practices they can
    read; curating never changes who can read the practice.
    """
    principal = items.principal_of(actor)
    if not policy.can_view(principal, practice_item(practice)).content:
        raise NotFoundError(_("No such practice."))  # outsiders learn nothing: 404 first
    if not can_curate(actor, practice):
        raise PermissionDeniedError(
            _("Only publishers of the programme office curate published practices.")
        )
    if not isinstance(curated, bool):
        raise ValidationError(
            _("Invalid value."), errors=[FieldError("curated", _("true or false."), "invalid")]
        )
    if practice.curated == curated:
        return practice
    with transaction.atomic():
        before = practice.curated
        practice.curated = curated
        practice.curated_by = actor if curated else None
        practice.curated_at = timezone.now() if curated else None
        practice.save(update_fields=["curated", "curated_by", "curated_at", "updated"])
        audit.record(
            actor=actor,
            action="practice.curate" if curated else "practice.uncurate",
            obj=practice,
            diff={"curated": [before, curated]},
        )
    return practice
