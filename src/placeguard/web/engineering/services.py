"""All writes of the engineering app, and the findings it feeds into the risk engine.

:func:`create_study` checks the parameters and the GeoJSON with the engine's own validator
**before** anything is stored (every problem at once), stores the study ``queued`` with its
audit event in one transaction and enqueues a background task (django-tasks). The task calls
:func:`execute_study`, which moves the study to ``running``, reports progress 0–100 with a
message while the engine works, and stores the result (``complete``) or a readable error
(``failed``) with an audit event. :func:`site_findings` turns a site's latest studies into
the :class:`EngineeringFindings` the risk engine uses.
"""

from __future__ import annotations

import inspect
import logging
import math
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from placeguard.core.errors import (
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    PlaceguardError,
    ValidationError,
)
from placeguard.engines.risk.engineering import EngineeringFindings
from placeguard.web.audit import services as audit
from placeguard.web.engineering import frames
from placeguard.web.engineering.access import can_edit, visible_to
from placeguard.web.engineering.choices import (
    FINISHED_STATUSES,
    EvacuationMode,
    StudyKind,
    StudyStatus,
    VehicleChoice,
)
from placeguard.web.engineering.models import EngineeringStudy
from placeguard.web.orgs.models import User
from placeguard.web.sites.access import visible_to as sites_visible_to
from placeguard.web.sites.models import Site

__all__ = [
    "EVACUATION_DEFAULTS",
    "MAX_RUNS",
    "VEHICLE_DEFAULTS",
    "create_study",
    "delete_study",
    "enqueue_run",
    "execute_study",
    "get_site_for",
    "get_study_for",
    "parse_parameters",
    "run_status",
    "site_findings",
]

logger = logging.getLogger(__name__)

#: A progress callback: percent 0–100 and a short message.
Progress = Callable[[int, str], None]

#: Most agents a microscopic (JuPedSim) run may simulate from the web.
MAX_MICRO_AGENTS = 2000
#: Longest simulated time (s) of a microscopic run from the web.
MAX_MICRO_TIME_S = 1800.0

#: What the web app adds to a microscopic run's assumptions (the engine's are in its docs).
MICRO_ASSUMPTIONS = (
    "microscopic run: JuPedSim Collision-Free Speed Model, time step 0.01 s, free speed "
    "1.19 m/s (SFPE k = 1.40 m/s at low density), agent radius 0.2 m",
    "microscopic run: everyone starts at once (no pre-movement time) and stairs are walked as "
    "level floor; the hydraulic comparison is made under the same assumptions",
    "microscopic run: each agent walks to the exit the hydraulic routing gives its start point",
    "microscopic run is suspect when an exit's flow (PedPy N–t count at the exit line) or the "
    "total time is outside ×1/1.6–×1.6 the hydraulic figure, or agents remain at the time limit",
    "density frames: classic density (people in a grid cell / cell area) of the recorded "
    "positions, on a square grid over the layout",
)

#: Most Monte Carlo runs one synchronous request may ask for.
MAX_RUNS = 500
#: Largest vehicle search radius (m) a synchronous request may ask for.
MAX_RADIUS_M = 1000.0

EVACUATION_DEFAULTS: dict[str, Any] = {
    "occupants": None,
    "mode": EvacuationMode.EVACUATION.value,
    "pre_movement_s": 0.0,
    "target_time_s": None,
    "blocked": [],
    "runs": 100,
    "seed": 0,
    "occupants_min": None,
    "pre_movement_minimum_s": 30.0,
    "pre_movement_median_s": 60.0,
    "pre_movement_sigma": 0.6,
    "max_density": 3.76,
    "microscopic": False,
    "micro_max_time_s": 600.0,
}

VEHICLE_DEFAULTS: dict[str, Any] = {
    "vehicle": VehicleChoice.N3.value,
    "mass_kg": None,
    "max_accel_ms2": None,
    "braking_ms2": None,
    "mu": None,
    "max_speed_kmh": None,
    "radius_m": 300.0,
    "spacing_m": 5.0,
    "final_approach_m": 25.0,
    "start_speed_kmh": 0.0,
    "corner_leg_m": 10.0,
}

