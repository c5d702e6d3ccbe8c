"""Incidents and investigations: the incident record and its children.

An :class:`Incident` is a shareable record (TLP, audience, caveats, life cycle) stored like a
bulletin, so the one queryset twin of the sharing policy (``sharing.queries.shared_visible_to``)
decides who sees it. Its children (timeline entries, tasks, evidence, chain-of-custody entries
and lessons learned) carry no audience of their own: a child is visible exactly when its parent
incident is visible with content (``queries.py``), so it can never be more visible than the
parent. Writes go through ``services.py``; custody entries are append-only.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.core.sharing.model import ItemKind
from placeguard.web.incidents.choices import (
    SCENARIO_CHOICES,
    CustodyAction,
    InvestigationStatus,
    TaskStatus,
)
from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sharing.shareable import (
    GroupRow,
    NeedToKnowRow,
    OrgRow,
    SharedItem,
    ShareSpec,
    UserRow,
)
from placeguard.web.sites.models import Site


class Incident(SharedItem):
    """An incident at one or more sites and its investigation (section 6.1-6.2 case model)."""

    summary = models.TextField(_("summary (Markdown)"), blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    sites = models.ManyToManyField(
        Site, blank=True, related_name="incidents", verbose_name=_("sites")
    )
    scenario = models.CharField(_("scenario"), max_length=32, choices=SCENARIO_CHOICES, blank=True)
    # None means unknown, which is not the same as none.
    deaths = models.PositiveIntegerField(_("deaths"), null=True, blank=True)
    injured = models.PositiveIntegerField(_("injured"), null=True, blank=True)
    investigation_status = models.CharField(
        _("investigation status"),
        max_length=24,
        choices=InvestigationStatus.choices,
        default=InvestigationStatus.OPEN,
    )
    lead_investigator = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_incidents",
        verbose_name=_("lead investigator"),
    )

    class Meta(SharedItem.Meta):
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes: ClassVar = [
            models.Index(fields=["status", "tlp_rank"]),
            models.Index(fields=["org", "created"]),
            models.Index(fields=["author", "created"]),
            models.Index(fields=["audience_community", "tlp_rank"]),
            models.Index(fields=["audience_public", "tlp"]),
            models.Index(fields=["created", "id"], name="incidents_created_id"),
        ]


class IncidentGroup(GroupRow):
    """A sharing group an incident is addressed to."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="group_rows")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["incident", "group"], name="unique_incident_group"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}→group {self.group_id}"


class IncidentOrg(OrgRow):
    """A recipient organisation of an incident."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="org_rows")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["incident", "org"], name="unique_incident_org"),
        ]
        indexes: ClassVar = [models.Index(fields=["org", "incident"])]

    def __str__(self) -> str:
        return f"{self.incident_id}→org {self.org_id}"


class IncidentUser(UserRow):
    """A named recipient of an incident (the only audience of TLP:RED)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="user_rows")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["incident", "user"], name="unique_incident_user"),
        ]
        indexes: ClassVar = [models.Index(fields=["user", "incident"])]

    def __str__(self) -> str:
        return f"{self.incident_id}→user {self.user_id}"


class IncidentNeedToKnow(NeedToKnowRow):
    """A role or team a recipient of an incident must hold (R8)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="ntk_rows")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["incident", "token"], name="unique_incident_ntk"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.token}"


#: The tables of incidents, for the shared visibility and write helpers.
INCIDENT = ShareSpec(
    kind=ItemKind.INCIDENT,
    model=Incident,
    fk="incident",
    group_row=IncidentGroup,
    org_row=IncidentOrg,
    user_row=IncidentUser,
    ntk_row=IncidentNeedToKnow,
    noun="incident",
    detail_url="incidents:detail",
)


class TimelineEntry(models.Model):
    """Something that happened, in the incident's timeline (a child: parent's visibility)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    occurred_at = models.DateTimeField(_("when"))
    text = models.TextField(_("what happened"))
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["occurred_at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.incident_id}@{self.occurred_at:%Y-%m-%d %H:%M}"


class Task(models.Model):
    """An investigation task (a child: parent's visibility)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.TODO
    )
    assignee = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incident_tasks",
        verbose_name=_("assignee"),
    )
    due = models.DateField(_("due"), null=True, blank=True)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["created", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title


class Evidence(models.Model):
    """An evidence file: stored under a random name, with the SHA-256 taken at upload.

    The user's file name is kept as metadata only (sanitised); the bytes on disk are checked
    against ``sha256`` at every download.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="evidence")
    description = models.TextField(_("description"), blank=True)
    original_name = models.CharField(_("file name"), max_length=160)
    storage_name = models.CharField(max_length=80, unique=True, editable=False)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class CustodyEntry(models.Model):
    """One link of an evidence file's chain of custody: who, what, when, why, and its hash then.

    Append-only: no service updates or deletes an entry.
    """

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="custody")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="custody")
    action = models.CharField(_("action"), max_length=24, choices=CustodyAction.choices)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    actor_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)
    handed_to = models.CharField(_("handed to"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256 at that moment"), max_length=64, blank=True)

    class Meta:
        ordering: ClassVar = ["at", "id"]
        verbose_name = _("custody entry")
        verbose_name_plural = _("custody entries")

    def __str__(self) -> str:
        return f"{self.evidence_id}:{self.action}"


class LessonLearned(models.Model):
    """What the incident taught, possibly published as a good practice."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="lessons")
    text = models.TextField(_("lesson"))
    recommendation = models.TextField(_("recommendation"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    practice_id = models.PositiveIntegerField(
        _("published as practice"), null=True, blank=True, editable=False
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["created", "id"]
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")

    def __str__(self) -> str:
        return self.text[:60]
