"""From SAR rows to the pure sharing policy's items (``core.sharing``, rule R11).

The policy decides; this module only describes the rows to it:

* a report is an ``ItemKind.SAR`` at TLP:AMBER whose audience is the forces it was released to;
* the reporter identity is a ``REPORTER_IDENTITY`` child with PII + SOURCE_PROTECTED whose
  audience is the forces the report was *filed* to (a force reached by referral sees the report,
  not who made it);
* a vetting note is a ``COMMENT`` child, LE_ONLY, addressed to the forces that hold the report;
* an attachment is an ``ATTACHMENT`` child with the report's audience (so R7 alone decides).
"""

from __future__ import annotations

from collections.abc import Iterable

from placeguard.core.sharing.model import Audience, Caveat, Item, ItemKind, Status
from placeguard.core.vocab import TLP, OrgKind
from placeguard.web.sars.models import (
    Attachment,
    ReporterIdentity,
    SuspiciousActivityReport,
    VettingNote,
)

__all__ = ["SAR_TLP", "attachment_item", "identity_item", "note_item", "sar_item"]

#: Every report travels at TLP:AMBER: its fixed audience is organisations (I1 allows ORGS).
SAR_TLP = TLP.AMBER


def _audience_rows(sar: SuspiciousActivityReport) -> list[tuple[int, bool]]:
    return [(r.org_id, r.via_referral) for r in sar.audience_rows.all()]


def sar_item(
    sar: SuspiciousActivityReport, *, audience: Iterable[tuple[int, bool]] | None = None
) -> Item:
    """The policy item of a report; ``audience`` as ``(org_id, via_referral)`` pairs."""
    rows = list(audience) if audience is not None else _audience_rows(sar)
    return Item(
        id=sar.pk or 0,
        kind=ItemKind.SAR,
        author_id=sar.author_id or 0,
        org_id=sar.org_id,
        org_kind=OrgKind(sar.org_kind),
        status=Status.PURGED if sar.purged_at is not None else Status.PUBLISHED,
        tlp=SAR_TLP,
        audience=Audience(orgs=frozenset(org for org, _ in rows)),
    )


def identity_item(identity: ReporterIdentity, parent: Item, filed_to: Iterable[int]) -> Item:
    """The reporter identity: author + the forces the report was filed to (R11)."""
    return Item(
        id=identity.pk or 0,
        kind=ItemKind.REPORTER_IDENTITY,
        author_id=identity.author_id or 0,
        org_id=identity.org_id,
        org_kind=parent.org_kind,
        status=parent.status,
        tlp=parent.tlp,
        audience=Audience(orgs=frozenset(filed_to)),
        caveats=frozenset({Caveat.PII, Caveat.SOURCE_PROTECTED}),
        parent_id=parent.id,
    )


def note_item(note: VettingNote, parent: Item, *, org_kind: OrgKind) -> Item:
    """A vetting note: law-enforcement only, to the forces holding the report."""
    return Item(
        id=note.pk or 0,
        kind=ItemKind.COMMENT,
        author_id=note.author_id or 0,
        org_id=note.org_id,
        org_kind=org_kind,
        status=parent.status,
        tlp=parent.tlp,
        audience=parent.audience,
        caveats=frozenset({Caveat.LE_ONLY}),
        parent_id=parent.id,
    )


def attachment_item(attachment: Attachment, parent: Item) -> Item:
    """An attachment: the report's own audience, so it is visible exactly with the report."""
    return Item(
        id=attachment.pk or 0,
        kind=ItemKind.ATTACHMENT,
        author_id=attachment.uploaded_by_id or 0,
        org_id=attachment.org_id,
        org_kind=parent.org_kind,
        status=parent.status,
        tlp=parent.tlp,
        audience=parent.audience,
        parent_id=parent.id,
    )
