"""Budget-optimal protection plans, solved exactly by outer approximation with a MILP.

Choosing measure *j* (binary ``x_j``) raises its implementation quality from ``q_j`` to 1, which
multiplies scenario *k*'s risk by

    r_jk = [(1 − e^V_jk) / (1 − e^V_jk q_j)] × [(1 − e^C_jk) / (1 − e^C_jk q_j)]  ∈ (0, 1].

So ``R_k(x) = R_k⁰ × exp(y_k(x))`` with ``y_k(x) = Σ_j x_j log r_jk`` — the exponential of a
*linear* function of the choices. Minimising ``Σ_k R_k(x)`` subject to the capital, running-cost
and openness budgets, prerequisites (``x_j ≤ x_p``) and exclusions (``x_a + x_b ≤ 1``) is a
convex mixed-integer problem, solved exactly by **outer approximation** (Duran & Grossmann):

1. each ``R_k`` is bounded from below by tangent planes of the convex exponential,
   ``z_k ≥ R_k⁰ e^a (1 + y_k(x) − a)``, starting with a few tangents across ``y_k``'s range;
2. the MILP "minimise ``Σ z_k``" (HiGHS, one model kept across rounds) gives a plan and a
   proven lower bound on the optimum;
3. the plan's true risk is computed with the product formula; if it is within the tolerance of
   the lower bound the plan is optimal, otherwise tangents at that plan are added and step 2
   repeats. With binary choices this ends after finitely many rounds.

The answer is optimal to a relative gap of 10⁻⁷ (or 10⁻⁶ of the largest scenario risk,
HiGHS's absolute tolerance); the gap is reported. The solver's status is checked and the plan
is re-checked against every budget, prerequisite and exclusion before it is returned.

Costing assumption: upgrading a measure from quality ``q`` costs ``(1 − q)`` of its full
one-off and running cost (half-done work is half paid).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from placeguard.core.errors import PlaceguardError
from placeguard.engines.highs import IncrementalMilp, SparseRows
from placeguard.engines.risk.assessment import model_for
from placeguard.engines.risk.catalogue import RiskPack

__all__ = [
    "InfeasiblePlanError",
    "ParetoPoint",
    "PlanProblem",
    "PlanResult",
    "pareto_curve",
    "problem_for_site",
    "solve_plan",
]

FloatArray = NDArray[np.float64]


class InfeasiblePlanError(PlaceguardError):
    """The solver did not return a verified optimal plan."""

    code = "plan_infeasible"


@dataclass(frozen=True)
class PlanProblem:
    """One site's planning problem, in arrays.

    Attributes
    ----------
    risk : (K,) current risk per scenario (expected casualties per year).
    factor : (J, K) risk multiplier r_jk if candidate j is implemented (1 = no effect).
    capex, opex, openness : (J,) cost of each candidate (already scaled by 1 − q).
    requires : pairs (j, p): candidate j needs candidate p chosen as well.
    excludes : pairs (a, b): at most one of the two.
    ids : (J,) measure ids of the candidates.
    """

    risk: FloatArray
    factor: FloatArray
    capex: FloatArray
    opex: FloatArray
    openness: FloatArray
    requires: tuple[tuple[int, int], ...]
    excludes: tuple[tuple[int, int], ...]
    ids: tuple[str, ...]

    def residual(self, chosen: NDArray[np.bool_]) -> FloatArray:
        """(K,) risk after implementing the chosen candidates (the exact product)."""
        kept: FloatArray = self.risk * np.prod(np.where(chosen[:, None], self.factor, 1.0), axis=0)
        return kept

    def feasible(
        self, chosen: NDArray[np.bool_], capex: float, opex: float, openness: float
    ) -> bool:
        """Whether a selection respects every budget, prerequisite and exclusion."""
        tol = 1e-6
        if (
            self.capex @ chosen > capex * (1 + tol) + tol
            or self.opex @ chosen > opex * (1 + tol) + tol
        ):
            return False
        if self.openness @ chosen > openness + tol:
            return False
        if any(chosen[j] and not chosen[p] for j, p in self.requires):
            return False
        return not any(chosen[a] and chosen[b] for a, b in self.excludes)


@dataclass(frozen=True)
class PlanResult:
    """An optimal plan."""

    chosen: tuple[str, ...]
    capex: float
    opex: float
    openness: float
    risk_before: FloatArray
    risk_after: FloatArray
    status: str
    mip_gap: float

    @property
    def total_before(self) -> float:
        """Total risk before the plan."""
        return float(self.risk_before.sum())

    @property
    def total_after(self) -> float:
        """Total residual risk after the plan."""
        return float(self.risk_after.sum())


#: Stop when the plan is this close (relative) to the proven lower bound …
REL_TOL = 1e-7
#: … or this close in absolute terms on risks scaled to a largest scenario risk of 1.
ABS_TOL = 2e-6
_INITIAL_TANGENTS = 12
_MAX_ROUNDS = 200


def _static_rows(
    problem: PlanProblem, capex_budget: float, opex_budget: float, openness_limit: float
) -> SparseRows:
    """Prerequisites, exclusions and budgets over the choice variables (columns 0 … J−1)."""
    rows = SparseRows()
    for j, p in problem.requires:
        rows.add([(j, 1.0), (p, -1.0)], -np.inf, 0.0)
    for a, b in problem.excludes:
        rows.add([(a, 1.0), (b, 1.0)], -np.inf, 1.0)
    limits = (
        (problem.capex, capex_budget),
        (problem.opex, opex_budget),
        (problem.openness, openness_limit),
    )
    for costs, limit in limits:
        if np.isfinite(limit):
            entries = [(j, float(costs[j])) for j in range(len(problem.ids)) if costs[j]]
            rows.add(entries, -np.inf, float(limit))
    return rows


def solve_plan(
    problem: PlanProblem,
    *,
    capex_budget: float,
    opex_budget: float = float("inf"),
    openness_limit: float = float("inf"),
    time_limit: float = 30.0,
) -> PlanResult:
    """The selection of candidates that minimises total residual risk within the budgets.

    Ties in risk are broken towards the cheaper plan (a cost term 10⁻⁹ times smaller than the
    risk scale is added to the objective).
    """
    n_j = problem.factor.shape[0]
    nothing = np.zeros(n_j, dtype=bool)
    if n_j == 0 or not (problem.risk > 0).any():
        return _result(problem, nothing, gap=0.0)
    deadline = time.monotonic() + time_limit
    scale = float(problem.risk.max())
    master = _OuterApproximation(problem, scale)
    master.add_rows(_static_rows(problem, capex_budget, opex_budget, openness_limit))

    def true_objective(chosen: NDArray[np.bool_]) -> float:
        return float(problem.residual(chosen).sum() / scale + master.tie @ chosen)

    best, best_value, bound = nothing, true_objective(nothing), -np.inf
    # Plans whose tangents are in the master already (the initial ones include y = 0: nothing).
    priced = {nothing.tobytes()}
    converged = False
    for _ in range(_MAX_ROUNDS):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        outcome = master.solve(time_limit=remaining, rel_gap=REL_TOL, abs_gap=ABS_TOL / 2)
        if not outcome.optimal:
            msg = f"the plan solver did not finish with an optimal plan: {outcome.status}"
            raise InfeasiblePlanError(msg)
        chosen = np.round(outcome.x[:n_j]).astype(bool)
        bound = max(bound, outcome.dual_bound)
        value = true_objective(chosen)
        if value < best_value and problem.feasible(
            chosen, capex_budget, opex_budget, openness_limit
        ):
            best, best_value = chosen, value
        # Done when the bound meets the plan; or when the master, which prices this plan
        # exactly, picks it again and it is the best: what separates plan and bound then is
        # HiGHS's numerical tolerance (tiny scenario risks), not the approximation.
        converged = best_value - bound <= max(REL_TOL * best_value, ABS_TOL) or (
            chosen.tobytes() in priced and value <= best_value
        )
        if converged:
            break
        priced.add(chosen.tobytes())
        master.add_tangents_at(chosen)
    gap = max(0.0, (best_value - bound) / best_value) if best_value > 0 else 0.0
    if not converged:
        msg = f"the plan solver stopped {gap:.1e} from proven optimality (time limit)"
        raise InfeasiblePlanError(msg)
    if not problem.feasible(best, capex_budget, opex_budget, openness_limit):
        msg = "the solver's plan breaks a budget or a dependency; refusing it"
        raise InfeasiblePlanError(msg)
    return _result(problem, best, gap=gap)


class _OuterApproximation(IncrementalMilp):
    """The master MILP: columns x (J choices) | z (scenario risks) | y (log-risk factors).

    ``y_k = Σ_j x_j log r_jk`` is a column of its own, so every tangent of the exponential is a
    sparse two-term row (dense tangent rows over all choices make HiGHS's root slow).
    """

    def __init__(self, problem: PlanProblem, scale: float) -> None:
        n_j = problem.factor.shape[0]
        self.r0 = problem.risk / scale
        self.scenarios = np.flatnonzero(self.r0 > 0)
        self.logs = np.log(problem.factor[:, self.scenarios])  # (J, K') ≤ 0
        n_k = self.scenarios.size
        self.n_j, self.n_k = n_j, n_k
        total_cost = float(problem.capex.sum() + problem.opex.sum()) or 1.0
        self.tie = 1e-9 * (problem.capex + problem.opex) / total_cost
        lowest = self.logs.clip(max=0).sum(axis=0)  # y when every measure is chosen
        super().__init__(
            cost=np.concatenate([self.tie, np.ones(n_k), np.zeros(n_k)]),
            lower=np.concatenate([np.zeros(n_j + n_k), lowest]),
            upper=np.concatenate([np.ones(n_j), self.r0[self.scenarios], np.zeros(n_k)]),
            integer=np.arange(n_j + 2 * n_k) < n_j,
        )
        rows = SparseRows()
        for i in range(n_k):
            entries = [(j, float(self.logs[j, i])) for j in range(n_j) if self.logs[j, i] < 0]
            rows.add([*entries, (n_j + n_k + i, -1.0)], 0.0, 0.0)
        for i in range(n_k):
            for at in np.unique(np.linspace(lowest[i], 0.0, _INITIAL_TANGENTS)):
                self._tangent(rows, i, float(at))
        self.add_rows(rows)

    def _tangent(self, rows: SparseRows, i: int, at: float) -> None:
        # z_i ≥ r0 e^a (1 + y_i − a)  ⇔  z_i − r0 e^a y_i ≥ r0 e^a (1 − a)
        weight = float(self.r0[self.scenarios[i]]) * float(np.exp(at))
        z, y = self.n_j + i, self.n_j + self.n_k + i
        rows.add([(z, 1.0), (y, -weight)], weight * (1.0 - at), np.inf)

    def add_tangents_at(self, chosen: NDArray[np.bool_]) -> None:
        """Tangents of every scenario's exponential at the log-risk of this plan."""
        rows = SparseRows()
        for i, at in enumerate(chosen.astype(float) @ self.logs):
            self._tangent(rows, i, float(at))
        self.add_rows(rows)


def _result(problem: PlanProblem, chosen: NDArray[np.bool_], *, gap: float) -> PlanResult:
    return PlanResult(
        chosen=tuple(problem.ids[j] for j in np.flatnonzero(chosen)),
        capex=float(problem.capex @ chosen) if chosen.size else 0.0,
        opex=float(problem.opex @ chosen) if chosen.size else 0.0,
        openness=float(problem.openness @ chosen) if chosen.size else 0.0,
        risk_before=problem.risk.copy(),
        risk_after=problem.residual(chosen),
        status="optimal",
        mip_gap=gap,
    )


@dataclass(frozen=True)
class ParetoPoint:
    """One point of the risk-versus-cost curve."""

    budget: float
    capex: float
    risk: float
    chosen: tuple[str, ...]


def pareto_curve(
    problem: PlanProblem,
    *,
    points: int = 12,
    opex_budget: float = float("inf"),
    openness_limit: float = float("inf"),
) -> list[ParetoPoint]:
    """Optimal residual risk for capital budgets from 0 to the cost of every candidate.

    Points that do not lower the risk below the previous point are dropped, so the curve is
    the Pareto front of (capital cost, residual risk) on this budget grid.
    """
    top = float(problem.capex.sum())
    curve: list[ParetoPoint] = []
    for budget in np.linspace(0.0, top, points):
        plan = solve_plan(
            problem,
            capex_budget=float(budget),
            opex_budget=opex_budget,
            openness_limit=openness_limit,
        )
        if curve and plan.total_after >= curve[-1].risk * (1 - 1e-9):
            continue
        curve.append(ParetoPoint(float(budget), plan.capex, plan.total_after, plan.chosen))
    return curve


def problem_for_site(
    pack: RiskPack, site_type: str, quality: Mapping[str, float], risk: FloatArray
) -> PlanProblem:
    """The planning problem of one assessed site.

    Candidates are the measures that suit the site type, are not yet fully implemented and
    act on some scenario. A candidate whose prerequisite is neither in place nor itself a
    candidate, or that excludes a measure already fully in place, is left out.
    """
    model = model_for(pack)
    candidates = [
        i
        for i, m in enumerate(pack.measures)
        if m.applies_to(site_type) and quality[m.id] < 1.0 and m.effects
    ]
    changed = True
    while changed:  # drop candidates whose prerequisites can never be met
        changed = False
        ids = {pack.measures[i].id for i in candidates}
        for i in list(candidates):
            m = pack.measures[i]
            blocked = any(quality[p] < 1.0 and p not in ids for p in m.requires) or any(
                quality[x] >= 1.0 for x in m.excludes
            )
            if blocked:
                candidates.remove(i)
                changed = True
    q = np.array([quality[pack.measures[i].id] for i in candidates])
    e_v = model.e_v[candidates, :, 1]
    e_c = model.e_c[candidates, :, 1]
    factor = ((1 - e_v) / (1 - e_v * q[:, None])) * ((1 - e_c) / (1 - e_c * q[:, None]))
    position = {pack.measures[i].id: n for n, i in enumerate(candidates)}
    requires = tuple(
        (position[pack.measures[i].id], position[p])
        for i in candidates
        for p in pack.measures[i].requires
        if p in position
    )
    excludes = tuple(
        sorted(
            {
                tuple(sorted((position[pack.measures[i].id], position[x])))
                for i in candidates
                for x in pack.measures[i].excludes
                if x in position
            }
        )
    )
    remaining = 1.0 - q
    return PlanProblem(
        risk=np.asarray(risk, dtype=float),
        factor=factor,
        capex=np.array([pack.measures[i].capex_central for i in candidates]) * remaining,
        opex=np.array([pack.measures[i].opex_central for i in candidates]) * remaining,
        openness=np.array([float(pack.measures[i].openness) for i in candidates]),
        requires=requires,
        excludes=excludes,  # type: ignore[arg-type]
        ids=tuple(pack.measures[i].id for i in candidates),
    )
