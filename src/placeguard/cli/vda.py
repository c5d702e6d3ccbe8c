"""``placeguard vda``: vehicle dynamics assessment of a protected perimeter — no database.

``vda run SITE.geojson`` reads the perimeter (and any ways, open areas and obstacles) from a
GeoJSON site file, optionally adds the ways of an OpenStreetMap ``.osm.pbf`` extract
(``--pbf``, needs the ``roads`` extra), finds the worst-case approach of the chosen vehicle to
every point of the perimeter and prints the impact speeds, angles, energies and the barrier
ratings they call for — as a table, JSON, or the heat-map GeoJSON.
"""

from __future__ import annotations

import json
import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from placeguard.core.errors import FieldError, PlaceguardError, ValidationError

__all__ = ["vda_app"]

vda_app = typer.Typer(
    help="Vehicle dynamics assessment: impact speeds of hostile vehicles along a perimeter.",
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)

OSM_ATTRIBUTION = (
    "Way data © OpenStreetMap contributors, available under the Open Database Licence (ODbL)."
)


class Output(StrEnum):
    """Output formats."""

    TABLE = "table"
    JSON = "json"
    GEOJSON = "geojson"


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(1)


def _fail_table(exc: ValidationError) -> typer.Exit:
    table = Table(title=f"{escape(exc.message)} — {len(exc.errors)} problem(s):",
                  title_style="bold red")  # fmt: skip
    table.add_column("where")
    table.add_column("problem")
    for problem in exc.errors or (FieldError("", exc.message),):
        table.add_row(escape(problem.field or "(top)"), escape(problem.message))
    err.print(table)
    return typer.Exit(1)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        msg = f"{path} is not a readable JSON file: {exc}"
        raise ValidationError(msg, errors=[FieldError("site", msg)]) from exc


def _kmh(value: float | None) -> float | None:
    return None if value is None else value / 3.6


def _round(value: float) -> float | None:
    return round(value, 2) if math.isfinite(value) else None