#: Vehicle overrides: parameter name → (engine field, unit factor to SI).
_VEHICLE_OVERRIDES = {
    "mass_kg": ("mass_kg", 1.0),
    "max_accel_ms2": ("max_accel", 1.0),
    "braking_ms2": ("braking", 1.0),
    "mu": ("mu", 1.0),
    "max_speed_kmh": ("max_speed", 1 / 3.6),
}


# ------------------------------------------------------------------ reads
def get_site_for(user: User, site_id: int | str, *, for_edit: bool = False) -> Site:
    """A site the user sees (NotFoundError), optionally one whose studies they may run."""
    try:
        site = sites_visible_to(user).select_related("operator", "region").get(pk=int(site_id))
    except (Site.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("Site not found.")) from None
    if for_edit and not can_edit(user, site):
        raise PermissionDeniedError(_("Your role does not allow running engineering studies."))
    return site


def get_study_for(user: User, study_id: int | str, *, for_edit: bool = False) -> EngineeringStudy:
    """A study the user sees (NotFoundError), optionally one they may delete."""
    try:
        study = visible_to(user).select_related("site", "created_by").get(pk=int(study_id))
    except (EngineeringStudy.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("Study not found.")) from None
    if for_edit and not can_edit(user, study.site):
        raise PermissionDeniedError(_("Your role does not allow changing engineering studies."))
    return study


# ------------------------------------------------------------------ parameters
def _number_problem(
    value: Any, low: float | None, high: float | None, *, strict_low: bool, integer: bool
) -> tuple[float | None, str | None]:
    """``(number, None)`` or ``(None, what is wrong)``."""
    number = None
    if not isinstance(value, bool) and isinstance(value, int | float | str):
        try:
            number = float(value)
        except ValueError:
            number = None
    problem = None
    if number is None:
        problem = _("must be a number")
    elif not math.isfinite(number):
        problem = _("must be a finite number")
    elif integer and number != int(number):
        problem = _("must be a whole number")
    elif low is not None and (number <= low if strict_low else number < low):
        problem = _("must be %(s)s %(n)g") % {"s": ">" if strict_low else "≥", "n": low}
    elif high is not None and number > high:
        problem = _("must be ≤ %(n)g") % {"n": high}
    return (None, problem) if problem else (number, None)


def _number(  # noqa: PLR0917 - one check, many bounds
    raw: Mapping[str, Any],
    key: str,
    default: float | None,
    problems: list[FieldError],
    low: float | None = 0.0,
    high: float | None = None,
    *,
    strict_low: bool = False,
    integer: bool = False,
) -> float | None:
    value = raw.get(key, default)
    if value is None or value == "":
        return default
    number, problem = _number_problem(value, low, high, strict_low=strict_low, integer=integer)
    if problem is not None:
        problems.append(FieldError(f"parameters.{key}", problem))
        return default
    return number


def _integer(value: float | None) -> int | None:
    return None if value is None else int(value)


def _choice(
    raw: Mapping[str, Any], key: str, default: str, allowed: list[str], problems: list[FieldError]
) -> str:
    value = raw.get(key, default)
    if value in (None, ""):
        return default
    if not isinstance(value, str) or value.lower() not in allowed:
        problems.append(
            FieldError(f"parameters.{key}", _("must be one of: %(v)s") % {"v": ", ".join(allowed)})
        )
        return default
    return value.lower()


def _flag(raw: Mapping[str, Any], key: str, problems: list[FieldError]) -> bool:
    value = raw.get(key, False)
    if value in (None, ""):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false", "on", "off", "1", "0"}:
        return value.lower() in {"true", "on", "1"}
    problems.append(FieldError(f"parameters.{key}", _("must be true or false")))
    return False


