"""All writes of the allocation app, and the two computations it offers.

Every write runs in one transaction and records its audit event in it. ``actor=None`` is the
local system (the demo loader), trusted like a database admin; it must then name the
``organisation``. :func:`run_patrol_plan` solves a security game over the actor's sites and
stores the plan; :func:`run_coverage` computes response coverage and stores nothing.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone

from placeguard.core.errors import (
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.core.timeprofile import TimeProfile
from placeguard.engines.allocation.coverage import Place, compute_coverage, plan_units
from placeguard.engines.allocation.games import (
    LP_TOL,
    PAYOFF_FIELDS,
    Payoffs,
    SecurityGame,
    best_response,
    solve_game,
)
from placeguard.engines.allocation.games_bayesian import AttackerType, BayesianGame, solve_bayesian
from placeguard.engines.allocation.games_robust import IntervalPayoffs, compare_models
from placeguard.engines.allocation.payoffs import (
    TYPE_ATTRACTIVENESS,
    DerivedPayoffs,
    SiteInput,
    derive_payoffs,
)
from placeguard.engines.allocation.polytope import ResourceGroup
from placeguard.engines.allocation.schedules import make_schedule
from placeguard.web.allocation import queries, roadnet
from placeguard.web.allocation.access import (
    can_plan,
    can_view,
    force_of,
    stations_visible_to,
    teams_visible_to,
    visible_to,
)
from placeguard.web.allocation.choices import AttackerModel, PlanStatus
from placeguard.web.allocation.models import PatrolPlan, PatrolTeam, ResponseStation
from placeguard.web.audit import services as audit
from placeguard.web.orgs.choices import OrgKind
from placeguard.web.orgs.models import Organisation, Region, User
from placeguard.web.sites.models import Site

__all__ = [
    "MAX_DAYS",
    "MAX_SHIFTS",
    "PlanInput",
    "create_station",
    "create_team",
    "deactivate_station",
    "deactivate_team",
    "get_plan_for",
    "get_station_for",
    "get_team_for",
    "parse_plan_input",
    "preview_payoffs",
    "run_coverage",
    "run_patrol_plan",
    "update_station",
    "update_team",
]

#: Credit required wherever OpenStreetMap-derived results are shown (ODbL).
OSM_ATTRIBUTION = (
    "Road data © OpenStreetMap contributors, available under the Open Database Licence (ODbL)."
)
MAX_DAYS = 31
MAX_SHIFTS = 6
MAX_SITES = 2000
BAYESIAN_TIME_LIMIT_S = 30.0
INTERVAL_TIME_LIMIT_S = 30.0


# ------------------------------------------------------------------ look-ups
def _require_force(actor: User, *, for_edit: bool) -> Organisation:
    """The actor's force; 404 for everyone without allocation data, 403 for readers."""
    org = force_of(actor)
    if org is None or not can_view(actor):
        msg = "Not found."
        raise NotFoundError(msg)
    if for_edit and not can_plan(actor):
        msg = "Your role does not allow planning patrols or managing teams and stations."
        raise PermissionDeniedError(msg)
    return org


def _get(queryset: Any, object_id: int | str, label: str) -> Any:
    try:
        return queryset.get(pk=int(object_id))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        msg = f"{label} not found."
        raise NotFoundError(msg) from None


def get_team_for(user: User, team_id: int | str, *, for_edit: bool = False) -> PatrolTeam:
    """A team the user may see (``NotFoundError`` otherwise), optionally checking edit rights."""
    team: PatrolTeam = _get(teams_visible_to(user), team_id, "Patrol team")
    _require_force(user, for_edit=for_edit)
    return team


def get_station_for(
    user: User, station_id: int | str, *, for_edit: bool = False
) -> ResponseStation:
    """A station the user may see (``NotFoundError`` otherwise), optionally checking edit rights."""
    station: ResponseStation = _get(stations_visible_to(user), station_id, "Response station")
    _require_force(user, for_edit=for_edit)
    return station


def get_plan_for(user: User, plan_id: int | str) -> PatrolPlan:
    """A patrol plan the user may see (``NotFoundError`` otherwise)."""
    plan: PatrolPlan = _get(visible_to(user), plan_id, "Patrol plan")
    return plan


def _acting_org(actor: User | None, organisation: Organisation | None) -> Organisation:
    if actor is not None:
        return _require_force(actor, for_edit=True)
    if organisation is None or organisation.kind != OrgKind.LAW_ENFORCEMENT:
        raise ValidationError.from_mapping(
            {"organisation": "a law-enforcement organisation is needed"}
        )
    return organisation