@vda_app.command("run")
def run(  # noqa: PLR0912, PLR0915, PLR0917 - Typer maps each option to a parameter
    site_file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, metavar="SITE.geojson")
    ],
    pbf: Annotated[
        Path | None,
        typer.Option(
            "--pbf",
            exists=True,
            dir_okay=False,
            readable=True,
            help="OpenStreetMap .osm.pbf extract: adds its roads, pavements and paths.",
        ),
    ] = None,
    vehicle_id: Annotated[
        str, typer.Option("--vehicle", help="Vehicle class: car, van, n2, n3.")
    ] = "n3",
    mass: Annotated[float | None, typer.Option("--mass", help="Override mass, kg.")] = None,
    accel: Annotated[
        float | None, typer.Option("--accel", help="Override acceleration, m/s².")
    ] = None,
    braking: Annotated[
        float | None, typer.Option("--braking", help="Override braking, m/s².")
    ] = None,
    mu: Annotated[float | None, typer.Option("--mu", help="Override tyre–road friction.")] = None,
    track: Annotated[float | None, typer.Option("--track", help="Override track width, m.")] = None,
    cg_height: Annotated[
        float | None, typer.Option("--cg-height", help="Override centre-of-gravity height, m.")
    ] = None,
    max_speed: Annotated[
        float | None, typer.Option("--max-speed", help="Override top speed, km/h.")
    ] = None,
    power: Annotated[float | None, typer.Option("--power", help="Override power, kW.")] = None,
    radius: Annotated[float, typer.Option("--radius", help="Search radius, m.")] = 300.0,
    spacing: Annotated[float, typer.Option("--spacing", help="Perimeter sampling, m.")] = 5.0,
    final_approach: Annotated[
        float, typer.Option("--final-approach", help="Longest straight final run, m.")
    ] = 25.0,
    start_speed: Annotated[
        float, typer.Option("--start-speed", help="Speed at the start of a walk, km/h.")
    ] = 0.0,
    corner_leg: Annotated[
        float, typer.Option("--corner-leg", help="Neighbour distance for turn radii, m.")
    ] = 10.0,
    max_route: Annotated[
        float | None,
        typer.Option("--max-route", help="Longest approach path, m (default: radius × 2)."),
    ] = None,
    pbf_areas: Annotated[
        bool,
        typer.Option(
            "--pbf-areas/--no-pbf-areas",
            help="With --pbf: add its squares, pedestrian areas, car parks and buildings.",
        ),
    ] = True,
    paths: Annotated[
        bool, typer.Option("--paths/--no-paths", help="Include worst-case approach lines.")
    ] = True,
    output: Annotated[Output, typer.Option("--format")] = Output.TABLE,
    out_file: Annotated[
        Path | None, typer.Option("--output", "-o", dir_okay=False, help="Write here.")
    ] = None,
) -> None:
    """Worst-case impact speed, angle, energy and required barrier rating along a perimeter."""
    from placeguard.content import load_risk_pack
    from placeguard.engines.vehicle.assess import ASSUMPTIONS, AssessmentOptions, assess_site
    from placeguard.engines.vehicle.ratings import barrier_measures, load_standards
    from placeguard.engines.vehicle.results import heat_map
    from placeguard.engines.vehicle.surface import parse_site, read_pbf_areas, read_pbf_surface
    from placeguard.engines.vehicle.vehicles import get_vehicle

    try:
        problems: list[FieldError] = []
        for name, value, low in (
            ("--radius", radius, 0.0), ("--spacing", spacing, 0.0),
            ("--corner-leg", corner_leg, 0.0),
            ("--max-route", 1.0 if max_route is None else max_route, 0.0),
        ):  # fmt: skip
            if not (math.isfinite(value) and value > low):
                problems.append(FieldError(name, f"{value!r} must be > 0"))
        for name, value in (("--final-approach", final_approach), ("--start-speed", start_speed)):
            if not (math.isfinite(value) and value >= 0):
                problems.append(FieldError(name, f"{value!r} must be ≥ 0"))
        vehicle = None
        try:
            vehicle = get_vehicle(vehicle_id).with_overrides(
                mass_kg=mass, max_accel=accel, braking=braking, mu=mu, track_width_m=track,
                cg_height_m=cg_height, max_speed=_kmh(max_speed),
                power_w=None if power is None else power * 1000.0,
            )  # fmt: skip
        except ValidationError as exc:
            problems += list(exc.errors)
        site = None
        try:
            site = parse_site(_read_json(site_file))
        except ValidationError as exc:
            problems += list(exc.errors)
        if problems or site is None or vehicle is None:
            msg = "The assessment inputs are invalid."
            raise ValidationError(msg, errors=problems)
        extra = []
        if pbf is not None:
            lonlat = site.frame.to_lonlat(site.perimeter)
            pad_lat = (radius + 50.0) / 111_000.0
            pad_lon = pad_lat / max(math.cos(math.radians(site.frame.lat0)), 1e-6)
            bbox = [
                float(lonlat[:, 0].min() - pad_lon), float(lonlat[:, 1].min() - pad_lat),
                float(lonlat[:, 0].max() + pad_lon), float(lonlat[:, 1].max() + pad_lat),
            ]  # fmt: skip
            extra = read_pbf_surface(pbf, bounding_box=bbox)
            if pbf_areas:
                site, _ = read_pbf_areas(pbf, site, bounding_box=bbox)
        options = AssessmentOptions(
            radius_m=radius, spacing_m=spacing, final_approach_m=final_approach,
            start_speed=start_speed / 3.6, corner_leg_m=corner_leg, max_route_m=max_route,
        )  # fmt: skip
        assessment = assess_site(site, vehicle, extra_ways=extra, options=options)
    except ValidationError as exc:
        raise _fail_table(exc) from exc
    except PlaceguardError as exc:
        raise _fail(exc.message) from exc
    standards = load_standards()
    geo = heat_map(assessment.impacts, site.frame, standards=standards, include_paths=paths)
    barriers = barrier_measures(load_risk_pack().measures)
    if output == Output.GEOJSON:
        _emit(json.dumps(geo, ensure_ascii=False), out_file)
        return
    if output == Output.JSON:
        doc = {
            "summary": assessment.summary(),
            "vehicle": {
                "id": vehicle.id, "name": vehicle.name, "mass_kg": vehicle.mass_kg,
                "max_accel_ms2": vehicle.max_accel, "braking_ms2": vehicle.braking,
                "mu": vehicle.mu, "track_width_m": vehicle.track_width_m,
                "cg_height_m": vehicle.cg_height_m,
                "max_speed_kmh": _round(vehicle.max_speed * 3.6),
                "power_kw": None if vehicle.power_w is None else vehicle.power_w / 1000.0,
                "lateral_limit": vehicle.lateral_limit, "lateral_g": _round(vehicle.lateral_g),
            },
            "options": {
                "radius_m": radius, "spacing_m": spacing, "final_approach_m": final_approach,
                "start_speed_kmh": start_speed, "corner_leg_m": corner_leg,
                "max_route_m": assessment.options.route_cap_m,
            },
            "standards": [
                {"id": s.id, "name": s.name, "complete": s.complete, "note": s.note}
                for s in standards
            ],
            "catalogue_barriers": [
                {"id": b.id, "name": b.name, "rating_fields_missing": list(b.rating_fields_missing)}
                for b in barriers
            ],
            "assumptions": list(ASSUMPTIONS),
            "attribution": OSM_ATTRIBUTION if pbf is not None else None,
            "heat_map": geo,
        }  # fmt: skip
        _emit(json.dumps(doc, ensure_ascii=False), out_file)
        return
    _print_table(assessment, geo, barriers, pbf is not None)
    if out_file is not None:
        out_file.write_text(json.dumps(geo, ensure_ascii=False), encoding="utf-8")
        err.print(f"Wrote the heat map to {out_file}.")


