"""Threat from incident data: data-derived attack rates that replace a scenario's threat factor.

The intelligence engine (``placeguard intel likelihoods``) estimates, per country (or region),
target category and attack mode, an annual attack rate λ with a 95 % interval, shrunk towards
the regional mean, and records where it comes from (dataset, release, filters, collection
breaks, years). A site is one of many of its kind, so the site's attempt rate is
``λ × exposure_share``, where ``exposure_share`` is the site's share of the attacked population
(e.g. 1 / the number of places of worship in the country, or a larger share for a prominent
site) — an explicit, user-set assumption, shown in the explanation.

Where a scenario has such a likelihood, ``λ × share`` (at the interval's low, central and high
values) **replaces** the pack's base rate and the national threat-level multiplier for that
scenario — the data already reflect the country's threat environment — while the site's
attractiveness (symbolic value, specific threats) still applies. Scenarios without data keep the
pack's figures. Every replaced scenario carries the sentence that explains it, with the
probability of at least one attempt within the horizon, 1 − exp(−T·H). Documented in
docs/risk-method.md and docs/intelligence-method.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from placeguard.core.errors import FieldError
from placeguard.engines.risk.catalogue import RiskPack
from placeguard.engines.risk.model import THREAT_MULTIPLIER

__all__ = ["ThreatLikelihood", "ThreatLink", "parse_likelihoods", "threat_links", "threat_rates"]


@dataclass(frozen=True, slots=True)
class ThreatLikelihood:
    """A data-derived attack rate for one scenario and the site's share of it.

    Attributes
    ----------
    scenario : scenario id of the pack.
    rate, low, high : attacks per year against the whole population of such sites in the area
        (estimate and 95 % interval), e.g. ``CellRate.rate/low/high`` of the intel engine.
    exposure_share : the site's share of that population, in (0, 1].
    provenance : dataset, release, filters, breaks and years (one sentence).
    horizon : years for the stated probability of at least one attempt.
    """

    scenario: str
    rate: float
    low: float
    high: float
    exposure_share: float
    provenance: str
    horizon: float = 1.0

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.rate <= self.high or not math.isfinite(self.high):
            msg = f"{self.scenario}: need 0 ≤ low ≤ rate ≤ high (finite)"
            raise ValueError(msg)
        if not 0 < self.exposure_share <= 1:
            msg = f"{self.scenario}: exposure_share must be in (0, 1]"
            raise ValueError(msg)
        if self.horizon <= 0:
            msg = f"{self.scenario}: horizon must be positive"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class ThreatLink:
    """One scenario's data-derived attempt rates and their explanation."""

    scenario: str
    rates: tuple[float, float, float]  # low, central, high attempts per year at the site
    reason: str


def threat_links(
    pack: RiskPack, site_type: str, likelihoods: Iterable[ThreatLikelihood], *,
    threat_level: int = 3,
) -> tuple[ThreatLink, ...]:  # fmt: skip
    """The replaced threat factors for a site, with their explanations (unknown scenarios are
    ignored)."""
    out = []
    specs = {s.id: s for s in pack.scenarios}
    for lk in likelihoods:
        spec = specs.get(lk.scenario)
        if spec is None:
            continue
        triple = spec.base_rate.get(site_type, spec.base_rate["default"])
        pack_rate = min(triple[1] * THREAT_MULTIPLIER[threat_level], 1.0)
        rates = (lk.low * lk.exposure_share, lk.rate * lk.exposure_share,
                 lk.high * lk.exposure_share)  # fmt: skip
        p = -math.expm1(-rates[1] * lk.horizon)
        ratio = rates[1] / pack_rate if pack_rate > 0 else math.inf
        reason = (
            f"Threat from incident data ({lk.provenance}): {lk.rate:.3g} attacks per year of "
            f"this kind (95 % interval {lk.low:.3g}–{lk.high:.3g}); with this site's exposure "
            f"share of {lk.exposure_share:.3g} that is {rates[1]:.3g} attempts per year "
            f"(P(≥ 1 within {lk.horizon:g} yr) = {p:.1%}), {ratio:.2f}× the pack's "
            f"{pack_rate:.3g} at threat level {threat_level}. The data rate replaces the "
            "pack's base rate and threat-level multiplier; attractiveness still applies."
        )
        out.append(ThreatLink(lk.scenario, rates, reason))
    return tuple(out)


def threat_rates(pack: RiskPack, links: Iterable[ThreatLink]) -> NDArray[np.float64] | None:
    """(K, 3) attempt rates in pack scenario order (NaN where the pack's figures stay), or
    None when no scenario has data."""
    found = [link for link in links if link.scenario in pack.scenario_ids]
    if not found:
        return None
    out = np.full((len(pack.scenarios), 3), np.nan)
    for link in found:
        out[pack.scenario_ids.index(link.scenario)] = link.rates
    return out


_FIELDS = ("scenario", "rate", "low", "high", "exposure_share", "provenance", "horizon")


def parse_likelihoods(
    raw: object, scenario_ids: Sequence[str], errors: list[FieldError]
) -> tuple[ThreatLikelihood, ...]:
    """Validate an assessment file's ``intel`` list (one mapping per scenario, the fields of
    :class:`ThreatLikelihood`); problems are appended to ``errors`` with their path."""
    if raw is None:
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        errors.append(FieldError("intel", "expected a list of likelihoods"))
        return ()
    out: list[ThreatLikelihood] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        path = f"intel.{i}"
        if not isinstance(item, Mapping):
            errors.append(FieldError(path, "expected a mapping"))
            continue
        errors.extend(
            FieldError(f"{path}.{k}", "unknown field") for k in sorted(set(item) - set(_FIELDS))
        )
        scenario = item.get("scenario")
        if scenario not in scenario_ids:
            errors.append(FieldError(f"{path}.scenario", f"unknown scenario {scenario!r}"))
            continue
        if scenario in seen:
            errors.append(FieldError(f"{path}.scenario", "scenario given twice"))
            continue
        seen.add(str(scenario))
        numbers: dict[str, float] = {}
        for name in ("rate", "low", "high", "exposure_share", "horizon"):
            value = item.get(name, 1.0 if name == "horizon" else None)
            if isinstance(value, bool) or not isinstance(value, int | float):
                errors.append(FieldError(f"{path}.{name}", f"expected a number, got {value!r}"))
            else:
                numbers[name] = float(value)
        provenance = item.get("provenance")
        if not isinstance(provenance, str) or not provenance.strip():
            errors.append(FieldError(f"{path}.provenance", "the data's provenance is required"))
            continue
        if len(numbers) < 5:
            continue
        try:
            out.append(ThreatLikelihood(scenario=str(scenario), provenance=provenance, **numbers))
        except ValueError as exc:
            errors.append(FieldError(path, str(exc)))
    return tuple(out)
