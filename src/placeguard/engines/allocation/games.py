"""Stackelberg security games with one attacker type: exact strong Stackelberg equilibria.

The defender commits to a randomised allocation of ``m`` resources over ``n`` targets,
summarised by the coverage ``c_t`` (probability that target ``t`` is protected). The
attacker observes ``c`` and attacks a target with the highest expected utility
``U_a(t) = c_t Uac_t + (1 − c_t) Uau_t``; among equally good targets it attacks the one the
defender prefers (the *strong* Stackelberg equilibrium, SSE). The defender maximises
``U_d(t*) = c_t* Udc_t* + (1 − c_t*) Udu_t*`` at the attacked target ``t*``.

Two exact solvers:

* :func:`origami` — identical resources that may go anywhere: sort the targets by the
  attacker's uncovered payoff and grow the *attack set*, lowering the attacker's utility
  level until the resources run out or a target would need more than full coverage
  (Kiekintveld et al. 2009, vectorised with prefix sums). ``O(n log n)``.
* :func:`solve_multiple_lps` — any linear side constraint (resource groups bound to
  districts or feasible sets, minimum coverage): one LP per candidate attacked target
  (Conitzer & Sandholm 2006), solved by HiGHS, the best LP wins.

:func:`solve_game` uses ORIGAMI when no constraint binds and the LPs otherwise.

Payoff assumption: coverage never hurts the defender (``Udc ≥ Udu``) and never helps the
attacker (``Uac ≤ Uau``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix, vstack

from placeguard.core.errors import FieldError, ValidationError
from placeguard.engines.allocation._highs import InfeasibleGameError, SolverError, solve_linear
from placeguard.engines.allocation.polytope import Polytope, ResourceGroup, coverage_polytope

__all__ = [
    "PAYOFF_FIELDS",
    "Payoffs",
    "SecurityGame",
    "Solution",
    "best_response",
    "origami",
    "solve_game",
    "solve_multiple_lps",
]

FloatArray = NDArray[np.float64]
PAYOFF_FIELDS = ("defender_covered", "defender_uncovered", "attacker_covered", "attacker_uncovered")
EXACT_TOL = 1e-9  # relative to the payoff scale: ties in closed-form solutions
LP_TOL = 1e-6  # relative to the payoff scale: ties in solutions from HiGHS


@dataclass(frozen=True, slots=True, kw_only=True)
class Payoffs:
    """The four payoffs of every target, as (n,) arrays.

    Attributes
    ----------
    defender_covered, defender_uncovered : defender's utility if the attacked target is
        covered / not covered (``Udc ≥ Udu``).
    attacker_covered, attacker_uncovered : attacker's utility likewise (``Uac ≤ Uau``).
    """

    defender_covered: FloatArray
    defender_uncovered: FloatArray
    attacker_covered: FloatArray
    attacker_uncovered: FloatArray

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[float]] | FloatArray) -> Payoffs:
        """From rows ``(Udc, Udu, Uac, Uau)``, one per target."""
        table = np.asarray(rows, dtype=np.float64).reshape(-1, 4)
        return cls(
            defender_covered=table[:, 0].copy(),
            defender_uncovered=table[:, 1].copy(),
            attacker_covered=table[:, 2].copy(),
            attacker_uncovered=table[:, 3].copy(),
        )

    @property
    def n(self) -> int:
        """Number of targets."""
        return int(self.defender_covered.shape[0])

    @property
    def scale(self) -> float:
        """Largest absolute payoff (at least 1): the unit of the tie tolerances."""
        arrays = (
            self.defender_covered,
            self.defender_uncovered,
            self.attacker_covered,
            self.attacker_uncovered,
        )
        return max(1.0, *(float(np.max(np.abs(a), initial=0.0)) for a in arrays))

    def defender(self, coverage: FloatArray) -> FloatArray:
        """(n,) defender's utility if each target were attacked."""
        du: FloatArray = self.defender_uncovered + coverage * (
            self.defender_covered - self.defender_uncovered
        )
        return du

    def attacker(self, coverage: FloatArray) -> FloatArray:
        """(n,) attacker's expected utility of attacking each target."""
        au: FloatArray = self.attacker_uncovered - coverage * (
            self.attacker_uncovered - self.attacker_covered
        )
        return au

    def problems(self, ids: Sequence[str], where: str = "targets") -> list[FieldError]:
        """Every inconsistency: lengths, non-finite values, covered worse than uncovered."""
        errors: list[FieldError] = []
        arrays = [np.asarray(getattr(self, f), dtype=np.float64) for f in PAYOFF_FIELDS]
        for name, a in zip(PAYOFF_FIELDS, arrays, strict=True):
            if a.ndim != 1 or a.shape[0] != len(ids):
                errors.append(FieldError(f"{where}.{name}", f"expected {len(ids)} values"))
        if errors:
            return errors
        udc, udu, uac, uau = arrays
        for i, target in enumerate(ids):
            values = [float(a[i]) for a in arrays]
            for name, value in zip(PAYOFF_FIELDS, values, strict=True):
                if not np.isfinite(value):
                    errors.append(FieldError(f"{where}[{target}].{name}", "must be finite"))
            if udc[i] < udu[i]:
                errors.append(
                    FieldError(
                        f"{where}[{target}].defender_covered",
                        f"the defender's covered payoff {udc[i]:g} is worse than its "
                        f"uncovered payoff {udu[i]:g}",
                        "covered_worse",
                    )
                )
            if uac[i] > uau[i]:
                errors.append(
                    FieldError(
                        f"{where}[{target}].attacker_covered",
                        f"the attacker's covered payoff {uac[i]:g} is better than its "
                        f"uncovered payoff {uau[i]:g}",
                        "covered_better",
                    )
                )
        return errors


