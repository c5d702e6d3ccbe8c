"""The retention and review schedule of suspicious-activity reports.

* A report closed with **no further action** (unfounded) is purged ``PLACEGUARD_SAR_RETENTION_DAYS``
  days after closing (default 180): its content and the reporter's identity are deleted, a
  tombstone and the purge certificate (an audit event) remain.
* A **referred** report gets a review date ``PLACEGUARD_SAR_REVIEW_DAYS`` after referral (default
  365), never later than :data:`MAX_REVIEW_DAYS` (five years, the 28 CFR 23.20(h) cap). At review
  police close it with no further action (which starts the purge clock) or refer it on.

:func:`run_purge` is what ``placeguard sars purge`` runs (``--dry-run`` lists without deleting).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from placeguard.web.sars.choices import SarStatus
from placeguard.web.sars.models import SuspiciousActivityReport

__all__ = [
    "DEFAULT_RETENTION_DAYS",
    "DEFAULT_REVIEW_DAYS",
    "MAX_REVIEW_DAYS",
    "PurgeReport",
    "due_for_purge",
    "overdue_for_review",
    "purge_due_from",
    "retention_days",
    "review_days",
    "review_due_from",
    "run_purge",
]

DEFAULT_RETENTION_DAYS = 180
DEFAULT_REVIEW_DAYS = 365
#: Policy maximum between reviews of a referred report (5 years).
MAX_REVIEW_DAYS = 5 * 365


def retention_days() -> int:
    """Days an unfounded report is kept after closing (at least 1)."""
    days = int(getattr(settings, "PLACEGUARD_SAR_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    return max(1, days)


def review_days() -> int:
    """Days until a referred report's review, capped at :data:`MAX_REVIEW_DAYS`."""
    days = int(getattr(settings, "PLACEGUARD_SAR_REVIEW_DAYS", DEFAULT_REVIEW_DAYS))
    return min(max(1, days), MAX_REVIEW_DAYS)


def _day(at: datetime) -> date:
    return timezone.localdate(at) if timezone.is_aware(at) else at.date()


def purge_due_from(closed_at: datetime) -> date:
    """The purge date of a report closed with no further action at ``closed_at``."""
    return _day(closed_at) + timedelta(days=retention_days())


def review_due_from(referred_at: datetime) -> date:
    """The review date of a report referred at ``referred_at``."""
    return _day(referred_at) + timedelta(days=review_days())


def due_for_purge(today: date | None = None) -> QuerySet[SuspiciousActivityReport]:
    """Unfounded reports whose purge date has come (a system job: not a reader's view)."""
    today = today or timezone.localdate()
    return SuspiciousActivityReport.objects.filter(
        status=SarStatus.NO_FURTHER_ACTION, purge_due__lte=today, purged_at__isnull=True
    ).order_by("purge_due", "id")


def overdue_for_review(today: date | None = None) -> QuerySet[SuspiciousActivityReport]:
    """Referred reports whose review date has passed."""
    today = today or timezone.localdate()
    return SuspiciousActivityReport.objects.filter(
        status=SarStatus.REFERRED, review_due__lt=today, purged_at__isnull=True
    ).order_by("review_due", "id")


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What a purge run did (or would do): report ids purged and referred ones overdue."""

    purged: tuple[int, ...]
    overdue_reviews: tuple[int, ...]
    dry_run: bool


def run_purge(*, dry_run: bool = False, today: date | None = None) -> PurgeReport:
    """Purge every report due (each in its own transaction, with its certificate)."""
    from placeguard.web.sars import services

    today = today or timezone.localdate()
    due = list(due_for_purge(today))
    if not dry_run:
        for sar in due:
            services.purge_sar(sar, actor=None, today=today)
    overdue = tuple(overdue_for_review(today).values_list("pk", flat=True))
    return PurgeReport(tuple(s.pk for s in due), overdue, dry_run)
