"""Bulletin life cycle beyond publishing: automatic expiry and forwarding by recipients (R9).

* :func:`expire_due` moves published bulletins whose ``valid_until`` has passed to EXPIRED
  (recipients keep reading them: the policy treats EXPIRED like PUBLISHED, ``policy._LIVE``;
  the status tells them the warning is no longer current). It runs in the housekeeping schedule
  (``housekeeping.py``), lazily at the start of the bulletin list page, as the
  ``expire_bulletins`` django-tasks task, and as ``placeguard sharing expire``.
* :func:`forward_bulletin` lets a recipient organisation's publisher grant a bulletin to further
  organisations within TLP limits (R9, decided by ``policy.can_forward``): AMBER to the
  forwarder's registered clients, GREEN inside the community, CLEAR to anyone, AMBER+STRICT and
  RED never. Each grant is a recipient row, audited as ``bulletin.forward`` with who, to whom and
  why.
* :func:`purge_bulletins` is the retention job (catalogue 80): withdrawn and expired bulletins
  older than the retention period become PURGED tombstones (no title, body or withdrawal reason;
  read receipts and notification copies deleted), with one ``bulletin.purge_certificate`` audit
  event per run. ``placeguard sharing purge [--dry-run]``.
* :func:`recompute_group_rules` re-applies every active sharing group's membership rule
  (catalogue 37): organisations whose sector or region changed since the group was saved join or
  leave; explicit members are never touched. ``placeguard sharing recompute-groups``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from placeguard.core.errors import FieldError, NotFoundError, PermissionDeniedError
from placeguard.core.sharing import policy
from placeguard.core.sharing import tlp as tlp_rules
from placeguard.core.sharing.model import (
    INSTANCE_COMMUNITY,
    PUBLISHER_ROLES,
    ItemKind,
    Principal,
)
from placeguard.core.vocab import TLP, OrgKind
from placeguard.web.audit import services as audit
from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sharing import principals, services
from placeguard.web.sharing.choices import BulletinStatus
from placeguard.web.sharing.models import (
    Acknowledgement,
    Bulletin,
    BulletinOrg,
    SharingGroup,
    SharingGroupMember,
)

__all__ = [
    "DEFAULT_RETENTION_DAYS",
    "PURGED_TITLE",
    "ForwardResult",
    "GroupRecompute",
    "PurgeSummary",
    "expire_bulletins",
    "expire_due",
    "forward_bulletin",
    "purge_bulletins",
    "recompute_group_rules",
    "retention_days",
]

#: Longest forwarding reason kept in the audit trail.
MAX_REASON = 1000


def expire_due(now: datetime | None = None, *, actor: User | None = None) -> int:
    """Expire every published bulletin whose validity ended at or before ``now``.

    Parameters
    ----------
    now
        The moment to compare ``valid_until`` with (default: the current time).
    actor
        Who triggered the run, for the audit trail (None: the system).

    Returns
    -------
    int
        How many bulletins were expired. One ``bulletin.expire`` audit event per bulletin is
        written in the same transaction as the status change.
    """
    moment = now or timezone.now()
    with transaction.atomic():
        due = list(
            Bulletin.objects.select_for_update()
            .filter(
                status=BulletinStatus.PUBLISHED,
                valid_until__isnull=False,
                valid_until__lte=moment,
            )
            .order_by("pk")
        )
        if not due:
            return 0
        Bulletin.objects.filter(pk__in=[b.pk for b in due]).update(
            status=BulletinStatus.EXPIRED, updated=timezone.now()
        )
        changes = []
        for bulletin in due:
            bulletin.status = BulletinStatus.EXPIRED
            diff = {
                "status": [BulletinStatus.PUBLISHED.value, BulletinStatus.EXPIRED.value],
                "valid_until": bulletin.valid_until,
            }
            changes.append(audit.Change(obj=bulletin, diff=diff))
        audit.record_many(actor=actor, action="bulletin.expire", changes=changes)
    return len(due)


@task()
def expire_bulletins() -> int:
    """Background task: :func:`expire_due` now (housekeeping runs it on its schedule too)."""
    return expire_due()


# --------------------------------------------------------------------------- forwarding


class ForwardResult(list[int]):
    """The organisation ids that became recipients (already-addressed ones are left out)."""


def _target_problems(
    principal: Principal, bulletin: Bulletin, targets: dict[int, Organisation], wanted: list[int]
) -> list[FieldError]:
    item = principals.bulletin_item(bulletin)
    problems = []
    for org_id in wanted:
        org = targets.get(org_id)
        if org is None:
            msg = f"I6: Unknown or inactive organisation {org_id}."
            problems.append(FieldError("orgs", msg, code="I6"))
            continue
        decision = policy.can_forward(
            principal,
            item,
            target_org=org.pk,
            target_kind=OrgKind(org.kind),
            target_communities=frozenset({INSTANCE_COMMUNITY}) if org.vetted else frozenset(),
        )
        if not decision.allowed:
            msg = f"{decision.rule}: {org.name}: {decision.reason}"
            problems.append(FieldError("orgs", msg, code=decision.rule))
    return problems


def _forwarder(bulletin: Bulletin, actor: User) -> Principal:
    """The actor's principal after the checks that do not depend on the target (404 or 403).

    These mirror the target-independent steps of ``policy.can_forward``, so that a refusal that
    holds whoever the target is answers once (403) instead of once per organisation (422).
    """
    principal = principals.principal_for(actor)
    if principal is None:
        raise PermissionDeniedError(_("You need an organisation to share."))
    item = principals.bulletin_item(bulletin)
    if not policy.can_view(principal, item).content:
        raise NotFoundError(_("No such bulletin."))
    level = TLP(bulletin.tlp)
    checks = [
        (
            policy.principal_is_valid(principal),
            "R0",
            _("Your account is inactive or unvetted."),
        ),
        (principal.mfa or level is TLP.CLEAR, "R0", _("Two-factor authentication is required.")),
        (not principal.read_only, "W6", _("This token is read-only.")),
        (bulletin.status == BulletinStatus.PUBLISHED, "R9", _("Only a published bulletin.")),
        (principal.org_id != bulletin.org_id, "I5", _("The originator widens the audience.")),
        (principal.has_role(PUBLISHER_ROLES), "R9", _("Only a recipient's publisher forwards.")),
        (
            tlp_rules.forwarding(level) is not tlp_rules.Forwarding.NOBODY,
            "R9",
            _("TLP:%(tlp)s is never forwarded.") % {"tlp": level.value},
        ),
    ]
    for passed, rule, reason in checks:
        if not passed:
            msg = f"{rule}: {reason}"
            raise PermissionDeniedError(msg)
    return principal


def forward_bulletin(
    bulletin: Bulletin, *, to_orgs: Iterable[int], actor: User, reason: str = ""
) -> ForwardResult:
    """Forward ``bulletin`` to the organisations ``to_orgs`` (R9), audited as ``bulletin.forward``.

    Parameters
    ----------
    bulletin
        A published bulletin the actor's organisation receives.
    to_orgs
        Primary keys of the organisations to add as recipients.
    actor
        A publisher or organisation admin of a recipient organisation.
    reason
        Why the bulletin is passed on (kept in the audit trail).

    Returns
    -------
    ForwardResult
        The organisations added (those already addressed are skipped).

    Raises
    ------
    NotFoundError
        The actor cannot read the bulletin's content (404).
    PermissionDeniedError
        The actor may not forward at all: originator, not a publisher, not published (403).
    services.InvariantError
        A target is refused by R9 (TLP limits), R6 (law-enforcement only) or I6 (unknown or
        inactive organisation); every problem is listed and nothing is saved (422).
    """
    wanted = sorted({int(o) for o in to_orgs})
    principal = _forwarder(bulletin, actor)
    if not wanted:
        raise services.InvariantError(
            _("Name at least one organisation."),
            errors=[FieldError("orgs", _("Name at least one organisation."), code="required")],
        )
    targets = {o.pk: o for o in Organisation.objects.filter(pk__in=wanted, active=True)}
    problems = _target_problems(principal, bulletin, targets, wanted)
    if problems:
        raise services.InvariantError(
            _("Forwarding refused by the sharing rules; nothing was saved."), errors=problems
        )
    reason = reason.strip()[:MAX_REASON]
    with transaction.atomic():
        existing = set(bulletin.org_rows.values_list("org_id", flat=True))
        added = [o for o in wanted if o not in existing and o != bulletin.org_id]
        BulletinOrg.objects.bulk_create([BulletinOrg(bulletin=bulletin, org_id=o) for o in added])
        audit.record(
            actor=actor,
            action="bulletin.forward",
            obj=bulletin,
            diff={
                "forwarded_by_org": principal.org_id,
                "to_orgs": added,
                "already_recipients": [o for o in wanted if o not in added],
                "tlp": bulletin.tlp,
                "reason": reason,
            },
        )
        if added:
            services.queue_for_recipients(bulletin)
    return ForwardResult(added)


# --------------------------------------------------------------------------- retention (purge)

#: Days a withdrawn or expired bulletin is kept before :func:`purge_bulletins` removes its content.
DEFAULT_RETENTION_DAYS = 730
#: The title a purged bulletin keeps (its row stays as a tombstone for the audit trail).
PURGED_TITLE = "[purged]"
_ENDED = [BulletinStatus.WITHDRAWN, BulletinStatus.EXPIRED]


def retention_days() -> int:
    """``PLACEGUARD_BULLETIN_RETENTION_DAYS`` (default 730); at least one day."""
    days = int(getattr(settings, "PLACEGUARD_BULLETIN_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    return max(1, days)


@dataclass(frozen=True)
class PurgeSummary:
    """What a purge run removed (or, for a dry run, would remove)."""

    bulletins: list[int] = field(default_factory=list)
    acknowledgements: int = 0
    notifications: int = 0
    outbox_deleted: int = 0
    outbox_scrubbed: int = 0
    cutoff: datetime | None = None
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The summary as the certificate's JSON body."""
        return {
            "bulletins": self.bulletins,
            "count": len(self.bulletins),
            "acknowledgements": self.acknowledgements,
            "notifications": self.notifications,
            "outbox_deleted": self.outbox_deleted,
            "outbox_scrubbed": self.outbox_scrubbed,
            "cutoff": self.cutoff.isoformat() if self.cutoff else None,
        }


