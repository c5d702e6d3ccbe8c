"""Read a game description (the ``GAME.json`` layout) into engine objects, reporting every
problem at once.

Single attacker type::

    {"resources": 2,
     "targets": [{"id": "A", "defender_covered": 5, "defender_uncovered": -20,
                  "attacker_covered": -10, "attacker_uncovered": 30}, ...]}

Several attacker types (payoffs per type; the targets list only names the targets)::

    {"resources": 2, "targets": [{"id": "A"}, {"id": "B"}],
     "types": [{"name": "lone actor", "prior": 0.7, "targets": {"A": {...four payoffs...}}}]}

Optional, both layouts: per target ``"district"`` and ``"min_coverage"`` (0–1); a list of
named ``"teams"``, each ``{"name": ..., "district": ...}`` or ``{"name": ..., "sites":
[ids]}`` (a team with neither may go anywhere), in which case ``resources`` may be left
out (it is the number of teams). Single-type games may give attacker payoff intervals per
target: ``"attacker_covered_range": [low, high]`` and ``"attacker_uncovered_range"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from placeguard.core.errors import FieldError, ValidationError
from placeguard.engines.allocation.games import PAYOFF_FIELDS, Payoffs, SecurityGame
from placeguard.engines.allocation.games_bayesian import AttackerType, BayesianGame
from placeguard.engines.allocation.games_robust import IntervalPayoffs
from placeguard.engines.allocation.polytope import ResourceGroup

__all__ = ["ParsedGame", "Team", "parse_game"]

RANGES = ("attacker_covered_range", "attacker_uncovered_range")


@dataclass(frozen=True, slots=True)
class Team:
    """A named team and the index of its resource group (-1: may go anywhere)."""

    name: str
    group: int


@dataclass(frozen=True, slots=True)
class ParsedGame:
    """A parsed game: the engine object plus the teams and payoff intervals, if any."""

    game: SecurityGame | BayesianGame
    teams: tuple[Team, ...]
    intervals: IntervalPayoffs | None


def _number(value: object, where: str, errors: list[FieldError]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        got = "nothing" if value is None else repr(value)
        errors.append(FieldError(where, f"expected a number, got {got}", "required"))
        return None
    return float(value)


def _payoff_row(data: object, where: str, errors: list[FieldError]) -> list[float] | None:
    if not isinstance(data, Mapping):
        errors.append(FieldError(where, "expected an object with the four payoffs"))
        return None
    row = [_number(data.get(name), f"{where}.{name}", errors) for name in PAYOFF_FIELDS]
    return None if any(v is None for v in row) else [float(v) for v in row if v is not None]


def _targets(raw: object, errors: list[FieldError]) -> list[Mapping[str, Any]]:
    if not isinstance(raw, list) or not raw:
        errors.append(FieldError("targets", "expected a non-empty list of targets"))
        return []
    good = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            errors.append(FieldError(f"targets[{i}]", "expected an object"))
            continue
        target = item.get("id")
        if isinstance(target, bool) or not isinstance(target, str | int) or str(target) == "":
            errors.append(FieldError(f"targets[{i}].id", "missing id", "required"))
            continue
        if str(target) in seen:
            errors.append(FieldError(f"targets[{target}].id", "duplicate id", "duplicate"))
            continue
        seen.add(str(target))
        good.append(item)
    return good


def _teams(
    raw: object, ids: Sequence[str], districts: Mapping[str, list[int]], errors: list[FieldError]
) -> tuple[tuple[Team, ...], tuple[ResourceGroup, ...]]:
    if raw is None:
        return (), ()
    if not isinstance(raw, list) or not raw:
        errors.append(FieldError("teams", "expected a non-empty list of teams"))
        return (), ()
    index = {t: i for i, t in enumerate(ids)}
    feasible: list[tuple[int, ...] | None] = []
    names: list[str] = []
    for i, team in enumerate(raw):
        where = f"teams[{i}]"
        if not isinstance(team, Mapping) or not isinstance(team.get("name"), str):
            errors.append(FieldError(f"{where}.name", "each team needs a name", "required"))
            continue
        name = str(team["name"])
        if name in names:
            errors.append(FieldError(f"teams[{name}].name", "duplicate team", "duplicate"))
        names.append(name)
        if "district" in team:
            district = str(team["district"])
            if district not in districts:
                errors.append(FieldError(f"teams[{name}].district", f"no target in {district!r}"))
            feasible.append(tuple(districts.get(district, [])))
        elif "sites" in team:
            sites = team["sites"]
            unknown = (
                [str(s) for s in sites if str(s) not in index] if isinstance(sites, list) else []
            )
            if not isinstance(sites, list) or unknown:
                errors.append(
                    FieldError(
                        f"teams[{name}].sites",
                        f"unknown target id(s): {', '.join(unknown) or sites!r}",
                    )
                )
            else:
                feasible.append(tuple(index[str(s)] for s in sites))
        else:
            feasible.append(None)
    if len(feasible) != len(names) or all(f is None for f in feasible):
        return tuple(Team(n, -1) for n in names), ()
    everywhere = tuple(range(len(ids)))
    keys = [everywhere if f is None else tuple(sorted(set(f))) for f in feasible]
    distinct = list(dict.fromkeys(keys))
    groups = tuple(
        ResourceGroup(name=f"group {g + 1}", count=keys.count(k), targets=k)
        for g, k in enumerate(distinct)
    )
    return tuple(Team(n, distinct.index(k)) for n, k in zip(names, keys, strict=True)), groups


def parse_game(data: object) -> ParsedGame:
    """Parse a ``GAME.json`` document.

    Raises
    ------
    ValidationError
        Naming every problem: negative resources, missing or non-numeric payoffs, covered
        payoffs worse than uncovered for the defender (better for the attacker), unknown or
        duplicate target ids, priors not summing to 1, bad teams.
    """
    errors: list[FieldError] = []
    if not isinstance(data, Mapping):
        msg = "The game must be a JSON object."
        raise ValidationError(msg, errors=[FieldError("", "not an object")])
    items = _targets(data.get("targets"), errors)
    ids = tuple(str(item["id"]) for item in items)
    districts: dict[str, list[int]] = {}
    low = np.zeros(len(ids))
    for i, item in enumerate(items):
        if "district" in item:
            districts.setdefault(str(item["district"]), []).append(i)
        if "min_coverage" in item:
            value = _number(item["min_coverage"], f"targets[{ids[i]}].min_coverage", errors)
            low[i] = value or 0.0
    teams, groups = _teams(data.get("teams"), ids, districts, errors)
    resources = _resources(data, teams, errors)
    min_coverage = low if low.any() else None
    if "types" in data:
        game: SecurityGame | BayesianGame | None = _bayesian(
            data["types"],
            ids,
            resources=resources,
            groups=groups,
            min_coverage=min_coverage,
            errors=errors,
        )
        intervals = None
    else:
        rows = [_payoff_row(item, f"targets[{ids[i]}]", errors) for i, item in enumerate(items)]
        game = None
        payoffs = _checked_payoffs(rows, ids, "targets", errors)
        if payoffs is not None and not errors:
            game = SecurityGame(
                ids=ids,
                payoffs=payoffs,
                resources=resources,
                groups=groups,
                min_coverage=min_coverage,
            )
        intervals = _intervals(items, ids, errors)
    if errors or game is None:
        msg = "The game file is invalid."
        raise ValidationError(msg, errors=errors)
    return ParsedGame(game, teams, intervals)


def _resources(data: Mapping[str, Any], teams: Sequence[Team], errors: list[FieldError]) -> float:
    if "resources" not in data and teams:
        return float(len(teams))
    value = _number(data.get("resources"), "resources", errors)
    if value is None:
        return 0.0
    if value < 0:
        errors.append(FieldError("resources", f"must be ≥ 0, got {value:g}"))
    elif teams and value != len(teams):
        errors.append(FieldError("resources", f"is {value:g} but {len(teams)} teams are listed"))
    return max(value, 0.0)


def _bayesian(
    raw: object,
    ids: tuple[str, ...],
    *,
    resources: float,
    groups: tuple[ResourceGroup, ...],
    min_coverage: np.ndarray[Any, np.dtype[np.float64]] | None,
    errors: list[FieldError],
) -> BayesianGame | None:
    if not isinstance(raw, list) or not raw:
        errors.append(FieldError("types", "expected a non-empty list of attacker types"))
        return None
    kinds = []
    total = 0.0
    names: set[str] = set()
    for k, kind in enumerate(raw):
        parsed = _attacker_type(kind, k, ids, names, errors)
        if parsed is not None:
            total += parsed.prior
            kinds.append(parsed)
    if abs(total - 1.0) > 1e-6:
        errors.append(FieldError("types.prior", f"priors must sum to 1, they sum to {total:g}"))
    if errors:
        return None
    return BayesianGame(
        ids=ids, resources=resources, types=tuple(kinds), groups=groups, min_coverage=min_coverage
    )


def _attacker_type(
    kind: object, k: int, ids: tuple[str, ...], names: set[str], errors: list[FieldError]
) -> AttackerType | None:
    """One attacker type; None (with errors recorded) when it is unusable."""
    if not isinstance(kind, Mapping):
        errors.append(FieldError(f"types[{k}]", "expected an object"))
        return None
    name = kind.get("name")
    label = str(name) if isinstance(name, str) and name else str(k)
    if not isinstance(name, str) or not name:
        errors.append(FieldError(f"types[{k}].name", "missing name", "required"))
    elif name in names:
        errors.append(FieldError(f"types[{name}].name", "duplicate type name", "duplicate"))
    names.add(label)
    where = f"types[{label}]"
    prior = _number(kind.get("prior"), f"{where}.prior", errors)
    if prior is not None and prior < 0:
        errors.append(FieldError(f"{where}.prior", f"must be ≥ 0, got {prior:g}"))
    table = kind.get("targets")
    if not isinstance(table, Mapping):
        errors.append(FieldError(f"{where}.targets", "expected an object: id → payoffs"))
        return None
    for unknown in sorted(set(map(str, table)) - set(ids)):
        errors.append(FieldError(f"{where}.targets[{unknown}]", "unknown target id", "unknown"))
    rows: list[list[float] | None] = []
    for target in ids:
        if target not in table:
            errors.append(FieldError(f"{where}.targets[{target}]", "missing payoffs", "required"))
            rows.append(None)
        else:
            rows.append(_payoff_row(table[target], f"{where}.targets[{target}]", errors))
    payoffs = _checked_payoffs(rows, ids, f"{where}.targets", errors)
    if payoffs is None:
        return AttackerType(name=label, prior=prior or 0.0, payoffs=Payoffs.from_rows([]))
    return AttackerType(name=label, prior=prior or 0.0, payoffs=payoffs)


def _checked_payoffs(
    rows: Sequence[list[float] | None], ids: Sequence[str], where: str, errors: list[FieldError]
) -> Payoffs | None:
    """Check the complete rows (reporting their problems); the payoffs if all are complete."""
    complete = [i for i, r in enumerate(rows) if r is not None]
    partial = Payoffs.from_rows([r for r in rows if r is not None])
    errors += partial.problems([ids[i] for i in complete], where)
    return partial if len(complete) == len(ids) else None


def _intervals(
    items: Sequence[Mapping[str, Any]], ids: Sequence[str], errors: list[FieldError]
) -> IntervalPayoffs | None:
    given = [any(r in item for r in RANGES) for item in items]
    if not any(given):
        return None
    bounds = np.zeros((len(items), 4))
    for i, item in enumerate(items):
        for j, key in enumerate(RANGES):
            pair = item.get(key)
            where = f"targets[{ids[i]}].{key}"
            if not isinstance(pair, list) or len(pair) != 2:
                errors.append(FieldError(where, "expected [low, high] (every target or none)"))
                continue
            lo, hi = (_number(v, where, errors) for v in pair)
            if lo is not None and hi is not None:
                if lo > hi:
                    errors.append(FieldError(where, f"low {lo:g} above high {hi:g}"))
                bounds[i, 2 * j : 2 * j + 2] = (lo, hi)
    if errors:
        return None
    return IntervalPayoffs(
        attacker_covered_low=bounds[:, 0].copy(),
        attacker_covered_high=bounds[:, 1].copy(),
        attacker_uncovered_low=bounds[:, 2].copy(),
        attacker_uncovered_high=bounds[:, 3].copy(),
    )
