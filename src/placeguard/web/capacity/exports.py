"""CSV, XLSX and PDF exports of the capacity app.

Every text cell goes through :func:`placeguard.core.spreadsheet.guard_formula` (a cell starting
with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'``), so a participant or agency
named ``=HYPERLINK(…)`` stays text in a spreadsheet program.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from placeguard.core.spreadsheet import guard_formula
from placeguard.engines.preparedness.plans import Crosswalk, GaoResult
from placeguard.engines.preparedness.training import IndicatorReport
from placeguard.web.capacity.models import PlanObjective, ProgressReport

__all__ = [
    "cell",
    "html_to_pdf",
    "indicator_rows",
    "indicators_csv",
    "indicators_xlsx",
    "plan_action_rows",
    "plan_xlsx",
    "table_xlsx",
]


def cell(value: Any) -> Any:
    """A spreadsheet-safe cell: text is guarded, numbers and None pass through."""
    if value is None:
        return ""
    if isinstance(value, str):
        return guard_formula(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    return guard_formula(str(value))


def _r(value: float | None, places: int = 4) -> float | str:
    return "" if value is None else round(value, places)


def indicator_rows(report: IndicatorReport) -> list[list[Any]]:
    """``[indicator, breakdown, value]`` rows of a programme indicator report."""
    rows: list[list[Any]] = [["officials_trained", "total", report.officials_trained]]
    for name, mapping in (
        ("officials_trained_by_country", report.by_country),
        ("officials_trained_by_sector", report.by_sector),
        ("officials_trained_by_gender", report.by_gender),
        ("officials_trained_by_topic", report.by_topic),
    ):
        rows.extend([name, key, value] for key, value in mapping.items())
    g = report.learning
    rows += [
        ["satisfaction_mean_1_to_5", "all", _r(report.satisfaction_mean, 2)],
        ["satisfaction_responses", "all", report.satisfaction_responses],
        ["learning_gain_g_of_averages", "all", _r(g.g_of_averages)],
        ["learning_gain_average_of_gains", "all", _r(g.average_of_gains)],
        ["learning_mean_pre_pct", "all", _r(g.mean_pre_pct, 1)],
        ["learning_mean_post_pct", "all", _r(g.mean_post_pct, 1)],
        ["learning_participants_complete", "all", g.n_complete],
        ["learning_participants_incomplete", "all", g.n_incomplete],
        ["learning_excluded_at_ceiling", "all", g.n_excluded_at_ceiling],
        ["followups_due", "all", report.followups_due],
        ["followups_completed", "all", report.followups_completed],
        ["followup_completion_rate", "all", _r(report.followup_completion_rate)],
    ]
    return [[cell(v) for v in row] for row in rows]


HEADER = ["indicator", "breakdown", "value"]


def indicators_csv(report: IndicatorReport) -> str:
    """The indicator report as CSV (one row per figure)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(indicator_rows(report))
    return out.getvalue()


def table_xlsx(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """A workbook of ``(title, header, rows)`` sheets; cells are guarded here."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append([cell(h) for h in header])
        for c in sheet[1]:
            c.font = Font(bold=True)
        for row in rows:
            sheet.append([cell(v) for v in row])
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def indicators_xlsx(report: IndicatorReport) -> bytes:
    """The indicator report as a one-sheet workbook."""
    return table_xlsx([(_("Indicators"), HEADER, indicator_rows(report))])


ACTION_HEADER = [
    "objective",
    "priority",
    "action_id",
    "action",
    "lead_agency",
    "supporting_agencies",
    "mandate_refs",
    "milestones",
    "end",
    "budget",
    "currency",
    "status",
    "indicators",
    "came_from",
]


def plan_action_rows(objectives: Sequence[PlanObjective]) -> list[list[Any]]:
    """One row per action (objectives with actions and indicators prefetched)."""
    rows: list[list[Any]] = []
    for o in objectives:
        for a in o.actions.all():
            rows.append(
                [
                    o.title,
                    o.priority,
                    a.pk,
                    a.title,
                    a.lead_agency,
                    "; ".join(a.supporting_agencies),
                    "; ".join(a.mandate_refs),
                    "; ".join(f"{m['label']} ({m['date']})" for m in a.milestones),
                    a.end.isoformat() if a.end else "",
                    None if a.budget is None else float(a.budget),
                    a.currency,
                    a.status,
                    "; ".join(
                        f"{i.definition} [{i.baseline if i.baseline is not None else '?'} → "
                        f"{i.target if i.target is not None else '?'} {i.unit}]".strip()
                        for i in a.indicators.all()
                    ),
                    a.origin_label,
                ]
            )
    return rows


def plan_xlsx(
    objectives: Sequence[PlanObjective],
    cw: Crosswalk,
    gao: Sequence[GaoResult],
    reports: Sequence[ProgressReport],
    labels: dict[str, str],
) -> bytes:
    """The six-month follow-up workbook: actions, crosswalk, GAO check and progress reports."""
    crosswalk_rows = [
        [pid, labels.get(pid, pid), ", ".join(ids) or "—", "gap" if not ids else "covered"]
        for pid, ids in cw.covered.items()
    ]
    gao_rows = [
        [g.characteristic, g.name, g.verdict, "; ".join(f"{e}: {r}" for e, r in g.missing)]
        for g in gao
    ]
    report_rows = [[r.period_end.isoformat(), r.summary] for r in reports]
    return table_xlsx(
        [
            (_("Actions"), ACTION_HEADER, plan_action_rows(objectives)),
            (_("Crosswalk"), ["provision", "citation", "action_ids", "state"], crosswalk_rows),
            (_("GAO check"), ["characteristic", "name", "verdict", "missing"], gao_rows),
            (_("Progress reports"), ["period_end", "summary"], report_rows),
        ]
    )


def html_to_pdf(html: str) -> bytes:
    """A self-contained HTML document as PDF through WeasyPrint, refusing every fetch."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    offline = URLFetcher(allowed_protocols=frozenset())
    pdf: bytes = HTML(string=html, url_fetcher=offline).write_pdf()
    return pdf
