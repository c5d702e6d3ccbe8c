"""One call from a parsed site to the impact conditions along its perimeter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from placeguard.engines.vehicle.impact import PerimeterImpacts, perimeter_impacts
from placeguard.engines.vehicle.paths import (
    DETOUR_FACTOR,
    ApproachNetwork,
    ApproachResult,
    prepare_approaches,
    solve_approaches,
)
from placeguard.engines.vehicle.profile import DEFAULT_CORNER_LEG_M
from placeguard.engines.vehicle.surface import Site, SurfaceGraph, Way, build_surface
from placeguard.engines.vehicle.vehicles import VehicleClass

__all__ = ["ASSUMPTIONS", "Assessment", "AssessmentOptions", "assess_site"]

#: What every assessment assumes, for reports and CLI output (docs/vehicle-dynamics-method.md).
ASSUMPTIONS = (
    "Flat ground: no grade, rolling or air resistance; acceleration is the vehicle's full-throttle"
    " figure, power-limited above P/(m·a).",
    "Every walk on the drivable surface (roads, pavements, paths, open areas) within the search"
    " radius is an approach; walks start from the start speed at any node; one-way and access"
    " rules are ignored. Approach paths are simple (no node visited twice) and at most the"
    " route cap long (default: search radius × 2); where the best unrestricted walk loops or is"
    " longer, the best replayed simple, capped candidate is used.",
    "Cornering speed at a vertex is √(g·min(μ, t/2h)·R) with R the three-point circumradius of the"
    " vertex and its neighbours taken at most corner-leg metres away; drivers do not cut corners.",
    "The final run to the perimeter is straight, from a surface node within the final-approach"
    " distance, from outside, crossing no drawn obstacle; kerbs, street furniture and level"
    " changes count only when drawn as obstacles.",
    "A barrier tested head-on (90°) is taken to cover shallower impact angles.",
    "Barrier standards list only test vehicles and speeds checked against a cited source; when a"
    " class is missing, the next heavier encoded test vehicle is required.",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssessmentOptions:
    """Search parameters (metres, m/s); the defaults are stated in the method note."""

    radius_m: float = 300.0
    spacing_m: float = 5.0
    final_approach_m: float = 25.0
    start_speed: float = 0.0
    corner_leg_m: float = DEFAULT_CORNER_LEG_M
    #: Longest approach path, m (None: ``radius_m`` × :data:`DETOUR_FACTOR`).
    max_route_m: float | None = None

    @property
    def route_cap_m(self) -> float:
        """The route-length cap in force, m."""
        return self.max_route_m if self.max_route_m is not None else self.radius_m * DETOUR_FACTOR


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    """Everything computed for one site and one vehicle."""

    site: Site
    options: AssessmentOptions
    graph: SurfaceGraph
    network: ApproachNetwork
    result: ApproachResult
    impacts: PerimeterImpacts

    def summary(self) -> dict[str, object]:
        """Headline figures (JSON-ready)."""
        speed = self.impacts.speed_kmh
        reach = np.isfinite(speed)
        worst = self.impacts.worst()
        return {
            "vehicle": self.impacts.vehicle.id,
            "perimeter_m": round(self.site.perimeter_length, 1),
            "points": self.impacts.n_points,
            "points_reachable": int(reach.sum()),
            "max_impact_speed_kmh": round(float(speed[worst]), 1) if worst >= 0 else None,
            "max_energy_kj": round(float(self.impacts.energy_kj[worst]), 1) if worst >= 0 else None,
            "mean_impact_speed_kmh": round(float(speed[reach].mean()), 1) if reach.any() else None,
            "surface_nodes": self.graph.n_nodes,
            "surface_edges": self.graph.n_edges,
            "directed_edges": self.result.n_states,
            "turns_evaluated": self.result.n_transitions,
            "final_runs": self.result.n_links,
            "search_passes": self.result.iterations,
            "max_route_m": round(self.options.route_cap_m, 1),
            "paths_rerouted": self.result.n_rerouted,
        }


def assess_site(
    site: Site,
    vehicle: VehicleClass,
    *,
    extra_ways: Sequence[Way] = (),
    options: AssessmentOptions | None = None,
) -> Assessment:
    """Drivable surface → targets and final runs → best approach → impact per perimeter point."""
    opts = options or AssessmentOptions()
    graph = build_surface(site, extra_ways=extra_ways, radius_m=opts.radius_m)
    network = prepare_approaches(
        graph, site, spacing_m=opts.spacing_m, final_approach_m=opts.final_approach_m
    )
    result = solve_approaches(
        network,
        vehicle,
        start_speed=opts.start_speed,
        corner_leg_m=opts.corner_leg_m,
        max_route_m=opts.route_cap_m,
    )
    return Assessment(
        site=site,
        options=opts,
        graph=graph,
        network=network,
        result=result,
        impacts=perimeter_impacts(network, result, vehicle),
    )