def _evacuation_parameters(raw: Mapping[str, Any], problems: list[FieldError]) -> dict[str, Any]:
    d = EVACUATION_DEFAULTS
    blocked = raw.get("blocked", [])
    if isinstance(blocked, str):
        blocked = [b.strip() for b in blocked.split(",") if b.strip()]
    if not isinstance(blocked, list) or not all(isinstance(b, str) for b in blocked):
        problems.append(FieldError("parameters.blocked", _("must be a list of opening ids")))
        blocked = []
    out: dict[str, Any] = {
        "occupants": _integer(_number(raw, "occupants", None, problems, integer=True)),
        "mode": _choice(raw, "mode", d["mode"], list(EvacuationMode.values), problems),
        "pre_movement_s": _number(raw, "pre_movement_s", d["pre_movement_s"], problems),
        "target_time_s": _number(raw, "target_time_s", None, problems),
        "blocked": sorted(set(blocked)),
        "runs": _integer(_number(raw, "runs", d["runs"], problems, 0, MAX_RUNS, integer=True)),
        "seed": _integer(_number(raw, "seed", d["seed"], problems, None, integer=True)),
        "occupants_min": _integer(_number(raw, "occupants_min", None, problems, integer=True)),
        "pre_movement_minimum_s": _number(
            raw, "pre_movement_minimum_s", d["pre_movement_minimum_s"], problems
        ),
        "pre_movement_median_s": _number(
            raw, "pre_movement_median_s", d["pre_movement_median_s"], problems, strict_low=True
        ),
        "pre_movement_sigma": _number(
            raw, "pre_movement_sigma", d["pre_movement_sigma"], problems, strict_low=True
        ),
        "max_density": _number(raw, "max_density", d["max_density"], problems, 0.1),
        "microscopic": _flag(raw, "microscopic", problems),
        "micro_max_time_s": _number(
            raw,
            "micro_max_time_s",
            d["micro_max_time_s"],
            problems,
            0,
            MAX_MICRO_TIME_S,
            strict_low=True,
        ),
    }
    if out["microscopic"] and out["mode"] != EvacuationMode.EVACUATION:
        problems.append(
            FieldError(
                "parameters.microscopic",
                _("a microscopic run is only available in evacuation mode"),
            )
        )
    if (out["pre_movement_minimum_s"] or 0) >= (out["pre_movement_median_s"] or 0):
        problems.append(
            FieldError(
                "parameters.pre_movement_median_s",
                _("the median pre-movement time must exceed the minimum"),
            )
        )
    return out


def _vehicle_parameters(raw: Mapping[str, Any], problems: list[FieldError]) -> dict[str, Any]:
    d = VEHICLE_DEFAULTS
    out: dict[str, Any] = {
        "vehicle": _choice(raw, "vehicle", d["vehicle"], list(VehicleChoice.values), problems)
    }
    for key in _VEHICLE_OVERRIDES:
        out[key] = _number(raw, key, None, problems, strict_low=True)
    out["radius_m"] = _number(raw, "radius_m", d["radius_m"], problems, 0, MAX_RADIUS_M,
                              strict_low=True)  # fmt: skip
    out["spacing_m"] = _number(raw, "spacing_m", d["spacing_m"], problems, 0.5, strict_low=False)
    out["final_approach_m"] = _number(raw, "final_approach_m", d["final_approach_m"], problems)
    out["start_speed_kmh"] = _number(raw, "start_speed_kmh", d["start_speed_kmh"], problems)
    out["corner_leg_m"] = _number(raw, "corner_leg_m", d["corner_leg_m"], problems,
                                  strict_low=True)  # fmt: skip
    return out


def parse_parameters(kind: str, raw: Any) -> dict[str, Any]:
    """Normalised parameters of a study of ``kind`` (defaults filled in); every problem at once."""
    problems: list[FieldError] = []
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ValidationError(
            _("The parameters are invalid."),
            errors=[FieldError("parameters", _("must be an object"))],
        )
    allowed = EVACUATION_DEFAULTS if kind == StudyKind.EVACUATION else VEHICLE_DEFAULTS
    for key in sorted(set(raw) - set(allowed)):
        problems.append(FieldError(f"parameters.{key}", _("unknown parameter")))
    if kind == StudyKind.EVACUATION:
        out = _evacuation_parameters(raw, problems)
    else:
        out = _vehicle_parameters(raw, problems)
    if problems:
        raise ValidationError(_("The parameters are invalid."), errors=problems)
    return out


