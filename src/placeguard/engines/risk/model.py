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

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from placeguard.engines.risk.catalogue import OPTION_GRID, RiskPack

__all__ = ["THREAT_MULTIPLIER", "PortfolioInput", "PortfolioScores", "RiskModel"]

FloatArray = NDArray[np.float64]

#: National threat level (1 low … 5 critical) → multiplier of the base rates (set at level 3).
THREAT_MULTIPLIER: dict[int, float] = {1: 0.1, 2: 0.3, 3: 1.0, 4: 3.0, 5: 10.0}
LOW, CENTRAL, HIGH = 0, 1, 2
_CHUNK = 8192


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
        applicable; unknown answers are already 0. Column-major (Fortran-order) arrays
        save a transposing copy.
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
        # Option qualities are multiples of 1/OPTION_GRID, so a mean over up to n questions is a
        # multiple of 1/(OPTION_GRID × lcm(1…n)): the grid of the table look-ups in _log_sums.
        most = int(self.evidence.sum(axis=0).max(initial=1))
        self.quality_grid = OPTION_GRID * math.lcm(*range(1, most + 1))
        self.applies = np.array(
            [[qn.applies_to(t) for qn in pack.questions] for t in self.site_types], dtype=bool
        )

    @cached_property
    def _effects_by_column(self) -> FloatArray:
        """(M, 3 corners × 2 targets × K) effectiveness, the column layout of the log sums."""
        stacked = np.stack([self.e_v, self.e_c], axis=0)  # (2, M, K, 3)
        return np.ascontiguousarray(stacked.transpose(1, 3, 0, 2).reshape(self.n_measures, -1))

    def type_index(self, site_type: str) -> int:
        """Row of ``site_type`` in the type axis."""
        return self.site_types.index(site_type)

    # ------------------------------------------------------------------ measure quality
    @cached_property
    def _evidence_groups(self) -> list[tuple[NDArray[np.int64], NDArray[np.int64]]]:
        """Measures grouped by their number of evidencing questions, with those questions."""
        counts = self.evidence.sum(axis=0).astype(np.int64)
        groups = []
        for count in sorted(set(counts.tolist()) - {0}):
            measures = np.flatnonzero(counts == count)
            questions = np.array([np.flatnonzero(self.evidence[:, m]) for m in measures])
            groups.append((measures, questions))
        return groups

    def measure_quality(
        self, answers: FloatArray, planned: NDArray[np.bool_] | None = None
    ) -> FloatArray:
        """(S, M) mean answer quality of each measure's evidencing questions (0 when none asked).

        Measures are handled in groups with the same number of evidencing questions, so the
        mean over the asked ones is a few column gathers instead of a product with the
        (mostly empty) question × measure matrix.
        """
        quality = np.zeros((answers.shape[0], self.n_measures))
        for measures, questions in self._evidence_groups:
            block = answers[:, questions]  # (S, n, count)
            asked = ~np.isnan(block)
            total = np.where(asked, block, 0.0).sum(axis=2)
            count = asked.sum(axis=2)
            quality[:, measures] = np.divide(
                total, count, out=np.zeros_like(total), where=count > 0
            )
        if planned is not None:
            quality[planned] = 1.0
        return quality

    def _log_sums(self, quality: FloatArray) -> FloatArray:
        """Σ_m log(1 − e q) for every corner, target and scenario: (S, 3 × 2 × K).

        Answer qualities sit on a fine grid (option qualities and their means), so each
        (measure, quality) pair that occurs becomes one column of a one-hot matrix X and the
        sums are one matrix product ``X @ W`` with ``W = log(1 − e × quality)`` per column —
        BLAS instead of a logarithm per site, measure and scenario. Off-grid qualities fall
        back to computing the logarithms directly; both give the same numbers.
        """
        effects = self._effects_by_column
        grid = quality * self.quality_grid
        off = np.rint(grid)
        np.subtract(grid, off, out=grid)
        np.abs(grid, out=grid)
        if grid.max(initial=0.0) > 1e-6:
            direct: FloatArray = np.log1p(-quality[:, :, None] * effects[None, :, :]).sum(axis=1)
            return direct
        grid = off
        n_s, n_m = quality.shape
        span = self.quality_grid + 1
        code = grid.astype(np.int64)
        code += span * np.arange(n_m)[None, :]
        used = np.bincount(code.ravel(), minlength=n_m * span) > 0
        used[::span] = False  # quality 0 adds log(1) = 0: it maps to an all-zero column
        columns = np.flatnonzero(used)
        measure_of, level_of = np.divmod(columns, span)
        # float64 throughout: with float32 the rounding noise (~1e-7) can make a better answer
        # score a hair worse, breaking the monotonicity users are promised.
        weights = np.zeros((columns.size + 1, effects.shape[1]))
        weights[:-1] = np.log1p(-effects[measure_of] * (level_of / self.quality_grid)[:, None])
        remap = np.full(used.size, columns.size, dtype=np.int64)
        remap[columns] = np.arange(columns.size)
        width = columns.size + 1
        out = np.empty((n_s, effects.shape[1]))
        hot = np.zeros((_CHUNK, width))
        for start in range(0, n_s, _CHUNK):
            block = code[start : start + _CHUNK]
            b = block.shape[0]
            flat = remap[block] + (np.arange(b) * width)[:, None]
            hot[:b] = 0.0
            hot[:b].reshape(-1)[flat.ravel()] = 1.0
            out[start : start + b] = hot[:b] @ weights
        return out

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

        k = self.n_scenarios
        factors = np.exp(self._log_sums(quality)).reshape(-1, 3, 2, k)  # (S, corner, V/C, K)
        rates = np.minimum(
            self.base_rate[sites.site_type] * (threat_mult * attract)[:, None, None], 1.0
        )

        def corner(
            rate_c: int, v0_c: int, eff_c: int, leth_c: int
        ) -> tuple[FloatArray, FloatArray, FloatArray]:
            v = self.v0[None, :, v0_c] * factors[:, eff_c, 0]
            c = c_base * self.lethality[None, :, leth_c] * factors[:, eff_c, 1]
            return rates[:, :, rate_c], v, c

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
