"""The good-practice library: practices and lessons learned, shared under the sharing policy.

A :class:`Practice` is a shareable record (:class:`~placeguard.web.sharing.shareable.SharedItem`:
TLP, audience rows, caveats, life cycle), so who may read it is decided by the one queryset twin
of the policy (``queries.practices_visible_to``) like bulletins and incidents. Its tags are kept
twice: as JSON lists for display and as one normalised text column for search (``tags.py``).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.core.sharing.model import ItemKind
from placeguard.web.orgs.models import User
from placeguard.web.practices.choices import PracticeKind
from placeguard.web.sharing.shareable import (
    GroupRow,
    NeedToKnowRow,
    OrgRow,
    SharedItem,
    ShareSpec,
    UserRow,
)


class Practice(SharedItem):
    """A good practice or a lesson learned, tagged by site type, scenario and measure."""

    body = models.TextField(_("body (Markdown)"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=PracticeKind.choices, default=PracticeKind.PRACTICE
    )
    site_types = models.JSONField(_("site types"), default=list, blank=True)
    scenarios = models.JSONField(_("scenarios"), default=list, blank=True)
    measures = models.JSONField(_("measures"), default=list, blank=True)
    # "|site_type:retail|scenario:arson|measure:CCTV|": searchable the same way on every backend.
    tag_index = models.TextField(editable=False, blank=True, default="")
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_('Where it was learned, e.g. "incident:12" or "exercise:3".'),
    )
    curated = models.BooleanField(_("curated by the programme office"), default=False)
    curated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    curated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(SharedItem.Meta):
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        indexes: ClassVar = [
            models.Index(fields=["status", "tlp_rank"]),
            models.Index(fields=["org", "created"]),
            models.Index(fields=["author", "created"]),
            models.Index(fields=["audience_community", "tlp_rank"]),
            models.Index(fields=["audience_public", "tlp"]),
            models.Index(fields=["created", "id"], name="practices_created_id"),
        ]


class PracticeGroup(GroupRow):
    """A sharing group a practice is addressed to."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="group_rows")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["practice", "group"], name="unique_practice_group"),
        ]

    def __str__(self) -> str:
        return f"{self.practice_id}→group {self.group_id}"


class PracticeOrg(OrgRow):
    """A recipient organisation of a practice."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="org_rows")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["practice", "org"], name="unique_practice_org"),
        ]
        indexes: ClassVar = [models.Index(fields=["org", "practice"])]

    def __str__(self) -> str:
        return f"{self.practice_id}→org {self.org_id}"


class PracticeUser(UserRow):
    """A named recipient of a practice (the only audience of TLP:RED)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="user_rows")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["practice", "user"], name="unique_practice_user"),
        ]
        indexes: ClassVar = [models.Index(fields=["user", "practice"])]

    def __str__(self) -> str:
        return f"{self.practice_id}→user {self.user_id}"


class PracticeNeedToKnow(NeedToKnowRow):
    """A role or team a recipient of a practice must hold (R8)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="ntk_rows")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["practice", "token"], name="unique_practice_ntk"),
        ]

    def __str__(self) -> str:
        return f"{self.practice_id}:{self.token}"


#: The tables of practices, for the shared visibility and write helpers.
PRACTICE = ShareSpec(
    kind=ItemKind.PRACTICE,
    model=Practice,
    fk="practice",
    group_row=PracticeGroup,
    org_row=PracticeOrg,
    user_row=PracticeUser,
    ntk_row=PracticeNeedToKnow,
    noun="practice",
    detail_url="practices:detail",
)
