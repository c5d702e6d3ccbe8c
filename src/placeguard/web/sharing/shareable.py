"""The storage shape every shareable record shares: bulletins, incidents, good practices.

A shareable record keeps its TLP (with its rank, for range filters), caveats as booleans, its
life-cycle status and its audience as rows in four small tables that point back at it: groups,
organisations (``via_rule`` marks those a targeting rule resolved), named users and need-to-know
tokens. Because the shape is the same, one queryset twin of the pure policy
(``queries.shared_visible_to``) and one set of helpers (``items.py`` writes, ``audiences.py`` reads)
serve every kind; a :class:`ShareSpec` tells them which tables a kind uses.

Concrete models inherit :class:`SharedItem` and declare their four row tables by inheriting the
``*Row`` bases and adding a foreign key to the item with the related names ``group_rows``,
``org_rows``, ``user_rows`` and ``ntk_rows``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.core.sharing.model import ItemKind
from placeguard.web.orgs.choices import OrgKind
from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sharing.choices import BulletinStatus, Tlp

__all__ = [
    "SPECS",
    "GroupRow",
    "NeedToKnowRow",
    "OrgRow",
    "ShareSpec",
    "SharedItem",
    "UserRow",
]


class SharedItem(models.Model):
    """Originator, TLP, caveats, status and dates of a shareable record (section 8.1)."""

    author = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="%(class)ss", verbose_name=_("author")
    )
    org = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("originating organisation"),
    )
    org_kind = models.CharField(max_length=32, choices=OrgKind.choices, editable=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=BulletinStatus.choices,
        default=BulletinStatus.DRAFT,
        db_index=True,
    )
    title = models.CharField(_("title"), max_length=200)
    tlp = models.CharField(_("TLP"), max_length=16, choices=Tlp.choices, default=Tlp.AMBER)
    tlp_rank = models.PositiveSmallIntegerField(editable=False, default=2, db_index=True)
    # Audience: any combination (docs/sharing-policy.md, decision 7); the rest are row tables.
    audience_public = models.BooleanField(_("public"), default=False)
    audience_community = models.BooleanField(_("the community"), default=False)
    # Caveats.
    le_only = models.BooleanField(_("law enforcement only"), default=False)
    pii = models.BooleanField(_("contains personal data"), default=False)
    source_protected = models.BooleanField(_("source protected"), default=False)
    # R8: need_to_know tokens are rows; the flag tells "no list" from "[]".
    has_need_to_know = models.BooleanField(default=False)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("withdrawal reason"), blank=True)
    approval_requested_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A broadcast (community or public) waits for a second publisher (W2)."),
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    updated = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering: ClassVar = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title


class GroupRow(models.Model):
    """A sharing group a shareable record is addressed to."""

    group = models.ForeignKey("sharing.SharingGroup", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class OrgRow(models.Model):
    """A recipient organisation, named or resolved from a targeting rule (``via_rule``)."""

    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    via_rule = models.BooleanField(default=False)

    class Meta:
        abstract = True


class UserRow(models.Model):
    """A named recipient (the only audience of TLP:RED)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class NeedToKnowRow(models.Model):
    """A role or team a recipient must hold (R8)."""

    token = models.CharField(max_length=64)

    class Meta:
        abstract = True


#: Every shareable kind's spec by item kind, filled as each app's models module defines its own
#: (apps depend on ``sharing``, not the other way round).
SPECS: dict[ItemKind, ShareSpec] = {}


@dataclass(frozen=True)
class ShareSpec:
    """Which tables one kind of shareable record uses.

    Parameters
    ----------
    kind
        The policy's item kind (``ItemKind.BULLETIN`` …).
    model
        The concrete :class:`SharedItem` subclass.
    fk
        Name of the foreign key from each row table to the item (``"bulletin"``, ``"incident"``).
    group_row, org_row, user_row, ntk_row
        The four audience row tables.
    noun
        Lower-case name used in audit actions (``"<noun>.publish"``) and messages.
    detail_url
        URL name of the record's page (``"sharing:detail"``), linked from notifications.
    """

    kind: ItemKind
    model: type[SharedItem]
    fk: str
    group_row: type[GroupRow]
    org_row: type[OrgRow]
    user_row: type[UserRow]
    ntk_row: type[NeedToKnowRow]
    noun: str
    detail_url: str

    def __post_init__(self) -> None:
        SPECS[self.kind] = self

    def rows_of(self, row_model: type[models.Model], **filters: Any) -> models.QuerySet[Any]:
        """Rows of ``row_model`` filtered with the item foreign key spelt generically.

        ``filters`` may use ``item`` / ``item_id`` / ``item__…`` for the foreign key.
        """
        spelt = {}
        for key, value in filters.items():
            head, sep, rest = key.partition("__")
            if head in {"item", "item_id"}:
                head = self.fk if head == "item" else f"{self.fk}_id"
            spelt[f"{head}{sep}{rest}"] = value
        return row_model.objects.filter(**spelt)  # type: ignore[attr-defined,no-any-return]
