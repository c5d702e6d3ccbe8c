"""The set of coverage vectors the defender can implement, as linear rows.

Identical resources that may go anywhere give the simplest set: ``0 ≤ c ≤ 1`` and
``Σ c ≤ m``. With **resource groups** (teams bound to a district or to any feasible set of
sites) the coverage must also be *split* among the groups: variables ``y[g, t] ≥ 0`` (the
probability that a resource of group ``g`` stands at site ``t``) with

* ``Σ_t y[g, t] ≤ count_g``        (a group has only so many resources),
* ``c_t ≤ Σ_g y[g, t]``            (a site is covered only by groups allowed there),
* ``y[g, t] = 0`` where group ``g`` may not go,

which is exactly the set of marginals that a random assignment of teams to sites can
realise (Birkhoff–von Neumann, see :mod:`.schedules`). **Minimum coverage** adds
``c_t ≥ low_t``. Every solver of this package appends these rows to its own model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix, csr_matrix

from placeguard.engines.allocation._highs import solve_linear

__all__ = ["Polytope", "ResourceGroup", "coverage_polytope"]

FloatArray = NDArray[np.float64]
FEASIBILITY_TOL = 1e-7


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceGroup:
    """Identical resources (teams) that may cover only some targets.

    Attributes
    ----------
    name : label, for example the district.
    count : number of resources (teams) in the group, ≥ 0.
    targets : indices of the targets the group may cover.
    """

    name: str
    count: int
    targets: tuple[int, ...]


@dataclass(frozen=True)
class Polytope:
    """Linear description of the implementable coverage vectors.

    Attributes
    ----------
    n : number of targets (the first ``n`` variables are the coverage ``c``).
    pairs : ``(g, t)`` for each split variable ``y`` (which follow ``c``, in this order).
    matrix, lower, upper : rows ``lower ≤ matrix @ [c, y] ≤ upper``.
    c_lower : (n,) lower bound of each ``c_t`` (the minimum coverage, else 0).
    """

    n: int
    resources: float
    groups: tuple[ResourceGroup, ...]
    pairs: tuple[tuple[int, int], ...]
    matrix: csr_matrix
    lower: FloatArray
    upper: FloatArray
    c_lower: FloatArray

    @property
    def n_vars(self) -> int:
        """Number of variables ``[c, y]``."""
        return self.n + len(self.pairs)

    def var_bounds(self) -> tuple[FloatArray, FloatArray]:
        """Lower and upper bounds of ``[c, y]``."""
        lo = np.concatenate([self.c_lower, np.zeros(len(self.pairs))])
        return lo, np.ones(self.n_vars)

    def rows(self, n_cols: int, y_offset: int) -> tuple[csr_matrix, FloatArray, FloatArray]:
        """The rows placed in a larger model: ``c`` in columns ``0..n-1``, ``y`` from
        ``y_offset`` on."""
        coo = self.matrix.tocoo()
        cols = np.where(coo.col < self.n, coo.col, coo.col - self.n + y_offset)
        shape = (self.matrix.shape[0], n_cols)
        return coo_matrix((coo.data, (coo.row, cols)), shape=shape).tocsr(), self.lower, self.upper

    def tidy(self, c: FloatArray) -> FloatArray:
        """Remove solver round-off (≈1e-9) from a coverage: clip to [0, 1] and, without
        groups, scale down a sum that exceeds the resources by a sliver."""
        tidy: FloatArray = np.clip(c, 0.0, 1.0) + 0.0
        total = float(tidy.sum())
        if not self.groups and total > self.resources > 0:
            tidy *= self.resources / total
        return tidy

    def split(self, c: FloatArray) -> FloatArray | None:
        """A (G, n) split ``y`` of coverage ``c`` among the groups, or None if ``c`` is not
        implementable (checked with an LP when there are groups)."""
        if np.any(c < self.c_lower - FEASIBILITY_TOL) or np.any(c > 1 + FEASIBILITY_TOL):
            return None
        if not self.groups:
            return None if c.sum() > self.resources + FEASIBILITY_TOL else np.empty((0, self.n))
        ny = len(self.pairs)
        fixed = self.matrix[:, : self.n] @ np.clip(c, 0.0, 1.0)
        result = solve_linear(
            np.zeros(ny),
            csr_matrix(self.matrix[:, self.n :]),
            self.lower - fixed - FEASIBILITY_TOL,
            self.upper - fixed + FEASIBILITY_TOL,
            var_lower=np.zeros(ny),
            var_upper=np.ones(ny),
        )
        if result.status != "optimal" or result.x is None:
            return None
        y = self.unpack(np.concatenate([c, result.x]))
        # HiGHS may leave a sliver of slack: make each column sum exactly to its coverage
        total = y.sum(axis=0)
        scale = np.divide(c, total, out=np.zeros(self.n), where=total > 0)
        rescaled: FloatArray = y * scale
        return rescaled

    def unpack(self, x: FloatArray) -> FloatArray:
        """(G, n) group split from a solution vector ``[c, y]``."""
        y = np.zeros((len(self.groups), self.n))
        for k, (g, t) in enumerate(self.pairs):
            y[g, t] = max(0.0, float(x[self.n + k]))
        return y


def coverage_polytope(
    n: int,
    resources: float,
    groups: Sequence[ResourceGroup] = (),
    min_coverage: FloatArray | None = None,
) -> Polytope:
    """Build the implementable-coverage rows for ``n`` targets.

    Parameters
    ----------
    n : number of targets.
    resources : total resources m (with groups: the sum of their counts).
    groups : resource groups; empty means identical resources that may cover any target.
    min_coverage : (n,) lower bounds on coverage, or None.

    Returns
    -------
    Polytope
    """
    c_lower = np.zeros(n) if min_coverage is None else np.asarray(min_coverage, dtype=np.float64)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    pairs: list[tuple[int, int]] = []
    if not groups:
        rows += [0] * n
        cols += list(range(n))
        vals += [1.0] * n
        lower.append(-np.inf)
        upper.append(float(resources))
    else:
        for g, group in enumerate(groups):
            pairs += [(g, t) for t in sorted(set(group.targets))]
        # c_t − Σ_g y[g, t] ≤ 0
        for t in range(n):
            rows.append(t)
            cols.append(t)
            vals.append(1.0)
        for k, (_, t) in enumerate(pairs):
            rows.append(t)
            cols.append(n + k)
            vals.append(-1.0)
        lower += [-np.inf] * n
        upper += [0.0] * n
        # Σ_t y[g, t] ≤ count_g
        for k, (g, _) in enumerate(pairs):
            rows.append(n + g)
            cols.append(n + k)
            vals.append(1.0)
        lower += [-np.inf] * len(groups)
        upper += [float(group.count) for group in groups]
    shape = (len(lower), n + len(pairs))
    matrix = csr_matrix(coo_matrix((np.array(vals), (np.array(rows), np.array(cols))), shape=shape))
    return Polytope(
        n=n,
        resources=float(resources),
        groups=tuple(groups),
        pairs=tuple(pairs),
        matrix=matrix,
        lower=np.array(lower),
        upper=np.array(upper),
        c_lower=c_lower,
    )
