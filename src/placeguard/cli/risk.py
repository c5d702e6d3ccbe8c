"""``placeguard risk``: questions, assessments, budget-optimal plans and reports — no database."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from placeguard.core.errors import PlaceguardError, ValidationError

risk_app = typer.Typer(
    help="Scenario risk: questions, assessments, plans and reports (no database).",
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)

PackOption = Annotated[
    Path | None,
    typer.Option("--pack", help="Folder of another risk content pack (default: the shipped one)."),
]


LanguageOption = Annotated[
    str | None,
    typer.Option("--language", help="Show the pack's texts in this language (e.g. fr)."),
]


class Output(StrEnum):
    """Output formats."""

    TABLE = "table"
    JSON = "json"


def _pack(directory: Path | None, language: str | None = None) -> Any:
    from placeguard.content import load_risk_pack

    try:
        return load_risk_pack(directory, language=language)
    except PlaceguardError as exc:
        err.print(f"[bold red]error:[/] {exc.message}")
        raise typer.Exit(2) from exc


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _load_file(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        err.print(f"[bold red]error:[/] {path} is not valid YAML/JSON: {exc}")
        raise typer.Exit(1) from exc


def _read_input(path: Path, pack: Any, data: Any = None) -> Any:
    from placeguard.engines.risk.inputs import parse_assessment_input

    if data is None:
        data = _load_file(path)
    try:
        return parse_assessment_input(data, pack)
    except ValidationError as exc:
        table = Table(title=f"{exc.message} {len(exc.errors)} problem(s):", title_style="bold red")
        table.add_column("where")
        table.add_column("problem")
        for e in exc.errors:
            table.add_row(e.field or "(top)", e.message)
        err.print(table)
        raise typer.Exit(1) from exc


@risk_app.command("questions")
def questions(
    site_type: Annotated[
        str, typer.Option("--site-type", help="Site type id, e.g. place_of_worship.")
    ],
    output: Annotated[Output, typer.Option("--format")] = Output.TABLE,
    tier: Annotated[
        str | None, typer.Option(help="Only this tier: quick, standard or expert.")
    ] = None,
    pack_dir: PackOption = None,
    language: LanguageOption = None,
) -> None:
    """List the questions that apply to a site type, options from worst to best."""
    from placeguard.engines.risk.catalogue import SITE_TYPES

    if site_type not in SITE_TYPES:
        err.print(
            f"[bold red]error:[/] unknown site type {site_type!r}; "
            f"use one of {', '.join(SITE_TYPES)}"
        )
        raise typer.Exit(1)
    pack = _pack(pack_dir, language)
    selected = [q for q in pack.questions_for(site_type) if tier is None or q.tier == tier]
    if output == Output.JSON:
        _emit(
            [
                {
                    "id": q.id,
                    "category": q.category,
                    "tier": q.tier,
                    "text": q.text,
                    "options": [o.label for o in q.options],
                    "measures": list(q.measures),
                    "scenarios": list(pack.question_scenarios(q)),
                    "layers": list(pack.question_layers(q)),
                }
                for q in selected
            ]
        )
        return
    table = Table(
        title=f"{len(selected)} questions for {site_type} "
        "(options worst → best; 'unknown' always allowed)"
    )
    table.add_column("id")
    table.add_column("question")
    table.add_column("options")
    for q in selected:
        table.add_row(q.id, q.text, "\n".join(f"{i}. {o.label}" for i, o in enumerate(q.options)))
    console.print(table)


@risk_app.command("assess")
def assess_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    output: Annotated[Output, typer.Option("--format")] = Output.TABLE,
    top: Annotated[int, typer.Option(min=0, max=20, help="Drivers shown per scenario.")] = 3,
    pack_dir: PackOption = None,
    language: LanguageOption = None,
) -> None:
    """Score a site from an answers file: T, V, C and risk per scenario, with the top drivers."""
    from placeguard.engines.risk.assessment import assess

    pack = _pack(pack_dir, language)
    data = _read_input(file, pack)
    result = assess(pack, data.profile, data.answers, threat_level=data.threat_level, top=top)
    if output == Output.JSON:
        _emit({"pack_version": pack.version, **result.as_dict()})
        return
    table = Table(
        title=f"{data.profile.site_type}, {result.people:,} people, "
        f"threat level {data.threat_level}"
    )
    for col in ("scenario", "T /yr", "V", "C", "risk /yr", "interval", "score", "band"):
        table.add_column(col)
    ranked = sorted(result.scenarios, key=lambda s: -s.risk)
    for s in ranked:
        table.add_row(
            s.name,
            f"{s.threat:.1e}",
            f"{s.vulnerability:.2f}",
            f"{s.consequence:.1f}",
            f"{s.risk:.2e}",
            f"{s.risk_low:.1e}–{s.risk_high:.1e}",
            str(s.score),
            s.band,
        )
    console.print(table)
    for s in ranked[:3]:
        if s.drivers:
            console.print(f"[bold]{s.name}[/] — what drives it:")
            for d in s.drivers:
                console.print(f"  • {d.sentence(s.name)}")
    console.print(f"Total: {result.total_risk:.2e} expected casualties per year.")
    if result.unknown:
        console.print(
            f"[yellow]{len(result.unknown)} answer(s) unknown, counted as worst:[/] "
            + ", ".join(result.unknown)
        )


@risk_app.command("plan")
def plan_file(  # noqa: PLR0917 - Typer maps each option to a parameter
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    budget: Annotated[float, typer.Option(min=0, help="Capital (one-off) budget, pack currency.")],
    opex: Annotated[float | None, typer.Option(min=0, help="Yearly running-cost budget.")] = None,
    openness: Annotated[
        float | None, typer.Option(min=0, help="Most openness impact allowed (sum).")
    ] = None,
    pareto: Annotated[
        int, typer.Option(min=0, max=50, help="Also print a risk/cost curve of N budgets.")
    ] = 0,
    output: Annotated[Output, typer.Option("--format")] = Output.TABLE,
    pack_dir: PackOption = None,
) -> None:
    """The measures that minimise total residual risk within the budgets (exact MILP)."""
    import numpy as np

    from placeguard.engines.risk.assessment import assess
    from placeguard.engines.risk.planning import pareto_curve, problem_for_site, solve_plan

    pack = _pack(pack_dir)
    data = _read_input(file, pack)
    result = assess(pack, data.profile, data.answers, threat_level=data.threat_level, top=0)
    problem = problem_for_site(
        pack, data.profile.site_type, result.quality, np.array([s.risk for s in result.scenarios])
    )
    limits = {
        "opex_budget": float("inf") if opex is None else opex,
        "openness_limit": float("inf") if openness is None else openness,
    }
    try:
        plan = solve_plan(problem, capex_budget=budget, **limits)
        curve = pareto_curve(problem, points=pareto, **limits) if pareto else []
    except PlaceguardError as exc:
        err.print(f"[bold red]error:[/] {exc.message}")
        raise typer.Exit(1) from exc
    measures = [pack.measure(m) for m in plan.chosen]
    body = {
        "pack_version": pack.version,
        "currency": pack.currency,
        "budget": {"capex": budget, "opex": opex, "openness": openness},
        "chosen": [
            {
                "id": m.id,
                "name": m.name,
                "capex": float(problem.capex[problem.ids.index(m.id)]),
                "opex": float(problem.opex[problem.ids.index(m.id)]),
                "openness": m.openness,
            }
            for m in measures
        ],
        "total": {"capex": plan.capex, "opex": plan.opex, "openness": plan.openness},
        "risk_before": plan.total_before,
        "risk_after": plan.total_after,
        "residual_by_scenario": {
            s.id: {"before": float(b), "after": float(a)}
            for s, b, a in zip(pack.scenarios, plan.risk_before, plan.risk_after, strict=True)
        },
        "status": plan.status,
        "mip_gap": plan.mip_gap,
        "pareto": [
            {"budget": p.budget, "capex": p.capex, "risk": p.risk, "chosen": list(p.chosen)}
            for p in curve
        ],
    }
    if output == Output.JSON:
        _emit(body)
        return
    table = Table(title=f"Optimal plan within {budget:,.0f} {pack.currency} capital")
    for col in ("measure", f"capex {pack.currency}", f"opex {pack.currency}/yr", "openness"):
        table.add_column(col)
    for row in body["chosen"]:
        table.add_row(
            row["name"], f"{row['capex']:,.0f}", f"{row['opex']:,.0f}", str(row["openness"])
        )
    console.print(table)
    cut = 1 - plan.total_after / plan.total_before if plan.total_before else 0.0
    console.print(
        f"Risk {plan.total_before:.2e} → {plan.total_after:.2e} "
        f"expected casualties/yr ({cut:.0%} lower)."
    )


#: Report formats, by output file suffix.
REPORT_FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html", ".csv": "csv", ".xlsx": "xlsx"}


def _check_weasyprint() -> None:
    """Fail early, with the fix, when PDF output cannot work on this machine."""
    try:
        import weasyprint  # noqa: F401
    except ImportError as exc:
        err.print(
            "[bold red]error:[/] PDF reports need WeasyPrint: "
            "pip install 'placeguard[reports]' (or write .html and print it)"
        )
        raise typer.Exit(1) from exc
    except OSError as exc:  # the Python package is there, Pango is not
        err.print(
            f"[bold red]error:[/] WeasyPrint cannot load its system libraries ({exc}); "
            "on Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
        )
        raise typer.Exit(1) from exc


@risk_app.command("report")
def report_file(  # noqa: PLR0917 - Typer maps each option to a parameter
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="File to write; .pdf, .html, .csv or .xlsx chooses the format."
        ),
    ],
    budget: Annotated[
        float | None,
        typer.Option(min=0, help="Capital (one-off) budget, pack currency: adds the optimal plan."),
    ] = None,
    opex: Annotated[float | None, typer.Option(min=0, help="Yearly running-cost budget.")] = None,
    openness: Annotated[
        float | None, typer.Option(min=0, help="Most openness impact allowed (sum).")
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(help="Site name on the report (default: site.name in FILE, else its name)."),
    ] = None,
    marking: Annotated[
        str | None,
        typer.Option(
            help="Handling marking printed on every page "
            "(default: TLP:AMBER — for the site and its security partners)."
        ),
    ] = None,
    pareto: Annotated[
        int,
        typer.Option(min=0, max=50, help="Budgets on the risk/cost curve of the plan (0: none)."),
    ] = 8,
    pack_dir: PackOption = None,
) -> None:
    """Write a site security report (PDF, HTML, CSV or XLSX) from an answers file."""
    from datetime import UTC, datetime

    fmt = REPORT_FORMATS.get(output.suffix.lower())
    if fmt is None:
        err.print(
            f"[bold red]error:[/] cannot tell the format of {output}: "
            "use a .pdf, .html, .csv or .xlsx file name"
        )
        raise typer.Exit(1)
    if fmt == "pdf":
        _check_weasyprint()
    from placeguard.web.reports import (
        build_site_report,
        findings_csv,
        findings_xlsx,
        render_html,
        render_pdf,
    )

    pack = _pack(pack_dir)
    raw = _load_file(file)
    data = _read_input(file, pack, raw)
    given = raw.get("site", {}).get("name") if isinstance(raw, dict) else None
    site_name = name or (str(given) if given else file.stem)
    planning = budget is not None or opex is not None
    with err.status("Assessing and solving the plan…" if planning else "Assessing…"):
        report = build_site_report(
            pack,
            site_name=site_name,
            site_type=data.profile.site_type,
            profile=data.profile,
            answers=data.answers,
            threat_level=data.threat_level,
            capex_budget=budget,
            opex_budget=opex,
            openness_limit=openness,
            generated_at=datetime.now(UTC),
            marking=marking,
            pareto_points=pareto,
        )
        if fmt == "pdf":
            body: bytes = render_pdf(report)
        elif fmt == "xlsx":
            body = findings_xlsx(report)
        else:
            body = (findings_csv if fmt == "csv" else render_html)(report).encode("utf-8")
    try:
        output.write_bytes(body)
    except OSError as exc:
        err.print(f"[bold red]error:[/] cannot write {escape(str(output))}: {exc.strerror}")
        raise typer.Exit(1) from exc
    if report.plan is not None and report.plan.error:
        err.print(f"[yellow]no plan:[/] {escape(report.plan.error)}")
    console.print(
        f"Wrote the {fmt.upper()} report for {escape(site_name)} to {escape(str(output))}."
    )


@risk_app.command("compare")
def compare_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    plan_a: Annotated[str, typer.Option("--plan-a", help="Measure ids, comma-separated.")],
    plan_b: Annotated[str, typer.Option("--plan-b", help="Measure ids, comma-separated.")],
    output: Annotated[Output, typer.Option("--format")] = Output.TABLE,
    pack_dir: PackOption = None,
) -> None:
    """What-if: the site's residual risk under two plans, scenario by scenario."""
    from placeguard.engines.risk.whatif import compare_plans

    pack = _pack(pack_dir)
    data = _read_input(file, pack)
    plans = [[m.strip() for m in p.split(",") if m.strip()] for p in (plan_a, plan_b)]
    unknown = sorted({m for plan in plans for m in plan} - set(pack.measure_index))
    if unknown:
        err.print(f"[bold red]error:[/] unknown measure id(s): {', '.join(unknown)}")
        raise typer.Exit(1)
    result = compare_plans(
        pack, data.profile, data.answers, plans[0], plans[1], threat_level=data.threat_level
    )
    if output == Output.JSON:
        _emit({"pack_version": pack.version, "currency": pack.currency, **result.as_dict()})
        return
    table = Table(title="What-if: residual risk (expected casualties per year)")
    for col in ("scenario", "now", "plan A", "plan B", "B − A"):
        table.add_column(col)
    for row in result.scenarios:
        table.add_row(
            row["name"],
            f"{row['current']:.2e}",
            f"{row['plan_a']:.2e}",
            f"{row['plan_b']:.2e}",
            f"{row['difference_b_minus_a']:+.1e}",
        )
    console.print(table)
    for name, total, capex, opex in (
        ("A", result.total_a, result.capex_a, result.opex_a),
        ("B", result.total_b, result.capex_b, result.opex_b),
    ):
        console.print(
            f"Plan {name}: risk {total:.2e}/yr for {capex:,.0f} {pack.currency} one-off "
            f"and {opex:,.0f} {pack.currency}/yr."
        )


@risk_app.command("messages")
def messages(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="POT file (default: stdout).")
    ] = None,
    pack_dir: PackOption = None,
) -> None:
    """Write the gettext template (POT) of every text in the pack, for translators.

    Translations go in the pack's ``locale/<language>.po``; they change texts only, never ids
    or numbers.
    """
    from placeguard.core.po import render_pot
    from placeguard.engines.risk.translation import pack_messages

    pack = _pack(pack_dir)
    text = render_pot(pack_messages(pack), project=f"PlaceGuard risk pack {pack.version}")
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"Wrote the template of {len({m.msgid for m in pack_messages(pack)})} texts "
                  f"to {output}.")  # fmt: skip
