"""Concrete randomised shift plans from a coverage vector, and their CSV/iCalendar export.

The game gives *marginals*: each site's probability of being covered. A plan for a shift
must put each team at one site (or in reserve) so that, over many shifts, every site is
covered with exactly its probability:

* **Identical teams** — comb (systematic) sampling: lay the coverages end to end on
  ``[0, m)`` (a dummy gap of ``m − Σc`` at the end), draw ``u`` uniform in ``[0, 1)`` and
  take the sites under the points ``u, u + 1, …, u + m − 1``. Every ``c_t ≤ 1``, so each
  site is picked at most once and exactly with probability ``c_t``. The teams are shuffled
  over the chosen sites.
* **Teams bound to districts or feasible sets** — the game's split ``y[g, t]`` of coverage
  among groups of teams is shared equally by the teams of a group. When the groups' sites
  do not overlap, each group is comb-sampled on its own. Otherwise the team × site matrix
  (rows and columns sum to at most 1) is padded to a doubly stochastic matrix and written
  as a convex combination of assignments (Birkhoff–von Neumann); each shift draws one.

Randomness: a seed is always recorded in the result for audit. When none is given it is
drawn from :mod:`secrets`, so a new schedule cannot be predicted from earlier ones; keep
seeds and plans confidential.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from placeguard.core.errors import FieldError, ValidationError

__all__ = [
    "Assignment",
    "Schedule",
    "comb_sample",
    "make_schedule",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
RESERVE = -1
_EPS = 1e-12


def comb_sample(coverage: FloatArray, slots: int, rng: np.random.Generator) -> IntArray:
    """Sites picked for ``slots`` identical resources; ``P(t picked) = coverage[t]``.

    Parameters
    ----------
    coverage : (n,) probabilities in [0, 1] with ``Σ ≤ slots`` (a float excess is scaled).
    slots : number of resources.
    rng : random generator.

    Returns
    -------
    (k,) distinct site indices, ``k ≤ slots`` (the rest of the slots are idle).
    """
    c = np.clip(np.asarray(coverage, dtype=np.float64), 0.0, 1.0)
    total = float(c.sum())
    if total > slots > 0:
        c = c * (slots / total)
    edges = np.cumsum(c)
    points = rng.random() + np.arange(slots)
    picked = np.searchsorted(edges, points, side="right")
    chosen: IntArray = picked[picked < c.size].astype(np.int64)
    return chosen


def _birkhoff(z: FloatArray) -> tuple[FloatArray, list[IntArray]]:
    """Write a (R, n) doubly substochastic matrix as a mixture of partial assignments.

    Returns
    -------
    weights, assignments
        ``assignments[k][r]`` is team ``r``'s site, or -1 (reserve); ``Σ weights = 1``.
    """
    r, n = z.shape
    size = r + n
    square = np.zeros((size, size))
    square[:r, :n] = z
    square[:r, n:] = np.diag(np.clip(1.0 - z.sum(axis=1), 0.0, 1.0))
    square[r:, :n] = np.diag(np.clip(1.0 - z.sum(axis=0), 0.0, 1.0))
    square[r:, n:] = z.T
    weights: list[float] = []
    assignments: list[IntArray] = []
    remaining = 1.0
    while remaining > 1e-9:
        support = csr_matrix(square > 1e-10)
        match = maximum_bipartite_matching(support, perm_type="column")
        if np.any(match < 0):  # numerical dust only: the rest is too small to matter
            break
        rows = np.arange(size)
        weight = float(square[rows, match].min())
        if weight <= 0:
            break
        square[rows, match] -= weight
        remaining -= weight
        weights.append(weight)
        assignments.append(np.where(match[:r] < n, match[:r], RESERVE).astype(np.int64))
    w = np.array(weights)
    return w / w.sum(), assignments


@dataclass(frozen=True, slots=True)
class Assignment:
    """One team's post for one shift (``site`` None: in reserve)."""

    day: date
    shift: int
    start: datetime
    end: datetime
    team: str
    site: str | None


