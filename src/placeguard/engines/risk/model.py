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
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array

from placeguard.engines.risk.catalogue import OPTION_GRID, RiskPack

__all__ = ["THREAT_MULTIPLIER", "PortfolioInput", "PortfolioScores", "RiskModel"]

FloatArray = NDArray[np.float64]

#: National threat level (1 low … 5 critical) → multiplier of the base rates (set at level 3).
THREAT_MULTIPLIER: dict[int, float] = {1: 0.1, 2: 0.3, 3: 1.0, 4: 3.0, 5: 10.0}
LOW, CENTRAL, HIGH = 0, 1, 2
_MIN_BLOCK = 5000  # sites per thread below which threads cost more than they save


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
    answers : (S, Q) — option quality of each answer, either as floats in [0, 1] with NaN
        for "not asked or not applicable", or (the fast path, no conversion) as integers in
        units of 1/OPTION_GRID with -1 for not asked. Unknown answers are already 0.
        Column-major (Fortran-order) arrays make the per-measure gathers cheaper.
    planned : (S, M) bool, optional — measures counted as fully implemented.
    consequence_factor : (S, K) float, optional — multipliers of each scenario's consequence
        from site-engineering findings (``engineering.consequence_factors``).
    threat_rate : (S, K, 3) float, optional — attempts per year from incident data
        (``intel_threat.threat_rates``) as ``[low, central, high]``; where given (not NaN) it
        replaces the pack's base rate *and* the national threat-level multiplier (the data
        already reflect the country's threat environment); attractiveness still applies.
    """

    site_type: NDArray[np.int64]
    people: FloatArray
    symbolic: FloatArray
    threatened: NDArray[np.bool_]
    impact: FloatArray
    threat_level: NDArray[np.int64]
    answers: NDArray[Any]
    planned: NDArray[np.bool_] | None = None
    consequence_factor: FloatArray | None = None
    threat_rate: FloatArray | None = None


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
        self, answers: NDArray[Any], planned: NDArray[np.bool_] | None = None
    ) -> FloatArray:
        """(S, M) mean answer quality of each measure's evidencing questions (0 when none asked)."""
        codes = self.quality_codes(answers, planned)
        if codes is not None:
            return codes / float(self.quality_grid)
        return self._measure_quality_float(answers, planned)

    def quality_codes(
        self, answers: NDArray[Any], planned: NDArray[np.bool_] | None = None
    ) -> NDArray[np.int32] | None:
        """Measure quality × ``quality_grid`` as exact integers, or None for off-grid answers.

        Option qualities are multiples of 1/OPTION_GRID, so in those units every answer is a
        small integer, and the mean over the *n* asked questions of a measure is
        ``total × (lcm / n)`` units of 1/quality_grid — integer arithmetic on int16/int32
        arrays, a quarter of the memory traffic of the float means.
        """
        if np.issubdtype(answers.dtype, np.integer):
            asked = answers >= 0
            values = np.maximum(answers, 0).astype(np.int16, copy=False)
            if values.max(initial=0) > OPTION_GRID:
                msg = f"integer answers are qualities in 1/{OPTION_GRID} units, 0–{OPTION_GRID}"
                raise ValueError(msg)
        else:
            units = answers * float(OPTION_GRID)
            asked = units == units  # noqa: PLR0124 - False exactly for NaN (not asked)
            whole = np.rint(units)
            if np.any(np.abs(units - whole) > 1e-6):  # NaN compares False: not asked is fine
                return None
            whole[~asked] = 0.0
            values = whole.astype(np.int16)
        flags = asked.view(np.int8)
        scale = self.quality_grid // OPTION_GRID  # lcm(1 … most evidencing questions)
        codes = np.zeros((answers.shape[0], self.n_measures), dtype=np.int32)
        for measures, questions in self._evidence_groups:
            count = questions.shape[1]
            if count == 1:
                # one evidencing question: the mean is the answer itself
                codes[:, measures] = values[:, questions[:, 0]] * np.int32(scale)
                continue
            total = values[:, questions].sum(axis=2, dtype=np.int32)
            n_asked = flags[:, questions].sum(axis=2, dtype=np.int32)
            per_answer = np.zeros(count + 1, dtype=np.int32)  # lcm / n, and 0 when none asked
            per_answer[1:] = scale // np.arange(1, count + 1)
            codes[:, measures] = total * per_answer[n_asked]
        if planned is not None:
            codes[planned] = self.quality_grid
        return codes

    def _measure_quality_float(
        self, answers: NDArray[Any], planned: NDArray[np.bool_] | None
    ) -> FloatArray:
        """The float version of the mean, for answer qualities off the option grid."""
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

    def _log_sums_direct(self, quality: FloatArray) -> FloatArray:
        """Σ_m log(1 − e q) for every corner, target and scenario: (S, 3 × 2 × K)."""
        effects = self._effects_by_column
        direct: FloatArray = np.log1p(-quality[:, :, None] * effects[None, :, :]).sum(axis=1)
        return direct

    def _log_sums(self, codes: NDArray[np.int32]) -> FloatArray:
        """The same sums from quality codes, as a sparse one-hot product.

        Each (measure, quality level) pair that occurs becomes one column of a one-hot matrix
        X (one entry per site and measure), and the sums are ``X @ W`` with
        ``W = log(1 − e × quality)`` per column: table look-ups added up in compiled code
        instead of a logarithm per site, measure and scenario. X is sparse (CSR): a dense X
        makes BLAS multiply ten zeros for every one, and building it costs as much again.
        Blocks of sites run on all cores (SciPy releases the GIL in the product).
        """
        effects = self._effects_by_column
        n_s, n_m = codes.shape
        span = self.quality_grid + 1
        keyed = codes + (span * np.arange(n_m, dtype=np.int32))[None, :]
        used = np.bincount(keyed.ravel(), minlength=n_m * span) > 0
        used[::span] = False  # quality 0 adds log(1) = 0: it maps to an all-zero row of W
        columns = np.flatnonzero(used)
        measure_of, level_of = np.divmod(columns, span)
        # float64 throughout: with float32 the rounding noise (~1e-7) can make a better answer
        # score a hair worse, breaking the monotonicity users are promised.
        weights = np.zeros((columns.size + 1, effects.shape[1]))
        weights[:-1] = np.log1p(-effects[measure_of] * (level_of / self.quality_grid)[:, None])
        remap = np.full(used.size, columns.size, dtype=np.int32)
        remap[columns] = np.arange(columns.size, dtype=np.int32)
        hot = remap[keyed]  # (S, M): the column of X holding each site's one for each measure
        out = np.empty((n_s, effects.shape[1]))

        def block(first: int, stop: int) -> None:
            n = stop - first
            x = csr_array(
                (np.ones(n * n_m), hot[first:stop].ravel(), np.arange(0, n * n_m + 1, n_m)),
                shape=(n, weights.shape[0]),
            )
            out[first:stop] = x @ weights

        workers = min(os.cpu_count() or 1, max(1, n_s // _MIN_BLOCK))
        if workers == 1:
            block(0, n_s)
        else:
            cuts = np.linspace(0, n_s, workers + 1).astype(int)
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(block, cuts[:-1], cuts[1:]))
        return out

    # ------------------------------------------------------------------ scoring
    def score(self, sites: PortfolioInput) -> PortfolioScores:
        """T, V, C, R (central) and R's exact interval for every site and scenario."""
        codes = self.quality_codes(sites.answers, sites.planned)
        if codes is None:  # answers off the option grid: logarithms one by one
            quality = self._measure_quality_float(sites.answers, sites.planned)
            log_sums = self._log_sums_direct(quality)
        else:
            quality = codes / float(self.quality_grid)
            log_sums = self._log_sums(codes)
        attract = (1.0 + 0.5 * sites.symbolic) * np.where(sites.threatened, 2.0, 1.0)
        by_level = np.array([THREAT_MULTIPLIER[v] for v in (1, 2, 3, 4, 5)])
        threat_mult = by_level[np.asarray(sites.threat_level) - 1]
        exposed = np.minimum(
            sites.people[:, None] * self.exposed_share[None, :], self.max_exposed[None, :]
        )
        c_base = exposed * sites.impact[:, None]
        if sites.consequence_factor is not None:
            c_base = c_base * sites.consequence_factor

        k = self.n_scenarios
        factors = np.exp(log_sums, out=log_sums).reshape(-1, 3, 2, k)  # (S, corner, V/C, K)
        base = self.base_rate[sites.site_type]
        mult = (threat_mult * attract)[:, None, None]
        if sites.threat_rate is not None:  # incident-data rates replace base rate × level
            given = ~np.isnan(sites.threat_rate)
            base = np.where(given, sites.threat_rate, base)
            mult = np.where(given, attract[:, None, None], mult)
        rates = np.minimum(base * mult, 1.0)

        def corner(
            rate_c: int, v0_c: int, eff_c: int, leth_c: int
        ) -> tuple[FloatArray, FloatArray, FloatArray]:
            v = self.v0[None, :, v0_c] * factors[:, eff_c, 0]
            c = c_base * self.lethality[None, :, leth_c] * factors[:, eff_c, 1]
            return rates[:, :, rate_c], v, c

        t, v, c = corner(CENTRAL, CENTRAL, CENTRAL, CENTRAL)
        t_lo, v_lo, c_lo = corner(LOW, LOW, HIGH, LOW)  # least risk: high effectiveness
        t_hi, v_hi, c_hi = corner(HIGH, HIGH, LOW, HIGH)
        r_range = np.empty((*t.shape, 2))
        np.multiply(np.multiply(t_lo, v_lo, out=v_lo), c_lo, out=r_range[..., 0])
        np.multiply(np.multiply(t_hi, v_hi, out=v_hi), c_hi, out=r_range[..., 1])
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
        consequence_factor: FloatArray | None = None,
        threat_rate: FloatArray | None = None,
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
            consequence_factor=(
                None
                if consequence_factor is None
                else np.broadcast_to(consequence_factor, (n, self.n_scenarios))
            ),
            threat_rate=(
                None
                if threat_rate is None
                else np.broadcast_to(threat_rate, (n, self.n_scenarios, 3))
            ),
        )
