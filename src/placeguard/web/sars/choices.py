"""Choices of the sars app: the ISE-SAR behaviour categories (a content table), statuses, channels.

The sixteen categories follow the ISE-SAR Functional Standard v1.5 NIEM code list as summarised in
``research/info-sharing.md`` section 5.1, in its two tiers:

* **Tier 1** — defined criminal activity and potential terrorism nexus activity;
* **Tier 2** — potential criminal or *non-criminal* activities that need additional information
  during vetting. They "are not inherently criminal and may be constitutionally protected", so a
  report that names one must state articulable facts, and police must document the facts that
  support a referral before they can refer it.

There is deliberately no choice list for race, religion, ethnicity or political opinion anywhere
in this app (28 CFR 23.20(b), GDPR Art. 9/10): reports describe behaviour, not identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "BEHAVIOURS",
    "TIER_TWO_CODES",
    "Behaviour",
    "BehaviourCode",
    "Channel",
    "SarStatus",
    "Tier",
]


class Tier(IntEnum):
    """The two ISE-SAR tiers."""

    DEFINED_CRIMINAL = 1
    NEEDS_VETTING_FACTS = 2


@dataclass(frozen=True, slots=True)
class Behaviour:
    """One behaviour category: NIEM-style code, tier, label and the guide's definition."""

    code: str
    tier: Tier
    label: str
    definition: str


class BehaviourCode(models.TextChoices):
    """The sixteen ISE-SAR behaviour codes (stored identifiers)."""

    INTRSN = "INTRSN", _("Breach / attempted intrusion")
    MISREP = "MISREP", _("Misrepresentation")
    THEFT = "THEFT", _("Theft / loss / diversion")
    SABOT = "SABOT", _("Sabotage / tampering / vandalism")
    CYBER = "CYBER", _("Cyberattack")
    THREAT = "THREAT", _("Expressed or implied threat")
    AVIATION = "AVIATION", _("Aviation activity (including drones)")
    ELICIT = "ELICIT", _("Eliciting information")
    TESTSEC = "TESTSEC", _("Testing or probing of security")
    RECRUT = "RECRUT", _("Recruiting / financing")
    PHOTO = "PHOTO", _("Photography")
    SURVL = "SURVL", _("Observation / surveillance")
    MATRLS = "MATRLS", _("Materials acquisition / storage")
    EXPERT = "EXPERT", _("Acquisition of expertise")
    WPNS = "WPNS", _("Weapons collection / storage")
    SECTOR = "SECTOR", _("Sector-specific incident")


_T1, _T2 = Tier.DEFINED_CRIMINAL, Tier.NEEDS_VETTING_FACTS

#: The content table: every category with its tier and definition, in the standard's order.
BEHAVIOURS: dict[str, Behaviour] = {
    b.code: b
    for b in [
        Behaviour("INTRSN", _T1, "Breach / attempted intrusion",
                  "Unauthorised entry or attempted entry into restricted or non-public areas; "
                  "impersonating authorised personnel."),
        Behaviour("MISREP", _T1, "Misrepresentation",
                  "Presenting false information, insignia, documents or identification to "
                  "conceal possibly illegal activity."),
        Behaviour("THEFT", _T1, "Theft / loss / diversion",
                  "Stealing or diverting badges, uniforms, identification, vehicles, technology "
                  "or documents proprietary to the site."),
        Behaviour("SABOT", _T1, "Sabotage / tampering / vandalism",
                  "Damaging, manipulating or defacing part of the site or its systems."),
        Behaviour("CYBER", _T1, "Cyberattack",
                  "Compromising or disrupting the site's information technology."),
        Behaviour("THREAT", _T1, "Expressed or implied threat",
                  "A threat of death or bodily injury to people, or to damage the site."),
        Behaviour("AVIATION", _T1, "Aviation activity (including drones)",
                  "Operating or interfering with an aircraft or drone in a way that would arouse "
                  "suspicion of terrorism or other crime."),
        Behaviour("ELICIT", _T2, "Eliciting information",
                  "Questioning staff beyond mere curiosity about security, operations or "
                  "procedures."),
        Behaviour("TESTSEC", _T2, "Testing or probing of security",
                  "Deliberate interactions with, or challenges to, security measures to learn "
                  "how they respond."),
        Behaviour("RECRUT", _T2, "Recruiting / financing",
                  "Building operational teams or contacts, or providing money or support."),
        Behaviour("PHOTO", _T2, "Photography",
                  "Unusual or surreptitious photos or video of access points, security staff, "
                  "cameras or infrastructure. Photography in public is usually lawful."),
        Behaviour("SURVL", _T2, "Observation / surveillance",
                  "Prolonged or unusual attention to the site beyond casual interest, e.g. "
                  "recording shift changes or measuring distances."),
        Behaviour("MATRLS", _T2, "Materials acquisition / storage",
                  "Acquiring or storing unusual quantities of materials such as chemicals, "
                  "detonators or uniforms."),
        Behaviour("EXPERT", _T2, "Acquisition of expertise",
                  "Seeking unusual skills or knowledge, e.g. about the site's systems or "
                  "weapons, without an apparent legitimate reason."),
        Behaviour("WPNS", _T2, "Weapons collection / storage",
                  "Collecting or discovering unusual amounts or types of weapons, explosives or "
                  "their components."),
        Behaviour("SECTOR", _T2, "Sector-specific incident",
                  "Behaviour specific to this kind of site that would arouse suspicion in its "
                  "sector."),
    ]
}  # fmt: skip

#: Tier-2 codes: not inherently criminal; articulable facts are required.
TIER_TWO_CODES = frozenset(code for code, b in BEHAVIOURS.items() if b.tier is _T2)


class SarStatus(models.TextChoices):
    """Police vetting of a report: new → under review → referred / no further action.

    ``purged`` marks the tombstone left when the retention schedule deletes the content.
    """

    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    REFERRED = "referred", _("Referred")
    NO_FURTHER_ACTION = "no_further_action", _("No further action")
    PURGED = "purged", _("Purged")


class Channel(models.TextChoices):
    """How the report reached the reporter's organisation."""

    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    STAFF = "staff", _("Staff observation")