# ------------------------------------------------------------------ engines
def _prefixed(exc: ValidationError, prefix: str) -> list[FieldError]:
    errors = exc.errors or (FieldError("", exc.message),)
    return [
        FieldError(f"{prefix}.{e.field}" if e.field else prefix, e.message, e.code) for e in errors
    ]


def _prepare_evacuation(geojson: Any, params: dict[str, Any], problems: list[FieldError]) -> Any:
    from placeguard.engines.evacuation.layout import parse_layout

    try:
        layout = parse_layout(geojson, max_density=params["max_density"])
        if params["occupants"] is not None:
            layout = layout.with_occupants(params["occupants"])
    except ValidationError as exc:
        problems.extend(_prefixed(exc, "geojson"))
        return None
    known = {o.id for o in layout.openings}
    for opening in params["blocked"]:
        if opening not in known:
            problems.append(
                FieldError(
                    "parameters.blocked", _("no opening “%(id)s” in the layout") % {"id": opening}
                )
            )
    if not problems:  # routing problems (no refuge for an invacuation …) also come first
        from placeguard.engines.evacuation.hydraulic import HydraulicParams, build_network

        try:
            hp = HydraulicParams(blocked=frozenset(params["blocked"]))
            build_network(layout, params["mode"], hp)
        except ValidationError as exc:
            problems.extend(_prefixed(exc, "geojson"))
    if params["microscopic"] and layout.total_occupants > MAX_MICRO_AGENTS:
        problems.append(
            FieldError(
                "parameters.microscopic",
                _("a microscopic run from the web takes at most %(max)d people, not %(n)d")
                % {"max": MAX_MICRO_AGENTS, "n": layout.total_occupants},
            )
        )
    if params["occupants_min"] is not None and params["occupants_min"] > layout.total_occupants:
        problems.append(
            FieldError(
                "parameters.occupants_min",
                _("must not exceed the %(n)d occupants of the layout")
                % {"n": layout.total_occupants},
            )
        )
    return layout


def _prepare_vehicle(geojson: Any, params: dict[str, Any], problems: list[FieldError]) -> Any:
    from placeguard.engines.vehicle.surface import parse_site
    from placeguard.engines.vehicle.vehicles import get_vehicle

    site = vehicle = None
    if not isinstance(geojson, Mapping):
        problems.append(FieldError("geojson", _("must be a GeoJSON FeatureCollection object")))
    else:
        try:
            site = parse_site(geojson)
        except ValidationError as exc:
            problems.extend(_prefixed(exc, "geojson"))
    try:
        overrides = {
            field: None if params[key] is None else params[key] * factor
            for key, (field, factor) in _VEHICLE_OVERRIDES.items()
        }
        vehicle = get_vehicle(params["vehicle"]).with_overrides(**overrides)
    except ValidationError as exc:
        problems.extend(_prefixed(exc, "parameters"))
    return None if site is None or vehicle is None else (site, vehicle)


def _no_progress(percent: int, message: str) -> None:
    """The progress callback of a run nobody watches."""


def _call(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    span: tuple[int, int, str],
    progress: Progress,
) -> Any:
    """Call an engine function, passing a ``progress`` callback if it accepts one.

    The engine may call it with a fraction in [0, 1] or with ``(done, total)``; either is
    mapped onto ``span`` = (low %, high %, message). Without one, only the stage is reported.
    """
    low, high, message = span
    progress(low, message)
    try:
        accepts = "progress" in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        accepts = False
    if accepts:

        def report(done: float, total: float | None = None) -> None:
            fraction = done / total if total else done
            progress(low + round((high - low) * min(max(fraction, 0.0), 1.0)), message)

        kwargs = {**kwargs, "progress": report}
    return fn(*args, **kwargs)