def _due_for_purge(cutoff: datetime) -> Q:
    """Withdrawn/expired bulletins whose end (withdrawal, validity, else last change) ≤ cutoff."""
    withdrawn = Q(status=BulletinStatus.WITHDRAWN) & (
        Q(withdrawn_at__lte=cutoff) | Q(withdrawn_at__isnull=True, updated__lte=cutoff)
    )
    expired = Q(status=BulletinStatus.EXPIRED) & (
        Q(valid_until__lte=cutoff) | Q(valid_until__isnull=True, updated__lte=cutoff)
    )
    return withdrawn | expired


def _notification_copies(ids: list[int], *, dry_run: bool) -> tuple[int, int, int]:
    """Remove the notifications app's copies of purged bulletins, if that app is installed.

    In-app notifications (they carry the title) are deleted; outbox messages not yet delivered
    are deleted (nothing more goes out); delivered ones keep their row as the dissemination
    record but lose subject, body and payload. Returns (notifications, deleted, scrubbed).
    """
    if not ids or not apps.is_installed("placeguard.web.notifications"):
        return 0, 0, 0
    notification = apps.get_model("notifications", "Notification")
    outbox = apps.get_model("notifications", "OutboxMessage")
    mine = {"item_kind": ItemKind.BULLETIN.value, "item_id__in": ids}
    in_app = notification.objects.filter(**mine)
    pending = outbox.objects.filter(**mine).exclude(status="delivered")
    delivered = outbox.objects.filter(**mine, status="delivered")
    if dry_run:
        return in_app.count(), pending.count(), delivered.count()
    n_in_app = in_app.delete()[0]
    n_pending = pending.delete()[0]
    n_delivered = delivered.update(subject="", body="", payload={})
    return n_in_app, n_pending, n_delivered


