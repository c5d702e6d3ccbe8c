"""Exercise injects drawn from a site-engineering study (evacuation or vehicle dynamics).

A stored study result (what :mod:`placeguard.web.engineering` keeps in ``result``, built from
:mod:`placeguard.engines.evacuation` and :mod:`placeguard.engines.vehicle`) becomes MSEL rows
(:class:`~placeguard.engines.preparedness.msel.Inject`) whose timing and figures come from the
simulation, so that an exercise is played against the site's own numbers:

Evacuation (hydraulic model):

* **jam** — the worst bottleneck (longest expected wait = peak queue ÷ flow capacity) is
  reported jammed at the scenario minute its queue forms, with peak queue and wait; a
  contingency inject (crowd crush reported) backs it up;
* **blocked exit** — the busiest exit (most people through it) is reported blocked when the
  first people reach it. When the layout GeoJSON is available the hydraulic model is re-run
  with that exit closed (occupants re-route to the remaining exits) and the new clearance
  time is stated; otherwise the penalty is estimated from the remaining exit capacity
  (``N / C_rest − N / C_all``, the flow-limited lower bound);
* **clearance** — the time the last occupant is safe against the target time (with the Monte
  Carlo 95th percentile when one was run).

Vehicle dynamics: the perimeter point with the highest impact speed gives a "vehicle reported
approaching from <compass direction> at <speed> km/h" inject (direction = bearing from the
impact point to the start of its worst approach path), backed up by a contingency inject
(impact at the perimeter, energy and required barrier rating).

Every description ends with ``[source: …]`` naming the study and the number it came from.
Scenario minutes are ``start_minute`` plus simulated seconds ÷ 60, rounded down. Method:
docs/evacuation-method.md and docs/vehicle-dynamics-method.md ("Exercise injects").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from placeguard.engines.preparedness.catalogue import DeliveryMethod, InjectType
from placeguard.engines.preparedness.msel import Inject

__all__ = [
    "blocked_exit_penalty_s",
    "compass",
    "injects_from_engineering",
    "injects_from_studies",
]

_COMPASS = ("north", "north-east", "east", "south-east", "south", "south-west", "west",
            "north-west")  # fmt: skip
_CONTROL = "Exercise control (SimCell)"


def compass(bearing_deg: float) -> str:
    """Eight-point compass name of a bearing (degrees clockwise from north)."""
    return _COMPASS[int(((bearing_deg % 360.0) + 22.5) // 45.0) % 8]


def _bearing(frm: Sequence[float], to: Sequence[float]) -> float:
    """Initial bearing (degrees from north) from lon/lat ``frm`` to lon/lat ``to``."""
    lon1, lat1, lon2, lat2 = map(math.radians, (frm[0], frm[1], to[0], to[1]))
    dlon = lon2 - lon1
    x = math.sin(dlon) * math.cos(lat2)
    y = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(dlon)
    return math.degrees(math.atan2(x, y)) % 360.0


def _minute(start_minute: int, seconds: float) -> int:
    return start_minute + max(int(seconds // 60), 0)


def _mmss(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60} min {s % 60:02d} s"


def blocked_exit_penalty_s(occupants: float, capacity_all_pps: float, capacity_rest_pps: float
                           ) -> float | None:  # fmt: skip
    """Extra flow time when an exit closes: ``N / C_rest − N / C_all`` (None: no exit left).

    A lower bound for a flow-limited evacuation: walking time does not change and the other
    exits are assumed to take the re-routed people at full capacity.
    """
    if capacity_rest_pps <= 0:
        return None
    return occupants / capacity_rest_pps - occupants / capacity_all_pps


# ------------------------------------------------------------------------------ evacuation
def _rerun_blocked(
    layout_geojson: Mapping[str, Any],
    parameters: Mapping[str, Any],
    mode: str,
    blocked: str,
) -> tuple[float, float, Mapping[str, Any] | None] | None:
    """(new total time, unreachable people, new worst bottleneck) with ``blocked`` closed."""
    from placeguard.core.errors import ValidationError
    from placeguard.engines.evacuation.hydraulic import HydraulicParams, solve
    from placeguard.engines.evacuation.layout import DEFAULT_MAX_DENSITY, parse_layout

    try:
        layout = parse_layout(
            layout_geojson, max_density=float(parameters.get("max_density") or DEFAULT_MAX_DENSITY)
        )
        if parameters.get("occupants") is not None:
            layout = layout.with_occupants(int(parameters["occupants"]))
        params = HydraulicParams(
            pre_movement_s=float(parameters.get("pre_movement_s") or 0.0),
            blocked=frozenset({*parameters.get("blocked", ()), blocked}),
        )
        result = solve(layout, mode=mode, params=params).to_dict()
    except (ValidationError, ValueError, KeyError):
        return None
    worst = _worst_bottleneck(result.get("bottlenecks") or [])
    return float(result["total_time_s"]), float(result["unreachable"]), worst


def _worst_bottleneck(bottlenecks: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    def wait(b: Mapping[str, Any]) -> tuple[float, float]:
        cap = float(b.get("capacity_pps") or 0.0)
        q = float(b.get("max_queue") or 0.0)
        return (q / cap if cap > 0 else math.inf, float(b.get("duration_s") or 0.0))

    return max(bottlenecks, key=wait, default=None)


def _place(b: Mapping[str, Any]) -> str:
    if b.get("to_space") == "outside":
        return f"exit {b['opening']} (from {b['from_space']})"
    return f"door {b['opening']} between {b['from_space']} and {b['to_space']}"


def _jam(
    hyd: Mapping[str, Any],
    mode: str,
    *,
    source: str,
    scenario: str,
    start_minute: int,
) -> list[Inject]:
    out: list[Inject] = []
    worst = _worst_bottleneck(hyd.get("bottlenecks") or [])
    if worst is not None:
        cap = float(worst["capacity_pps"])
        queue = float(worst["max_queue"])
        wait = queue / cap if cap > 0 else math.inf
        out.append(
            Inject(
                seq=0,
                time_min=_minute(start_minute, float(worst["queue_start_s"])),
                inject_type=InjectType.EXPECTED_ACTION,
                delivery=DeliveryMethod.RADIO,
                sender=f"Steward at {worst['opening']}",
                recipient="Venue control room",
                description=(
                    f"{mode.capitalize()} under way: people are jamming at {_place(worst)}. "
                    f"The queue grows to about {queue:.0f} people by "
                    f"{_mmss(float(worst['max_queue_at_s']))} after the alarm; the last in it "
                    f"wait about {_mmss(wait)}. "
                    f"[source: {source}, hydraulic bottleneck {worst['opening']}: peak queue "
                    f"{queue:.0f} at {float(worst['max_queue_at_s']):.0f} s, capacity "
                    f"{cap:.2f} p/s, queue from {float(worst['queue_start_s']):.0f} s to "
                    f"{float(worst['queue_end_s']):.0f} s]"
                ),
                expected_action=(
                    "Control room redirects part of the crowd to other routes, sends stewards "
                    "to manage the queue and keeps the public informed."
                ),
                scenario=scenario,
            )
        )
        out.append(
            Inject(
                seq=0,
                time_min=_minute(start_minute, float(worst["max_queue_at_s"])) + 1,
                inject_type=InjectType.CONTINGENCY,
                delivery=DeliveryMethod.PHONE,
                sender="Member of the public",
                recipient="Venue control room",
                description=(
                    f"Caller reports people falling and being crushed in the queue at "
                    f"{_place(worst)}. [source: {source}, peak queue {queue:.0f} people]"
                ),
                expected_action=(
                    "Control room stops inflow to the jammed route, opens alternatives and "
                    "requests medical support."
                ),
                scenario=scenario,
                contingency_for=-1,  # relative: backs up the jam inject (resolved by _number)
            )
        )

    return out


def _blocked(
    hyd: Mapping[str, Any],
    mode: str,
    *,
    source: str,
    scenario: str,
    start_minute: int,
    layout_geojson: Mapping[str, Any] | None,
    parameters: Mapping[str, Any],
) -> list[Inject]:
    out: list[Inject] = []
    dests = [d for d in hyd.get("destinations") or [] if float(d.get("occupants") or 0) > 0]
    exits = dests if mode == "evacuation" else []
    if exits:
        busiest = max(exits, key=lambda d: (float(d["occupants"]), str(d["opening"])))
        occupants = float(hyd.get("occupants") or 0.0) - float(hyd.get("already_safe") or 0.0)
        total = float(hyd.get("total_time_s") or 0.0)
        rerun = (
            None
            if layout_geojson is None
            else _rerun_blocked(layout_geojson, parameters, mode, str(busiest["opening"]))
        )
        if rerun is not None:
            new_total, unreachable, new_worst = rerun
            effect = (
                f"with it closed the hydraulic model gives a clearance time of "
                f"{_mmss(new_total)} instead of {_mmss(total)}"
            )
            if unreachable > 0.5:
                effect += f"; {unreachable:.0f} people cannot reach any other exit"
            if new_worst is not None:
                effect += f"; the worst queue moves to {_place(new_worst)}"
            basis = (
                f"hydraulic model re-run with exit {busiest['opening']} blocked: total "
                f"{new_total:.0f} s vs {total:.0f} s"
            )
        else:
            cap_all = sum(float(d["capacity_pps"]) for d in exits)
            cap_rest = cap_all - float(busiest["capacity_pps"])
            penalty = blocked_exit_penalty_s(occupants, cap_all, cap_rest)
            if penalty is None:
                effect = "it is the only exit in use: nobody can get out until it is cleared"
                basis = f"exit {busiest['opening']} carries all {occupants:.0f} people"
            else:
                effect = (
                    f"the other exits need at least {_mmss(penalty)} longer to clear the "
                    f"re-routed people (clearance at least {_mmss(total + penalty)})"
                )
                basis = (
                    f"remaining exit capacity {cap_rest:.2f} of {cap_all:.2f} p/s for "
                    f"{occupants:.0f} people: +{penalty:.0f} s"
                )
        out.append(
            Inject(
                seq=0,
                time_min=_minute(start_minute, float(busiest["first_s"])),
                inject_type=InjectType.EXPECTED_ACTION,
                delivery=DeliveryMethod.RADIO,
                sender=f"Steward at {busiest['opening']}",
                recipient="Venue control room",
                description=(
                    f"Exit {busiest['opening']} ({busiest.get('name') or 'busiest exit'}) is "
                    f"blocked (suspicious item outside) just as the first people reach it; "
                    f"{effect}. [source: {source}, exit {busiest['opening']} carried "
                    f"{float(busiest['occupants']):.0f} people at up to "
                    f"{float(busiest['capacity_pps']):.2f} p/s; {basis}]"
                ),
                expected_action=(
                    "Control room closes the exit, redirects occupants to the remaining exits "
                    "by public address and stewards, and reports the item to police."
                ),
                scenario=scenario,
            )
        )

    return out


def _clearance(
    hyd: Mapping[str, Any],
    summary: Mapping[str, Any],
    to_safety: str,
    *,
    source: str,
    scenario: str,
    start_minute: int,
) -> list[Inject]:
    out: list[Inject] = []
    total_s = hyd.get("total_time_s", summary.get("total_time_s"))
    if total_s is not None:
        total = float(total_s)
        target = summary.get("target_time_s", hyd.get("target_time_s"))
        p95 = summary.get("p95_time_s")
        people = float(hyd.get("occupants") or summary.get("occupants") or 0.0)
        text = f"Last occupants are {to_safety} {_mmss(total)} after the alarm"
        basis = f"hydraulic total {total:.0f} s"
        if p95 is not None:
            text += f" (1 run in 20 takes longer than {_mmss(float(p95))})"
            basis += f", Monte Carlo P95 {float(p95):.0f} s"
        if target is not None:
            cleared = summary.get("cleared_by_target", hyd.get("cleared_by_target"))
            late = total > float(target)
            text += f"; the target of {_mmss(float(target))} is {'missed' if late else 'met'}"
            basis += f", target {float(target):.0f} s"
            if cleared is not None:
                text += f" ({float(cleared):.0f} of {people:.0f} people safe by then)"
                basis += f", {float(cleared):.0f} safe by target"
        out.append(
            Inject(
                seq=0,
                time_min=_minute(start_minute, total),
                inject_type=InjectType.CONTEXTUAL,
                delivery=DeliveryMethod.VERBAL,
                sender=_CONTROL,
                recipient="Incident commander",
                description=f"{text}. [source: {source}, {basis}]",
                expected_action=(
                    "Incident commander confirms the venue is clear (sweep, head count at "
                    "assembly points) and reports to police."
                ),
                scenario=scenario,
            )
        )
    return out


def _evacuation(
    result: Mapping[str, Any],
    *,
    source: str,
    scenario: str,
    start_minute: int,
    layout_geojson: Mapping[str, Any] | None,
    parameters: Mapping[str, Any],
) -> list[Inject]:
    hyd = result.get("hydraulic") or {}
    summary = result.get("summary") or {}
    mode = str(hyd.get("mode") or summary.get("mode") or "evacuation")
    to_safety = {"evacuation": "out of the venue", "invacuation": "into the protected space",
                 "lockdown": "into lockable rooms"}.get(mode, "to safety")  # fmt: skip
    at = start_minute
    return [
        *_jam(hyd, mode, source=source, scenario=scenario, start_minute=at),
        *_blocked(hyd, mode, source=source, scenario=scenario, start_minute=at,
                  layout_geojson=layout_geojson, parameters=parameters),
        *_clearance(hyd, summary, to_safety, source=source, scenario=scenario, start_minute=at),
    ]  # fmt: skip


# ------------------------------------------------------------------------------ vehicle
def _vehicle(
    result: Mapping[str, Any], *, source: str, scenario: str, start_minute: int
) -> list[Inject]:
    points = [
        f["properties"]
        for f in (result.get("heat_map") or {}).get("features") or []
        if f.get("properties", {}).get("kind") == "perimeter_point"
        and f["properties"].get("impact_speed_kmh") is not None
    ]
    if not points:
        points = [p for p in result.get("worst_points") or [] if p.get("impact_speed_kmh")]
    if not points:
        return []
    worst = max(points, key=lambda p: (float(p["impact_speed_kmh"]), -int(p.get("index", 0))))
    speed = float(worst["impact_speed_kmh"])
    vehicle = (result.get("vehicle") or {}).get("name") or worst.get("vehicle") or "vehicle"
    direction = ""
    point_xy = None
    for f in (result.get("heat_map") or {}).get("features") or []:
        props = f.get("properties", {})
        if props.get("kind") == "perimeter_point" and props.get("index") == worst.get("index"):
            point_xy = f["geometry"]["coordinates"]
    for f in (result.get("heat_map") or {}).get("features") or []:
        props = f.get("properties", {})
        if props.get("kind") == "approach_path" and props.get("index") == worst.get("index"):
            coords = f["geometry"]["coordinates"]
            end = point_xy or coords[-1]
            if coords and tuple(coords[0]) != tuple(end):
                direction = f"from the {compass(_bearing(end, coords[0]))} "
    run_up = worst.get("run_up_m")
    energy = worst.get("energy_kj")
    angle = worst.get("impact_angle_deg")
    ratings = "; ".join(
        f"{std} {r['code']}"
        for std, r in sorted((worst.get("required") or {}).items())
        if r.get("code")
    )
    basis = f"perimeter point {worst.get('index')}: impact speed {speed:.1f} km/h"
    if run_up is not None:
        basis += f" after a {float(run_up):.0f} m run-up"
    if angle is not None:
        basis += f", angle {float(angle):.0f}°"
    if energy is not None:
        basis += f", energy {float(energy):.0f} kJ"
    approach = Inject(
        seq=0,
        time_min=start_minute,
        inject_type=InjectType.EXPECTED_ACTION,
        delivery=DeliveryMethod.RADIO,
        sender="Police patrol",
        recipient="Venue control room",
        description=(
            f"A {vehicle} is reported approaching {direction}at high speed; it can reach the "
            f"perimeter at {speed:.0f} km/h. [source: {source}, {basis}]"
        ),
        expected_action=(
            "Control room warns people near the approach, moves them away from the perimeter "
            "and closes active vehicle barriers; police are informed."
        ),
        scenario=scenario,
    )
    impact = Inject(
        seq=0,
        time_min=start_minute + 1,
        inject_type=InjectType.CONTINGENCY,
        delivery=DeliveryMethod.VERBAL,
        sender=_CONTROL,
        recipient="Venue control room",
        description=(
            f"The vehicle strikes the perimeter at point {worst.get('index')} at "
            f"{speed:.0f} km/h"
            + (f" ({float(energy):.0f} kJ)" if energy is not None else "")
            + (f"; stopping it needs a barrier rated {ratings}" if ratings else "")
            + f". [source: {source}, {basis}]"
        ),
        expected_action=(
            "Control room starts the mass-casualty response: cordon, first aid, evacuation "
            "away from the impact point."
        ),
        scenario=scenario,
        contingency_for=-1,
    )
    return [approach, impact]


# ------------------------------------------------------------------------------ entry points
def _unwrap(
    results: Mapping[str, Any],
) -> tuple[Mapping[str, Any], str, Mapping[str, Any] | None, Mapping[str, Any]]:
    """(result, source label, layout GeoJSON, parameters) of a result or a stored study."""
    if isinstance(results.get("result"), Mapping):
        study = results
        result: Mapping[str, Any] = study["result"]
        geojson = study.get("geojson") if isinstance(study.get("geojson"), Mapping) else None
        params = study.get("parameters") if isinstance(study.get("parameters"), Mapping) else {}
    else:
        study, result = results, results
        geojson = results.get("layout_geojson")
        geojson = geojson if isinstance(geojson, Mapping) else None
        params = results.get("parameters") if isinstance(results.get("parameters"), Mapping) else {}
    kind = str(study.get("kind") or result.get("engine") or "engineering")
    label = f"{kind} study"
    if study.get("id") is not None:
        label += f" #{study['id']}"
    if study.get("name"):
        label += f" “{study['name']}”"
    return result, label, geojson, params or {}


def _number(injects: list[Inject], first_seq: int) -> list[Inject]:
    """Sort by time (stable), number from ``first_seq`` and resolve contingency links.

    Before numbering a contingency's ``contingency_for`` is ``-k``: it backs up the inject
    ``k`` places before it in the list it was created in.
    """
    linked = []
    for pos, inj in enumerate(injects):
        target = None if inj.contingency_for is None else pos + inj.contingency_for
        linked.append((inj, target))
    order = sorted(range(len(linked)), key=lambda i: (linked[i][0].time_min, i))
    seq_of = {old: first_seq + new for new, old in enumerate(order)}
    out = []
    for old in order:
        inj, target = linked[old]
        out.append(
            replace(
                inj,
                seq=seq_of[old],
                contingency_for=None if target is None else seq_of[target],
            )
        )
    return out


def injects_from_engineering(
    results: Mapping[str, Any],
    *,
    scenario: str,
    start_minute: int = 0,
    first_seq: int = 1,
    objective: str = "",
    layout_geojson: Mapping[str, Any] | None = None,
) -> list[Inject]:
    """MSEL injects from one engineering study result (see the module docstring).

    Parameters
    ----------
    results
        Either a study result as stored (``{"engine": "evacuation" | "vehicle", ...}``) or a
        stored study ``{"id", "kind", "name", "parameters", "geojson", "result"}``; with the
        latter the evacuation layout is re-run with the busiest exit blocked.
    scenario
        Scenario key written on every inject (e.g. ``vehicle_ramming``).
    start_minute
        Scenario minute of the alarm (evacuation) or of the vehicle sighting.
    first_seq
        Sequence number of the first inject; contingency links use the same numbering.
    objective
        Objective id written on every inject ("" leaves it for the planner).
    layout_geojson
        The evacuation layout, when ``results`` is a bare result.

    Returns
    -------
    list of Inject
        Sorted by scenario time, numbered ``first_seq…``; empty for a failed study or one
        without anything to play (no queue, no reachable perimeter point).
    """
    if start_minute < 0 or first_seq < 1:
        msg = "start_minute must be ≥ 0 and first_seq ≥ 1"
        raise ValueError(msg)
    result, source, geojson, params = _unwrap(results)
    engine = result.get("engine")
    if engine == "evacuation":
        rows = _evacuation(
            result,
            source=source,
            scenario=scenario,
            start_minute=start_minute,
            layout_geojson=layout_geojson if layout_geojson is not None else geojson,
            parameters=params,
        )
    elif engine == "vehicle":
        rows = _vehicle(result, source=source, scenario=scenario, start_minute=start_minute)
    else:
        rows = []
    if objective:
        rows = [replace(r, objective=objective) for r in rows]
    return _number(rows, first_seq)


def injects_from_studies(
    studies: Sequence[Mapping[str, Any]],
    *,
    scenario: str,
    start_minute: int = 0,
    first_seq: int = 1,
    objective: str = "",
) -> list[Inject]:
    """Injects of several studies on one timeline (all start at ``start_minute``)."""
    rows: list[Inject] = []
    for study in studies:
        for inj in injects_from_engineering(
            study, scenario=scenario, start_minute=start_minute, objective=objective
        ):
            back = None
            if inj.contingency_for is not None:
                back = inj.contingency_for - inj.seq  # relative, as _number expects
            rows.append(replace(inj, contingency_for=back))
    return _number(rows, first_seq)
