"""Sharing: the instance community, sharing groups, bulletins and their acknowledgements.

Storage follows the "planned queryset twin" of docs/sharing-policy.md so that every read rule is
a plain filter: the TLP is stored with its rank, caveats are booleans, and every audience form is
a row (organisations carry ``via_rule`` when a targeting rule resolved them at publish time).
Who may see what is decided by ``queries.py`` only; writes go through ``services.py``.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.core.sharing.model import ItemKind
from placeguard.web.orgs.models import Organisation, Region, User
from placeguard.web.sharing.shareable import (
    GroupRow,
    NeedToKnowRow,
    OrgRow,
    SharedItem,
    ShareSpec,
    UserRow,
)


class Community(models.Model):
    """The TLP:GREEN community of this instance: every active, vetted organisation.

    Membership is not stored: vetting an organisation is what admits it (section 8.1). The row
    exists so the community has a name and a slug that audiences and exports can refer to.
    """

    slug = models.SlugField(_("short name"), max_length=64, unique=True, default="instance")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self) -> str:
        return self.name


class ClientLink(models.Model):
    """A client organisation registered ``provider`` as its security provider (R9)."""

    provider = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="client_links"
    )
    client = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="provider_links"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["provider", "client"], name="unique_client_link"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} → {self.client_id}"


class SharingGroup(models.Model):
    """A named set of organisations that bulletins can be addressed to (W4).

    Members are explicit rows; a membership rule (organisation kinds, sectors = site types the
    organisation operates, regions) adds rows marked ``via_rule`` when the rule is applied. The
    owner is always a member and an extender.
    """

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="owned_sharing_groups",
        verbose_name=_("owner"),
    )
    active = models.BooleanField(_("active"), default=True)
    hide_members = models.BooleanField(
        _("hide members"),
        default=False,
        help_text=_("Only the owner and extenders see the member list."),
    )
    rule_org_kinds = models.JSONField(_("rule: organisation kinds"), default=list, blank=True)
    rule_site_types = models.JSONField(_("rule: sectors (site types)"), default=list, blank=True)
    rule_regions = models.ManyToManyField(
        Region, blank=True, related_name="+", verbose_name=_("rule: regions")
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["name", "id"]
        verbose_name = _("sharing group")
        verbose_name_plural = _("sharing groups")

    def __str__(self) -> str:
        return self.name


class SharingGroupMember(models.Model):
    """One organisation in a sharing group."""

    group = models.ForeignKey(SharingGroup, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sharing_memberships"
    )
    extender = models.BooleanField(_("may edit membership"), default=False)
    via_rule = models.BooleanField(_("added by the membership rule"), default=False)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["group", "organisation"], name="unique_group_member"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.organisation_id}"


class Bulletin(SharedItem):
    """A bulletin from police or an authority to operators (or anyone), under TLP 2.0."""

    body = models.TextField(_("body (Markdown)"), blank=True)
    groups: models.ManyToManyField[SharingGroup, BulletinGroup] = models.ManyToManyField(
        SharingGroup,
        through="BulletinGroup",
        blank=True,
        related_name="bulletins",
        verbose_name=_("sharing groups"),
    )
    orgs: models.ManyToManyField[Organisation, BulletinOrg] = models.ManyToManyField(
        Organisation,
        through="BulletinOrg",
        blank=True,
        related_name="addressed_bulletins",
        verbose_name=_("organisations"),
    )
    users: models.ManyToManyField[User, BulletinUser] = models.ManyToManyField(
        User,
        through="BulletinUser",
        blank=True,
        related_name="addressed_bulletins",
        verbose_name=_("named people"),
    )
    # Targeting rule, resolved to BulletinOrg rows (via_rule=True) when published.
    target_site_types = models.JSONField(_("target site types"), default=list, blank=True)
    target_regions = models.ManyToManyField(
        Region, blank=True, related_name="+", verbose_name=_("target regions")
    )

    class Meta(SharedItem.Meta):
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        indexes: ClassVar = [
            models.Index(fields=["status", "tlp_rank"]),
            models.Index(fields=["org", "created"]),
            models.Index(fields=["author", "created"]),
            models.Index(fields=["audience_community", "tlp_rank"]),
            models.Index(fields=["audience_public", "tlp"]),
            # The list's order (-created, -id): read backwards, newest first, stopping at the page.
            models.Index(fields=["created", "id"], name="sharing_bulletin_created_id"),
        ]


class BulletinGroup(GroupRow):
    """A sharing group a bulletin is addressed to."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="group_rows")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["bulletin", "group"], name="unique_bulletin_group"),
        ]

    def __str__(self) -> str:
        return f"{self.bulletin_id}→group {self.group_id}"