def purge_bulletins(
    *,
    older_than_days: int | None = None,
    actor: User | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
) -> PurgeSummary:
    """Purge withdrawn and expired bulletins older than the retention period (catalogue 80).

    A purged bulletin stays as a tombstone row (status PURGED, title ``[purged]``, empty body and
    withdrawal reason) so that audit events still point somewhere; every visibility function
    excludes PURGED, so it is gone from lists, details, search, counts and every export, for its
    author too. Its read receipts and the notifications app's copies are deleted (delivered
    outbox rows are kept without their text). Audience rows stay: they hold no content.

    Parameters
    ----------
    older_than_days
        Retention period in days (default: ``PLACEGUARD_BULLETIN_RETENTION_DAYS``, 730).
    actor
        Who ran the job, for the audit trail (None: the system).
    now
        The moment the period is counted back from (default: now).
    dry_run
        Count what would be purged and change nothing (no audit event).

    Returns
    -------
    PurgeSummary
        The purged ids and counts. One ``bulletin.purge_certificate`` audit event lists them,
        written in the same transaction as the purge (none when nothing was due). The event is
        attached to the lowest purged id; its diff names every bulletin.
    """
    days = retention_days() if older_than_days is None else older_than_days
    if days < 1:
        msg = _("The retention period is at least one day.")
        raise services.InvariantError(
            msg, errors=[FieldError("older_than_days", msg, code="invalid")]
        )
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        rows = Bulletin.objects.filter(_due_for_purge(cutoff)).order_by("pk")
        due = list(rows.select_for_update() if not dry_run else rows)
        ids = [b.pk for b in due]
        acks = Acknowledgement.objects.filter(bulletin_id__in=ids)
        if dry_run:
            n_in_app, n_deleted, n_scrubbed = _notification_copies(ids, dry_run=True)
            return PurgeSummary(ids, acks.count(), n_in_app, n_deleted, n_scrubbed, cutoff, True)
        if not ids:
            return PurgeSummary(cutoff=cutoff)
        n_acks = acks.delete()[0]
        n_in_app, n_deleted, n_scrubbed = _notification_copies(ids, dry_run=False)
        Bulletin.objects.filter(pk__in=ids).update(
            status=BulletinStatus.PURGED,
            title=PURGED_TITLE,
            body="",
            withdrawal_reason="",
            updated=timezone.now(),
        )
        summary = PurgeSummary(ids, n_acks, n_in_app, n_deleted, n_scrubbed, cutoff)
        anchor = due[0]
        anchor.title = PURGED_TITLE  # the event's object label must not repeat the old title
        certificate = {**summary.as_dict(), "retention_days": days,
                       "statuses": {str(b.pk): b.status for b in due}}  # fmt: skip
        audit.record(actor=actor, action="bulletin.purge_certificate", obj=anchor,
                     diff=certificate)  # fmt: skip
    return summary


