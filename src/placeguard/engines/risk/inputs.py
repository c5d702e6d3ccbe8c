"""Validating an assessment input (a site, its answers, the threat level) before any scoring.

The same checks serve the CLI's answer files and, later, the web forms: unknown question ids,
questions that do not apply to the site type, out-of-range options and malformed site fields
are all reported together, each with its path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from placeguard.core.errors import FieldError, ValidationError
from placeguard.core.timeprofile import TimeProfile
from placeguard.engines.risk.assessment import SiteProfile
from placeguard.engines.risk.catalogue import SITE_TYPES, RiskPack
from placeguard.engines.risk.engineering import EngineeringFindings
from placeguard.engines.risk.intel_threat import parse_likelihoods

__all__ = ["AssessmentInput", "parse_assessment_input"]

SPECIAL = ("unknown", "n/a")


@dataclass(frozen=True)
class AssessmentInput:
    """A validated site, answers and threat level."""

    profile: SiteProfile
    answers: Mapping[str, int | str]
    threat_level: int


def _number(
    value: object, path: str, low: float, high: float, errors: list[FieldError]
) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        errors.append(
            FieldError(path, f"expected a number from {low:g} to {high:g}, got {value!r}")
        )
        return None
    return float(value)


def _site(raw: object, errors: list[FieldError]) -> SiteProfile | None:
    if not isinstance(raw, Mapping):
        errors.append(FieldError("site", "expected a mapping with at least type and capacity"))
        return None
    unknown = sorted(
        set(raw) - {"type", "capacity", "symbolic", "threatened", "impact", "time_profile", "name"}
    )
    errors.extend(FieldError(f"site.{k}", "unknown field") for k in unknown)
    site_type = raw.get("type")
    if site_type not in SITE_TYPES:
        errors.append(
            FieldError(
                "site.type", f"unknown site type {site_type!r}; use one of {', '.join(SITE_TYPES)}"
            )
        )
    capacity = raw.get("capacity")
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
        errors.append(FieldError("site.capacity", f"expected a whole number ≥ 0, got {capacity!r}"))
    symbolic = _number(raw.get("symbolic", 0), "site.symbolic", 0, 2, errors)
    impact = _number(raw.get("impact", 1), "site.impact", 1, 2, errors)
    threatened = raw.get("threatened", False)
    if not isinstance(threatened, bool):
        errors.append(FieldError("site.threatened", "expected true or false"))
    profile = None
    if raw.get("time_profile") is not None:
        try:
            profile = TimeProfile.from_json(raw["time_profile"])
        except ValidationError as exc:
            errors.extend(FieldError(f"site.{e.field}", e.message) for e in exc.errors)
    if errors:
        return None
    return SiteProfile(
        site_type=str(site_type),
        capacity=int(capacity),  # type: ignore[arg-type]  # checked above
        symbolic=symbolic or 0.0,
        threatened=bool(threatened),
        impact=impact or 1.0,
        time_profile=profile,
    )


def _engineering(raw: object, errors: list[FieldError]) -> EngineeringFindings | None:
    """``{vehicle_impact_speed_kmh, evacuation_time_s, source}``, each optional."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        errors.append(FieldError("engineering", "expected a mapping"))
        return None
    fields = {"vehicle_impact_speed_kmh", "evacuation_time_s", "source"}
    unknown = sorted(set(raw) - fields)
    errors.extend(FieldError(f"engineering.{k}", "unknown field") for k in unknown)
    speed = raw.get("vehicle_impact_speed_kmh")
    seconds = raw.get("evacuation_time_s")
    if speed is not None:
        speed = _number(speed, "engineering.vehicle_impact_speed_kmh", 0, 300, errors)
    if seconds is not None:
        seconds = _number(seconds, "engineering.evacuation_time_s", 0, 86400, errors)
    source = raw.get("source", "")
    if not isinstance(source, str):
        errors.append(FieldError("engineering.source", "expected text"))
        source = ""
    return EngineeringFindings(speed, seconds, source)


def parse_assessment_input(data: object, pack: RiskPack) -> AssessmentInput:
    """Check ``{site: {...}, answers: {...}, threat_level: 1–5, engineering: {...},
    intel: [{scenario, rate, low, high, exposure_share, provenance, horizon}]}``; raise listing
    every problem."""
    errors: list[FieldError] = []
    msg = "Invalid assessment input."
    if not isinstance(data, Mapping):
        raise ValidationError(msg, errors=[FieldError("", "expected a mapping")])
    errors.extend(
        FieldError(k, "unknown field")
        for k in sorted(set(data) - {"site", "answers", "threat_level", "engineering", "intel"})
    )
    site = _site(data.get("site"), errors)
    engineering = _engineering(data.get("engineering"), errors)
    intel = parse_likelihoods(data.get("intel"), pack.scenario_ids, errors)
    level = data.get("threat_level", 3)
    if isinstance(level, bool) or level not in (1, 2, 3, 4, 5):
        errors.append(FieldError("threat_level", f"expected 1 to 5, got {level!r}"))
    raw_answers = data.get("answers", {})
    answers: dict[str, int | str] = {}
    if not isinstance(raw_answers, Mapping):
        errors.append(FieldError("answers", "expected a mapping of question id to option index"))
        raw_answers = {}
    site_type = data.get("site", {}).get("type") if isinstance(data.get("site"), Mapping) else None
    for qid, value in raw_answers.items():
        path = f"answers.{qid}"
        if qid not in pack.question_index:
            errors.append(FieldError(path, "unknown question id"))
            continue
        question = pack.question(qid)
        if (
            isinstance(site_type, str)
            and site_type in SITE_TYPES
            and not question.applies_to(site_type)
        ):
            errors.append(FieldError(path, f"question does not apply to site type {site_type!r}"))
            continue
        if value in SPECIAL:
            answers[qid] = str(value)
        elif (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 <= value < len(question.options)
        ):
            last = len(question.options) - 1
            reason = f"expected an option 0–{last}, 'unknown' or 'n/a', got {value!r}"
            errors.append(FieldError(path, reason))
        else:
            answers[qid] = value
    if errors:
        raise ValidationError(msg, errors=errors)
    assert site is not None
    if engineering is not None:
        site = replace(site, engineering=engineering)
    if intel:
        site = replace(site, intel=intel)
    return AssessmentInput(profile=site, answers=answers, threat_level=int(level))
