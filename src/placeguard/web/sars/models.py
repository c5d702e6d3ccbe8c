"""Suspicious-activity reports (SARs): the report, its behaviours, audience, reporter identity,
police vetting notes, status history, attachments and the dissemination log.

Storage mirrors the policy's items (``core.sharing``, section 8 rule R11):

* the report is an ``ItemKind.SAR`` whose audience is *fixed* to the site's responsible police
  (``SarAudienceOrg`` rows copied at filing; an LE-to-LE referral adds a row ``via_referral``);
* the reporter's identity is a separate ``REPORTER_IDENTITY`` child with the PII and
  SOURCE_PROTECTED caveats (author and the police the report was filed to);
* vetting notes are ``COMMENT`` children with the LE_ONLY caveat (the reporting organisation sees
  the status history, never the notes).

There are no fields for race, religion, ethnicity or political opinion, by design (a schema test
keeps it that way). Who may see what is decided by ``queries.py`` only; writes go through
``services.py``.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.web.orgs.choices import OrgKind
from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sars.choices import BehaviourCode, Channel, SarStatus
from placeguard.web.sites.models import Site


class SuspiciousActivityReport(models.Model):
    """A report of observed behaviour at a site, filed by the site's operator."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="sars", verbose_name=_("site")
    )
    org = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="sars",
        verbose_name=_("reporting organisation"),
    )
    org_kind = models.CharField(max_length=32, choices=OrgKind.choices, editable=False)
    # Null once purged (the author's account identifies the reporter too).
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="sars"
    )
    status = models.CharField(
        _("status"), max_length=32, choices=SarStatus.choices, default=SarStatus.NEW, db_index=True
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.STAFF
    )
    observed_from = models.DateTimeField(_("observed from"), null=True)
    observed_until = models.DateTimeField(_("observed until"), null=True, blank=True)
    location_detail = models.CharField(
        _("where at the site"),
        max_length=300,
        blank=True,
        help_text=_("Zone, entrance, floor or car park."),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    narrative = models.TextField(
        _("what happened"), blank=True, help_text=_("Describe the behaviour, not the person.")
    )
    why_suspicious = models.TextField(_("why it seemed suspicious"), blank=True)
    articulable_facts = models.TextField(
        _("articulable facts"),
        blank=True,
        help_text=_("Required for tier-2 behaviours: the specific facts beyond the behaviour."),
    )
    subject_count = models.PositiveSmallIntegerField(_("number of people"), null=True, blank=True)
    subject_description = models.TextField(
        _("description of people"),
        blank=True,
        help_text=_("Clothing, height, distinguishing marks only."),
    )
    vehicle_description = models.TextField(_("vehicles"), blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    updated = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True)
    purge_due = models.DateField(_("purge due"), null=True, blank=True, db_index=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    purge_certificate = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering: ClassVar = ["-created", "-id"]
        verbose_name = _("suspicious-activity report")
        verbose_name_plural = _("suspicious-activity reports")
        indexes: ClassVar = [
            models.Index(fields=["org", "created"]),
            models.Index(fields=["author", "created"]),
            models.Index(fields=["status", "purge_due"]),
        ]

    def __str__(self) -> str:
        return f"SAR-{self.pk}"

    @property
    def is_purged(self) -> bool:
        """True for a tombstone."""
        return self.purged_at is not None


class SarBehaviour(models.Model):
    """One ISE-SAR behaviour category of a report."""

    sar = models.ForeignKey(
        SuspiciousActivityReport, on_delete=models.CASCADE, related_name="behaviours"
    )
    code = models.CharField(max_length=16, choices=BehaviourCode.choices)

    class Meta:
        ordering: ClassVar = ["sar", "code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["sar", "code"], name="unique_sar_behaviour"),
        ]

    def __str__(self) -> str:
        return f"{self.sar_id}:{self.code}"


class SarAudienceOrg(models.Model):
    """A police force the report is released to: responsible at filing, or referred to."""

    sar = models.ForeignKey(
        SuspiciousActivityReport, on_delete=models.CASCADE, related_name="audience_rows"
    )
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    via_referral = models.BooleanField(default=False)
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["sar", "org"], name="unique_sar_audience_org"),
        ]
        indexes: ClassVar = [models.Index(fields=["org", "sar"])]

    def __str__(self) -> str:
        return f"{self.sar_id}→{self.org_id}"


class ReporterIdentity(models.Model):
    """Who reported: PII and source-protected (the author and the receiving police only)."""

    sar = models.OneToOneField(
        SuspiciousActivityReport, on_delete=models.CASCADE, related_name="identity"
    )
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    full_name = models.CharField(_("your name"), max_length=200)
    job_title = models.CharField(_("your role at the site"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    email = models.EmailField(_("email"), blank=True)
    may_contact = models.BooleanField(_("police may contact me"), default=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"identity of SAR-{self.sar_id}"


class VettingNote(models.Model):
    """A police vetting note: law-enforcement only (never shown to the reporting organisation)."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        RATIONALE = "rationale", _("Decision rationale")
        FACTS = "facts", _("Articulable facts")

    sar = models.ForeignKey(
        SuspiciousActivityReport, on_delete=models.CASCADE, related_name="vetting_notes"
    )
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NOTE)
    body = models.TextField(_("note"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["created", "id"]

    def __str__(self) -> str:
        return f"note {self.pk} on SAR-{self.sar_id}"


class StatusChange(models.Model):
    """One vetting transition (the reporting organisation sees these, without the notes)."""

    sar = models.ForeignKey(
        SuspiciousActivityReport, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=32, choices=SarStatus.choices)
    to_status = models.CharField(max_length=32, choices=SarStatus.choices)
    by_org = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["at", "id"]

    def __str__(self) -> str:
        return f"SAR-{self.sar_id}: {self.from_status}→{self.to_status}"


class Attachment(models.Model):
    """A file attached to a report; its bytes live in :class:`AttachmentContent`.

    ``sha256`` is the hash of the original taken at upload and re-checked at every download.
    JPEG uploads also get a shared copy without EXIF (``shared_sha256``) for onward sharing.
    """

    sar = models.ForeignKey(
        SuspiciousActivityReport, on_delete=models.CASCADE, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    shared_sha256 = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["created", "id"]

    def __str__(self) -> str:
        return self.filename


class AttachmentContent(models.Model):
    """The bytes of an attachment: kept apart so lists never load them."""

    attachment = models.OneToOneField(Attachment, on_delete=models.CASCADE, related_name="content")
    original = models.BinaryField()
    shared = models.BinaryField(null=True, blank=True)

    def __str__(self) -> str:
        return f"content of {self.attachment_id}"


class Dissemination(models.Model):
    """A release outside the reporting organisation: who, to whom, why, when (28 CFR 23.20(f)).

    Kept when the report is purged (it records who received the data, not the data).
    """

    class Kind(models.TextChoices):
        FILING = "filing", _("Filed to the responsible police")
        REFERRAL = "referral", _("Referred to another force")

    sar = models.ForeignKey(
        SuspiciousActivityReport, on_delete=models.CASCADE, related_name="disseminations"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    released_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    released_by_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    includes_identity = models.BooleanField(default=False)
    at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["at", "id"]

    def __str__(self) -> str:
        return f"SAR-{self.sar_id} → {self.to_org_id}"