# --------------------------------------------------------------------------- group rules


@dataclass(frozen=True)
class GroupRecompute:
    """One group's membership change from :func:`recompute_group_rules`."""

    group: int
    added: list[int]
    removed: list[int]


def _rule_matches(group: SharingGroup) -> set[int]:
    """Organisations the group's rule selects now.

    The same selection as ``services._apply_rule`` (which replaces every rule-built row on
    save); here only the difference is written, so that unchanged groups are not rewritten.
    ``test_lifecycle`` holds the two to the same answer.
    """
    from placeguard.web.sites.models import Site

    regions = set(group.rule_regions.values_list("pk", flat=True))
    if not (group.rule_org_kinds or group.rule_site_types or regions):
        return set()
    orgs = Organisation.objects.filter(active=True, vetted=True)
    if group.rule_org_kinds:
        orgs = orgs.filter(kind__in=group.rule_org_kinds)
    if group.rule_site_types or regions:
        sites = Site.objects.all()
        if group.rule_site_types:
            sites = sites.filter(site_type__in=group.rule_site_types)
        if regions:
            sites = sites.filter(region_id__in=regions)
        by_region = Q(regions__in=regions) if regions else Q(pk__in=[])
        orgs = orgs.filter(Q(pk__in=sites.values("operator_id")) | by_region)
    return set(orgs.values_list("pk", flat=True))


def recompute_group_rules(*, actor: User | None = None) -> list[GroupRecompute]:
    """Re-apply every active sharing group's membership rule (catalogue 37).

    Organisations the rule selects now and that are not members join (``via_rule``); members
    added by the rule that it no longer selects leave. Explicit members (added by hand) are never
    touched, whatever the rule says. Each group that changed gets one
    ``sharing_group.rule_recompute`` audit event with ``added`` and ``removed``, in the same
    transaction as its change. Inactive groups are left alone (they address nobody).

    Parameters
    ----------
    actor
        Who ran the job, for the audit trail (None: the system).

    Returns
    -------
    list[GroupRecompute]
        The groups that changed, in id order.
    """
    changed: list[GroupRecompute] = []
    for group in SharingGroup.objects.filter(active=True).order_by("pk"):
        with transaction.atomic():
            rows = {m.organisation_id: m for m in group.memberships.select_for_update()}
            wanted = _rule_matches(group)
            added = sorted(o for o in wanted if o not in rows)
            removed = sorted(o for o, m in rows.items() if m.via_rule and o not in wanted)
            if not (added or removed):
                continue
            group.memberships.filter(via_rule=True, organisation_id__in=removed).delete()
            SharingGroupMember.objects.bulk_create(
                [SharingGroupMember(group=group, organisation_id=o, via_rule=True) for o in added]
            )
            audit.record(
                actor=actor,
                action="sharing_group.rule_recompute",
                obj=group,
                diff={"added": added, "removed": removed},
            )
        changed.append(GroupRecompute(group.pk, added, removed))
    return changed