# ------------------------------------------------------------------ teams
def _text(raw: Mapping[str, Any], name: str, limit: int, errors: list[FieldError]) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        errors.append(FieldError(name, "is required", "required"))
        return ""
    if len(value.strip()) > limit:
        errors.append(FieldError(name, f"at most {limit} characters"))
    return value.strip()


def _districts(org: Organisation, codes: object, errors: list[FieldError]) -> list[Region]:
    """Regions of the force's jurisdiction named by code (every unknown one reported)."""
    if codes is None:
        return []
    if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
        errors.append(FieldError("districts", "expected a list of region codes"))
        return []
    regions = {r.code: r for r in Region.objects.filter(organisations=org, code__in=codes)}
    for code in codes:
        if code not in regions:
            errors.append(FieldError("districts", f"{code!r} is not a region of your jurisdiction"))
    return [regions[c] for c in dict.fromkeys(codes) if c in regions]


def _team_snapshot(team: PatrolTeam) -> dict[str, Any]:
    return {
        "name": team.name,
        "districts": sorted(r.code for r in team.districts.all()),
        "active": team.active,
    }


def _raise(errors: list[FieldError], message: str) -> None:
    if errors:
        raise ValidationError(message, errors=errors)


def create_team(
    raw: Mapping[str, Any], *, actor: User | None, organisation: Organisation | None = None
) -> PatrolTeam:
    """Create a patrol team of the actor's force: ``{"name", "districts": [region codes]}``."""
    org = _acting_org(actor, organisation)
    errors: list[FieldError] = []
    name = _text(raw, "name", 100, errors)
    districts = _districts(org, raw.get("districts"), errors)
    if name and PatrolTeam.objects.filter(organisation=org, name=name).exists():
        errors.append(FieldError("name", "your force already has a team of that name", "unique"))
    _raise(errors, "Invalid patrol team.")
    with transaction.atomic():
        team = PatrolTeam.objects.create(organisation=org, name=name)
        team.districts.set(districts)
        audit.record(
            actor=actor,
            action="patrol_team.create",
            obj=team,
            diff=audit.diff_fields(None, _team_snapshot(team)),
        )
    return team


def update_team(team: PatrolTeam, changes: Mapping[str, Any], *, actor: User | None) -> PatrolTeam:
    """Change a team's name, districts or ``active`` flag."""
    if actor is not None:
        team = get_team_for(actor, team.pk, for_edit=True)
    before = _team_snapshot(team)
    errors: list[FieldError] = []
    name = _text({**before, **changes}, "name", 100, errors)
    districts = (
        _districts(team.organisation, changes["districts"], errors)
        if "districts" in changes
        else None
    )
    active = changes.get("active", team.active)
    if not isinstance(active, bool):
        errors.append(FieldError("active", "must be true or false"))
    clash = PatrolTeam.objects.filter(organisation_id=team.organisation_id, name=name)
    if name and clash.exclude(pk=team.pk).exists():
        errors.append(FieldError("name", "your force already has a team of that name", "unique"))
    _raise(errors, "Invalid patrol team.")
    with transaction.atomic():
        team = PatrolTeam.objects.select_for_update().get(pk=team.pk)
        team.name, team.active = name, bool(active)
        team.save()
        if districts is not None:
            team.districts.set(districts)
        diff = audit.diff_fields(before, _team_snapshot(team))
        if diff:
            audit.record(actor=actor, action="patrol_team.update", obj=team, diff=diff)
    return team


def deactivate_team(team: PatrolTeam, *, actor: User | None) -> PatrolTeam:
    """Take a team out of planning (it stays in past plans)."""
    return update_team(team, {"active": False}, actor=actor)


# ------------------------------------------------------------------ stations
def _coordinate(raw: Mapping[str, Any], name: str, limit: float, errors: list[FieldError]) -> float:
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append(FieldError(name, "must be a number", "required"))
        return 0.0
    if not math.isfinite(value) or not -limit <= value <= limit:
        errors.append(FieldError(name, f"must be between -{limit:g} and {limit:g}"))
    return float(value)


def _station_snapshot(station: ResponseStation) -> dict[str, Any]:
    return {
        "name": station.name,
        "latitude": station.latitude,
        "longitude": station.longitude,
        "active": station.active,
    }


