"""The one visibility function per model of the sars app: queryset twins of ``can_view``.

:func:`sars_visible_to` selects exactly the reports for which
``core.sharing.policy.can_view`` allows content (rule R11: the author, analysts and admins of the
reporting organisation, and the police forces the report was released to; purged tombstones
nobody, platform admins and auditors nothing). The children follow their own policy rules *and*
their parent (R7). Lists, details, counts, downloads and the purge report all start here; the
oracle test in ``tests/web/sars`` holds these querysets and the pure policy to the same answers.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from placeguard.core.sharing.model import CONTENT_ROLES, Principal
from placeguard.core.sharing.policy import principal_is_valid
from placeguard.core.vocab import OrgKind, Role
from placeguard.web.orgs.models import User
from placeguard.web.sars.models import (
    Attachment,
    Dissemination,
    ReporterIdentity,
    SarAudienceOrg,
    StatusChange,
    SuspiciousActivityReport,
    VettingNote,
)
from placeguard.web.sharing.principals import principal_for

__all__ = [
    "attachments_visible_to",
    "disseminations_visible_to",
    "identities_visible_to",
    "may_read_notes",
    "notes_visible_to",
    "sar_principal",
    "sars_visible_to",
    "status_changes_visible_to",
    "visible_to",
]

#: R11: inside the reporting organisation, besides the author, these roles read its reports.
ORG_READER_ROLES = frozenset({Role.ANALYST, Role.ORG_ADMIN})


def sar_principal(user: User | AnonymousUser | None) -> Principal | None:
    """The reader as the policy sees them, or None when they may read no report at all.

    Reports are TLP:AMBER and never public: anonymous callers, invalid principals (R0), users
    without two-factor (R0) and non-content roles (R10) read nothing.
    """
    if not isinstance(user, User):
        return None
    p = principal_for(user)
    if p is None or not principal_is_valid(p) or not p.mfa or not p.has_role(CONTENT_ROLES):
        return None
    return p


def _is_le(p: Principal) -> bool:
    return p.org_kind is OrgKind.LAW_ENFORCEMENT


def sars_visible_to(user: User | AnonymousUser | None) -> QuerySet[SuspiciousActivityReport]:
    """Reports ``user`` may read (never purged tombstones)."""
    p = sar_principal(user)
    if p is None:
        return SuspiciousActivityReport.objects.none()
    grant = Q(author_id=p.user_id)
    if p.has_role(ORG_READER_ROLES):
        grant |= Q(org_id=p.org_id)
    if _is_le(p):
        released = SarAudienceOrg.objects.filter(sar=OuterRef("pk"), org_id=p.org_id)
        grant |= Q(Exists(released))
    return SuspiciousActivityReport.objects.filter(grant, purged_at__isnull=True)


def identities_visible_to(user: User | AnonymousUser | None) -> QuerySet[ReporterIdentity]:
    """Reporter identities: their author, and the forces the report was filed to (R11)."""
    p = sar_principal(user)
    if p is None:
        return ReporterIdentity.objects.none()
    grant = Q(author_id=p.user_id)
    if _is_le(p):
        filed_to = SarAudienceOrg.objects.filter(
            sar=OuterRef("sar_id"), org_id=p.org_id, via_referral=False
        )
        grant |= Q(Exists(filed_to))
    return ReporterIdentity.objects.filter(grant, sar__in=sars_visible_to(user))


def notes_visible_to(user: User | AnonymousUser | None) -> QuerySet[VettingNote]:
    """Vetting notes: law-enforcement only (R6), to the forces holding the report."""
    p = sar_principal(user)
    if p is None:
        return VettingNote.objects.none()
    grant = Q(author_id=p.user_id)
    if _is_le(p) and p.le_vetted:
        held = SarAudienceOrg.objects.filter(sar=OuterRef("sar_id"), org_id=p.org_id)
        grant |= Q(org_id=p.org_id) | Q(Exists(held))
    return VettingNote.objects.filter(grant, sar__in=sars_visible_to(user))


def may_read_notes(user: User | AnonymousUser | None, sar: SuspiciousActivityReport) -> bool:
    """True if ``user`` reads the vetting notes of ``sar`` (a vetted officer of a holding force).

    Tells "no notes yet" from "not for you": the latter leaves the notes out of the answer.
    """
    p = sar_principal(user)
    return (
        p is not None
        and _is_le(p)
        and p.le_vetted
        and sar.audience_rows.filter(org_id=p.org_id).exists()
        and sars_visible_to(user).filter(pk=sar.pk).exists()
    )


def attachments_visible_to(user: User | AnonymousUser | None) -> QuerySet[Attachment]:
    """Attachments: exactly with their report (they share its audience)."""
    return Attachment.objects.filter(sar__in=sars_visible_to(user))


def status_changes_visible_to(user: User | AnonymousUser | None) -> QuerySet[StatusChange]:
    """The vetting history: everyone who reads the report sees its status transitions."""
    return StatusChange.objects.filter(sar__in=sars_visible_to(user))


def disseminations_visible_to(user: User | AnonymousUser | None) -> QuerySet[Dissemination]:
    """The dissemination log of reports ``user`` reads (reasons are shown to police only)."""
    return Dissemination.objects.filter(sar__in=sars_visible_to(user))


def visible_to(user: User | AnonymousUser | None) -> QuerySet[SuspiciousActivityReport]:
    """Alias of :func:`sars_visible_to`, the name every app uses for its main model."""
    return sars_visible_to(user)
