"""TLP 2.0 as an access control: ordering, permitted audiences, reach and forwarding.

FIRST TLP 2.0 (research/info-sharing.md §4.3) read as PlaceGuard rules:

* **RED** — named individuals only. Not the author's colleagues, not their organisation admin,
  not a platform admin (R4).
* **AMBER+STRICT** — the recipient organisations only (need-to-know inside them, R8); no
  forwarding (R9).
* **AMBER** — the recipient organisations *and their registered security providers*; a provider's
  publisher may forward to its own clients (R9).
* **GREEN** — the PlaceGuard community (vetted organisations of the instance), never a public
  channel; recipients may forward inside the community (R9).
* **CLEAR** — public, anonymous readers included.
"""

from __future__ import annotations

from enum import StrEnum

from placeguard.core.sharing.model import AudienceKind
from placeguard.core.vocab import TLP

__all__ = [
    "ALLOWED_AUDIENCES",
    "TLP",
    "Forwarding",
    "allows",
    "forwarding",
    "is_relaxation",
    "reaches_providers",
    "strictest",
]

_RECIPIENT_FORMS = frozenset(
    {AudienceKind.ORGS, AudienceKind.GROUPS, AudienceKind.ORG_ONLY, AudienceKind.USERS}
)

#: I1: the audience forms each level permits. Each set contains the next stricter level's set,
#: so tightening TLP can only remove readers.
ALLOWED_AUDIENCES: dict[TLP, frozenset[AudienceKind]] = {
    TLP.CLEAR: frozenset(AudienceKind),
    TLP.GREEN: frozenset(AudienceKind) - {AudienceKind.PUBLIC},
    TLP.AMBER: _RECIPIENT_FORMS,
    TLP.AMBER_STRICT: _RECIPIENT_FORMS,
    TLP.RED: frozenset({AudienceKind.USERS}),
}


class Forwarding(StrEnum):
    """How far a recipient may pass an item on (R9)."""

    ANYONE = "anyone"
    COMMUNITY = "community"
    CLIENTS = "clients"
    NOBODY = "nobody"


_FORWARDING = {
    TLP.CLEAR: Forwarding.ANYONE,
    TLP.GREEN: Forwarding.COMMUNITY,
    TLP.AMBER: Forwarding.CLIENTS,
    TLP.AMBER_STRICT: Forwarding.NOBODY,
    TLP.RED: Forwarding.NOBODY,
}


def allows(tlp: TLP, kind: AudienceKind) -> bool:
    """True if an item at ``tlp`` may be addressed to audience form ``kind`` (I1)."""
    return kind in ALLOWED_AUDIENCES[tlp]


def reaches_providers(tlp: TLP) -> bool:
    """True if recipients' registered security providers read the item too (AMBER and looser)."""
    return tlp.rank <= TLP.AMBER.rank


def forwarding(tlp: TLP) -> Forwarding:
    """How far a recipient may forward an item at ``tlp`` (R9)."""
    return _FORWARDING[tlp]


def is_relaxation(old: TLP, new: TLP) -> bool:
    """True if going from ``old`` to ``new`` loosens the marking (I5: originator only)."""
    return new.rank < old.rank


def strictest(*levels: TLP) -> TLP:
    """The most restrictive of ``levels`` (CLEAR when none are given)."""
    return max(levels, key=lambda level: level.rank, default=TLP.CLEAR)
