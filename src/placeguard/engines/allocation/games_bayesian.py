"""Bayesian security games: one shared coverage against several attacker types.

Each attacker type ``λ`` has a prior ``p_λ`` and its own four payoffs per target; every type
observes the same coverage ``c`` and attacks its own best target (ties broken in the
defender's favour, as in DOBSS). The defender maximises ``Σ_λ p_λ U_d^λ(t_λ, c)``. Finding
this commitment is NP-hard, so it is solved by branch and bound.

**Method (exact).** A mixed-integer model whose LP relaxation is much tighter than the
big-M model of DOBSS, solved by HiGHS:

* each type's choice of target is a disjunction "type λ attacks t"; for every candidate
  ``t`` the model keeps a scaled copy of what that choice implies — the type's attack
  level ``ℓ_t``, its defender value ``d_t`` and the coverage ``z_t`` of ``t`` — weighted by
  the choice variable ``a_t`` (a partial convex-hull, or perspective, formulation, rather
  than one large constant M per row);
* the level of every type satisfies ``ℓ_λ ≥ U_a^λ(s, c)`` for all targets, so pushing the
  attacker down costs resources in the shared coverage;
* each type's value is also bounded by the concave envelope of "best defender utility
  reachable at attack level ℓ", a valid cut that the big-M model lacks;
* a target ``t`` is a candidate for type λ only if ``Uau_t`` reaches the lowest level the
  resources can force on that type (computed exactly beforehand).

Before branching, the single-type optima and the LP relaxation give an incumbent and an
upper bound, so a time limit always returns a plan with its optimality gap. The baseline
:func:`solve_bayesian_dobss` is the DOBSS-style compact MILP with tight per-row big-M.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix, csr_matrix, vstack

from placeguard.core.errors import FieldError, ValidationError
from placeguard.engines.allocation._highs import (
    InfeasibleGameError,
    LinearResult,
    SolverError,
    solve_linear,
)
from placeguard.engines.allocation.games import (
    LP_TOL,
    Payoffs,
    SecurityGame,
    best_response,
    game_problems,
    origami,
    solve_game,
)
from placeguard.engines.allocation.polytope import Polytope, ResourceGroup, coverage_polytope

__all__ = [
    "AttackerType",
    "BayesianGame",
    "BayesianSolution",
    "TypeResponse",
    "evaluate_bayesian",
    "solve_bayesian",
    "solve_bayesian_dobss",
]

FloatArray = NDArray[np.float64]
PRIOR_TOL = 1e-6


@dataclass(frozen=True, kw_only=True)
class AttackerType:
    """One attacker type: its prior probability and its payoffs (defender's too)."""

    name: str
    prior: float
    payoffs: Payoffs


@dataclass(frozen=True, kw_only=True)
class BayesianGame:
    """A security game against several attacker types sharing one coverage.

    Attributes
    ----------
    ids : target ids, unique.
    resources : defender resources m ≥ 0.
    types : attacker types; priors ≥ 0 summing to 1 (tolerance 1e-6).
    groups, min_coverage : side constraints, as in :class:`.games.SecurityGame`.

    Raises
    ------
    ValidationError
        Listing every problem at once.
    """

    ids: tuple[str, ...]
    resources: float
    types: tuple[AttackerType, ...]
    groups: tuple[ResourceGroup, ...] = ()
    min_coverage: FloatArray | None = None
    polytope: Polytope = field(init=False, repr=False)

    def __post_init__(self) -> None:
        errors = game_problems(self.ids, self.resources, self.groups, self.min_coverage)
        errors += type_problems(self.ids, self.types)
        if errors:
            msg = "The Bayesian security game is invalid."
            raise ValidationError(msg, errors=errors)
        polytope = coverage_polytope(len(self.ids), self.resources, self.groups, self.min_coverage)
        object.__setattr__(self, "polytope", polytope)

    @property
    def n(self) -> int:
        """Number of targets."""
        return len(self.ids)

    @property
    def scale(self) -> float:
        """Largest absolute payoff over all types (at least 1)."""
        return max(t.payoffs.scale for t in self.types)

    def single(self, k: int) -> SecurityGame:
        """The one-type game of type ``k`` with the same resources and constraints."""
        return SecurityGame(
            ids=self.ids,
            payoffs=self.types[k].payoffs,
            resources=self.resources,
            groups=self.groups,
            min_coverage=self.min_coverage,
        )


def type_problems(ids: Sequence[str], types: Sequence[AttackerType]) -> list[FieldError]:
    """Problems with the attacker types: names, priors and payoffs."""
    errors: list[FieldError] = []
    if not types:
        errors.append(FieldError("types", "at least one attacker type is needed"))
    names: set[str] = set()
    for k, kind in enumerate(types):
        where = f"types[{kind.name or k}]"
        if not kind.name:
            errors.append(FieldError(f"types[{k}].name", "missing"))
        elif kind.name in names:
            errors.append(FieldError(f"{where}.name", "duplicate type name", "duplicate"))
        names.add(kind.name)
        if not np.isfinite(kind.prior) or kind.prior < 0:
            errors.append(FieldError(f"{where}.prior", f"must be ≥ 0, got {kind.prior}"))
        errors += kind.payoffs.problems(ids, f"{where}.targets")
    total = float(sum(kind.prior for kind in types))
    if types and abs(total - 1.0) > PRIOR_TOL:
        errors.append(FieldError("types.prior", f"priors must sum to 1, they sum to {total:g}"))
    return errors


@dataclass(frozen=True, slots=True)
class TypeResponse:
    """How one attacker type responds to the coverage."""

    name: str
    attacked: int
    attack_set: tuple[int, ...]
    attacker_utility: float
    defender_utility: float


@dataclass(frozen=True, kw_only=True)
class BayesianSolution:
    """The defender's commitment against several attacker types.

    Attributes
    ----------
    coverage : (n,) coverage probabilities.
    defender_utility : prior-weighted defender utility of ``coverage`` (the incumbent).
    upper_bound : proven upper bound of the optimal value.
    proven_optimal : True when the solver proved optimality (to a relative gap ≤ 1e-7).
    gap : relative gap ``(upper_bound − defender_utility) / max(|defender_utility|, ε)``.
    gap_absolute : ``upper_bound − defender_utility`` (utility units).
    responses : each type's response, in the order of the game's types.
    method : ``"disjunctive-milp"`` or ``"dobss"``.
    status : ``"optimal"`` or ``"time_limit"``.
    nodes : branch-and-bound nodes explored by HiGHS.
    group_coverage : (G, n) split among resource groups.
    """

    coverage: FloatArray
    defender_utility: float
    upper_bound: float
    proven_optimal: bool
    gap: float
    gap_absolute: float
    responses: tuple[TypeResponse, ...]
    method: str
    status: str
    nodes: int
    group_coverage: FloatArray


def evaluate_bayesian(
    game: BayesianGame, coverage: FloatArray, tol: float | None = None
) -> tuple[float, tuple[TypeResponse, ...]]:
    """Prior-weighted defender utility of ``coverage`` and every type's response.

    Ties within ``tol`` (default: 1e-6 of the payoff scale) are broken in the defender's
    favour, separately for each type.
    """
    tol = LP_TOL * game.scale if tol is None else tol
    total = 0.0
    responses = []
    for kind in game.types:
        attack_set, attacked, ua, ud = best_response(kind.payoffs, coverage, tol)
        responses.append(TypeResponse(kind.name, attacked, attack_set, ua, ud))
        total += kind.prior * ud
    return total, tuple(responses)


def _lowest_level(game: BayesianGame, k: int) -> float:
    """The lowest attacker utility the resources can force on type ``k``."""
    p = game.types[k].payoffs
    if not game.groups and game.min_coverage is None:
        return origami(p, game.resources).attacker_utility
    poly = game.polytope
    n, nv = game.n, poly.n_vars + 1
    rows, lo, hi = poly.rows(nv, n)
    delta_a = p.attacker_uncovered - p.attacker_covered
    level = coo_matrix(
        (
            np.concatenate([-delta_a, -np.ones(n)]),
            (np.tile(np.arange(n), 2), np.r_[np.arange(n), np.full(n, nv - 1)]),
        ),
        shape=(n, nv),
    )
    var_lo, var_hi = poly.var_bounds()
    cost = np.zeros(nv)
    cost[-1] = 1.0
    result = solve_linear(
        cost,
        csr_matrix(vstack([level, rows])),
        np.concatenate([np.full(n, -np.inf), lo]),
        np.concatenate([-p.attacker_uncovered, hi]),
        var_lower=np.append(var_lo, -np.inf),
        var_upper=np.append(var_hi, np.inf),
    )
    if result.status == "infeasible":
        msg = "no coverage satisfies the resource constraints"
        raise InfeasibleGameError(msg)
    if result.status != "optimal" or result.x is None:
        msg = "the attack-level LP did not finish"
        raise SolverError(msg)
    return float(result.x[-1])


def _envelope(p: Payoffs, candidates: NDArray[np.int64], floor: float) -> list[tuple[float, float]]:
    """Lines ``(a, b)`` of the concave envelope of "best defender utility at level ℓ".

    At attack level ``ℓ ≥ floor`` a candidate ``t`` can be the attacked target with coverage
    ``(Uau_t − ℓ)/ΔA_t``; each candidate contributes a segment, and the upper concave hull
    of their end points bounds the defender's utility from above: ``d ≤ a + b ℓ``.
    """
    points: dict[float, float] = {}
    for t in candidates:
        uau, uac = float(p.attacker_uncovered[t]), float(p.attacker_covered[t])
        udc, udu = float(p.defender_covered[t]), float(p.defender_uncovered[t])
        top = udc if uau - uac <= 0 else udu + (udc - udu) * min(1.0, (uau - floor) / (uau - uac))
        for x, y in ((floor, top), (uau, udu if uau > floor else top)):
            points[x] = max(points.get(x, -np.inf), y)
    hull: list[tuple[float, float]] = []
    for x, y in sorted(points.items()):
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1) >= 0:
                hull.pop()
            else:
                break
        hull.append((x, y))
    if len(hull) == 1:
        return [(hull[0][1], 0.0)]
    lines = []
    for (x1, y1), (x2, y2) in itertools.pairwise(hull):
        slope = (y2 - y1) / (x2 - x1)
        lines.append((y1 - slope * x1, slope))
    return lines