def _check_station(
    raw: Mapping[str, Any], org_id: int, pk: int | None
) -> tuple[str, float, float, bool]:
    errors: list[FieldError] = []
    name = _text(raw, "name", 100, errors)
    lat = _coordinate(raw, "latitude", 90, errors)
    lon = _coordinate(raw, "longitude", 180, errors)
    active = raw.get("active", True)
    if not isinstance(active, bool):
        errors.append(FieldError("active", "must be true or false"))
    clash = ResponseStation.objects.filter(organisation_id=org_id, name=name)
    if pk is not None:
        clash = clash.exclude(pk=pk)
    if name and clash.exists():
        errors.append(FieldError("name", "your force already has a station of that name", "unique"))
    _raise(errors, "Invalid response station.")
    return name, lat, lon, bool(active)


def create_station(
    raw: Mapping[str, Any], *, actor: User | None, organisation: Organisation | None = None
) -> ResponseStation:
    """Create a response station: ``{"name", "latitude", "longitude"}``."""
    org = _acting_org(actor, organisation)
    name, lat, lon, active = _check_station(raw, org.pk, None)
    with transaction.atomic():
        station = ResponseStation.objects.create(
            organisation=org, name=name, latitude=lat, longitude=lon, active=active
        )
        audit.record(
            actor=actor,
            action="response_station.create",
            obj=station,
            diff=audit.diff_fields(None, _station_snapshot(station)),
        )
    return station


def update_station(
    station: ResponseStation, changes: Mapping[str, Any], *, actor: User | None
) -> ResponseStation:
    """Change a station's name, position or ``active`` flag."""
    if actor is not None:
        station = get_station_for(actor, station.pk, for_edit=True)
    before = _station_snapshot(station)
    name, lat, lon, active = _check_station(
        {**before, **changes}, station.organisation_id, station.pk
    )
    with transaction.atomic():
        station = ResponseStation.objects.select_for_update().get(pk=station.pk)
        station.name, station.latitude, station.longitude, station.active = name, lat, lon, active
        try:
            station.save()
        except IntegrityError as exc:  # pragma: no cover - a concurrent rename
            raise ValidationError.from_mapping({"name": "already taken"}) from exc
        diff = audit.diff_fields(before, _station_snapshot(station))
        if diff:
            audit.record(actor=actor, action="response_station.update", obj=station, diff=diff)
    return station


def deactivate_station(station: ResponseStation, *, actor: User | None) -> ResponseStation:
    """Take a station out of coverage runs."""
    return update_station(station, {"active": False}, actor=actor)


# ------------------------------------------------------------------ patrol plans: input
@dataclass(frozen=True, slots=True, kw_only=True)
class AttackerProfile:
    """One attacker type of a Bayesian plan: prior and attractiveness per site type."""

    name: str
    prior: float
    weights: Mapping[str, float]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanInput:
    """A validated patrol-plan request."""

    name: str
    sites: tuple[int, ...]
    teams: tuple[int, ...]
    shifts_per_day: int
    days: int
    start: date
    model: str
    rationality: float | None
    uncertainty: float | None
    types: tuple[AttackerProfile, ...]
    overrides: Mapping[str, Mapping[str, float]]
    interdiction: float
    casualty_rate: float

    def as_json(self) -> dict[str, Any]:
        """The stored ``parameters`` of the plan."""
        return {
            "name": self.name,
            "sites": list(self.sites),
            "teams": list(self.teams),
            "shifts_per_day": self.shifts_per_day,
            "days": self.days,
            "start": self.start.isoformat(),
            "attacker": {
                "model": self.model,
                "rationality": self.rationality,
                "uncertainty": self.uncertainty,
            },
            "attacker_types": [
                {"name": t.name, "prior": t.prior, "weights": dict(t.weights)} for t in self.types
            ],
            "overrides": {k: dict(v) for k, v in self.overrides.items()},
            "interdiction": self.interdiction,
            "casualty_rate": self.casualty_rate,
        }


def _ids(raw: object, name: str, errors: list[FieldError]) -> tuple[int, ...]:
    if not isinstance(raw, list | tuple) or not raw:
        errors.append(FieldError(name, "choose at least one", "required"))
        return ()
    out = []
    for value in raw:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            errors.append(FieldError(name, f"{value!r} is not an id"))
    return tuple(dict.fromkeys(out))


def _int(
    raw: Mapping[str, Any], name: str, default: int, top: int, errors: list[FieldError]
) -> int:
    value = raw.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
        errors.append(FieldError(name, f"must be a whole number from 1 to {top}"))
        return default
    return int(value)


