"""Threat likelihoods: annual attack rates per (country, category, attack mode), shrunk towards
the regional mean by empirical Bayes, turned into P(at least one attack within H years).

**Model.** Country *i*'s attacks in a cell (category *c*, attack mode *k*) over ``T_i`` covered
years are Poisson(λ_i T_i); within a region the λ_i of the same cell are Gamma(α, β) — mean
``m = α/β``, variance ``v = α/β²``. The prior is estimated by the method of moments of
Marshall (1991): ``m = Σ y / Σ T``, ``s² = Σ T_i (r_i − m)² / Σ T_i`` with raw rates
``r_i = y_i / T_i``, ``v = max(0, s² − m / T̄)`` with ``T̄`` the mean exposure.

**Posterior.** λ_i | y_i ~ Gamma(α + y_i, β + T_i): the mean is
``w_i r_i + (1 − w_i) m`` with ``w_i = T_i / (T_i + β)`` — the raw rate pulled towards the
regional mean, more so when the country's record is short or the countries are alike.
The 95 % interval is the posterior's 2.5 and 97.5 percentiles. When ``v = 0`` (no detectable
between-country variation) every country gets the regional mean and the interval of the pooled
rate, Gamma(Σ y, Σ T). Regions with fewer than three countries are not shrunk: the raw rate with
its exact (Garwood) Poisson interval is used.

**Horizon.** P(≥ 1 attack in H years) = 1 − exp(−λ H), applied to the estimate and to both
interval ends (it is monotone).

Yearly counts are treated as Poisson within a cell; clustered years (overdispersion) make the
intervals too narrow — the trend report's dispersion tests say how much. Zero-event cells are
included (a country with no recorded attack of a kind is information, not a gap).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from placeguard.engines.intel.stats.aggregate import UNMAPPED

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = [
    "MIN_GROUP",
    "CellRate",
    "Provenance",
    "cell_counts_expr",
    "empirical_bayes",
    "likelihoods",
    "p_at_least_one",
]

FloatArray = NDArray[np.float64]
MIN_GROUP = 3


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a likelihood comes from; carried with every number."""

    dataset: str
    release: str | None
    filters: str
    breaks: tuple[int, ...]
    years: tuple[int, int]
    method: str = "empirical Bayes gamma–Poisson (Marshall 1991 moments), regional prior"
    crosswalk_version: str | None = None

    def sentence(self) -> str:
        """One line for explanations."""
        release = f" {self.release}" if self.release else ""
        breaks = ", ".join(str(b) for b in self.breaks) or "none"
        return (
            f"{self.dataset}{release}, {self.years[0]}–{self.years[1]}, {self.filters}; "
            f"collection breaks {breaks}; {self.method}"
        )