class _Rows:
    """Sparse rows ``lo ≤ A x ≤ hi`` being assembled."""

    def __init__(self) -> None:
        self.r: list[int] = []
        self.c: list[int] = []
        self.v: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def add(self, cols: Sequence[int], vals: Sequence[float], lo: float, hi: float) -> None:
        self.r += [len(self.lo)] * len(cols)
        self.c += list(cols)
        self.v += list(vals)
        self.lo.append(lo)
        self.hi.append(hi)

    def matrix(self, n_cols: int) -> coo_matrix:
        return coo_matrix(
            (np.array(self.v), (np.array(self.r), np.array(self.c))), shape=(len(self.lo), n_cols)
        )


@dataclass
class _Model:
    cost: FloatArray
    matrix: csr_matrix
    lower: FloatArray
    upper: FloatArray
    var_lower: FloatArray
    var_upper: FloatArray
    integrality: NDArray[np.int64]


def _assemble(
    game: BayesianGame,
    *,
    rows: _Rows,
    lower: list[float],
    upper: list[float],
    integ: list[int],
    cost: list[float],
) -> _Model:
    poly = game.polytope
    nv = len(lower)
    base, base_lo, base_hi = poly.rows(nv, game.n)
    return _Model(
        cost=np.array(cost),
        matrix=csr_matrix(vstack([rows.matrix(nv), base])),
        lower=np.concatenate([rows.lo, base_lo]),
        upper=np.concatenate([rows.hi, base_hi]),
        var_lower=np.array(lower),
        var_upper=np.array(upper),
        integrality=np.array(integ, dtype=np.int64),
    )


