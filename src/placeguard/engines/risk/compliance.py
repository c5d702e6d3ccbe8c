"""Compliance overlays: is each requirement met, not met, or not applicable — and why.

The overlays are content (``compliance.yaml``); this module only applies their rules.

UK Terrorism (Protection of Premises) Act 2025 tiers (``tier_rule: uk_tppa_2025``): premises
where fewer than 200 people are reasonably expected at the same time are out of scope; 200–799
is the standard tier; 800 or more the enhanced tier — except places of worship and education
premises, which stay in the standard tier whatever their size. Qualifying events are not
modelled here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from placeguard.engines.risk.catalogue import Overlay, RiskPack

__all__ = ["RequirementStatus", "evaluate_overlay", "uk_tppa_tier"]

ALWAYS_STANDARD = frozenset({"place_of_worship", "education"})


def uk_tppa_tier(site_type: str, people: int) -> str:
    """``"out of scope"``, ``"standard"`` or ``"enhanced"``."""
    if people < 200:
        return "out of scope"
    if site_type in ALWAYS_STANDARD or people < 800:
        return "standard"
    return "enhanced"


@dataclass(frozen=True, slots=True)
class RequirementStatus:
    """One requirement's status with its reason."""

    overlay: str
    requirement: str
    text: str
    status: str  # "met", "not met", "not applicable"
    reason: str


def evaluate_overlay(
    pack: RiskPack, overlay: Overlay, site_type: str, people: int, answers: Mapping[str, int | str]
) -> list[RequirementStatus]:
    """The status of every requirement of ``overlay`` for one site."""
    out: list[RequirementStatus] = []
    tier = uk_tppa_tier(site_type, people) if overlay.tier_rule == "uk_tppa_2025" else "all"
    for req in overlay.requirements:
        status = partial(RequirementStatus, overlay.id, req.id, req.text)
        if overlay.site_types and site_type not in overlay.site_types:
            out.append(status("not applicable", f"applies to {', '.join(overlay.site_types)} only"))
            continue
        if tier == "out of scope":
            out.append(
                status(
                    "not applicable", f"fewer than 200 people expected ({people:,}): not in scope"
                )
            )
            continue
        if tier != "all" and "all" not in req.tiers and tier not in req.tiers:
            out.append(
                status(
                    "not applicable",
                    f"a duty of the {' and '.join(req.tiers)} tier; this site is {tier} tier",
                )
            )
            continue
        gaps = []
        for qid, minimum in req.min_option.items():
            question = pack.question(qid)
            given = answers.get(qid)
            needed = question.options[minimum].label
            if given is None or given == "unknown":
                gaps.append(f"{qid} not known (needs at least “{needed}”)")
            elif given == "n/a":
                gaps.append(f"{qid} marked not applicable (needs at least “{needed}”)")
            elif int(given) < minimum:
                gaps.append(
                    f"{qid} is “{question.options[int(given)].label}”, needs at least “{needed}”"
                )
        if gaps:
            out.append(status("not met", "; ".join(gaps)))
        else:
            evidence = ", ".join(f"{q} ≥ option {m}" for q, m in req.min_option.items())
            out.append(
                status(
                    "met", f"evidenced by {evidence}" + (f" ({tier} tier)" if tier != "all" else "")
                )
            )
    return out
