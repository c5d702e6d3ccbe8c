"""Scenario risk R = T × V × C for many sites at once (vectorised) and for one site.

For site *s* and scenario *k* (docs/risk-method.md gives the full derivation):

* **T** — probability of an attempt per year:
  ``base_rate[type, k] × THREAT_MULTIPLIER[level] × attractiveness``, where attractiveness is
  ``(1 + 0.5 × symbolic) × (2 if specific threats were received else 1)``; capped at 1.
* **V** — probability an attempt succeeds: ``V0[k] × Π_m (1 − e_V[m, k] × q[s, m])``.
* **C** — expected casualties if it succeeds: ``exposed × lethality[k] × impact ×
  Π_m (1 − e_C[m, k] × q[s, m])`` with ``exposed = min(people × exposed_share[k],
  max_exposed[k])``.

``q[s, m]`` ∈ [0, 1] is the implementation quality of measure *m*: the mean quality of the
answers to the applicable questions that evidence it ("unknown" counts as 0, the worst
credible answer; "not applicable" questions are left out). Planned measures count as fully
implemented (q = 1).

Every input with uncertainty is a ``[low, central, high]`` triple. R is increasing in T0, V0,
lethality and decreasing in every effectiveness, so the exact bounds of R over the box of
input ranges are R evaluated at the corresponding corners — that is the interval reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from placeguard.engines.risk.catalogue import RiskPack

__all__ = ["THREAT_MULTIPLIER", "PortfolioInput", "PortfolioScores", "RiskModel"]

FloatArray = NDArray[np.float64]

#: National threat level (1 low … 5 critical) → multiplier of the base rates (set at level 3).
THREAT_MULTIPLIER: dict[int, float] = {1: 0.1, 2: 0.3, 3: 1.0, 4: 3.0, 5: 10.0}
LOW, CENTRAL, HIGH = 0, 1, 2


@dataclass(frozen=True)
class PortfolioInput:
    """Sites as arrays (one row per site).

    Attributes
    ----------
    site_type : (S,) int — index into ``RiskModel.site_types``.
    people : (S,) float — people present at the moment that matters (peak), ≥ 0.
    symbolic : (S,) float — 0 (none) to 2 (national symbol): raises attractiveness.
    threatened : (S,) bool — specific threats or hostile reconnaissance reported.
    impact : (S,) float — societal impact weight on consequence, 1 (none) to 2.
    threat_level : (S,) int — national threat level 1–5 for each site.
    answers : (S, Q) float — option quality of each answer; NaN: not asked or not
        applicable; unknown answers are already 0.
    planned : (S, M) bool, optional — measures counted as fully implemented.
    """

    site_type: NDArray[np.int64]
    people: FloatArray
    symbolic: FloatArray
    threatened: NDArray[np.bool_]
    impact: FloatArray
    threat_level: NDArray[np.int64]
    answers: FloatArray
    planned: NDArray[np.bool_] | None = None


@dataclass(frozen=True)
class PortfolioScores:
    """Per (site, scenario) arrays; ``*_range`` arrays have a trailing (low, high) axis."""

    T: FloatArray
    V: FloatArray
    C: FloatArray
    R: FloatArray
    R_range: FloatArray
    quality: FloatArray  # (S, M) measure implementation quality used


class RiskModel:
    """The pack's numbers as arrays, ready to score any number of sites."""

    def __init__(self, pack: RiskPack) -> None:
        self.pack = pack
        self.site_types: tuple[str, ...] = (
            "place_of_worship",
            "public_space",
            "retail",
            "hospitality",
            "tourist_site",
            "venue",
            "transport_hub",
            "education",
            "health",
        )
        k, m, q = len(pack.scenarios), len(pack.measures), len(pack.questions)
        self.n_scenarios, self.n_measures, self.n_questions = k, m, q
        sc = pack.scenarios
        self.v0 = np.array([s.success_probability for s in sc], dtype=float)  # (K, 3)
        self.lethality = np.array([s.lethality for s in sc], dtype=float)  # (K, 3)
        self.exposed_share = np.array([s.exposed_share for s in sc], dtype=float)
        self.max_exposed = np.array([s.max_exposed for s in sc], dtype=float)
        # base rate (types, K, 3)
        self.base_rate = np.array(
            [[s.base_rate.get(t, s.base_rate["default"]) for s in sc] for t in self.site_types],
            dtype=float,
        )
        # effectiveness (M, K, 3) for V and for C
        self.e_v = np.zeros((m, k, 3))
        self.e_c = np.zeros((m, k, 3))
        col = {sid: i for i, sid in enumerate(pack.scenario_ids)}
        for i, measure in enumerate(pack.measures):
            for effect in measure.effects:
                target = self.e_v if effect.on == "V" else self.e_c
                target[i, col[effect.scenario]] = effect.effectiveness
        # question → measure evidence (Q, M) and question applicability (types, Q)
        self.evidence = np.zeros((q, m))
        for i, question in enumerate(pack.questions):
            for mid in question.measures:
                self.evidence[i, pack.measure_index[mid]] = 1.0
        self.applies = np.array(
            [[qn.applies_to(t) for qn in pack.questions] for t in self.site_types], dtype=bool
        )

    @cached_property
    def _pairs(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """Non-zero (measure, scenario) pairs of either effect, and a V/C flag, for sparse sums."""
        mv, kv = np.nonzero(self.e_v[:, :, CENTRAL] + self.e_v[:, :, HIGH])
        mc, kc = np.nonzero(self.e_c[:, :, CENTRAL] + self.e_c[:, :, HIGH])
        which = np.concatenate([np.zeros(len(mv), np.int64), np.ones(len(mc), np.int64)])
        return np.concatenate([mv, mc]), np.concatenate([kv, kc]), which

    def type_index(self, site_type: str) -> int:
        """Row of ``site_type`` in the type axis."""
        return self.site_types.index(site_type)

    # ------------------------------------------------------------------ measure quality
    def measure_quality(
        self, answers: FloatArray, planned: NDArray[np.bool_] | None = None
    ) -> FloatArray:
        """(S, M) mean answer quality of each measure's evidencing questions (0 when none)."""
        asked = ~np.isnan(answers)
        total = np.where(asked, answers, 0.0) @ self.evidence
        count = asked.astype(float) @ self.evidence
        quality = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
        if planned is not None:
            quality = np.where(planned, 1.0, quality)
        return np.clip(quality, 0.0, 1.0)

    def _log_factors(self, quality: FloatArray, corner: int) -> tuple[FloatArray, FloatArray]:
        """Σ_m log(1 − e q) for V and for C, (S, K) each, at effectiveness ``corner``."""
        m_idx, k_idx, which = self._pairs
        eff = np.where(which == 0, self.e_v[m_idx, k_idx, corner], self.e_c[m_idx, k_idx, corner])
        logs = np.log1p(-eff[None, :] * quality[:, m_idx])  # (S, P)
        s = quality.shape[0]
        out = np.zeros((2, s, self.n_scenarios))
        for w in (0, 1):
            sel = which == w
            indicator = np.zeros((int(sel.sum()), self.n_scenarios))
            indicator[np.arange(int(sel.sum())), k_idx[sel]] = 1.0
            out[w] = logs[:, sel] @ indicator
        return out[0], out[1]

    # ------------------------------------------------------------------ scoring
    def score(self, sites: PortfolioInput) -> PortfolioScores:
        """T, V, C, R (central) and R's exact interval for every site and scenario."""
        quality = self.measure_quality(sites.answers, sites.planned)
        attract = (1.0 + 0.5 * sites.symbolic) * np.where(sites.threatened, 2.0, 1.0)
        by_level = np.array([THREAT_MULTIPLIER[v] for v in (1, 2, 3, 4, 5)])
        threat_mult = by_level[np.asarray(sites.threat_level) - 1]
        exposed = np.minimum(
            sites.people[:, None] * self.exposed_share[None, :], self.max_exposed[None, :]
        )
        c_base = exposed * sites.impact[:, None]

        def corner(
            rate_c: int, v0_c: int, eff_c: int, leth_c: int
        ) -> tuple[FloatArray, FloatArray, FloatArray]:
            t = np.minimum(
                self.base_rate[sites.site_type, :, rate_c] * (threat_mult * attract)[:, None], 1.0
            )
            log_v, log_c = self._log_factors(quality, eff_c)
            v = self.v0[None, :, v0_c] * np.exp(log_v)
            c = c_base * self.lethality[None, :, leth_c] * np.exp(log_c)
            return t, v, c

        t, v, c = corner(CENTRAL, CENTRAL, CENTRAL, CENTRAL)
        t_lo, v_lo, c_lo = corner(LOW, LOW, HIGH, LOW)  # least risk: high effectiveness
        t_hi, v_hi, c_hi = corner(HIGH, HIGH, LOW, HIGH)
        r_range = np.stack([t_lo * v_lo * c_lo, t_hi * v_hi * c_hi], axis=-1)
        return PortfolioScores(T=t, V=v, C=c, R=t * v * c, R_range=r_range, quality=quality)

    # ------------------------------------------------------------------ helpers
    def answers_row(
        self, site_type: str, answers: dict[str, int | str]
    ) -> tuple[FloatArray, list[str]]:
        """One site's (Q,) answer-quality row and the ids of its unknown answers.

        Questions that do not apply to the site type, or are answered ``"n/a"``, are NaN;
        unanswered applicable questions and ``"unknown"`` count as 0 (worst credible).
        """
        row = np.full(self.n_questions, np.nan)
        applies = self.applies[self.type_index(site_type)]
        unknown: list[str] = []
        for i, question in enumerate(self.pack.questions):
            if not applies[i]:
                continue
            value = answers.get(question.id, "unknown")
            if value == "n/a":
                continue
            if value == "unknown":
                unknown.append(question.id)
                row[i] = 0.0
            else:
                row[i] = question.options[int(value)].quality
        return row, unknown

    def site_rows(
        self,
        *,
        site_type: str,
        people: float,
        rows: FloatArray,
        threat_level: int = 3,
        symbolic: float = 0.0,
        threatened: bool = False,
        impact: float = 1.0,
        planned: Sequence[str] = (),
    ) -> PortfolioInput:
        """One site described ``n`` times, once per answer row in ``rows`` (n, Q)."""
        n = rows.shape[0]
        plan = np.zeros((n, self.n_measures), dtype=bool)
        for mid in planned:
            plan[:, self.pack.measure_index[mid]] = True
        return PortfolioInput(
            site_type=np.full(n, self.type_index(site_type)),
            people=np.full(n, float(people)),
            symbolic=np.full(n, float(symbolic)),
            threatened=np.full(n, threatened),
            impact=np.full(n, float(impact)),
            threat_level=np.full(n, threat_level),
            answers=rows,
            planned=plan,
        )