@dataclass(frozen=True, kw_only=True)
class SecurityGame:
    """A security game with one attacker type.

    Attributes
    ----------
    ids : target ids, unique.
    payoffs : per-target payoffs (utility units; any consistent scale).
    resources : number of defender resources m ≥ 0 (with groups: their total).
    groups : resource groups (teams bound to districts or feasible sets); empty means
        identical resources that may cover any target.
    min_coverage : (n,) minimum coverage per target, or None.

    Raises
    ------
    ValidationError
        Listing every problem at once.
    """

    ids: tuple[str, ...]
    payoffs: Payoffs
    resources: float
    groups: tuple[ResourceGroup, ...] = ()
    min_coverage: FloatArray | None = None
    polytope: Polytope = field(init=False, repr=False)

    def __post_init__(self) -> None:
        errors = game_problems(self.ids, self.resources, self.groups, self.min_coverage)
        errors += self.payoffs.problems(self.ids)
        if errors:
            msg = "The security game is invalid."
            raise ValidationError(msg, errors=errors)
        polytope = coverage_polytope(len(self.ids), self.resources, self.groups, self.min_coverage)
        object.__setattr__(self, "polytope", polytope)

    @property
    def n(self) -> int:
        """Number of targets."""
        return len(self.ids)

    @property
    def is_compact(self) -> bool:
        """True when resources are identical and unconstrained (ORIGAMI applies)."""
        return not self.groups and (self.min_coverage is None or not np.any(self.min_coverage))