def _emit(text: str, out_file: Path | None) -> None:
    if out_file is None:
        sys.stdout.write(text + "\n")
    else:
        out_file.write_text(text + "\n", encoding="utf-8")
        err.print(f"Wrote {out_file}.")


def _print_table(assessment: Any, geo: dict[str, Any], barriers: list[Any], osm: bool) -> None:
    summary = assessment.summary()
    console.print(
        f"[bold]{escape(assessment.impacts.vehicle.name)}[/]: worst impact "
        f"{summary['max_impact_speed_kmh']} km/h ({summary['max_energy_kj']} kJ) over "
        f"{summary['points_reachable']}/{summary['points']} reachable perimeter points "
        f"({summary['perimeter_m']} m)."
    )
    points = [
        f["properties"] for f in geo["features"] if f["properties"]["kind"] == "perimeter_point"
    ]
    points.sort(key=lambda p: -(p["impact_speed_kmh"] or -1))
    table = Table(title="Worst perimeter points")
    for col in ("#", "s (m)", "km/h", "angle °", "kJ", "run-up m", "IWA 14-1", "ASTM F2656"):
        table.add_column(col, justify="right")
    for p in points[:15]:
        req = p["required"]
        table.add_row(
            str(p["index"]), str(p["s_m"]), str(p["impact_speed_kmh"]),
            str(p["impact_angle_deg"]), str(p["energy_kj"]), str(p["run_up_m"]),
            escape(str((req.get("iwa14_1") or {}).get("code") or "—")),
            escape(str((req.get("astm_f2656") or {}).get("code") or "—")),
        )  # fmt: skip
    console.print(table)
    for b in barriers:
        console.print(
            f"Catalogue measure {b.id} ({escape(b.name)}) records no impact rating; "
            f"needed: {', '.join(b.rating_fields_missing)}."
        )
    if osm:
        console.print(OSM_ATTRIBUTION)
