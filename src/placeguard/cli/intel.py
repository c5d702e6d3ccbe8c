"""``placeguard intel``: import incident datasets into a Parquet store and summarise it — no
database.

``import FILE --source gtd|acled|rdwti|ucdp|gdelt1|gdelt2|custom --store DIR`` validates every
row (all problems are listed, nothing is half-imported) and ingests the file once;
``summary --store DIR`` prints yearly incident and death counts per source.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from placeguard.cli._ui import progress_bar
from placeguard.core.errors import ImportValidationError, PlaceguardError

intel_app = typer.Typer(
    help="Intelligence: import incident datasets (GTD, ACLED, RDWTI, UCDP, GDELT, own logs).",
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)
#: At most this many problems are printed (the total is always given).
MAX_PROBLEMS = 200


class SourceChoice(StrEnum):
    """``--source`` values."""

    GTD = "gtd"
    ACLED = "acled"
    RDWTI = "rdwti"
    UCDP = "ucdp"
    GDELT1 = "gdelt1"
    GDELT2 = "gdelt2"
    CUSTOM = "custom"


class SummaryFormat(StrEnum):
    """``summary --format`` values."""

    JSON = "json"
    TABLE = "table"


def _progress() -> Progress:
    return progress_bar(err)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


def _need_extra() -> None:
    try:
        import duckdb  # noqa: F401
        import ibis  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as exc:
        msg = f"the intel commands need the 'intel' extra (pip install 'placeguard[intel]'): {exc}"
        raise _fail(msg) from exc


def _urban_classifier(min_pop: int, km: float, polygons: Path | None) -> Any:
    """The urban classifier chosen by the ``--urban-*`` options (see engines/intel/urban.py)."""
    from placeguard.engines.intel.urban import NearestCity, UrbanPolygons

    if polygons is not None:
        return UrbanPolygons.from_geojson(polygons)
    return NearestCity(min_population=min_pop, max_km=km)


def _count_lines(path: Path) -> int | None:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return None
    count = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            count += block.count(b"\n")
    return count


@intel_app.command("import")
def intel_import(  # noqa: PLR0917 - Typer maps each option to a parameter
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    source: Annotated[SourceChoice, typer.Option("--source", help="Dataset layout of FILE.")],
    store: Annotated[Path, typer.Option("--store", help="Incident store folder (created).")],
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", exists=True, dir_okay=False, help="Column mapping (custom)."),
    ] = None,
    release: Annotated[
        str | None, typer.Option("--release", help="Dataset release, e.g. 0718dist or 23.1.")
    ] = None,
    urban_min_pop: Annotated[
        int, typer.Option("--urban-min-pop", help="Urban: GeoNames place of at least this size.")
    ] = 100_000,
    urban_km: Annotated[
        float, typer.Option("--urban-km", help="Urban: within this many km of such a place.")
    ] = 10.0,
    urban_polygons: Annotated[
        Path | None,
        typer.Option(
            "--urban-polygons",
            exists=True,
            dir_okay=False,
            help="Urban: inside these GeoJSON urban-centre polygons instead.",
        ),
    ] = None,
) -> None:
    """Validate FILE and ingest it into the store: all rows or none; every bad row is listed."""
    _need_extra()
    from placeguard.engines.intel.adapters.custom import load_mapping
    from placeguard.engines.intel.crosswalk import load_crosswalk
    from placeguard.engines.intel.store import import_file

    if (source is SourceChoice.CUSTOM) != (mapping is not None):
        msg = "--mapping is required with --source custom (and only then)"
        raise _fail(msg)
    try:
        parsed_mapping = load_mapping(mapping) if mapping is not None else None
        load_crosswalk()  # a malformed crosswalk fails before the file is read
        with _progress() as bar:
            task = bar.add_task(f"Reading {file.name}", total=_count_lines(file))
            result = import_file(
                file,
                source.value,
                store,
                mapping=parsed_mapping,
                release=release,
                progress=lambda n: bar.advance(task, n),
                urban=_urban_classifier(urban_min_pop, urban_km, urban_polygons),
            )
    except ImportValidationError as exc:
        table = Table(title=escape(exc.message), title_style="bold red")
        table.add_column("row", justify="right")
        table.add_column("column")
        table.add_column("problem")
        for row in exc.rows[:MAX_PROBLEMS]:
            table.add_row(str(row.row) if row.row else "file", escape(row.column),
                          escape(row.message))  # fmt: skip
        err.print(table)
        if len(exc.rows) > MAX_PROBLEMS:
            err.print(f"… and {len(exc.rows) - MAX_PROBLEMS} more problem(s).")
        raise typer.Exit(1) from exc
    except PlaceguardError as exc:
        raise _fail(exc.message) from exc
    batch = result.batch
    if result.skipped:
        console.print(f"{escape(file.name)} was already imported as {batch.source} "
                      f"(batch {batch.batch}); nothing to do.")  # fmt: skip
        return
    years = f"{batch.years[0]}–{batch.years[-1]}" if batch.years else "no years"
    console.print(
        f"Imported {batch.rows} incident(s) from {escape(file.name)} as {batch.source} "
        f"({years}; licence {', '.join(batch.licences) or '-'}) into {escape(str(store))}."
    )


@intel_app.command("summary")
def intel_summary(
    store: Annotated[Path, typer.Option("--store", help="Incident store folder.")],
    output_format: Annotated[SummaryFormat, typer.Option("--format")] = SummaryFormat.TABLE,
) -> None:
    """Yearly incidents and deaths per source (aggregates only, never raw rows)."""
    _need_extra()
    from placeguard.engines.intel.store import open_store, read_manifest, yearly_by_source

    try:
        table = open_store(store)
        data = yearly_by_source(table).to_pyarrow().to_pylist()
        batches = read_manifest(store)
    except PlaceguardError as exc:
        raise _fail(exc.message) from exc
    rows: list[dict[str, Any]] = [
        {k: int(v) if isinstance(v, int) else v for k, v in r.items()} for r in data
    ]
    if output_format is SummaryFormat.JSON:
        doc = {
            "store": str(store),
            "imports": [
                {
                    "source": b.source,
                    "file": b.file,
                    "rows": b.rows,
                    "licences": list(b.licences),
                    "release": b.release,
                    "crosswalk_version": b.crosswalk_version,
                }
                for b in batches
            ],
            "yearly": rows,
        }
        typer.echo(json.dumps(doc, indent=1))
        return
    out = Table(title=f"Incidents per year — {escape(str(store))}")
    for name in ("source", "year", "incidents", "deaths", "with known deaths"):
        out.add_column(name, justify="left" if name == "source" else "right")
    for r in rows:
        out.add_row(r["source"], str(r["year"]), str(r["attacks"]), str(r["deaths"]),
                    str(r["deaths_known"]))  # fmt: skip
    console.print(out)


# The statistics commands (trends, claim, likelihoods) live in their own module and register
# on intel_app when it is imported.
from placeguard.cli import intel_stats as _intel_stats  # noqa: E402, F401