def game_problems(
    ids: Sequence[str],
    resources: float,
    groups: Sequence[ResourceGroup],
    min_coverage: FloatArray | None,
) -> list[FieldError]:
    """Problems with the parts of a game other than its payoffs."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for target in ids:
        if target in seen:
            errors.append(FieldError(f"targets[{target}].id", "duplicate id", "duplicate"))
        seen.add(target)
    if not np.isfinite(resources) or resources < 0:
        errors.append(FieldError("resources", f"must be a number ≥ 0, got {resources}"))
    n = len(ids)
    for g, group in enumerate(groups):
        if group.count < 0:
            errors.append(FieldError(f"groups[{g}].count", "must be ≥ 0"))
        if any(t < 0 or t >= n for t in group.targets):
            errors.append(FieldError(f"groups[{g}].targets", "refers to an unknown target"))
    if groups and abs(sum(g.count for g in groups) - resources) > 1e-9:
        errors.append(FieldError("resources", "must equal the total count of the groups"))
    if min_coverage is not None:
        low = np.asarray(min_coverage, dtype=np.float64)
        if low.shape != (n,) or np.any(~np.isfinite(low)) or np.any(low < 0) or np.any(low > 1):
            errors.append(FieldError("min_coverage", f"expected {n} values in [0, 1]"))
        elif low.sum() > resources + 1e-9:
            errors.append(
                FieldError("min_coverage", f"needs {low.sum():g} resources; only {resources:g}")
            )
    return errors


@dataclass(frozen=True, kw_only=True)
class Solution:
    """An exact strong Stackelberg equilibrium.

    Attributes
    ----------
    coverage : (n,) probability that each target is covered.
    defender_utility : defender's expected utility (at the attacked target).
    attacker_utility : attacker's expected utility (the maximum over targets).
    attack_set : indices of the targets the attacker is indifferent between (all best).
    attacked : the target attacked: the defender's favourite in the attack set.
    method : ``"origami"`` or ``"multiple-lps"``.
    group_coverage : (G, n) split of the coverage among the resource groups (G = 0 without
        groups).
    tolerance : absolute tolerance used for ties (utility units).
    """

    coverage: FloatArray
    defender_utility: float
    attacker_utility: float
    attack_set: tuple[int, ...]
    attacked: int
    method: str
    group_coverage: FloatArray
    tolerance: float


def best_response(
    payoffs: Payoffs, coverage: FloatArray, tol: float
) -> tuple[tuple[int, ...], int, float, float]:
    """The attacker's SSE response to ``coverage``.

    Returns
    -------
    attack_set, attacked, attacker_utility, defender_utility
        Ties within ``tol`` (utility units) are broken in the defender's favour.
    """
    ua = payoffs.attacker(coverage)
    best = float(ua.max())
    members = np.flatnonzero(ua >= best - tol)
    ud = payoffs.defender(coverage)
    attacked = int(members[np.argmax(ud[members])])
    return tuple(int(t) for t in members), attacked, best, float(ud[attacked])


def _solution(
    payoffs: Payoffs, coverage: FloatArray, method: str, groups: FloatArray, tol: float
) -> Solution:
    attack_set, attacked, ua, ud = best_response(payoffs, coverage, tol)
    return Solution(
        coverage=coverage,
        defender_utility=ud,
        attacker_utility=ua,
        attack_set=attack_set,
        attacked=attacked,
        method=method,
        group_coverage=groups,
        tolerance=tol,
    )


def origami(payoffs: Payoffs, resources: float) -> Solution:
    """Exact SSE of the compact game with ``resources`` identical, unconstrained resources.

    The targets are sorted by the attacker's uncovered payoff; the first ``k`` form the
    attack set, all pushed down to one level ``x``. With prefix sums
    ``S0 = Σ 1/ΔA`` and ``S1 = Σ Uau/ΔA`` (``ΔA = Uau − Uac``) the level that uses all the
    resources is ``(S1 − m)/S0``; it can never fall below the largest covered payoff
    ``max Uac`` of the set (full coverage). The first ``k`` whose level reaches the next
    target's ``Uau`` is the answer. Targets with ``ΔA = 0`` cannot be pushed down; any
    resources left over go to such a target when it is the one attacked.

    Parameters
    ----------
    payoffs : the game's payoffs (``Udc ≥ Udu``, ``Uac ≤ Uau``).
    resources : m ≥ 0 (may exceed the number of targets, and need not be an integer).

    Returns
    -------
    Solution
    """
    n = payoffs.n
    uau, uac = payoffs.attacker_uncovered, payoffs.attacker_covered
    delta_a = uau - uac
    order = np.argsort(-uau, kind="stable")
    u, d, low = uau[order], delta_a[order], uac[order]
    movable = d > 0
    inv = np.divide(1.0, d, out=np.zeros(n), where=movable)
    s0 = np.cumsum(inv)
    s1 = np.cumsum(u * inv)
    with np.errstate(divide="ignore", invalid="ignore"):
        spend = np.where(s0 > 0, (s1 - resources) / np.where(s0 > 0, s0, 1.0), -np.inf)
    level = np.maximum(spend, np.maximum.accumulate(low))
    following = np.append(u[1:], -np.inf)
    k = int(np.argmax(level >= following))
    x = float(level[k])
    coverage = np.zeros(n)
    inside = order[: k + 1]
    coverage[inside] = np.clip(
        np.divide(uau[inside] - x, delta_a[inside], out=np.zeros(k + 1), where=delta_a[inside] > 0),
        0.0,
        1.0,
    )
    tol = EXACT_TOL * payoffs.scale
    solution = _solution(payoffs, coverage, "origami", np.empty((0, n)), tol)
    left = resources - float(coverage.sum())
    if left > 0:
        coverage = _spend_leftover(payoffs, solution, left)
        solution = _solution(payoffs, coverage, "origami", np.empty((0, n)), tol)
    return solution


def _spend_leftover(payoffs: Payoffs, solution: Solution, left: float) -> FloatArray:
    """Give left-over resources to the best fixed-utility (ΔA = 0) target of the attack set.

    Covering such a target does not change the attacker's utility there, so it stays in
    the attack set while the defender's utility at it rises.
    """
    coverage = solution.coverage.copy()
    members = np.array(solution.attack_set)
    fixed = members[payoffs.attacker_uncovered[members] == payoffs.attacker_covered[members]]
    if fixed.size == 0:
        return coverage
    raised = np.minimum(1.0, coverage[fixed] + left)
    gain = payoffs.defender(np.zeros(payoffs.n))[fixed] + raised * (
        payoffs.defender_covered[fixed] - payoffs.defender_uncovered[fixed]
    )
    best = int(np.argmax(gain))
    if gain[best] > solution.defender_utility:
        coverage[fixed[best]] = raised[best]
    return coverage


def solve_multiple_lps(game: SecurityGame, *, bound_pruning: bool = True) -> Solution:
    """Exact SSE under any linear side constraint: one LP per candidate attacked target.

    For each candidate ``t*``: maximise ``U_d(t*)`` subject to ``U_a(t) ≤ U_a(t*)`` for
    every other target and the implementable-coverage rows of :mod:`.polytope`. A target
    whose uncovered payoff is below another target's covered payoff can never be attacked
    and is skipped; with ``bound_pruning`` the candidates are tried in decreasing order of
    ``Udc`` (an upper bound of their LP) and the search stops once no remaining bound can
    beat the best value found.

    Raises
    ------
    InfeasibleGameError
        When no coverage satisfies the constraints.
    SolverError
        When HiGHS fails.
    """
    p = game.payoffs
    n = game.n
    poly = game.polytope
    uau, uac = p.attacker_uncovered, p.attacker_covered
    delta_a, delta_d = uau - uac, p.defender_covered - p.defender_uncovered
    base, base_lo, base_hi = poly.rows(poly.n_vars, n)
    var_lo, var_hi = poly.var_bounds()
    top_two = np.sort(uac)[-2:] if n > 1 else np.array([-np.inf])
    candidates = [
        t for t in range(n) if uau[t] >= (top_two[-2] if uac[t] == top_two[-1] else top_two[-1])
    ]
    if bound_pruning:
        candidates.sort(key=lambda t: -p.defender_covered[t])
    best_value, best_x, best_t = -np.inf, None, -1
    tol = LP_TOL * p.scale
    others = np.arange(n)
    for t in candidates:
        if bound_pruning and p.defender_covered[t] <= best_value + tol:
            break
        rest = others[others != t]
        # U_a(s) ≤ U_a(t):  −ΔA_s c_s + ΔA_t c_t ≤ Uau_t − Uau_s
        rows = np.concatenate([np.arange(n - 1), np.arange(n - 1)])
        cols = np.concatenate([rest, np.full(n - 1, t)])
        vals = np.concatenate([-delta_a[rest], np.full(n - 1, delta_a[t])])
        attack = coo_matrix((vals, (rows, cols)), shape=(n - 1, poly.n_vars)).tocsr()
        cost = np.zeros(poly.n_vars)
        cost[t] = -delta_d[t]
        result = solve_linear(
            cost,
            vstack([attack, base]).tocsr(),
            np.concatenate([np.full(n - 1, -np.inf), base_lo]),
            np.concatenate([uau[t] - uau[rest], base_hi]),
            var_lower=var_lo,
            var_upper=var_hi,
        )
        if result.status == "infeasible":
            continue
        if result.status != "optimal" or result.x is None:
            msg = f"the LP for target {game.ids[t]} did not finish"
            raise SolverError(msg)
        value = float(p.defender_uncovered[t] + delta_d[t] * result.x[t])
        if value > best_value:
            best_value, best_x, best_t = value, result.x, t
    if best_x is None:
        msg = "no coverage satisfies the resource constraints"
        raise InfeasibleGameError(msg)
    coverage = poly.tidy(best_x[:n])
    split = poly.unpack(best_x) if game.groups else np.empty((0, n))
    solution = _solution(p, coverage, "multiple-lps", split, tol)
    if solution.defender_utility < best_value - tol or best_t not in solution.attack_set:
        msg = "the LP solution failed its equilibrium check"
        raise SolverError(msg)
    return solution


def solve_game(game: SecurityGame) -> Solution:
    """Exact SSE: ORIGAMI when no constraint binds, otherwise :func:`solve_multiple_lps`.

    With constraints, ORIGAMI's coverage is tried first: if it satisfies them (the minimum
    coverage, and a split among the groups exists) it is optimal for the constrained game
    too, since the constrained feasible set lies inside the unconstrained one.
    """
    compact = origami(game.payoffs, game.resources)
    if game.is_compact:
        return compact
    split = game.polytope.split(compact.coverage)
    if split is not None:
        return Solution(
            coverage=compact.coverage,
            defender_utility=compact.defender_utility,
            attacker_utility=compact.attacker_utility,
            attack_set=compact.attack_set,
            attacked=compact.attacked,
            method="origami",
            group_coverage=split,
            tolerance=compact.tolerance,
        )
    return solve_multiple_lps(game)
