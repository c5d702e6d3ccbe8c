"""Security-game payoffs derived from the platform's site data, with their explanation.

For each site the derivation is, in words:

1. **Consequence** ``C`` — expected casualties if an attack there succeeds: the people
   present (``capacity × typical_share`` from the time profile, or a given head count)
   times the share of them one attack harms (``casualty_rate``, default 5 %). A consequence
   can also be passed directly (for example from the risk engine's scenarios).
2. **Defender payoffs** — an attack on an uncovered site costs the full consequence,
   ``Udu = −C``; a patrol present interdicts the attack with probability ``e``
   (``interdiction``, default 0.5), so ``Udc = −C (1 − e)``.
3. **Attacker payoffs** — the attacker values the same harm, weighted by the site's
   *attractiveness* ``w``: ``Uau = w C`` and ``Uac = w C (1 − e)``. With an assessed risk
   ``R`` (expected casualties per year, risk engine) the attractiveness is the site's
   likelihood per unit of consequence relative to the most exposed site,
   ``w = (R/C) / max(R/C)``; without it, a default weight per site type (symbolic and
   crowded places highest) stands in.
4. **Overrides** — any of the four payoffs can be set per site; the explanation says so.

Units: expected casualties (defender payoffs are negative, losses).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from placeguard.core.errors import FieldError, ValidationError
from placeguard.engines.allocation.games import PAYOFF_FIELDS, Payoffs

__all__ = ["TYPE_ATTRACTIVENESS", "DerivedPayoffs", "SiteInput", "derive_payoffs"]

FloatArray = NDArray[np.float64]

#: Default attractiveness by site type when no risk assessment exists (illustrative
#: defaults, 0–1; replace with the risk engine's threat figures or local judgement).
TYPE_ATTRACTIVENESS: Mapping[str, float] = {
    "place_of_worship": 1.0,
    "venue": 1.0,
    "transport_hub": 1.0,
    "public_space": 0.9,
    "tourist_site": 0.9,
    "retail": 0.8,
    "hospitality": 0.8,
    "education": 0.7,
    "health": 0.6,
}
DEFAULT_ATTRACTIVENESS = 0.8


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteInput:
    """What the derivation needs about one site.

    Attributes
    ----------
    id : site id.
    site_type : a :class:`placeguard.core.vocab.SiteType` value.
    capacity : peak number of people.
    typical_share : share of capacity present while open (time profile), 0–1.
    people : people present, if known (overrides ``capacity × typical_share``).
    consequence : expected casualties of a successful attack, if known.
    risk : assessed risk, expected casualties per year (risk engine), if any.
    overrides : payoff name → value, replacing the derived payoff.
    """

    id: str
    site_type: str
    capacity: float
    typical_share: float = 1.0
    people: float | None = None
    consequence: float | None = None
    risk: float | None = None
    overrides: Mapping[str, float] | None = None


@dataclass(frozen=True, slots=True)
class DerivedPayoffs:
    """Payoffs per site with a sentence per site saying where they come from."""

    ids: tuple[str, ...]
    payoffs: Payoffs
    consequence: FloatArray
    attractiveness: FloatArray
    explanations: tuple[str, ...]


def _problems(
    sites: Sequence[SiteInput], interdiction: float, casualty_rate: float
) -> list[FieldError]:
    errors: list[FieldError] = []
    if not 0 <= interdiction <= 1:
        errors.append(FieldError("interdiction", "must be between 0 and 1"))
    if not 0 <= casualty_rate <= 1:
        errors.append(FieldError("casualty_rate", "must be between 0 and 1"))
    seen: set[str] = set()
    for site in sites:
        where = f"sites[{site.id}]"
        if site.id in seen:
            errors.append(FieldError(f"{where}.id", "duplicate id", "duplicate"))
        seen.add(site.id)
        for name in ("capacity", "people", "consequence", "risk"):
            value = getattr(site, name)
            if value is not None and (not np.isfinite(value) or value < 0):
                errors.append(FieldError(f"{where}.{name}", "must be a number ≥ 0"))
        if not 0 <= site.typical_share <= 1:
            errors.append(FieldError(f"{where}.typical_share", "must be between 0 and 1"))
        for name in site.overrides or {}:
            if name not in PAYOFF_FIELDS:
                errors.append(FieldError(f"{where}.overrides.{name}", "unknown payoff"))
    return errors


def derive_payoffs(
    sites: Sequence[SiteInput],
    *,
    interdiction: float = 0.5,
    casualty_rate: float = 0.05,
) -> DerivedPayoffs:
    """Build the four payoffs per site from consequence, risk and site type.

    Parameters
    ----------
    sites : the sites.
    interdiction : probability that a patrol present stops an attack (0–1).
    casualty_rate : casualties per person present in a successful attack (0–1).

    Returns
    -------
    DerivedPayoffs
        Payoffs in expected casualties, and one explanation per site.

    Raises
    ------
    ValidationError
        Listing every bad input; also when overrides make coverage help the attacker or
        hurt the defender.
    """
    errors = _problems(sites, interdiction, casualty_rate)
    if errors:
        msg = "Cannot derive payoffs."
        raise ValidationError(msg, errors=errors)
    consequence = np.array(
        [
            s.consequence
            if s.consequence is not None
            else (s.people if s.people is not None else s.capacity * s.typical_share)
            * casualty_rate
            for s in sites
        ],
        dtype=np.float64,
    )
    have_risk = all(s.risk is not None for s in sites) and bool(sites)
    if have_risk:
        risk = np.array([s.risk for s in sites], dtype=np.float64)
        likelihood = np.divide(risk, consequence, out=np.zeros(len(sites)), where=consequence > 0)
        top = float(likelihood.max(initial=0.0))
        weight = likelihood / top if top > 0 else np.ones(len(sites))
    else:
        weight = np.array(
            [TYPE_ATTRACTIVENESS.get(s.site_type, DEFAULT_ATTRACTIVENESS) for s in sites]
        )
    keep = 1.0 - interdiction
    table = np.column_stack(
        [-consequence * keep, -consequence, weight * consequence * keep, weight * consequence]
    )
    texts = []
    for i, site in enumerate(sites):
        source = (
            "given consequence"
            if site.consequence is not None
            else f"{site.people:g} people present × {casualty_rate:g} casualties per person"
            if site.people is not None
            else f"capacity {site.capacity:g} × {site.typical_share:g} present "
            f"× {casualty_rate:g} casualties per person"
        )
        why = (
            f"assessed risk {site.risk:.3g}/yr gives likelihood per casualty "
            f"{weight[i]:.2f} of the most exposed site"
            if have_risk
            else f"no risk assessment for every site, so the {site.site_type} default "
            f"attractiveness {weight[i]:.2f} applies"
        )
        text = (
            f"Consequence {consequence[i]:.3g} expected casualties ({source}). Defender loses "
            f"{consequence[i]:.3g} if uncovered, {consequence[i] * keep:.3g} if covered "
            f"(interdiction {interdiction:g}). Attacker gains {weight[i]:.2f} × that ({why})."
        )
        for name, value in (site.overrides or {}).items():
            table[i, PAYOFF_FIELDS.index(name)] = float(value)
            text += f" {name} overridden to {float(value):g}."
        texts.append(text)
    payoffs = Payoffs.from_rows(table)
    ids = tuple(s.id for s in sites)
    bad = payoffs.problems(ids, "sites")
    if bad:
        msg = "The overridden payoffs are inconsistent."
        raise ValidationError(msg, errors=bad)
    return DerivedPayoffs(ids, payoffs, consequence, weight, tuple(texts))