def _run_evacuation(
    layout: Any, params: dict[str, Any], progress: Progress = _no_progress
) -> dict[str, Any]:
    from placeguard.engines.evacuation.hydraulic import HydraulicParams, solve
    from placeguard.engines.evacuation.montecarlo import PreMovement, monte_carlo

    hp = HydraulicParams(
        pre_movement_s=params["pre_movement_s"], blocked=frozenset(params["blocked"])
    )
    micro_on = bool(params.get("microscopic"))
    progress(10, _("Hydraulic model"))
    result = solve(layout, mode=params["mode"], params=hp, target_time_s=params["target_time_s"])
    mc = None
    if params["runs"]:
        hi = layout.total_occupants
        lo = params["occupants_min"] if params["occupants_min"] is not None else int(hi * 0.7)
        span = (20, 60 if micro_on else 95, _("Monte Carlo: %(n)d runs") % {"n": params["runs"]})
        kwargs = {
            "runs": params["runs"],
            "seed": params["seed"],
            "occupants": (min(lo, hi), hi),
            "pre_movement": PreMovement(
                minimum_s=params["pre_movement_minimum_s"],
                median_s=params["pre_movement_median_s"],
                sigma=params["pre_movement_sigma"],
            ),
            "mode": params["mode"],
            "target_time_s": params["target_time_s"],
            "params": hp,
        }
        mc = _call(monte_carlo, (layout,), kwargs, span, progress)
    hydraulic = result.to_dict()
    monte = None if mc is None else mc.to_dict()
    micro = _run_microscopic(layout, params, progress) if micro_on else None
    out: dict[str, Any] = {
        "engine": "evacuation",
        "layout": {
            "spaces": len(layout.spaces),
            "exits": len(layout.exits),
            "doors": len(layout.openings) - len(layout.exits),
            "occupants": layout.total_occupants,
        },
        "summary": {
            "mode": params["mode"],
            "occupants": hydraulic["occupants"],
            "total_time_s": hydraulic["total_time_s"],
            "p95_time_s": None if monte is None else monte["total_time_s"]["p95"],
            "target_time_s": params["target_time_s"],
            "cleared_by_target": hydraulic["cleared_by_target"],
        },
        "hydraulic": hydraulic,
        "monte_carlo": monte,
        "timeline": frames.hydraulic_timeline(result),
        "microscopic": micro,
        "assumptions": [
            *hydraulic["assumptions"],
            *([] if monte is None else monte["assumptions"]),
            *(frames.TIMELINE_ASSUMPTIONS),
            *([] if micro is None else MICRO_ASSUMPTIONS),
        ],
    }
    if micro is not None:
        summary: dict[str, Any] = out["summary"]
        summary["micro_total_time_s"] = micro["total_time_s"]
        summary["micro_suspect"] = micro["suspect"]
    return out