@dataclass(frozen=True)
class Schedule:
    """A sampled plan: every team's post for every shift.

    Attributes
    ----------
    seed : the seed the plan was drawn with (record it; keep it confidential).
    assignments : one per team per shift, in time order.
    method : ``"comb"``, ``"comb-per-group"`` or ``"birkhoff"``.
    """

    seed: int
    assignments: tuple[Assignment, ...]
    method: str

    def csv_rows(self) -> list[list[str]]:
        """Header and one row per team and shift (local times, ISO 8601)."""
        rows = [["date", "shift", "start", "end", "team", "site", "post"]]
        for a in self.assignments:
            rows.append(
                [
                    a.day.isoformat(),
                    str(a.shift + 1),
                    a.start.isoformat(timespec="minutes"),
                    a.end.isoformat(timespec="minutes"),
                    a.team,
                    a.site or "",
                    "patrol" if a.site else "reserve",
                ]
            )
        return rows

    def to_ics(self, *, stamp: datetime, name: str = "PlaceGuard patrol schedule") -> str:
        """RFC 5545 calendar text (CRLF lines, folded at 75 octets, floating local times).

        Parameters
        ----------
        stamp : creation time for DTSTAMP (timezone-aware; converted to UTC).
        name : calendar name.
        """
        dtstamp = stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//PlaceGuard//Patrol schedule//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            f"X-WR-CALNAME:{_escape(name)}",
            f"X-PLACEGUARD-SEED:{self.seed}",
        ]
        for a in self.assignments:
            key = f"{self.seed}:{a.start.isoformat()}:{a.shift}:{a.team}"
            uid = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
            what = f"{a.team}: patrol {a.site}" if a.site else f"{a.team}: reserve"
            lines += [
                "BEGIN:VEVENT",
                f"UID:{uid}@placeguard",
                f"DTSTAMP:{dtstamp}",
                f"DTSTART:{a.start.strftime('%Y%m%dT%H%M%S')}",
                f"DTEND:{a.end.strftime('%Y%m%dT%H%M%S')}",
                f"SUMMARY:{_escape(what)}",
                f"DESCRIPTION:{_escape(f'Shift {a.shift + 1} of {a.day.isoformat()}.')}",
                "END:VEVENT",
            ]
        lines.append("END:VCALENDAR")
        return "".join(_fold(line) + "\r\n" for line in lines)


def _escape(text: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11)."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets (never inside a character)."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def make_schedule(
    *,
    ids: Sequence[str],
    coverage: FloatArray,
    teams: Sequence[str],
    days: int,
    start: date,
    shifts_per_day: int = 1,
    shift_hours: float | None = None,
    team_groups: Sequence[int] | None = None,
    group_coverage: FloatArray | None = None,
    seed: int | None = None,
) -> Schedule:
    """Draw a plan for ``days`` × ``shifts_per_day`` shifts, independently per shift.

    Parameters
    ----------
    ids : site ids (n).
    coverage : (n,) coverage to realise, ``Σ ≤ len(teams)``.
    teams : team names.
    days, shifts_per_day : the horizon; shifts start every ``24 / shifts_per_day`` hours
        from midnight of each day (local, floating time).
    shift_hours : length of a shift in hours (default ``24 / shifts_per_day``).
    team_groups : per team, its resource group index, or None when teams are identical.
    group_coverage : (G, n) split of the coverage among groups (needed with groups).
    seed : seed; None draws one from :mod:`secrets`.

    Returns
    -------
    Schedule

    Raises
    ------
    ValidationError
        For inconsistent inputs, listing every problem.
    """
    c = np.asarray(coverage, dtype=np.float64)
    errors = _problems(
        ids,
        c,
        teams,
        days=days,
        shifts_per_day=shifts_per_day,
        shift_hours=shift_hours,
        team_groups=team_groups,
        group_coverage=group_coverage,
    )
    if errors:
        msg = "Cannot build the schedule."
        raise ValidationError(msg, errors=errors)
    used_seed = secrets.randbits(63) if seed is None else int(seed)
    rng = np.random.default_rng(used_seed)
    draw, method = _sampler(c, len(teams), team_groups, group_coverage, rng)
    hours = 24.0 / shifts_per_day if shift_hours is None else shift_hours
    out: list[Assignment] = []
    for d in range(days):
        day = start + timedelta(days=d)
        midnight = datetime(day.year, day.month, day.day)  # noqa: DTZ001 - floating local time
        for s in range(shifts_per_day):
            begin = midnight + timedelta(hours=s * 24.0 / shifts_per_day)
            end = begin + timedelta(hours=hours)
            posts = draw()
            for r, team in enumerate(teams):
                site = ids[int(posts[r])] if posts[r] != RESERVE else None
                out.append(Assignment(day, s, begin, end, team, site))
    return Schedule(used_seed, tuple(out), method)