def _disjunctive_model(game: BayesianGame) -> _Model:
    n, poly = game.n, game.polytope
    c_lo, c_hi = poly.var_bounds()
    lower, upper = list(c_lo), list(c_hi)
    integ = [0] * poly.n_vars
    cost = [0.0] * poly.n_vars
    rows = _Rows()

    def new(lo: float, hi: float, weight: float = 0.0, integer: int = 0) -> int:
        lower.append(lo)
        upper.append(hi)
        cost.append(weight)
        integ.append(integer)
        return len(lower) - 1

    for k, kind in enumerate(game.types):
        p = kind.payoffs
        uau, uac = p.attacker_uncovered, p.attacker_covered
        udc, udu = p.defender_covered, p.defender_uncovered
        delta_a, delta_d = uau - uac, udc - udu
        # the level is never below the lowest one the resources can force (a margin of
        # 1e-9 absorbs LP round-off; ties are searched with the wider LP tolerance)
        floor = max(_lowest_level(game, k) - 1e-9 * p.scale, float(uac.max()))
        candidates = np.flatnonzero(uau >= floor - LP_TOL * p.scale)
        level = new(floor, float(uau.max()))
        value = new(float(udu.min()), float(udc.max()), -kind.prior)
        for s in range(n):  # ℓ ≥ U_a(s, c)
            rows.add([s, level], [-delta_a[s], -1.0], -np.inf, -uau[s])
        for a, b in _envelope(p, candidates, floor):
            rows.add([value, level], [1.0, -b], -np.inf, a)
        choice, part_level, part_value = [], [], []
        for t in candidates:
            a = new(0.0, 1.0, integer=1)
            lt = new(min(0.0, floor), max(0.0, float(uau[t])))
            dt = new(min(0.0, float(udu[t])), max(0.0, float(udc[t])))
            zt = new(0.0, 1.0)
            choice.append(a)
            part_level.append(lt)
            part_value.append(dt)
            rows.add([lt, a, zt], [1.0, -uau[t], delta_a[t]], 0.0, 0.0)  # ℓ_t = U_a(t)·a_t
            rows.add([dt, a, zt], [1.0, -udu[t], -delta_d[t]], -np.inf, 0.0)  # d_t ≤ U_d(t)·a_t
            rows.add([zt, a], [1.0, -1.0], -np.inf, 0.0)  # z_t ≤ a_t
            rows.add([zt, int(t)], [1.0, -1.0], -np.inf, 0.0)  # z_t ≤ c_t
            rows.add([int(t), zt, a], [1.0, -1.0, 1.0], -np.inf, 1.0)  # c_t ≤ z_t + 1 − a_t
            rows.add([lt, a], [1.0, -floor], 0.0, np.inf)  # ℓ_t ≥ floor·a_t
        rows.add(choice, [1.0] * len(choice), 1.0, 1.0)
        rows.add([level, *part_level], [1.0] + [-1.0] * len(part_level), 0.0, 0.0)
        rows.add([value, *part_value], [1.0] + [-1.0] * len(part_value), -np.inf, 0.0)
    return _assemble(game, rows=rows, lower=lower, upper=upper, integ=integ, cost=cost)


