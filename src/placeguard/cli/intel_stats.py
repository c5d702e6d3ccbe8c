"""``placeguard intel trends | claim | likelihoods``: statistics straight from a dataset file.

No store and no database: the file is read by its adapter into the canonical Arrow table,
scanned in place by an in-memory DuckDB through Ibis, grouped once, and the statistics run on
the grouped counts. Output is aggregates only, each document carrying its source attribution.
The commands register on :data:`placeguard.cli.intel.intel_app`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from placeguard.cli.intel import (
    MAX_PROBLEMS,
    _count_lines,
    _fail,
    _need_extra,
    _progress,
    console,
    err,
    intel_app,
)
from placeguard.core.errors import ImportValidationError, PlaceguardError

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["StatsSource", "intel_claim", "intel_likelihoods", "intel_trends"]


class StatsSource(StrEnum):
    """``--source`` values of the statistics commands (``gdelt``: version from the columns;
    ``csv``: a national log read with ``--mapping``)."""

    GTD = "gtd"
    ACLED = "acled"
    RDWTI = "rdwti"
    UCDP = "ucdp"
    GDELT = "gdelt"
    GDELT1 = "gdelt1"
    GDELT2 = "gdelt2"
    CSV = "csv"


class ReportFormat(StrEnum):
    """``trends --format`` values."""

    JSON = "json"
    HTML = "html"


class ClaimFormat(StrEnum):
    """``claim --format`` values."""

    TEXT = "text"
    JSON = "json"


class LikelihoodFormat(StrEnum):
    """``likelihoods --format`` values."""

    TABLE = "table"
    JSON = "json"


def _adapter_source(file: Path, source: StatsSource) -> str:
    if source is StatsSource.CSV:
        return "custom"
    if source is StatsSource.GDELT:
        with file.open("rb") as fh:
            first = fh.readline()
        return "gdelt2" if first.count(b"\t") + 1 >= 61 else "gdelt1"
    return source.value


def _years(text: str | None, option: str) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        first, _, last = text.partition("-")
        span = (int(first), int(last or first))
    except ValueError:
        msg = f"{option} must look like 2000-2017"
        raise _fail(msg) from None
    if span[0] > span[1]:
        msg = f"{option}: the first year is after the last"
        raise _fail(msg)
    return span


def _int_list(text: str | None, option: str) -> tuple[int, ...] | None:
    if text is None:
        return None
    if text.strip().lower() in {"", "none"}:
        return ()
    try:
        return tuple(sorted({int(x) for x in text.split(",") if x.strip()}))
    except ValueError:
        msg = f"{option} must be comma-separated years, e.g. 1998,2008,2012"
        raise _fail(msg) from None


def _classifier(urban: UrbanOptions | None) -> Any:
    if urban is None:
        return None
    from placeguard.engines.intel.urban import NearestCity, UrbanPolygons

    if urban.polygons is not None:
        return UrbanPolygons.from_geojson(urban.polygons)
    return NearestCity(min_population=urban.min_pop, max_km=urban.km)


@dataclass(frozen=True, slots=True)
class UrbanOptions:
    """How to flag urban incidents (only done when a command needs the flag)."""

    min_pop: int = 100_000
    km: float = 10.0
    polygons: Path | None = None


def _load(
    file: Path,
    source: StatsSource,
    mapping: Path | None,
    release: str | None,
    urban: UrbanOptions | None = None,
) -> tuple[ir.Table, str]:
    """Read FILE with its adapter (progress bar) into an Ibis table; (table, dataset id)."""
    _need_extra()
    from placeguard.engines.intel.adapters.custom import load_mapping
    from placeguard.engines.intel.stats.source import table_from_file

    if (source is StatsSource.CSV) != (mapping is not None):
        msg = "--mapping is required with --source csv (and only then)"
        raise _fail(msg)
    kind = _adapter_source(file, source)
    try:
        parsed = load_mapping(mapping) if mapping is not None else None
        with _progress() as bar:
            task = bar.add_task(f"Reading {file.name}", total=_count_lines(file))
            table = table_from_file(file, kind, mapping=parsed, release=release,
                                    progress=lambda n: bar.advance(task, n),
                                    urban=_classifier(urban))  # fmt: skip
    except ImportValidationError as exc:
        out = Table(title=escape(exc.message), title_style="bold red")
        for name in ("row", "column", "problem"):
            out.add_column(name, justify="right" if name == "row" else "left")
        for row in exc.rows[:MAX_PROBLEMS]:
            out.add_row(str(row.row) if row.row else "file", escape(row.column),
                        escape(row.message))  # fmt: skip
        err.print(out)
        if len(exc.rows) > MAX_PROBLEMS:
            err.print(f"… and {len(exc.rows) - MAX_PROBLEMS} more problem(s).")
        raise typer.Exit(1) from exc
    except PlaceguardError as exc:
        raise _fail(exc.message) from exc
    dataset = parsed.source if parsed is not None else ("gdelt" if "gdelt" in kind else kind)
    return table, dataset


def _defaults(dataset: str, breaks: str | None, missing: str | None) -> tuple[
    tuple[int, ...], tuple[int, ...]
]:  # fmt: skip
    from placeguard.engines.intel.stats.source import DATASET_DEFAULTS, DatasetDefaults

    base = DATASET_DEFAULTS.get(dataset, DatasetDefaults())
    chosen_breaks = _int_list(breaks, "--breaks")
    chosen_missing = _int_list(missing, "--missing-years")
    return (
        base.breaks if chosen_breaks is None else chosen_breaks,
        base.missing_years if chosen_missing is None else chosen_missing,
    )


SourceOpt = Annotated[StatsSource, typer.Option("--source", help="Dataset layout of FILE.")]
FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]
MappingOpt = Annotated[
    Path | None,
    typer.Option("--mapping", exists=True, dir_okay=False, help="Column mapping (csv)."),
]
ReleaseOpt = Annotated[str | None, typer.Option("--release", help="Dataset release.")]
BreaksOpt = Annotated[
    str | None,
    typer.Option("--breaks", help="Collection-break years (default: the dataset's; 'none')."),
]
MissingOpt = Annotated[
    str | None,
    typer.Option("--missing-years", help="Years the dataset does not cover (GTD: 1993)."),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the bootstrap/permutations.")]
UrbanMinPopOpt = Annotated[
    int, typer.Option("--urban-min-pop", help="Urban: a GeoNames place of at least this size.")
]
UrbanKmOpt = Annotated[
    float, typer.Option("--urban-km", help="Urban: within this many km of such a place.")
]
UrbanPolygonsOpt = Annotated[
    Path | None,
    typer.Option("--urban-polygons", exists=True, dir_okay=False,
                 help="Urban: inside these GeoJSON urban-centre polygons instead."),
]  # fmt: skip
ResamplesOpt = Annotated[
    int, typer.Option("--resamples", min=200, help="Bootstrap resamples and permutations.")
]


@intel_app.command("trends")
def intel_trends(  # noqa: PLR0917 - Typer maps each option to a parameter
    file: FileArg,
    source: SourceOpt,
    by: Annotated[
        str,
        typer.Option(
            "--by", help="category | scenario | region | country | urban | category_region"
        ),
    ] = "category",
    split_year: Annotated[
        int | None, typer.Option("--split-year", help="Lethality before/after this year.")
    ] = None,
    breaks: BreaksOpt = None,
    missing_years: MissingOpt = None,
    output_format: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.JSON,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    mapping: MappingOpt = None,
    release: ReleaseOpt = None,
    seed: SeedOpt = 0,
    resamples: ResamplesOpt = 2000,
    urban_min_pop: UrbanMinPopOpt = 100_000,
    urban_km: UrbanKmOpt = 10.0,
    urban_polygons: UrbanPolygonsOpt = None,
) -> None:
    """Per category (or attack mode, region …): yearly attacks and deaths, the annual rate
    ratio with and without collection-break terms, and lethality before/after a split year."""
    from placeguard.engines.intel.stats.aggregate import By
    from placeguard.engines.intel.stats.source import ATTRIBUTION
    from placeguard.engines.intel.stats.trend_report import ReportOptions, build_report

    try:
        kind = By(by)
    except ValueError:
        msg = f"--by must be one of {', '.join(b.value for b in By)}"
        raise _fail(msg) from None
    urban = UrbanOptions(urban_min_pop, urban_km, urban_polygons) if kind is By.URBAN else None
    table, dataset = _load(file, source, mapping, release, urban)
    chosen_breaks, chosen_missing = _defaults(dataset, breaks, missing_years)
    options = ReportOptions(by=kind, split_year=split_year, breaks=chosen_breaks,
                            missing_years=chosen_missing, seed=seed,
                            resamples=resamples)  # fmt: skip
    try:
        with _progress() as bar:
            task = bar.add_task("Trend statistics", total=None)
            report = build_report(
                table, options, source=dataset, release=release,
                attribution=ATTRIBUTION.get(dataset, f"Source: {dataset}."),
                progress=lambda n: bar.advance(task, n),
                on_keys=lambda total: bar.update(task, total=total),
            )  # fmt: skip
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    if output_format is ReportFormat.HTML:
        from placeguard.engines.intel.report import render_trend_report

        text = render_trend_report(report)
    else:
        text = json.dumps(report, indent=1, ensure_ascii=False)
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
        err.print(f"Wrote {escape(str(output))}.")
    else:
        typer.echo(text)


class MetricChoice(StrEnum):
    """``claim --metric`` values."""

    ATTACKS = "attacks"
    DEATHS = "deaths"
    LETHALITY = "lethality"
    SHARE = "share"


class DirectionChoice(StrEnum):
    """``claim --direction`` values."""

    INCREASE = "increase"
    DECREASE = "decrease"


@intel_app.command("claim")
def intel_claim(  # noqa: PLR0917 - Typer maps each option to a parameter
    file: FileArg,
    source: SourceOpt,
    metric: Annotated[MetricChoice, typer.Option("--metric", help="What the claim is about.")],
    direction: Annotated[DirectionChoice, typer.Option("--direction")] = DirectionChoice.INCREASE,
    category: Annotated[str | None, typer.Option("--category", help="Target category.")] = None,
    scenario: Annotated[str | None, typer.Option("--scenario", help="Attack mode.")] = None,
    urban: Annotated[
        bool | None, typer.Option("--urban/--non-urban", help="Urban incidents only (or not).")
    ] = None,
    region: Annotated[str | None, typer.Option("--region")] = None,
    country: Annotated[str | None, typer.Option("--country", help="ISO alpha-3 code.")] = None,
    split_year: Annotated[
        int | None, typer.Option("--split-year", help="'Since' year (lethality: periods).")
    ] = None,
    period: Annotated[str | None, typer.Option("--period", help="Years, e.g. 1998-2017.")] = None,
    share_of: Annotated[str, typer.Option("--share-of", help="attacks | deaths")] = "attacks",
    min_effect: Annotated[
        float, typer.Option("--min-effect", min=1.0, help="Smallest ratio that counts (≥ 1).")
    ] = 1.0,
    text: Annotated[str, typer.Option("--text", help="The claim in its own words.")] = "",
    breaks: BreaksOpt = None,
    missing_years: MissingOpt = None,
    output_format: Annotated[ClaimFormat, typer.Option("--format")] = ClaimFormat.TEXT,
    mapping: MappingOpt = None,
    release: ReleaseOpt = None,
    seed: SeedOpt = 0,
    resamples: ResamplesOpt = 2000,
    urban_min_pop: UrbanMinPopOpt = 100_000,
    urban_km: UrbanKmOpt = 10.0,
    urban_polygons: UrbanPolygonsOpt = None,
) -> None:
    """Test a claim ("X has increased since Y") and print the verdict — supported, not
    supported or inconclusive — with the estimate, interval, test and sensitivity checks."""
    from placeguard.engines.intel.stats.claims import Claim, Direction, Metric, assess_claim

    if share_of not in {"attacks", "deaths"}:
        msg = "--share-of must be attacks or deaths"
        raise _fail(msg)
    claim = Claim(
        metric=Metric(metric.value), direction=Direction(direction.value), category=category,
        scenario=scenario, urban=urban, region=region, country=country, split_year=split_year,
        period=_years(period, "--period"), share_of=share_of, min_effect=min_effect, text=text,
    )  # fmt: skip
    how = UrbanOptions(urban_min_pop, urban_km, urban_polygons) if urban is not None else None
    table, dataset = _load(file, source, mapping, release, how)
    if urban is not None and table.urban.notnull().sum().to_pyarrow().as_py() == 0:
        msg = "no incident in FILE could be flagged urban or not (no coordinates)"
        raise _fail(msg)
    chosen_breaks, chosen_missing = _defaults(dataset, breaks, missing_years)
    try:
        result = assess_claim(table, claim, breaks=chosen_breaks, missing_years=chosen_missing,
                              seed=seed, resamples=resamples, source=dataset)  # fmt: skip
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    doc = result.as_dict()
    if output_format is ClaimFormat.JSON:
        typer.echo(json.dumps(doc, indent=1, ensure_ascii=False))
        return
    _print_claim(doc)


def _fmt(x: Any) -> str:
    return "–" if x is None else f"{x:.4g}"


def _ci(pair: list[Any]) -> str:
    return "–" if pair[0] is None and pair[1] is None else f"{_fmt(pair[0])}–{_fmt(pair[1])}"


def _print_claim(doc: dict[str, Any]) -> None:
    claim, primary = doc["claim"], doc["primary"]
    if claim["text"]:
        console.print(f"Claim: “{escape(claim['text'])}”")
    console.print(f"Stated as: {escape(claim['statement'])}")
    colour = {"supported": "green", "not supported": "red"}.get(doc["verdict"], "yellow")
    console.print(f"Verdict: [bold {colour}]{doc['verdict'].upper()}[/] — {escape(doc['reason'])}")
    lo, hi = primary["ci"]
    console.print(
        f"Primary: {escape(primary['name'])} = {_fmt(primary['estimate'])} "
        f"(95 % CI {_fmt(lo)}–{_fmt(hi)}, p = {_fmt(primary['p_value'])}); "
        f"test: {escape(primary['test'])}"
    )
    out = Table(title="Sensitivity checks")
    for name in ("check", "estimate", "95 % CI", "p", "agrees"):
        out.add_column(name, justify="left" if name == "check" else "right")
    for c in doc["checks"]:
        agrees = "n/a" if c["agrees"] is None else ("yes" if c["agrees"] else "no")
        if c["required"]:
            agrees += " (required)"
        if c["contradicts"]:
            agrees = "no (significant)"
        out.add_row(escape(c["name"]), _fmt(c["estimate"]),
                    _ci(c["ci"]), _fmt(c["p_value"]),
                    agrees)  # fmt: skip
    console.print(out)
    console.print("Definitions:")
    for key, value in doc["definitions"].items():
        console.print(f"  {key}: {escape(str(value))}")
    data = doc["data"]
    console.print(f"Data: {escape(str(data.get('source')))}, years {data.get('years')}, "
                  f"breaks {data.get('breaks')}, "
                  f"missing years {data.get('missing_years')}.")  # fmt: skip


@intel_app.command("likelihoods")
def intel_likelihoods(  # noqa: PLR0917 - Typer maps each option to a parameter
    file: FileArg,
    source: SourceOpt,
    years: Annotated[
        str | None,
        typer.Option("--years", help="Window, e.g. 2012-2017 (default: since the last break)."),
    ] = None,
    horizon: Annotated[float, typer.Option("--horizon", min=0.01, help="Years.")] = 1.0,
    level: Annotated[
        str, typer.Option("--level", help="country (shrunk to the region) | region")
    ] = "country",
    country: Annotated[str | None, typer.Option("--country")] = None,
    category: Annotated[str | None, typer.Option("--category")] = None,
    scenario: Annotated[str | None, typer.Option("--scenario")] = None,
    breaks: BreaksOpt = None,
    missing_years: MissingOpt = None,
    output_format: Annotated[LikelihoodFormat, typer.Option("--format")] = LikelihoodFormat.TABLE,
    mapping: MappingOpt = None,
    release: ReleaseOpt = None,
) -> None:
    """Annual attack rates per (country, category, attack mode), shrunk towards the regional
    mean, and the probability of at least one attack within the horizon — with provenance."""
    from placeguard.engines.intel.stats.likelihood import Provenance, likelihoods

    if level not in {"country", "region"}:
        msg = "--level must be country or region"
        raise _fail(msg)
    table, dataset = _load(file, source, mapping, release)
    chosen_breaks, chosen_missing = _defaults(dataset, breaks, missing_years)
    span = _years(years, "--years")
    if span is None:
        lo_hi = table.aggregate(lo=table.year.min(), hi=table.year.max()).to_pyarrow()
        lo, hi = lo_hi.column("lo")[0].as_py(), lo_hi.column("hi")[0].as_py()
        if lo is None:
            msg = "FILE has no incidents"
            raise _fail(msg)
        after = [b for b in chosen_breaks if lo < b <= hi]
        span = (max(after) if after else lo, hi)
    from placeguard.engines.intel.crosswalk import load_crosswalk

    provenance = Provenance(
        dataset=dataset, release=release, filters="all incidents in the file",
        breaks=chosen_breaks, years=span, crosswalk_version=load_crosswalk().version,
    )  # fmt: skip
    cells = likelihoods(table, years=span, missing_years=chosen_missing, horizon=horizon,
                        provenance=provenance, level=level)  # fmt: skip
    cells = [
        c for c in cells
        if (country is None or c.country == country)
        and (category is None or c.category == category)
        and (scenario is None or c.scenario == scenario)
    ]  # fmt: skip
    if output_format is LikelihoodFormat.JSON:
        typer.echo(json.dumps({"provenance": provenance.sentence(),
                               "cells": [c.as_dict() for c in cells]}, indent=1))  # fmt: skip
        return
    out = Table(title=f"Threat likelihoods — {escape(provenance.sentence())}")
    for name in ("region", "country", "category", "scenario", "events", "raw /yr",
                 "shrunk /yr", "95 % interval", f"P(≥1 in {horizon:g} yr)"):  # fmt: skip
        out.add_column(name, justify="left" if name in {"region", "country", "category",
                                                         "scenario"} else "right")  # fmt: skip
    for c in cells:
        out.add_row(escape(c.region), escape(c.country), escape(c.category), escape(c.scenario),
                    str(c.events), f"{c.raw_rate:.3g}", f"{c.rate:.3g}",
                    f"{c.low:.3g}–{c.high:.3g}", f"{c.p_horizon:.1%}")  # fmt: skip
    console.print(out)
