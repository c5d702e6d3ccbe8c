"""``placeguard evac``: evacuation, invacuation and lockdown times of a site layout — no database.

``run LAYOUT.geojson`` answers with the SFPE hydraulic model (``--runs N`` adds Monte Carlo
distributions over pre-movement time and occupancy); ``micro LAYOUT.geojson`` runs JuPedSim
(optional) and checks it against the hydraulic answer; ``check LAYOUT.geojson`` only
validates. A bad layout lists every problem, with what and where, and exits 1.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from placeguard.core.errors import ValidationError

if TYPE_CHECKING:
    from placeguard.engines.evacuation.layout import Layout

evac_app = typer.Typer(
    help="Evacuation: how long to get everyone out, into a refuge, or locked down.",
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)

LayoutFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]


class OutputFormat(StrEnum):
    """Output formats."""

    JSON = "json"
    TABLE = "table"


class ModeChoice(StrEnum):
    """Where people go."""

    EVACUATION = "evacuation"
    INVACUATION = "invacuation"
    LOCKDOWN = "lockdown"


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _print_problems(exc: ValidationError) -> None:
    table = Table(title=f"{exc.message}", title_style="bold red")
    table.add_column("where")
    table.add_column("problem")
    for e in exc.errors:
        table.add_row(escape(e.field or "(top)"), escape(e.message))
    err.print(table)


def _load(path: Path, occupants: int | None, max_density: float | None) -> Layout:
    from placeguard.engines.evacuation.layout import DEFAULT_MAX_DENSITY, parse_layout

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        err.print(f"[bold red]error:[/] {escape(str(path))} is not valid JSON: {escape(str(exc))}")
        raise typer.Exit(1) from exc
    try:
        layout = parse_layout(data, max_density=max_density or DEFAULT_MAX_DENSITY)
        return layout if occupants is None else layout.with_occupants(occupants)
    except ValidationError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from exc


Occupants = Annotated[
    int | None,
    typer.Option(min=0, help="Total occupants (layout loads scaled; spread by area if none)."),
]
MaxDensity = Annotated[
    float | None,
    typer.Option(min=0.1, help="Capacity check, persons/m² (default 3.76, SFPE jam density)."),
]
Format = Annotated[OutputFormat, typer.Option("--format")]


@evac_app.command("check")
def check(file: LayoutFile, max_density: MaxDensity = None) -> None:
    """Validate a layout and summarise it."""
    layout = _load(file, None, max_density)
    console.print(
        f"[green]OK[/]: {len(layout.spaces)} spaces, {len(layout.exits)} exits, "
        f"{len(layout.openings) - len(layout.exits)} doors, {layout.total_occupants} occupants."
    )


@evac_app.command("run")
def run(  # noqa: PLR0917 - Typer maps each option to a parameter
    file: LayoutFile,
    occupants: Occupants = None,
    mode: Annotated[ModeChoice, typer.Option(help="Out, into the refuge, or locked down.")] = (
        ModeChoice.EVACUATION
    ),
    pre_movement: Annotated[
        float, typer.Option(min=0, help="Pre-movement time, s (single run).")
    ] = 0.0,
    target: Annotated[
        float | None, typer.Option(min=0, help="Target time, s: how many are safe by then.")
    ] = None,
    block: Annotated[
        list[str] | None, typer.Option(help="Opening id to treat as blocked (repeatable).")
    ] = None,
    runs: Annotated[
        int, typer.Option(min=0, help="Monte Carlo runs (0: one deterministic run).")
    ] = 0,
    seed: Annotated[int, typer.Option(help="Monte Carlo seed.")] = 0,
    occupants_min: Annotated[
        int | None, typer.Option(min=0, help="Monte Carlo: lowest occupancy (default: -30 %).")
    ] = None,
    max_density: MaxDensity = None,
    output_format: Format = OutputFormat.TABLE,
) -> None:
    """Total time, time and flow per exit, bottlenecks and people safe by a target time."""
    from placeguard.engines.evacuation.hydraulic import HydraulicParams, solve
    from placeguard.engines.evacuation.montecarlo import monte_carlo

    layout = _load(file, occupants, max_density)
    known = {o.id for o in layout.openings}
    unknown = sorted(set(block or ()) - known)
    if unknown:
        err.print(f"[bold red]error:[/] unknown opening(s) to block: {escape(', '.join(unknown))}")
        raise typer.Exit(1)
    params = HydraulicParams(pre_movement_s=pre_movement, blocked=frozenset(block or ()))
    try:
        result = solve(layout, mode=mode.value, params=params, target_time_s=target)
        mc = None
        if runs:
            hi = layout.total_occupants
            lo = occupants_min if occupants_min is not None else int(hi * 0.7)
            mc = monte_carlo(
                layout, runs=runs, seed=seed, occupants=(min(lo, hi), hi), mode=mode.value,
                target_time_s=target, params=params,
            )  # fmt: skip
    except ValidationError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from exc
    if output_format is OutputFormat.JSON:
        out = result.to_dict()
        if mc is not None:
            out["monte_carlo"] = mc.to_dict()
        _emit(out)
        return
    _print_result(result, mc)


def _print_result(result: Any, mc: Any) -> None:
    console.print(
        f"[bold]{result.mode.capitalize()}[/]: {result.occupants:.0f} people, total "
        f"[bold]{result.total_time_s:.0f} s[/] ({result.total_time_s / 60:.1f} min)"
    )
    if result.target_time_s is not None:
        console.print(
            f"Safe within {result.target_time_s:g} s: {result.cleared_by_target:.0f} of "
            f"{result.occupants:.0f}"
        )
    table = Table(title="Destinations")
    for col in ("opening", "from", "people", "first s", "clear s", "flow p/s", "capacity p/s"):
        table.add_column(col, justify="left" if col in ("opening", "from") else "right")
    for d in result.destinations:
        table.add_row(escape(d.opening), escape(d.from_space), f"{d.occupants:.0f}",
                      f"{d.first_s:.0f}", f"{d.clear_s:.0f}", f"{d.mean_flow_pps:.2f}",
                      f"{d.capacity_pps:.2f}")  # fmt: skip
    console.print(table)
    if result.bottlenecks:
        bt = Table(title="Bottlenecks (queues)")
        for col in ("opening", "from → to", "max queue", "from s", "to s", "duration s"):
            bt.add_column(col, justify="left" if col in ("opening", "from → to") else "right")
        for b in result.bottlenecks[:10]:
            bt.add_row(escape(b.opening), escape(f"{b.from_space} → {b.to_space}"),
                       f"{b.max_queue:.0f}", f"{b.queue_start_s:.0f}", f"{b.queue_end_s:.0f}",
                       f"{b.duration_s:.0f}")  # fmt: skip
        console.print(bt)
    for w in result.warnings:
        err.print(f"[yellow]warning:[/] {escape(w)}")
    if mc is not None:
        t = mc.total_time_s
        console.print(
            f"Monte Carlo ({mc.runs} runs, seed {mc.seed}): total time p5 {t.p5:.0f} s, "
            f"median {t.p50:.0f} s, p95 {t.p95:.0f} s, p99 {t.p99:.0f} s"
        )


@evac_app.command("micro")
def micro(  # noqa: PLR0917 - Typer maps each option to a parameter
    file: LayoutFile,
    occupants: Occupants = None,
    max_time: Annotated[float, typer.Option(min=1, help="Simulated time limit, s.")] = 600.0,
    seed: Annotated[int, typer.Option(help="Agent placement seed.")] = 0,
    max_density: MaxDensity = None,
    output_format: Format = OutputFormat.TABLE,
) -> None:
    """Microscopic run (JuPedSim, Collision-Free Speed Model) checked against SFPE."""
    from placeguard.engines.evacuation.microscopic import MicroParams, available, simulate

    if not available():
        err.print(
            "[bold red]error:[/] JuPedSim/PedPy are not installed: "
            "pip install --no-deps 'jupedsim>=1.4,<1.5' and the 'evacuation' extra"
        )
        raise typer.Exit(2)
    layout = _load(file, occupants, max_density)
    try:
        res = simulate(layout, params=MicroParams(max_time_s=max_time, seed=seed))
    except ValidationError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from exc
    if output_format is OutputFormat.JSON:
        _emit(res.to_dict())
        return
    verdict = "[red]SUSPECT[/]" if res.suspect else "[green]consistent with SFPE[/]"
    console.print(
        f"{res.agents} agents, {res.evacuated} out in {res.total_time_s:.1f} s "
        f"(hydraulic {res.hydraulic_total_time_s:.1f} s): {verdict}; "
        f"{res.us_per_agent_step:.1f} µs per agent-step"
    )
    for r in res.reasons:
        err.print(f"[yellow]•[/] {escape(r)}")


def _lat_lon(text: str) -> tuple[float, float]:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        msg = f"expected LAT,LON, got {text!r}"
        raise typer.BadParameter(msg)
    try:
        return float(parts[0]), float(parts[1])
    except ValueError as exc:
        msg = f"expected LAT,LON numbers, got {text!r}"
        raise typer.BadParameter(msg) from exc


@evac_app.command("from-osm")
def from_osm(  # noqa: PLR0917 - Typer maps each option to a parameter
    pbf: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    building: Annotated[
        str | None, typer.Option("--building", help="OSM id of the building (123, way/123).")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="LAT,LON of a point in or near the building.")
    ] = None,
    occupants: Annotated[int, typer.Option(min=0, help="Occupants of the building.")] = 0,
    default_width: Annotated[
        float, typer.Option(min=0.1, help="Exit width (m) when an entrance has no width=*.")
    ] = 1.0,
    out: Annotated[
        Path | None, typer.Option("--output", "-o", dir_okay=False, help="Write here.")
    ] = None,
) -> None:
    """Layout GeoJSON of one building from an OpenStreetMap .osm.pbf extract (offline)."""
    from placeguard.core.errors import PlaceguardError
    from placeguard.engines.evacuation.layout import parse_layout
    from placeguard.engines.evacuation.osm import layout_from_osm

    point = None if at is None else _lat_lon(at)
    try:
        geo = layout_from_osm(
            pbf, building_id=building, at=point, occupants=occupants, default_width_m=default_width
        )
        layout = parse_layout(geo)  # what `evac run` will read
    except ValidationError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from exc
    except PlaceguardError as exc:
        err.print(f"[bold red]error:[/] {escape(exc.message)}")
        raise typer.Exit(2) from exc
    text = json.dumps(geo, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        meta = geo["placeguard"]
        console.print(
            f"[green]OK[/]: {escape(meta['building'])}, {layout.spaces[0].area_m2:.0f} m², "
            f"{len(layout.exits)} exits → {escape(str(out))}"
        )
        for note in meta["skipped_entrances"]:
            err.print(f"[yellow]•[/] skipped entrance {escape(note)}")