def _dobss_model(game: BayesianGame) -> _Model:
    n, poly = game.n, game.polytope
    c_lo, c_hi = poly.var_bounds()
    lower, upper = list(c_lo), list(c_hi)
    integ = [0] * poly.n_vars
    cost = [0.0] * poly.n_vars
    rows = _Rows()
    for kind in game.types:
        p = kind.payoffs
        uau, uac = p.attacker_uncovered, p.attacker_covered
        udc, udu = p.defender_covered, p.defender_uncovered
        delta_a, delta_d = uau - uac, udc - udu
        d_max, d_min = float(max(udc.max(), udu.max())), float(min(udc.min(), udu.min()))
        first = len(lower)
        lower += [0.0] * n
        upper += [1.0] * n
        integ += [1] * n
        cost += [0.0] * n
        d, k = first + n, first + n + 1
        lower += [d_min, float(uac.max())]
        upper += [d_max, float(uau.max())]
        integ += [0, 0]
        cost += [-kind.prior, 0.0]
        rows.add(list(range(first, first + n)), [1.0] * n, 1.0, 1.0)
        for t in range(n):
            m_d = d_max - min(udc[t], udu[t])
            m_a = float(uau.max()) - uac[t]
            rows.add([d, t, first + t], [1.0, -delta_d[t], m_d], -np.inf, m_d + udu[t])
            rows.add([k, t], [1.0, delta_a[t]], uau[t], np.inf)
            rows.add([k, t, first + t], [1.0, delta_a[t], m_a], -np.inf, m_a + uau[t])
    return _assemble(game, rows=rows, lower=lower, upper=upper, integ=integ, cost=cost)