class BulletinOrg(OrgRow):
    """A recipient organisation, named or resolved from the targeting rule (``via_rule``)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="org_rows")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["bulletin", "org"], name="unique_bulletin_org"),
        ]
        indexes: ClassVar = [models.Index(fields=["org", "bulletin"])]

    def __str__(self) -> str:
        return f"{self.bulletin_id}→org {self.org_id}"


class BulletinUser(UserRow):
    """A named recipient (the only audience of TLP:RED)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="user_rows")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["bulletin", "user"], name="unique_bulletin_user"),
        ]
        indexes: ClassVar = [models.Index(fields=["user", "bulletin"])]

    def __str__(self) -> str:
        return f"{self.bulletin_id}→user {self.user_id}"


class BulletinNeedToKnow(NeedToKnowRow):
    """A role or team a recipient must hold (R8)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="ntk_rows")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["bulletin", "token"], name="unique_bulletin_ntk"),
        ]

    def __str__(self) -> str:
        return f"{self.bulletin_id}:{self.token}"


class Acknowledgement(models.Model):
    """A recipient's read receipt and acknowledgement of a bulletin (a child item, R7).

    Rows are queued (both times empty) for every recipient who can read the bulletin when it
    is published, and created on first read for recipients who joined later.
    """

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="acks")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="bulletin_acks")
    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    queued_at = models.DateTimeField()
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["bulletin", "org", "user"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["bulletin", "user"], name="unique_bulletin_ack"),
        ]

    def __str__(self) -> str:
        return f"ack {self.bulletin_id}:{self.user_id}"


#: The tables of bulletins, for the shared visibility and write helpers.
BULLETIN = ShareSpec(
    kind=ItemKind.BULLETIN,
    model=Bulletin,
    fk="bulletin",
    group_row=BulletinGroup,
    org_row=BulletinOrg,
    user_row=BulletinUser,
    ntk_row=BulletinNeedToKnow,
    noun="bulletin",
    detail_url="sharing:detail",
)


class BreakGlassGrant(models.Model):
    """R10 break-glass: one platform admin's time-boxed read of one shareable record.

    Requested with a reason by one platform admin, approved by another (two persons), it opens
    the record for ``minutes`` from the approval. Every step and every read is audited, and the
    originating organisation is told and sees a banner on the record. It never opens a draft,
    TLP:RED, a law-enforcement-only record or a protected source (``policy._view_own``).
    """

    item_kind = models.CharField(_("item kind"), max_length=16)
    item_id = models.BigIntegerField(_("item id"))
    #: The record's originating organisation, kept for the banner and the notice.
    item_org = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("originator")
    )
    requester = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    reason = models.TextField(_("reason"), max_length=2000)
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    requested_at = models.DateTimeField(_("requested"))
    approver = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, db_index=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-requested_at", "-id"]
        verbose_name = _("break-glass grant")
        indexes: ClassVar = [models.Index(fields=["item_kind", "item_id"])]

    def __str__(self) -> str:
        return f"break-glass {self.item_kind}:{self.item_id} for {self.requester_id}"