def _problems(
    ids: Sequence[str],
    c: FloatArray,
    teams: Sequence[str],
    *,
    days: int,
    shifts_per_day: int,
    shift_hours: float | None,
    team_groups: Sequence[int] | None,
    group_coverage: FloatArray | None,
) -> list[FieldError]:
    errors: list[FieldError] = []
    if c.shape != (len(ids),) or np.any(c < -1e-9) or np.any(c > 1 + 1e-9):
        errors.append(FieldError("coverage", f"expected {len(ids)} probabilities in [0, 1]"))
    elif c.sum() > len(teams) + 1e-6:
        errors.append(FieldError("teams", f"{len(teams)} team(s) cannot cover {c.sum():g}"))
    if not teams or len(set(teams)) != len(teams):
        errors.append(FieldError("teams", "need at least one team, names unique"))
    if days < 1:
        errors.append(FieldError("days", "must be ≥ 1"))
    if shifts_per_day < 1:
        errors.append(FieldError("shifts_per_day", "must be ≥ 1"))
    if shift_hours is not None and not 0 < shift_hours <= 24:
        errors.append(FieldError("shift_hours", "must be in (0, 24]"))
    if team_groups is not None:
        if len(team_groups) != len(teams):
            errors.append(FieldError("team_groups", "one group per team"))
        elif group_coverage is None or group_coverage.shape[0] <= max(team_groups):
            errors.append(FieldError("group_coverage", "needed for every team group"))
    return errors


def _sampler(
    c: FloatArray,
    n_teams: int,
    team_groups: Sequence[int] | None,
    group_coverage: FloatArray | None,
    rng: np.random.Generator,
) -> tuple[Callable[[], IntArray], str]:
    if team_groups is None or group_coverage is None or min(team_groups) < 0:

        def identical() -> IntArray:
            posts = np.full(n_teams, RESERVE, dtype=np.int64)
            chosen = comb_sample(c, n_teams, rng)
            order = rng.permutation(n_teams)
            posts[order[: chosen.size]] = chosen
            return posts

        return identical, "comb"
    groups = np.asarray(team_groups, dtype=np.int64)
    counts = np.bincount(groups, minlength=group_coverage.shape[0])
    active = group_coverage > _EPS
    if np.all(active.sum(axis=0) <= 1):

        def per_group() -> IntArray:
            posts = np.full(n_teams, RESERVE, dtype=np.int64)
            for g in np.flatnonzero(counts):
                members = np.flatnonzero(groups == g)
                chosen = comb_sample(group_coverage[g], int(counts[g]), rng)
                order = rng.permutation(members)
                posts[order[: chosen.size]] = chosen
            return posts

        return per_group, "comb-per-group"
    z = group_coverage[groups] / counts[groups][:, None]
    weights, assignments = _birkhoff(z)

    def birkhoff() -> IntArray:
        return assignments[int(rng.choice(len(weights), p=weights))]

    return birkhoff, "birkhoff"
