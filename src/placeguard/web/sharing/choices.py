"""Choices of the sharing app, built from ``placeguard.core`` (vocab and the sharing policy)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.core.sharing.model import Status
from placeguard.core.vocab import TLP


class Tlp(models.TextChoices):
    """TLP 2.0 levels (DESIGN.md identifiers), least to most restrictive."""

    CLEAR = TLP.CLEAR.value, _("TLP:CLEAR")
    GREEN = TLP.GREEN.value, _("TLP:GREEN")
    AMBER = TLP.AMBER.value, _("TLP:AMBER")
    AMBER_STRICT = TLP.AMBER_STRICT.value, _("TLP:AMBER+STRICT")
    RED = TLP.RED.value, _("TLP:RED")


#: Restrictiveness of each level, 0 (CLEAR) … 4 (RED), stored beside the level for filters.
TLP_RANK = {level.value: level.rank for level in TLP}


class BulletinStatus(models.TextChoices):
    """Life cycle of a bulletin (section 8.1 of the specification)."""

    DRAFT = Status.DRAFT.value, _("Draft")
    PUBLISHED = Status.PUBLISHED.value, _("Published")
    WITHDRAWN = Status.WITHDRAWN.value, _("Withdrawn")
    EXPIRED = Status.EXPIRED.value, _("Expired")
    PURGED = Status.PURGED.value, _("Purged")
