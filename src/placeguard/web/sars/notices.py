"""Who is told about a suspicious-activity report, and what they are told.

A notice carries no narrative, behaviour or identity: only that a report about a site was filed
or changed state, with a link to its page (which re-checks visibility). Recipients are the
users of the organisations concerned for whom ``sars_visible_to`` admits the report, so a
notice never reaches anyone who could not open it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from placeguard.web.notifications import services as notifications
from placeguard.web.orgs.models import User
from placeguard.web.sars.items import SAR_TLP
from placeguard.web.sars.models import SuspiciousActivityReport
from placeguard.web.sars.queries import sars_visible_to

__all__ = ["notify"]


def _readers(sar: SuspiciousActivityReport, org_ids: Iterable[int]) -> list[int]:
    """Active users of ``org_ids`` who may read ``sar`` (one visibility query each)."""
    users = User.objects.filter(organisation_id__in=set(org_ids), is_active=True).order_by("pk")
    return [u.pk for u in users if sars_visible_to(u).filter(pk=sar.pk).exists()]


def notify(
    sar: SuspiciousActivityReport, *, event: str, org_ids: Iterable[int], exclude: int | None = None
) -> notifications.Queued:
    """Queue ``event`` (``sar.filed``, ``sar.status_changed``, ``sar.referred``) for readers.

    Parameters
    ----------
    sar
        The report.
    event
        The event name; part of every idempotency key, so a repeat adds nothing.
    org_ids
        The organisations to tell (the holding forces, or the reporting organisation).
    exclude
        A user not to tell (the one who acted).
    """
    users = [u for u in _readers(sar, org_ids) if u != exclude]
    ref = notifications.ItemRef(
        kind="sar",
        pk=sar.pk,
        tlp=SAR_TLP,
        title=_("Suspicious-activity report #%(pk)s (%(status)s)")
        % {"pk": sar.pk, "status": sar.get_status_display()},
        url=reverse("sars:detail", args=[sar.pk]),
    )
    return notifications.queue(ref, event=event, user_ids=users)
