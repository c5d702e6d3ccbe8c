"""Translated words for the identifiers the risk engine and content pack use.

The pack's question texts, option labels and scenario names are content (data, translated with
the pack); the identifiers below are the product's own vocabulary, so they go through gettext.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from placeguard.engines.risk.catalogue import CATEGORIES

__all__ = [
    "BAND_KEYS",
    "CATEGORY_LABELS",
    "SYMBOLIC_CHOICES",
    "THREAT_LEVEL_CHOICES",
    "band_key",
    "category_label",
]

#: Question categories as section titles, in the pack's order.
CATEGORY_LABELS: dict[str, Promise] = {
    "governance": _("Governance"),
    "people_training": _("People and training"),
    "perimeter_hvm": _("Perimeter and vehicles"),
    "access_screening": _("Access and screening"),
    "surveillance_detection": _("Surveillance and detection"),
    "communications_alerting": _("Communications and alerting"),
    "emergency_procedures": _("Emergency procedures"),
    "insider_risk": _("Insider risk"),
    "cyber_physical": _("Cyber-physical security"),
    "community_openness": _("Community and openness"),
}
assert set(CATEGORY_LABELS) == set(CATEGORIES)

#: National threat levels 1–5 with the words most national systems use for them.
THREAT_LEVEL_CHOICES: list[tuple[int, Promise]] = [
    (1, _("1 — low")),
    (2, _("2 — moderate")),
    (3, _("3 — substantial")),
    (4, _("4 — severe")),
    (5, _("5 — critical")),
]

#: Symbolic value 0–2 in the steps an assessor can tell apart.
SYMBOLIC_CHOICES: list[tuple[str, Promise]] = [
    ("0", _("0 — none")),
    ("0.5", _("0.5 — known locally")),
    ("1", _("1 — regional landmark")),
    ("1.5", _("1.5 — famous landmark")),
    ("2", _("2 — national symbol")),
]

#: CSS-safe keys of the risk bands (``very high`` → ``very_high``), plus ``none``.
BAND_KEYS = ("low", "moderate", "high", "very_high", "none")


def band_key(band: str | None) -> str:
    """``very high`` → ``very_high``; empty or unknown → ``none`` (used in CSS class names)."""
    key = (band or "").replace(" ", "_")
    return key if key in BAND_KEYS else "none"


def category_label(category: str) -> str:
    """The section title of a question category (the id itself when unknown)."""
    label = CATEGORY_LABELS.get(category)
    return str(label) if label is not None else category
