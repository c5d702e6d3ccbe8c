"""Attacker-type presets of the planner page: a target preference mapped to type weights.

The patrol-plan service takes, per attacker type, an attractiveness weight per site type
(``attacker_types[*].weights``) that replaces the default weight of that type. The planner
offers three presets instead of a grid of numbers. The derivation, shown on the page:

* *as derived* — the default attractiveness per site type (no weights given);
* *prefers crowded sites* — the default weight × 2 for venues, transport hubs, public spaces
  and retail; other types keep their default;
* *prefers symbolic sites* — the default weight × 2 for places of worship, tourist sites and
  education; other types keep their default.

A type's attacker payoffs are then ``Uau = w × C`` and ``Uac = w × C × (1 − e)`` per site,
with the site's consequence ``C`` and the interdiction probability ``e``; the defender's
payoffs are the same for every type.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from placeguard.engines.allocation.payoffs import TYPE_ATTRACTIVENESS

__all__ = ["EMPHASIS", "PREFERENCES", "preference_table", "preference_weights"]

#: How much a preferred site type's attractiveness is multiplied by.
EMPHASIS = 2.0
CROWDED = ("venue", "transport_hub", "public_space", "retail")
SYMBOLIC = ("place_of_worship", "tourist_site", "education")

#: preset key → (label, site types it emphasises)
PREFERENCES: Mapping[str, tuple[str | Promise, tuple[str, ...]]] = {
    "default": (_("as derived (default weights)"), ()),
    "crowded": (_("prefers crowded sites"), CROWDED),
    "symbolic": (_("prefers symbolic sites"), SYMBOLIC),
}


def preference_weights(key: str) -> dict[str, float]:
    """The ``weights`` the service takes for a preset (empty: the default weights)."""
    emphasised = PREFERENCES[key][1]
    return {t: TYPE_ATTRACTIVENESS[t] * EMPHASIS for t in emphasised}


def preference_table() -> list[dict[str, object]]:
    """Per site type, the default weight and each preset's weight (for the page)."""
    rows: list[dict[str, object]] = []
    for site_type, default in TYPE_ATTRACTIVENESS.items():
        weights = [preference_weights(k).get(site_type, default) for k in PREFERENCES]
        rows.append({"site_type": site_type, "weights": weights})
    return rows