def _run_microscopic(layout: Any, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """A JuPedSim run of the layout, its sanity check and its density frames (compact)."""
    from placeguard.engines.evacuation import microscopic

    if not microscopic.available():
        raise PlaceguardError(
            _("The microscopic simulator (JuPedSim and PedPy) is not installed on this server.")
        )
    mp = microscopic.MicroParams(max_time_s=params["micro_max_time_s"], seed=params["seed"])
    span = (60, 92, _("Microscopic simulation (JuPedSim): %(n)d people") % {
        "n": layout.total_occupants})  # fmt: skip
    run = _call(microscopic.simulate, (layout,), {"params": mp}, span, progress)
    progress(93, _("Density frames (PedPy grid)"))
    out: dict[str, Any] = run.to_dict()
    out["density"] = frames.density_frames(
        run.trajectories,
        bounds=frames.layout_bounds(layout),
        frame_rate=1.0 / (mp.dt_s * mp.record_every),
    )
    return out


def _run_vehicle(
    prepared: Any, params: dict[str, Any], progress: Progress = _no_progress
) -> dict[str, Any]:
    from placeguard.engines.vehicle.assess import ASSUMPTIONS as VEHICLE_ASSUMPTIONS
    from placeguard.engines.vehicle.assess import AssessmentOptions, assess_site
    from placeguard.engines.vehicle.ratings import load_standards
    from placeguard.engines.vehicle.results import heat_map

    site, vehicle = prepared
    options = AssessmentOptions(
        radius_m=params["radius_m"],
        spacing_m=params["spacing_m"],
        final_approach_m=params["final_approach_m"],
        start_speed=params["start_speed_kmh"] / 3.6,
        corner_leg_m=params["corner_leg_m"],
    )
    span = (10, 90, _("Approach paths and speed profiles (%(v)s)") % {"v": vehicle.name})
    assessment = _call(assess_site, (site, vehicle), {"options": options}, span, progress)
    progress(92, _("Perimeter colouring and barrier ratings"))
    standards = load_standards()
    geo = heat_map(assessment.impacts, site.frame, standards=standards, include_paths=True)
    points = [
        f["properties"] for f in geo["features"] if f["properties"]["kind"] == "perimeter_point"
    ]
    worst = sorted(
        (p for p in points if p["impact_speed_kmh"] is not None),
        key=lambda p: -p["impact_speed_kmh"],
    )[:15]
    top_speed = vehicle.max_speed * 3.6
    return {
        "engine": "vehicle",
        "summary": assessment.summary(),
        "vehicle": {
            "id": vehicle.id,
            "name": vehicle.name,
            "mass_kg": vehicle.mass_kg,
            "max_accel_ms2": vehicle.max_accel,
            "braking_ms2": vehicle.braking,
            "mu": vehicle.mu,
            "track_width_m": vehicle.track_width_m,
            "cg_height_m": vehicle.cg_height_m,
            "max_speed_kmh": round(top_speed, 1) if math.isfinite(top_speed) else None,
            "power_kw": None if vehicle.power_w is None else vehicle.power_w / 1000.0,
        },
        "options": {
            "radius_m": options.radius_m,
            "spacing_m": options.spacing_m,
            "final_approach_m": options.final_approach_m,
            "start_speed_kmh": params["start_speed_kmh"],
            "corner_leg_m": options.corner_leg_m,
        },
        "standards": [
            {"id": s.id, "name": s.name, "complete": s.complete, "note": s.note} for s in standards
        ],
        "worst_points": worst,
        "heat_map": geo,
        "assumptions": list(VEHICLE_ASSUMPTIONS),
    }


def _snapshot(study: EngineeringStudy) -> dict[str, Any]:
    return {
        "site": study.site_id,
        "kind": study.kind,
        "name": study.name,
        "parameters": study.parameters,
        "status": study.status,
    }


# ------------------------------------------------------------------ writes
def create_study(
    *,
    actor: User | None,
    site: Site,
    kind: str,
    name: str,
    geojson: Any,
    parameters: Mapping[str, Any] | None = None,
) -> EngineeringStudy:
    """Validate, store the study ``queued`` with its audit event, and enqueue its run.

    Raises ValidationError listing every problem of the name, kind, parameters and GeoJSON —
    nothing is stored then; PermissionDeniedError / NotFoundError for the wrong actor. The
    returned study is as the queue left it: ``complete``/``failed`` with the immediate backend
    (tests), usually ``queued`` with the database backend.
    """
    if actor is not None:
        site = get_site_for(actor, site.pk, for_edit=True)
    problems: list[FieldError] = []
    name = (name or "").strip()
    if not name:
        problems.append(FieldError("name", _("This field is required.")))
    elif len(name) > 200:
        problems.append(FieldError("name", _("at most 200 characters")))
    if kind not in StudyKind.values:
        problems.append(
            FieldError("kind", _("must be one of: %(v)s") % {"v": ", ".join(StudyKind.values)})
        )
        raise ValidationError(_("The study inputs are invalid."), errors=problems)
    try:
        params = parse_parameters(kind, parameters)
    except ValidationError as exc:
        problems.extend(exc.errors)
        params = None
    prepared = None
    if geojson is None or not isinstance(geojson, Mapping):
        problems.append(FieldError("geojson", _("must be a GeoJSON FeatureCollection object")))
    else:  # with bad parameters, still check the GeoJSON (against the defaults)
        prepare = _prepare_evacuation if kind == StudyKind.EVACUATION else _prepare_vehicle
        prepared = prepare(geojson, params or parse_parameters(kind, {}), problems)
    if problems or params is None or prepared is None:
        raise ValidationError(
            _("The study inputs have %(n)d problem(s); nothing was run or saved.")
            % {"n": len(problems)},
            errors=problems,
        )
    with transaction.atomic():
        study = EngineeringStudy.objects.create(
            site=site,
            kind=kind,
            name=name,
            geojson=dict(geojson),
            parameters=params,
            result={},
            status=StudyStatus.QUEUED,
            progress_message=_("Waiting for a worker"),
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="engineering_study.create",
            obj=study,
            diff=audit.diff_fields(None, _snapshot(study)),
        )
    enqueue_run(study)
    study.refresh_from_db()
    return study


def enqueue_run(study: EngineeringStudy) -> None:
    """Hand the study to the background worker (after its row is committed).

    With the immediate backend (tests) the run happens here, synchronously. If the queue
    itself cannot be reached the study is marked failed with a readable message.
    """
    from placeguard.web.engineering.tasks import run_study

    try:
        run_study.enqueue(study.pk)
    except Exception as exc:
        logger.exception("could not enqueue engineering study %s", study.pk)
        _finish(
            study.pk,
            StudyStatus.FAILED,
            {"engine": study.kind, "error": _("The run could not be queued: %(e)s") % {"e": exc}},
        )


def _set_progress(study_id: int, percent: int, message: str) -> None:
    EngineeringStudy.objects.filter(pk=study_id, status=StudyStatus.RUNNING).update(
        progress=max(0, min(int(percent), 99)), progress_message=str(message)[:300]
    )


def _finish(study_id: int, status: str, result: dict[str, Any]) -> None:
    with transaction.atomic():
        study = EngineeringStudy.objects.select_for_update().filter(pk=study_id).first()
        if study is None:
            return
        before = _snapshot(study)
        study.status = status
        study.result = result
        study.progress = 100
        study.progress_message = (
            _("Done") if status == StudyStatus.COMPLETE else str(result.get("error", ""))[:300]
        )
        study.finished_at = timezone.now()
        study.save(
            update_fields=["status", "result", "progress", "progress_message", "finished_at"]
        )
        audit.record(
            actor=None,
            action="engineering_study.finish",
            obj=study,
            diff=audit.diff_fields(before, _snapshot(study)),
        )


def _problems_text(exc: ValidationError) -> str:
    parts = [f"{e.field}: {e.message}" if e.field else e.message for e in exc.errors]
    return "; ".join([exc.message, *parts]) if parts else exc.message


def execute_study(study_id: int, *, actor: User | None = None) -> None:
    """Run a queued study's engine, reporting progress; store its result or a readable error.

    Called by the background task (``actor`` None: the system). A study that is not queued
    (already run, or deleted) is left alone, so a task delivered twice runs once.
    """
    with transaction.atomic():
        claimed = EngineeringStudy.objects.filter(pk=study_id, status=StudyStatus.QUEUED).update(
            status=StudyStatus.RUNNING,
            progress=1,
            progress_message=_("Checking the input"),
            started_at=timezone.now(),
        )
    if not claimed:
        return
    study = EngineeringStudy.objects.get(pk=study_id)
    last = [-1]

    def progress(percent: int, message: str) -> None:
        if percent != last[0]:
            last[0] = percent
            _set_progress(study_id, percent, message)

    try:
        status, result = StudyStatus.COMPLETE, _run(study, progress)
    except ValidationError as exc:
        status = StudyStatus.FAILED
        result = {"engine": study.kind, "error": _problems_text(exc)}
    except PlaceguardError as exc:
        status, result = StudyStatus.FAILED, {"engine": study.kind, "error": exc.message}
    except Exception as exc:
        logger.exception("engineering study %s failed", study_id)
        status = StudyStatus.FAILED
        result = {
            "engine": study.kind,
            "error": _("The engine stopped unexpectedly (%(type)s: %(e)s).")
            % {"type": type(exc).__name__, "e": exc},
        }
    _finish(study_id, status, result)


def _run(study: EngineeringStudy, progress: Progress) -> dict[str, Any]:
    """Validate the stored input again (the engines may have changed) and run the engine."""
    problems: list[FieldError] = []
    params = parse_parameters(study.kind, study.parameters)
    prepare = _prepare_evacuation if study.kind == StudyKind.EVACUATION else _prepare_vehicle
    prepared = prepare(study.geojson, params, problems)
    if problems or prepared is None:
        raise ValidationError(_("The study inputs are invalid."), errors=problems)
    if study.kind == StudyKind.EVACUATION:
        return _run_evacuation(prepared, params, progress)
    return _run_vehicle(prepared, params, progress)


def _run_error(study: EngineeringStudy) -> str | None:
    if study.status != StudyStatus.FAILED:
        return None
    if "result" in study.get_deferred_fields():  # lists: the short message only
        return study.progress_message
    return str((study.result or {}).get("error") or study.progress_message)


def run_status(study: EngineeringStudy) -> dict[str, Any]:
    """The run resource: where the study's background run is."""
    return {
        "id": study.pk,
        "status": study.status,
        "status_display": str(study.get_status_display()),
        "finished": study.status in FINISHED_STATUSES,
        "progress": study.progress,
        "message": study.progress_message,
        "error": _run_error(study),
        "started_at": None if study.started_at is None else study.started_at.isoformat(),
        "finished_at": None if study.finished_at is None else study.finished_at.isoformat(),
    }


def delete_study(study: EngineeringStudy, *, actor: User | None) -> None:
    """Delete a study (the site's findings fall back to the previous study of its kind)."""
    if actor is not None:
        study = get_study_for(actor, study.pk, for_edit=True)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="engineering_study.delete",
            obj=study,
            diff=audit.diff_fields(_snapshot(study), {}),
        )
        study.delete()