def _share(raw: Mapping[str, Any], name: str, default: float, errors: list[FieldError]) -> float:
    value = raw.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        errors.append(FieldError(name, "must be a number between 0 and 1"))
        return default
    return float(value)


def _number_in(value: object, low: float, high: float, *, upper_closed: bool) -> bool:
    """A real number (not a bool) in ``(low, high]`` or ``(low, high)``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return False
    return low < value <= high if upper_closed else low < value < high


def _attacker(raw: object, errors: list[FieldError]) -> tuple[str, float | None, float | None]:
    spec = raw if isinstance(raw, Mapping) else {}
    if raw is not None and not isinstance(raw, Mapping):
        errors.append(FieldError("attacker", "expected an object with a model"))
    model = spec.get("model") or AttackerModel.SSE
    rationality = spec.get("rationality")
    uncertainty = spec.get("uncertainty")
    if model not in AttackerModel.values:
        errors.append(FieldError("attacker.model", f"must be one of {', '.join(AttackerModel)}"))
    if model == AttackerModel.QUANTAL:
        if not _number_in(rationality, 0, 100, upper_closed=True):
            errors.append(FieldError("attacker.rationality", "a number λ in (0, 100] is needed"))
            rationality = None
    else:
        rationality = None
    if model == AttackerModel.INTERVAL:
        if not _number_in(uncertainty, 0, 1, upper_closed=False):
            errors.append(
                FieldError("attacker.uncertainty", "a share in (0, 1) of the attacker's payoffs")
            )
            uncertainty = None
    else:
        uncertainty = None
    return str(model), rationality, uncertainty


def _types(raw: object, errors: list[FieldError]) -> tuple[AttackerProfile, ...]:
    if raw in (None, []):
        return ()
    if not isinstance(raw, list):
        errors.append(FieldError("attacker_types", "expected a list"))
        return ()
    out = []
    for i, item in enumerate(raw):
        where = f"attacker_types[{i}]"
        if not isinstance(item, Mapping):
            errors.append(FieldError(where, "expected an object"))
            continue
        name = item.get("name")
        prior = item.get("prior")
        weights = item.get("weights") or {}
        if not isinstance(name, str) or not name.strip():
            errors.append(FieldError(f"{where}.name", "is required", "required"))
        if isinstance(prior, bool) or not isinstance(prior, int | float) or not 0 <= prior <= 1:
            errors.append(FieldError(f"{where}.prior", "must be a probability"))
            prior = 0.0
        if not isinstance(weights, Mapping) or not all(
            k in TYPE_ATTRACTIVENESS and isinstance(v, int | float) and 0 <= v <= 10
            for k, v in weights.items()
        ):
            errors.append(
                FieldError(f"{where}.weights", "site type → attractiveness between 0 and 10")
            )
            weights = {}
        out.append(
            AttackerProfile(name=str(name or "").strip(), prior=float(prior), weights=dict(weights))
        )
    if len(out) == 1:
        errors.append(FieldError("attacker_types", "give two or more types, or none"))
    if out and abs(sum(t.prior for t in out) - 1) > 1e-6:
        errors.append(FieldError("attacker_types", "the priors must sum to 1"))
    return tuple(out)


def _overrides(raw: object, errors: list[FieldError]) -> dict[str, dict[str, float]]:
    if raw in (None, {}):
        return {}
    if not isinstance(raw, Mapping):
        errors.append(FieldError("overrides", "expected {site id: {payoff: value}}"))
        return {}
    out: dict[str, dict[str, float]] = {}
    for site, payoffs in raw.items():
        if not isinstance(payoffs, Mapping):
            errors.append(FieldError(f"overrides[{site}]", "expected {payoff: value}"))
            continue
        for name, value in payoffs.items():
            if name not in PAYOFF_FIELDS:
                errors.append(FieldError(f"overrides[{site}].{name}", "unknown payoff"))
            elif isinstance(value, bool) or not isinstance(value, int | float):
                errors.append(FieldError(f"overrides[{site}].{name}", "must be a number"))
            else:
                out.setdefault(str(site), {})[name] = float(value)
    return out


def parse_plan_input(raw: Mapping[str, Any]) -> PlanInput:
    """Check a patrol-plan request, reporting every problem at once."""
    errors: list[FieldError] = []
    name = raw.get("name") or f"Patrol plan {timezone.localdate().isoformat()}"
    if not isinstance(name, str) or len(name) > 200:
        errors.append(FieldError("name", "at most 200 characters"))
        name = str(name)[:200]
    sites = _ids(raw.get("sites"), "sites", errors)
    if len(sites) > MAX_SITES:
        errors.append(FieldError("sites", f"at most {MAX_SITES} sites per plan"))
    teams = _ids(raw.get("teams"), "teams", errors)
    start_raw = raw.get("start")
    start = timezone.localdate()
    if isinstance(start_raw, date):
        start = start_raw
    elif start_raw not in (None, ""):
        try:
            start = date.fromisoformat(str(start_raw))
        except ValueError:
            errors.append(FieldError("start", "expected a date as YYYY-MM-DD"))
    model, rationality, uncertainty = _attacker(raw.get("attacker"), errors)
    types = _types(raw.get("attacker_types"), errors)
    if types and model != AttackerModel.SSE:
        errors.append(
            FieldError("attacker.model", "several attacker types are solved as rational (sse)")
        )
    plan = PlanInput(
        name=name.strip() or "Patrol plan",
        sites=sites,
        teams=teams,
        shifts_per_day=_int(raw, "shifts_per_day", 1, MAX_SHIFTS, errors),
        days=_int(raw, "days", 7, MAX_DAYS, errors),
        start=start,
        model=model,
        rationality=rationality,
        uncertainty=uncertainty,
        types=types,
        overrides=_overrides(raw.get("overrides"), errors),
        interdiction=_share(raw, "interdiction", 0.5, errors),
        casualty_rate=_share(raw, "casualty_rate", 0.05, errors),
    )
    _raise(errors, "Invalid patrol plan.")
    return plan


# ------------------------------------------------------------------ patrol plans: solving
def _typical_share(profile: object) -> float:
    try:
        parsed = TimeProfile.from_json(profile or None)
    except ValidationError:
        parsed = TimeProfile.from_json(None)
    return float(parsed.typical_share)


def _gather(actor: User, data: PlanInput) -> tuple[list[Site], list[PatrolTeam]]:
    errors: list[FieldError] = []
    sites = list(queries.plannable_sites(actor).filter(pk__in=data.sites).order_by("name", "id"))
    missing = sorted(set(data.sites) - {s.pk for s in sites})
    if missing:
        errors.append(
            FieldError("sites", f"unknown or not visible: {', '.join(map(str, missing))}")
        )
    teams = list(
        teams_visible_to(actor)
        .filter(pk__in=data.teams, active=True)
        .prefetch_related("districts")
        .order_by("name", "id")
    )
    absent = sorted(set(data.teams) - {t.pk for t in teams})
    if absent:
        errors.append(
            FieldError("teams", f"unknown or inactive teams: {', '.join(map(str, absent))}")
        )
    unknown = sorted(set(data.overrides) - {str(s) for s in data.sites})
    if unknown:
        errors.append(FieldError("overrides", f"not among the sites: {', '.join(unknown)}"))
    _raise(errors, "Invalid patrol plan.")
    return sites, teams


def _groups(
    sites: Sequence[Site], teams: Sequence[PatrolTeam]
) -> tuple[tuple[ResourceGroup, ...], list[int] | None]:
    """Resource groups of teams sharing the same districts (none when no team has one)."""
    keys = [frozenset(r.pk for r in t.districts.all()) for t in teams]
    if not any(keys):
        return (), None
    order: dict[frozenset[int], int] = {}
    team_groups = [order.setdefault(k, len(order)) for k in keys]
    groups = []
    for key, g in order.items():
        names = sorted(r.name for t, k in zip(teams, keys, strict=True) if k == key
                       for r in t.districts.all())  # fmt: skip
        targets = tuple(i for i, s in enumerate(sites) if not key or s.region_id in key)
        groups.append(
            ResourceGroup(
                name=", ".join(dict.fromkeys(names)) or "anywhere",
                count=team_groups.count(g),
                targets=targets,
            )
        )
    return tuple(groups), team_groups


def _type_payoffs(derived: DerivedPayoffs, sites: Sequence[Site], data: PlanInput) -> list[Any]:
    keep = 1.0 - data.interdiction
    out = []
    for profile in data.types:
        weight = np.array(
            [
                profile.weights.get(s.site_type, TYPE_ATTRACTIVENESS.get(s.site_type, 0.8))
                for s in sites
            ]
        )
        uau = weight * derived.consequence
        table = np.column_stack(
            [
                derived.payoffs.defender_covered,
                derived.payoffs.defender_uncovered,
                uau * keep,
                uau,
            ]
        )
        for i, site in enumerate(sites):
            for name, value in data.overrides.get(str(site.pk), {}).items():
                table[i, PAYOFF_FIELDS.index(name)] = value
        out.append(
            AttackerType(name=profile.name, prior=profile.prior, payoffs=Payoffs.from_rows(table))
        )
    return out


def _intervals(payoffs: Payoffs, u: float) -> IntervalPayoffs:
    def span(values: Any) -> tuple[Any, Any]:
        a, b = values * (1 - u), values * (1 + u)
        return np.minimum(a, b), np.maximum(a, b)

    ac_lo, ac_hi = span(payoffs.attacker_covered)
    au_lo, au_hi = span(payoffs.attacker_uncovered)
    return IntervalPayoffs(
        attacker_covered_low=ac_lo,
        attacker_covered_high=ac_hi,
        attacker_uncovered_low=au_lo,
        attacker_uncovered_high=au_hi,
    )


@dataclass(frozen=True, slots=True)
class _Solved:
    coverage: Any
    split: Any
    status: str
    summary: dict[str, Any]


def _solve_single(game: SecurityGame, data: PlanInput, ids: Sequence[str]) -> _Solved:
    sse = solve_game(game)
    summary: dict[str, Any] = {"method": sse.method, "gap": 0.0, "proven_optimal": True}
    coverage, split, status = sse.coverage, sse.group_coverage, PlanStatus.OPTIMAL
    if data.model != AttackerModel.SSE:
        intervals = (
            _intervals(game.payoffs, data.uncertainty) if data.uncertainty is not None else None
        )
        comparison = compare_models(
            game,
            rationality=data.rationality,
            intervals=intervals,
            interval_time_limit=INTERVAL_TIME_LIMIT_S,
        )
        chosen = "quantal" if data.model == AttackerModel.QUANTAL else "interval"
        coverage = comparison.coverages[chosen]
        robust_split = game.polytope.split(coverage)
        # The robust solvers return implementable coverage; keep the SSE split otherwise.
        split = sse.group_coverage if robust_split is None else robust_split
        robust = comparison.interval
        status = PlanStatus.LOCAL if chosen == "quantal" else PlanStatus.OPTIMAL
        if robust is not None and not robust.proven_optimal:
            status = PlanStatus.TIME_LIMIT
        summary.update(
            method=f"{chosen} (SSE by {sse.method} for comparison)",
            proven_optimal=robust is not None and robust.proven_optimal,
            gap=None if robust is None else robust.gap,
            robustness={
                "rationality": comparison.rationality,
                "uncertainty": data.uncertainty,
                "defender_utility": comparison.utilities,
                "sse_coverage": {i: float(c) for i, c in zip(ids, sse.coverage, strict=True)},
            },
        )
    attack_set, attacked, ua, ud = best_response(
        game.payoffs, coverage, LP_TOL * game.payoffs.scale
    )
    summary.update(
        defender_utility=ud,
        attacker_utility=ua,
        attacked=[ids[attacked]],
        attack_set=[ids[t] for t in attack_set],
    )
    return _Solved(coverage, split, status, summary)


def _solve_bayesian(game: BayesianGame, ids: Sequence[str]) -> _Solved:
    b = solve_bayesian(game, time_limit=BAYESIAN_TIME_LIMIT_S)
    summary = {
        "method": b.method,
        "gap": b.gap,
        "proven_optimal": b.proven_optimal,
        "upper_bound": b.upper_bound,
        "defender_utility": b.defender_utility,
        "attacked": list(dict.fromkeys(ids[r.attacked] for r in b.responses)),
        "attack_set": sorted({ids[t] for r in b.responses for t in r.attack_set}),
        "types": [
            {
                "name": r.name,
                "prior": t.prior,
                "attacked": ids[r.attacked],
                "attacker_utility": r.attacker_utility,
                "defender_utility": r.defender_utility,
            }
            for r, t in zip(b.responses, game.types, strict=True)
        ],
    }
    status = PlanStatus.OPTIMAL if b.proven_optimal else PlanStatus.TIME_LIMIT
    return _Solved(b.coverage, b.group_coverage, status, summary)


def _derive(sites: Sequence[Site], data: PlanInput, risk: Mapping[int, float]) -> DerivedPayoffs:
    return derive_payoffs(
        [
            SiteInput(
                id=str(s.pk),
                site_type=s.site_type,
                capacity=float(s.capacity),
                typical_share=_typical_share(s.time_profile),
                risk=risk.get(s.pk),
                overrides=data.overrides.get(str(s.pk)),
            )
            for s in sites
        ],
        interdiction=data.interdiction,
        casualty_rate=data.casualty_rate,
    )


def preview_payoffs(raw: Mapping[str, Any], *, actor: User) -> list[dict[str, Any]]:
    """The payoffs a plan request would use per site, before overrides (editors; no write).

    ``raw`` is a plan request as for :func:`run_patrol_plan`; its ``overrides`` and
    ``attacker_types`` are ignored. Rows follow the plan's site order: ``id``, ``name``,
    ``payoffs`` (the four values) and ``explanation``.
    """
    _require_force(actor, for_edit=True)
    data = parse_plan_input({**raw, "overrides": {}, "attacker_types": []})
    sites, _teams = _gather(actor, data)
    derived = _derive(sites, data, queries.approved_risk([s.pk for s in sites]))
    p = derived.payoffs
    return [
        {
            "id": s.pk,
            "name": s.name,
            "payoffs": {name: float(getattr(p, name)[i]) for name in PAYOFF_FIELDS},
            "explanation": derived.explanations[i],
        }
        for i, s in enumerate(sites)
    ]


def solve_plan(actor: User, data: PlanInput, *, seed: int) -> tuple[str, dict[str, Any]]:
    """Solve the plan described by ``data`` for ``actor`` (no write): status and results."""
    sites, teams = _gather(actor, data)
    risk = queries.approved_risk([s.pk for s in sites])
    ids = tuple(str(s.pk) for s in sites)
    derived = _derive(sites, data, risk)
    groups, team_groups = _groups(sites, teams)
    resources = float(len(teams))
    if data.types:
        bayes = BayesianGame(
            ids=ids,
            resources=resources,
            types=tuple(_type_payoffs(derived, sites, data)),
            groups=groups,
        )
        solved = _solve_bayesian(bayes, ids)
    else:
        game = SecurityGame(ids=ids, payoffs=derived.payoffs, resources=resources, groups=groups)
        solved = _solve_single(game, data, ids)
    schedule = make_schedule(
        ids=ids,
        coverage=solved.coverage,
        teams=[t.name for t in teams],
        days=data.days,
        start=data.start,
        shifts_per_day=data.shifts_per_day,
        team_groups=team_groups,
        group_coverage=solved.split if team_groups is not None else None,
        seed=seed,
    )
    p = derived.payoffs
    attacked = set(solved.summary["attacked"])
    solved.summary["attacked"] = [int(i) for i in solved.summary["attacked"]]
    solved.summary["attack_set"] = [int(i) for i in solved.summary["attack_set"]]
    for row in solved.summary.get("types", []):
        row["attacked"] = int(row["attacked"])
    results = {
        **solved.summary,
        "attacker_model": "bayesian" if data.types else data.model,
        "resources": resources,
        "expected_loss": -float(solved.summary["defender_utility"]),
        "sites": [
            {
                "id": s.pk,
                "name": s.name,
                "site_type": s.site_type,
                "region": s.region.name,
                "lat": s.latitude,
                "lon": s.longitude,
                "coverage": round(float(solved.coverage[i]), 12),
                "consequence": float(derived.consequence[i]),
                "attractiveness": float(derived.attractiveness[i]),
                "risk": risk.get(s.pk),
                "payoffs": {
                    "defender_covered": float(p.defender_covered[i]),
                    "defender_uncovered": float(p.defender_uncovered[i]),
                    "attacker_covered": float(p.attacker_covered[i]),
                    "attacker_uncovered": float(p.attacker_uncovered[i]),
                },
                "explanation": derived.explanations[i],
                "attacked": ids[i] in attacked,
            }
            for i, s in enumerate(sites)
        ],
        "teams": [
            {"id": t.pk, "name": t.name, "districts": [r.code for r in t.districts.all()]}
            for t in teams
        ],
        "schedule": {
            "seed": schedule.seed,
            "method": schedule.method,
            "start": data.start.isoformat(),
            "days": data.days,
            "shifts_per_day": data.shifts_per_day,
            "assignments": [
                {
                    "date": a.day.isoformat(),
                    "shift": a.shift + 1,
                    "start": a.start.isoformat(timespec="minutes"),
                    "end": a.end.isoformat(timespec="minutes"),
                    "team": a.team,
                    "site": int(a.site) if a.site is not None else None,
                }
                for a in schedule.assignments
            ],
        },
    }
    return str(solved.status), results


def run_patrol_plan(raw: Mapping[str, Any], *, actor: User) -> PatrolPlan:
    """Validate, solve and store a patrol plan for the actor's force (editors only).

    The schedule's seed is drawn from :mod:`secrets` (so the next schedule cannot be predicted
    from past ones) and stored with the plan for audit.
    """
    org = _require_force(actor, for_edit=True)
    data = parse_plan_input(raw)
    seed = secrets.randbits(63)
    status, results = solve_plan(actor, data, seed=seed)
    with transaction.atomic():
        plan = PatrolPlan.objects.create(
            organisation=org,
            created_by=actor,
            name=data.name,
            status=status,
            parameters=data.as_json(),
            results=results,
        )
        audit.record(
            actor=actor,
            action="patrol_plan.create",
            obj=plan,
            diff={
                "name": [None, plan.name],
                "sites": [None, len(data.sites)],
                "teams": [None, len(data.teams)],
                "attacker_model": [None, results["attacker_model"]],
                "status": [None, status],
                "seed": [None, str(seed)],
            },
        )
    return plan


# ------------------------------------------------------------------ response coverage
#: Limits of a coverage request.
MAX_STANDARD_S = 7200.0
MAX_UNITS = 20
COVERAGE_TIME_LIMIT_S = 15.0


def _place(pk: int, lon: float, lat: float, capacity: float = 1.0) -> Place:
    return Place(id=str(pk), lon=lon, lat=lat, capacity=capacity)


def run_coverage(
    *,
    actor: User,
    standard_seconds: float,
    units: int = 0,
    regions: Sequence[str] = (),
) -> dict[str, Any]:
    """Response time from the force's active stations to its visible sites; with ``units = k``,
    where k new response units should stand (MCLP). Computes only; stores nothing.

    Raises ``ValidationError`` for bad input (every problem), ``ConflictError`` when no road
    network is configured, ``NotFoundError``/``PermissionDeniedError`` as for patrol plans.
    """
    _require_force(actor, for_edit=True)
    errors: list[FieldError] = []
    if not _number_in(standard_seconds, 0, MAX_STANDARD_S, upper_closed=True):
        errors.append(
            FieldError(
                "standard_seconds", f"must be a number of seconds in (0, {MAX_STANDARD_S:g}]"
            )
        )
    if isinstance(units, bool) or not 0 <= units <= MAX_UNITS:
        errors.append(FieldError("units", f"must be a whole number from 0 to {MAX_UNITS}"))
    sites = queries.plannable_sites(actor).order_by("name", "id")
    if regions:
        sites = sites.filter(region__code__in=list(regions))
    site_rows = list(sites)
    stations = list(queries.station_list(actor).filter(active=True))
    if not stations:
        errors.append(
            FieldError("stations", "your force has no active response station", "required")
        )
    if not site_rows:
        errors.append(FieldError("sites", "no sites to cover", "required"))
    _raise(errors, "Invalid coverage request.")
    graph = roadnet.load_graph()
    site_places = [_place(s.pk, s.longitude, s.latitude, float(s.capacity)) for s in site_rows]
    station_places = [_place(s.pk, s.longitude, s.latitude) for s in stations]
    result = compute_coverage(
        graph, station_places, site_places, standard_s=float(standard_seconds)
    )
    data = result.as_dict()
    names = {str(s.pk): s for s in site_rows}
    by_station = {str(s.pk): s for s in stations}
    for row in data["sites"]:
        site = names[row["id"]]
        row.update(
            id=site.pk, name=site.name, lat=site.latitude, lon=site.longitude,
            region=site.region.name, station_name=by_station[row["station"]].name
            if row["station"] else None,
        )  # fmt: skip
    for row in data["stations"]:
        station = by_station[row["id"]]
        row.update(id=station.pk, name=station.name, lat=station.latitude, lon=station.longitude)
    data["uncovered"] = [names[i].pk for i in data["uncovered"]]
    data["unreachable"] = [names[i].pk for i in data["unreachable"]]
    data["stations_off_network"] = [by_station[i].pk for i in data["stations_off_network"]]
    data["graph"] = {"nodes": graph.n_nodes, "edges": graph.n_edges}
    if roadnet.status().is_osm:
        data["attribution"] = OSM_ATTRIBUTION
    data["siting"] = None
    if units:
        plan = plan_units(
            graph,
            site_places,
            standard_s=float(standard_seconds),
            units=units,
            stations=station_places,
            time_limit_s=COVERAGE_TIME_LIMIT_S,
        )
        siting = plan.as_dict()
        siting["uncovered_after"] = [names[i].pk for i in siting["uncovered_after"]]
        siting["uncoverable_sites"] = [names[i].pk for i in siting["uncoverable_sites"]]
        data["siting"] = siting
    return data
