"""``placeguard allocate coverage``: response times from stations to sites over the road network.

No database: the road graph comes from an OpenStreetMap ``.osm.pbf`` file (``--pbf``, needs the
``roads`` extra) or GeoJSON road lines (``--roads``); stations, sites and candidate bases from
CSV (``id,lat,lon[,capacity]``) or GeoJSON points. With ``--units K`` it also places K new
response units (MCLP); with ``--min-units``, the fewest units covering every coverable site
(LSCP). Existing stations are kept in both cases.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from placeguard.core.errors import FieldError, PlaceguardError, ValidationError

if TYPE_CHECKING:
    from placeguard.engines.allocation.coverage import Place
    from placeguard.engines.allocation.roads import RoadGraph

__all__ = ["coverage_command", "read_places"]

console = Console()
err = Console(stderr=True)

OSM_ATTRIBUTION = (
    "Road data © OpenStreetMap contributors, available under the Open Database Licence (ODbL)."
)
_LAT = ("lat", "latitude")
_LON = ("lon", "lng", "long", "longitude")


class Output(StrEnum):
    """Output formats."""

    TABLE = "table"
    JSON = "json"


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _place(
    *, name: str, where: str, raw_id: object, lon: object, lat: object, capacity: object
) -> tuple[Place | None, list[FieldError]]:
    from placeguard.engines.allocation.coverage import Place

    problems = []
    x, y = _number(lon), _number(lat)
    cap = 1.0 if capacity in (None, "") else _number(capacity)
    if x is None:
        problems.append(FieldError(f"{name} {where}", f"longitude {lon!r} is not a number"))
    if y is None:
        problems.append(FieldError(f"{name} {where}", f"latitude {lat!r} is not a number"))
    if cap is None:
        problems.append(FieldError(f"{name} {where}", f"capacity {capacity!r} is not a number"))
    if x is None or y is None or cap is None:
        return None, problems
    text = "" if raw_id is None else str(raw_id).strip()
    return Place(id=text, lon=x, lat=y, capacity=cap), problems


def _pick(row: dict[str, Any], names: tuple[str, ...]) -> object:
    return next((row[n] for n in names if n in row), None)


def read_places(path: Path, *, name: str) -> tuple[list[Place], list[FieldError]]:
    """Places from CSV (``id,lat,lon[,capacity]``) or GeoJSON points, and every problem found.

    Rows whose numbers do not parse are reported and left out; range and duplicate checks are
    the engine's (:func:`~placeguard.engines.allocation.coverage.validate_places`).
    """
    places: list[Place] = []
    problems: list[FieldError] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [FieldError(name, f"{path} cannot be read: {exc}")]
    if path.suffix.lower() in (".geojson", ".json"):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            return [], [FieldError(name, f"{path} is not valid JSON: {exc}")]
        features = doc.get("features") if isinstance(doc, dict) else None
        if not isinstance(features, list):
            return [], [FieldError(name, f"{path} is not a GeoJSON FeatureCollection")]
        for i, feature in enumerate(features):
            geometry = feature.get("geometry") if isinstance(feature, dict) else None
            props = (feature.get("properties") or {}) if isinstance(feature, dict) else {}
            coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
            if (
                not isinstance(geometry, dict)
                or geometry.get("type") != "Point"
                or not isinstance(coords, list)
                or len(coords) < 2
            ):
                problems.append(FieldError(f"{name} feature {i}", "geometry must be a Point"))
                continue
            place, bad = _place(
                name=name, where=f"feature {i}", raw_id=props.get("id", feature.get("id")),
                lon=coords[0], lat=coords[1], capacity=props.get("capacity"),
            )  # fmt: skip
            problems += bad
            if place is not None:
                places.append(place)
        return places, problems
    reader = csv.DictReader(text.splitlines())
    header = {h.strip().lower() for h in reader.fieldnames or []}
    missing = [
        label
        for label, names in (("id", ("id",)), ("lat", _LAT), ("lon", _LON))
        if not header.intersection(names)
    ]
    if missing:
        return [], [FieldError(name, f"{path} lacks column(s): {', '.join(missing)}")]
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): v for k, v in raw.items()}
        place, bad = _place(
            name=name, where=f"line {line}", raw_id=row.get("id"), lon=_pick(row, _LON),
            lat=_pick(row, _LAT), capacity=row.get("capacity"),
        )  # fmt: skip
        problems += bad
        if place is not None:
            places.append(place)
    return places, problems


def _fail_table(message: str, problems: list[FieldError]) -> typer.Exit:
    table = Table(title=f"{message} {len(problems)} problem(s):", title_style="bold red")
    table.add_column("where")
    table.add_column("problem")
    for problem in problems:
        table.add_row(problem.field or "(top)", problem.message)
    err.print(table)
    return typer.Exit(1)


def _load_graph(pbf: Path | None, roads: Path | None, speed_factor: float) -> RoadGraph:
    from placeguard.engines.allocation.roads import read_pbf, road_graph_from_geojson

    if pbf is not None:
        return read_pbf(pbf, speed_factor=speed_factor)
    assert roads is not None  # checked by the caller
    try:
        doc = json.loads(roads.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        msg = f"{roads} is not a readable GeoJSON file: {exc}"
        raise ValidationError(msg, errors=[FieldError("roads", msg)]) from exc
    if not isinstance(doc, dict):
        msg = f"{roads} is not a GeoJSON FeatureCollection"
        raise ValidationError(msg, errors=[FieldError("roads", msg)])
    return road_graph_from_geojson(doc, speed_factor=speed_factor)


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "unreachable"
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.1f} %"


def _read_inputs(
    stations: Path,
    sites: Path,
    candidates: Path | None,
    *,
    standard: float,
    units: int | None,
    min_units: bool,
    has_pbf: bool,
    has_roads: bool,
) -> tuple[list[Place], list[Place], list[Place] | None]:
    """Read the point files and check every option; one table lists every problem."""
    from placeguard.engines.allocation.coverage import validate_places

    problems: list[FieldError] = []
    if has_pbf == has_roads:
        problems.append(FieldError("--pbf/--roads", "give exactly one road source"))
    if units is not None and min_units:
        problems.append(FieldError("--units/--min-units", "give one of them, not both"))
    if units is not None and units < 1:
        problems.append(FieldError("--units", f"units {units} must be ≥ 1"))
    if not (math.isfinite(standard) and standard > 0):
        problems.append(FieldError("--standard", f"standard {standard} s must be > 0"))
    station_list, bad = read_places(stations, name="stations")
    problems += bad + validate_places(station_list, name="stations")
    site_list, bad = read_places(sites, name="sites")
    problems += bad + validate_places(site_list, name="sites")
    candidate_list = None
    if candidates is not None:
        candidate_list, bad = read_places(candidates, name="candidates")
        problems += bad + validate_places(candidate_list, name="candidates")
    if problems:
        msg = "The coverage inputs are invalid."
        raise _fail_table(msg, problems)
    return station_list, site_list, candidate_list


def coverage_command(
    *,
    stations: Annotated[
        Path,
        typer.Option(
            "--stations",
            exists=True,
            dir_okay=False,
            readable=True,
            help="Stations: CSV id,lat,lon or GeoJSON points.",
        ),
    ],
    sites: Annotated[
        Path,
        typer.Option(
            "--sites",
            exists=True,
            dir_okay=False,
            readable=True,
            help="Sites: CSV id,lat,lon[,capacity] or GeoJSON points.",
        ),
    ],
    standard: Annotated[
        float, typer.Option("--standard", help="Response-time standard, seconds (e.g. 600).")
    ],
    pbf: Annotated[
        Path | None,
        typer.Option(
            "--pbf",
            exists=True,
            dir_okay=False,
            readable=True,
            help="OpenStreetMap .osm.pbf extract (needs the roads extra).",
        ),
    ] = None,
    roads: Annotated[
        Path | None,
        typer.Option(
            "--roads",
            exists=True,
            dir_okay=False,
            readable=True,
            help="Road lines as GeoJSON (instead of --pbf), with OSM tags as properties.",
        ),
    ] = None,
    units: Annotated[
        int | None,
        typer.Option("--units", help="Place this many new response units (MCLP)."),
    ] = None,
    min_units: Annotated[
        bool,
        typer.Option("--min-units", help="Find the fewest new units covering every site (LSCP)."),
    ] = False,
    candidates: Annotated[
        Path | None,
        typer.Option(
            "--candidates",
            exists=True,
            dir_okay=False,
            readable=True,
            help="Candidate bases for new units (default: every road node).",
        ),
    ] = None,
    bands: Annotated[
        list[float] | None,
        typer.Option("--band", help="Isochrone band in seconds (repeat; default 300 600 900)."),
    ] = None,
    max_snap: Annotated[
        float, typer.Option("--max-snap", help="Metres beyond which a point is off the network.")
    ] = 1000.0,
    speed_factor: Annotated[
        float, typer.Option("--speed-factor", help="Multiplies every road speed (blue lights).")
    ] = 1.0,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for the siting solver.")
    ] = 30.0,
    isochrones: Annotated[
        Path | None,
        typer.Option("--isochrones", dir_okay=False, help="Also write the isochrones here."),
    ] = None,
    output: Annotated[Output, typer.Option("--format")] = Output.TABLE,
) -> None:
    """Response time from the nearest station to every site, coverage shares and unit siting."""
    from placeguard.engines.allocation.coverage import DEFAULT_BANDS_S, compute_coverage, plan_units
    from placeguard.engines.allocation.roads import MissingExtraError

    station_list, site_list, candidate_list = _read_inputs(
        stations, sites, candidates,
        standard=standard, units=units, min_units=min_units, has_pbf=pbf is not None,
        has_roads=roads is not None,
    )  # fmt: skip
    try:
        graph = _load_graph(pbf, roads, speed_factor)
        result = compute_coverage(
            graph, station_list, site_list, standard_s=standard,
            bands_s=tuple(bands) if bands else DEFAULT_BANDS_S, max_snap_m=max_snap,
        )  # fmt: skip
        plan = None
        if units is not None or min_units:
            plan = plan_units(
                graph, site_list, standard_s=standard, units=units, stations=station_list,
                candidates=candidate_list, max_snap_m=max_snap, time_limit_s=time_limit,
            )  # fmt: skip
    except ValidationError as exc:
        raise _fail_table(exc.message, list(exc.errors)) from exc
    except MissingExtraError as exc:
        err.print(f"[bold red]error:[/] {exc.message}")
        raise typer.Exit(2) from exc
    except PlaceguardError as exc:
        err.print(f"[bold red]error:[/] {exc.message}")
        raise typer.Exit(1) from exc

    data = result.as_dict()
    data["graph"] = {
        "source": str(pbf if pbf is not None else roads),
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
        "speed_factor": speed_factor,
    }
    if pbf is not None:
        data["attribution"] = OSM_ATTRIBUTION
    if plan is not None:
        data["siting"] = plan.as_dict()
    if isochrones is not None:
        isochrones.write_text(json.dumps(data["isochrones"], indent=1) + "\n", encoding="utf-8")
    if output == Output.JSON:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
        return
    _print_tables(data)


def _print_tables(data: dict[str, Any]) -> None:
    console.print(
        f"Road graph: {data['graph']['nodes']:,} nodes, {data['graph']['edges']:,} edges. "
        f"Standard {data['standard_s']:g} s: {_percent(data['share_sites'])} of sites and "
        f"{_percent(data['share_people'])} of people covered."
    )
    table = Table(title="Response time per site (from the nearest station)")
    for col in ("site", "capacity", "time (m:s)", "station", "within", "snap (m)"):
        table.add_column(col, justify="right" if col in {"capacity", "snap (m)"} else "left")
    for site in data["sites"]:
        table.add_row(
            site["id"], f"{site['capacity']:g}", _minutes(site["time_s"]), site["station"] or "—",
            "[green]yes[/]" if site["covered"] else "[red]no[/]", f"{site['snap_m']:g}",
        )  # fmt: skip
    console.print(table)
    bands = ", ".join(
        f"{f['properties']['band_s']:g} s: {f['properties']['nodes']} nodes"
        for f in data["isochrones"]["features"]
    )
    console.print(f"Isochrones (road nodes reached): {bands}.")
    if data["stations_off_network"]:
        console.print(f"Stations off the network: {', '.join(data['stations_off_network'])}.")
    siting = data.get("siting")
    if siting is not None:
        model = "MCLP" if siting["model"] == "mclp" else "LSCP"
        units = Table(
            title=f"{model}: {len(siting['units'])} new unit(s), {siting['method']}, "
            f"{siting['status']}, gap {100 * siting['gap']:.2f} %"
        )
        for col in ("unit", "road node", "lon", "lat"):
            units.add_column(col)
        for unit in siting["units"]:
            units.add_row(unit["id"], str(unit["node"]), f"{unit['lon']:.6f}", f"{unit['lat']:.6f}")
        console.print(units)
        console.print(
            f"With the new units: {_percent(siting['share_sites_after'])} of sites, "
            f"{_percent(siting['share_people_after'])} of people covered; still uncovered: "
            f"{', '.join(siting['uncovered_after']) or 'none'}."
        )
    if "attribution" in data:
        console.print(data["attribution"])