# ------------------------------------------------------------------ risk link
def latest_studies(site: Site) -> dict[str, EngineeringStudy]:
    """The latest complete study of each kind that feeds the risk engine (evacuations only
    in evacuation mode: invacuation and lockdown times are not times to get out)."""
    out: dict[str, EngineeringStudy] = {}
    rows = EngineeringStudy.objects.filter(site=site, status=StudyStatus.COMPLETE).only(
        "id", "kind", "name", "created_at", "parameters", "result"
    )
    for study in rows.order_by("-created_at", "-id"):
        if study.kind in out:
            continue
        if study.kind == StudyKind.EVACUATION and (
            study.parameters.get("mode") != EvacuationMode.EVACUATION
        ):
            continue
        out[study.kind] = study
        if len(out) == len(StudyKind.values):
            break
    return out


def site_findings(site: Site) -> EngineeringFindings | None:
    """Findings of the site's latest vehicle and evacuation studies, or None without any.

    The vehicle figure is the worst impact speed along the perimeter; the evacuation figure
    the Monte Carlo 95th percentile of the total time when there was a Monte Carlo run, else
    the deterministic total.
    """
    latest = latest_studies(site)
    speed = seconds = None
    sources = []
    vehicle = latest.get(StudyKind.VEHICLE)
    if vehicle is not None:
        speed = (vehicle.result.get("summary") or {}).get("max_impact_speed_kmh")
        if speed is not None:
            sources.append(f"vehicle study “{vehicle.name}”")
    evacuation = latest.get(StudyKind.EVACUATION)
    if evacuation is not None:
        summary = evacuation.result.get("summary") or {}
        seconds = summary.get("p95_time_s")
        label = "P95"
        if seconds is None:
            seconds, label = summary.get("total_time_s"), "total"
        if seconds is not None:
            sources.append(f"evacuation study “{evacuation.name}”, {label} time")
    if speed is None and seconds is None:
        return None
    return EngineeringFindings(
        vehicle_impact_speed_kmh=None if speed is None else float(speed),
        evacuation_time_s=None if seconds is None else float(seconds),
        source="; ".join(sources),
    )