def _heuristic(game: BayesianGame) -> FloatArray:
    """Best of the single-type optimal coverages, judged against all the types."""
    best, best_value = None, -np.inf
    for k in range(len(game.types)):
        coverage = solve_game(game.single(k)).coverage
        value, _ = evaluate_bayesian(game, coverage)
        if value > best_value:
            best, best_value = coverage, value
    assert best is not None  # there is at least one type (validated)
    return best


def _solve(game: BayesianGame, model: _Model, method: str, time_limit: float) -> BayesianSolution:
    n = game.n
    incumbent = _heuristic(game)
    relaxation = solve_linear(
        model.cost, model.matrix, model.lower, model.upper,
        var_lower=model.var_lower, var_upper=model.var_upper,
    )  # fmt: skip
    if relaxation.status == "infeasible":
        msg = "no coverage satisfies the resource constraints"
        raise InfeasibleGameError(msg)
    if relaxation.status != "optimal":
        msg = "the LP relaxation did not finish"
        raise SolverError(msg)
    upper_bound = -relaxation.objective
    result: LinearResult | None = None
    if time_limit > 0:
        result = solve_linear(
            model.cost, model.matrix, model.lower, model.upper,
            var_lower=model.var_lower, var_upper=model.var_upper,
            integrality=model.integrality, time_limit=time_limit,
        )  # fmt: skip
        if result.status == "infeasible":
            msg = "the Bayesian model is infeasible although its relaxation is not"
            raise SolverError(msg)
        if np.isfinite(result.bound):
            upper_bound = min(upper_bound, -result.bound)
    inc_value, _ = evaluate_bayesian(game, incumbent)
    proven = result is not None and result.status == "optimal"
    if result is not None and result.x is not None:
        coverage = game.polytope.tidy(result.x[:n])
        value, _ = evaluate_bayesian(game, coverage)
        if value < -result.objective - LP_TOL * game.scale:
            msg = f"the {method} solution failed its equilibrium check"
            raise SolverError(msg)
        if value >= inc_value:
            incumbent, inc_value = coverage, value
    value, responses = evaluate_bayesian(game, incumbent)
    upper_bound = max(upper_bound, value)
    gap_abs = (
        0.0
        if proven and upper_bound - value < 1e-7 * max(1.0, abs(value))
        else (upper_bound - value)
    )
    split = game.polytope.split(incumbent) if game.groups else np.empty((0, n))
    return BayesianSolution(
        coverage=incumbent,
        defender_utility=value,
        upper_bound=upper_bound,
        proven_optimal=proven,
        gap=gap_abs / max(abs(value), 1e-9 * game.scale),
        gap_absolute=gap_abs,
        responses=responses,
        method=method,
        status="optimal" if proven else "time_limit",
        nodes=0 if result is None else result.nodes,
        group_coverage=np.empty((0, n)) if split is None else split,
    )


def solve_bayesian(game: BayesianGame, *, time_limit: float = 60.0) -> BayesianSolution:
    """Exact optimal coverage against several attacker types (disjunctive MILP, HiGHS).

    Parameters
    ----------
    game : the Bayesian game.
    time_limit : seconds for the branch and bound; when it runs out the best plan found is
        returned with ``proven_optimal=False`` and its gap to the proven upper bound
        (``0`` skips the search: heuristic plan and LP bound only).

    Returns
    -------
    BayesianSolution

    Raises
    ------
    InfeasibleGameError, SolverError
    """
    return _solve(game, _disjunctive_model(game), "disjunctive-milp", time_limit)


def solve_bayesian_dobss(game: BayesianGame, *, time_limit: float = 60.0) -> BayesianSolution:
    """Baseline: the DOBSS-style compact MILP with tight per-row big-M (HiGHS)."""
    return _solve(game, _dobss_model(game), "dobss", time_limit)