@dataclass(frozen=True, slots=True)
class CellRate:
    """One (region, country, category, scenario) cell."""

    region: str
    country: str
    category: str
    scenario: str
    events: int
    years: float
    raw_rate: float
    raw_low: float
    raw_high: float
    rate: float  # empirical-Bayes posterior mean, attacks per year
    low: float
    high: float
    prior_mean: float
    weight: float  # w_i: weight of the country's own rate (1 = not shrunk)
    horizon: float
    p_horizon: float
    p_low: float
    p_high: float
    provenance: Provenance | None = field(default=None)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready mapping (provenance included)."""
        out = asdict(self)
        if self.provenance is not None:
            out["provenance"] = {**asdict(self.provenance), "breaks": list(self.provenance.breaks),
                                 "years": list(self.provenance.years)}  # fmt: skip
        return out


def p_at_least_one(rate: ArrayLike, horizon: float) -> FloatArray:
    """P(at least one event in ``horizon`` years) for a Poisson rate: 1 − exp(−λH)."""
    return -np.expm1(-np.asarray(rate, dtype=np.float64) * horizon)


def _garwood(y: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
    low = np.where(y > 0, stats.chi2.ppf(0.025, 2 * np.maximum(y, 1)) / 2, 0.0) / t
    high = stats.chi2.ppf(0.975, 2 * y + 2) / 2 / t
    return low, high


def empirical_bayes(
    groups: ArrayLike, events: ArrayLike, exposure: ArrayLike, *, min_group: int = MIN_GROUP
) -> dict[str, FloatArray]:
    """Gamma–Poisson shrinkage of ``events / exposure`` within each group.

    Returns arrays ``rate``, ``low``, ``high`` (posterior mean and 95 % interval),
    ``prior_mean``, ``weight`` (w_i) and the raw ``raw_rate``, ``raw_low``, ``raw_high``.
    """
    g = np.asarray(groups)
    y = np.asarray(events, dtype=np.float64)
    t = np.asarray(exposure, dtype=np.float64)
    raw = y / t
    raw_low, raw_high = _garwood(y, t)
    out = {
        "raw_rate": raw,
        "raw_low": raw_low,
        "raw_high": raw_high,
        "rate": raw.copy(),
        "low": raw_low.copy(),
        "high": raw_high.copy(),
        "prior_mean": np.full(len(y), np.nan),
        "weight": np.ones(len(y)),
    }
    _, codes = np.unique(g.astype(str), return_inverse=True)
    for code in np.unique(codes):
        idx = np.flatnonzero(codes == code)
        yi, ti = y[idx], t[idx]
        total_y, total_t = float(yi.sum()), float(ti.sum())
        m = total_y / total_t
        out["prior_mean"][idx] = m
        if len(idx) < min_group:
            continue
        s2 = float(np.sum(ti * (yi / ti - m) ** 2) / total_t)
        v = s2 - m / float(ti.mean())
        if total_y == 0:
            out["rate"][idx] = 0.0
            out["low"][idx] = 0.0
            out["high"][idx] = stats.chi2.ppf(0.975, 2) / 2 / total_t
            out["weight"][idx] = 0.0
            continue
        if v <= 0:
            out["rate"][idx] = m
            out["low"][idx] = stats.gamma.ppf(0.025, total_y, scale=1 / total_t)
            out["high"][idx] = stats.gamma.ppf(0.975, total_y, scale=1 / total_t)
            out["weight"][idx] = 0.0
            continue
        beta = m / v
        alpha = m * beta
        shape, scale = alpha + yi, 1 / (beta + ti)
        out["rate"][idx] = shape * scale
        out["low"][idx] = stats.gamma.ppf(0.025, shape, scale=scale)
        out["high"][idx] = stats.gamma.ppf(0.975, shape, scale=scale)
        out["weight"][idx] = ti / (ti + beta)
    return out


def cell_counts_expr(table: ir.Table) -> ir.Table:
    """Attacks per (region, country, category, scenario) — both list columns exploded."""
    import ibis

    empty = ibis.literal([UNMAPPED], type="array<string>")
    cats = ibis.ifelse(table.target_categories.length() == 0, empty, table.target_categories)
    modes = ibis.ifelse(table.attack_modes.length() == 0, empty, table.attack_modes)
    t = table.mutate(
        region=table.region.fill_null(UNMAPPED),
        country=table.country.fill_null(UNMAPPED),
        category=cats.unnest(),
    )
    t = t.mutate(scenario=modes.unnest())
    return t.group_by(["region", "country", "category", "scenario"]).aggregate(events=t.count())


def likelihoods(
    table: ir.Table,
    *,
    years: tuple[int, int],
    missing_years: Sequence[int] = (),
    horizon: float = 1.0,
    provenance: Provenance | None = None,
    min_group: int = MIN_GROUP,
    level: str = "country",
) -> list[CellRate]:
    """Shrunk annual rates and horizon probabilities for every (country, category, scenario).

    ``table`` is already filtered (dataset, definitions); ``years`` is the inclusive window
    (the years since the last collection break are the comparable ones) and
    ``missing_years`` the years inside it the dataset does not cover. With
    ``level="region"`` the cells are (region, category, scenario), ``country`` is ``*`` and
    the rates are shrunk towards the mean over all regions of the same category and scenario.
    """
    if level not in {"country", "region"}:
        msg = "level must be 'country' or 'region'"
        raise ValueError(msg)
    first, last = years
    window = table.filter(table.year.between(first, last))
    data = cell_counts_expr(window).to_pyarrow().to_pylist()
    if level == "region":
        merged: dict[tuple[str, str, str, str], int] = {}
        for r in data:
            cell = ("*", r["region"], r["category"], r["scenario"])
            merged[cell] = merged.get(cell, 0) + int(r["events"])
        data = [dict(zip(("region", "country", "category", "scenario"), k, strict=True),
                     events=v) for k, v in merged.items()]  # fmt: skip
    exposure = float(sum(1 for y in range(first, last + 1) if y not in set(missing_years)))
    if not data or exposure <= 0:
        return []
    countries = sorted({(r["region"], r["country"]) for r in data})  # region "*": all
    kinds = sorted({(r["category"], r["scenario"]) for r in data})
    seen = {(r["region"], r["country"], r["category"], r["scenario"]): r["events"] for r in data}
    rows = [(reg, cty, cat, sc) for reg, cty in countries for cat, sc in kinds]
    events = np.array([seen.get(r, 0) for r in rows], dtype=np.float64)
    groups = np.array([f"{r[0]}\x1f{r[2]}\x1f{r[3]}" for r in rows])
    eb = empirical_bayes(groups, events, np.full(len(rows), exposure), min_group=min_group)
    p = p_at_least_one(eb["rate"], horizon)
    p_lo = p_at_least_one(eb["low"], horizon)
    p_hi = p_at_least_one(eb["high"], horizon)
    return [
        CellRate(
            region=r[1] if level == "region" else r[0],
            country="*" if level == "region" else r[1],
            category=r[2],
            scenario=r[3],
            events=int(events[i]),
            years=exposure,
            raw_rate=float(eb["raw_rate"][i]),
            raw_low=float(eb["raw_low"][i]),
            raw_high=float(eb["raw_high"][i]),
            rate=float(eb["rate"][i]),
            low=float(eb["low"][i]),
            high=float(eb["high"][i]),
            prior_mean=float(eb["prior_mean"][i]),
            weight=float(eb["weight"][i]),
            horizon=horizon,
            p_horizon=float(p[i]),
            p_low=float(p_lo[i]),
            p_high=float(p_hi[i]),
            provenance=provenance,
        )
        for i, r in enumerate(rows)
        if not math.isnan(eb["rate"][i])
    ]
