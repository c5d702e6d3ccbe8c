"""Shared vocabulary: the stable identifiers used in data, API, CLI and content.

These enums are the single source of the identifiers listed in DESIGN.md. Labels are plain
English marked for translation with :func:`gettext_noop`-style ``N_``; the web layer wraps
them in ``gettext_lazy`` when it builds its ``TextChoices``.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["N_", "TLP", "OrgKind", "Role", "Scenario", "SiteType"]


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext-noop name
    """Mark ``message`` for translation without translating it (gettext_noop)."""
    return message


class SiteType(StrEnum):
    """Kinds of vulnerable target."""

    PLACE_OF_WORSHIP = "place_of_worship"
    PUBLIC_SPACE = "public_space"
    RETAIL = "retail"
    HOSPITALITY = "hospitality"
    TOURIST_SITE = "tourist_site"
    VENUE = "venue"
    TRANSPORT_HUB = "transport_hub"
    EDUCATION = "education"
    HEALTH = "health"

    @property
    def label(self) -> str:
        """Human-readable English label (translate at the edge)."""
        return _SITE_TYPE_LABELS[self]


_SITE_TYPE_LABELS = {
    SiteType.PLACE_OF_WORSHIP: N_("Place of worship"),
    SiteType.PUBLIC_SPACE: N_("Public space"),
    SiteType.RETAIL: N_("Retail"),
    SiteType.HOSPITALITY: N_("Hospitality"),
    SiteType.TOURIST_SITE: N_("Tourist site"),
    SiteType.VENUE: N_("Venue / major event"),
    SiteType.TRANSPORT_HUB: N_("Transport hub"),
    SiteType.EDUCATION: N_("Education"),
    SiteType.HEALTH: N_("Health"),
}


class Scenario(StrEnum):
    """Attack scenarios: twelve core, two precursors."""

    VEHICLE_RAMMING = "vehicle_ramming"
    VBIED = "vbied"
    PBIED = "pbied"
    PLACED_IED = "placed_ied"
    FIREARMS = "firearms"
    BLADED_WEAPON = "bladed_weapon"
    ARSON = "arson"
    CBRN = "cbrn"
    UAS = "uas"
    HOSTAGE = "hostage"
    INSIDER = "insider"
    COMPLEX = "complex"
    HOSTILE_RECONNAISSANCE = "hostile_reconnaissance"
    HOAX = "hoax"

    @property
    def is_precursor(self) -> bool:
        """True for the two precursor/disruption scenarios."""
        return self in {Scenario.HOSTILE_RECONNAISSANCE, Scenario.HOAX}


class TLP(StrEnum):
    """Traffic Light Protocol 2.0 levels, least to most restrictive."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"

    @property
    def rank(self) -> int:
        """Restrictiveness: 0 (CLEAR) to 4 (RED)."""
        return list(TLP).index(self)


class OrgKind(StrEnum):
    """Kinds of organisation taking part in the platform."""

    LAW_ENFORCEMENT = "LAW_ENFORCEMENT"
    AUTHORITY = "AUTHORITY"
    OPERATOR = "OPERATOR"
    SECURITY_PROVIDER = "SECURITY_PROVIDER"
    COMMUNITY = "COMMUNITY"
    PROGRAMME = "PROGRAMME"


class Role(StrEnum):
    """Roles a user holds inside their organisation."""

    READER = "READER"
    REPORTER = "REPORTER"
    ANALYST = "ANALYST"
    PUBLISHER = "PUBLISHER"
    ORG_ADMIN = "ORG_ADMIN"
    AUDITOR = "AUDITOR"
    PLATFORM_ADMIN = "PLATFORM_ADMIN"
