"""Bulletin life cycle beyond publishing: automatic expiry and forwarding by recipients (R9).

* :func:`expire_due` moves published bulletins whose ``valid_until`` has passed to EXPIRED
  (recipients keep reading them: the policy treats EXPIRED like PUBLISHED, ``policy._LIVE``;
  the status tells them the warning is no longer current). There is no periodic scheduler in
  PlaceGuard, so it runs three ways: lazily at the start of the bulletin list page, as the
  ``expire_bulletins`` django-tasks task, and as ``placeguard sharing expire`` (cron).
* :func:`forward_bulletin` lets a recipient organisation's publisher grant a bulletin to further
  organisations within TLP limits (R9, decided by ``policy.can_forward``): AMBER to the
  forwarder's registered clients, GREEN inside the community, CLEAR to anyone, AMBER+STRICT and
  RED never. Each grant is a recipient row, audited as ``bulletin.forward`` with who, to whom and
  why.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from placeguard.core.errors import FieldError, NotFoundError, PermissionDeniedError
from placeguard.core.sharing import policy
from placeguard.core.sharing import tlp as tlp_rules
from placeguard.core.sharing.model import INSTANCE_COMMUNITY, PUBLISHER_ROLES, Principal
from placeguard.core.vocab import TLP, OrgKind
from placeguard.web.audit import services as audit
from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sharing import principals, services
from placeguard.web.sharing.choices import BulletinStatus
from placeguard.web.sharing.models import Bulletin, BulletinOrg

__all__ = ["ForwardResult", "expire_bulletins", "expire_due", "forward_bulletin"]

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
    """Background task: :func:`expire_due` now (enqueue it from cron or a scheduler)."""
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
            services._queue_acks(bulletin)
    return ForwardResult(added)
