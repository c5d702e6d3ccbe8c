"""The three tag vocabularies of a practice and their searchable text form.

Site types come from ``core.vocab.SiteType``, scenarios from ``core.vocab.Scenario`` (the same
ids as the risk pack's ``scenarios.yaml``) and measures from the risk pack's measure catalogue
(``content/risk/measures.yaml``). A practice stores each list as JSON for display and all three
in one normalised text column, ``|site_type:retail|scenario:arson|measure:CCTV|``, so that
"has tag X" is a plain ``LIKE '%|facet:X|%'`` on SQLite and PostgreSQL alike (JSON containment
differs between the two backends).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from placeguard.content import load_risk_pack
from placeguard.core.vocab import Scenario, SiteType
from placeguard.web.sites.choices import SiteType as SiteTypeChoice

__all__ = ["FACETS", "label_of", "tag_index", "tag_token", "vocabulary"]

#: The tag facets, in display order.
FACETS = ("site_type", "scenario", "measure")


def vocabulary(facet: str) -> dict[str, str]:
    """Known ids of ``facet`` mapped to their display names, in catalogue order."""
    if facet == "site_type":
        labels = dict(SiteTypeChoice.choices)
        return {s.value: str(labels.get(s.value, s.value)) for s in SiteType}
    pack = load_risk_pack()
    if facet == "scenario":
        names = {s.id: s.name for s in pack.scenarios}
        return {s.value: names.get(s.value, s.value) for s in Scenario}
    if facet == "measure":
        return {m.id: m.name for m in pack.measures}
    raise KeyError(facet)


def label_of(facet: str, value: str) -> str:
    """The display name of one tag (the id itself when unknown)."""
    return vocabulary(facet).get(value, value)


def tag_token(facet: str, value: str) -> str:
    """The text a practice's tag column contains when it carries ``value`` in ``facet``."""
    return f"|{facet}:{value}|"


def tag_index(tags: Mapping[str, Iterable[str]]) -> str:
    """The normalised tag column for ``{"site_type": [...], "scenario": [...], ...}``."""
    parts = [f"{facet}:{value}" for facet in FACETS for value in sorted(set(tags.get(facet, ())))]
    return "|" + "|".join(parts) + "|" if parts else ""
