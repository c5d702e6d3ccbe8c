"""A report's findings as CSV and as an Excel workbook: one row per scenario, then the plan.

Numbers are written at full precision (the engine's floats), so a spreadsheet holds exactly
what the report shows rounded. Every text cell is guarded against formula injection: a
spreadsheet must never run a scenario, measure or site name as a formula.

CSV column names are stable identifiers (for scripts); the workbook's headers are translated
(for people) and it carries the handling marking on an "About" sheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from placeguard.core.spreadsheet import guard_formula, neutralise_row
from placeguard.web.reports.report import SiteReport

__all__ = [
    "FINDINGS_HEADER",
    "PLAN_HEADER",
    "findings_csv",
    "findings_rows",
    "findings_xlsx",
    "guard_formula",
    "plan_rows",
]

FINDINGS_HEADER: tuple[str, ...] = (
    "scenario",
    "name",
    "T",
    "V",
    "C",
    "risk",
    "risk_low",
    "risk_high",
    "score",
    "band",
    "top_driver",
)
PLAN_HEADER: tuple[str, ...] = ("measure", "name", "capex", "opex", "openness")


#: Leading characters that make spreadsheet programs evaluate a cell (OWASP "CSV injection").
def findings_rows(report: SiteReport) -> Iterator[list[Any]]:
    """One row per scenario (largest risk first): ids, T, V, C, risk, interval, score, band."""
    for s in report.scenarios:
        driver = s.drivers[0].sentence(s.name) if s.drivers else ""
        yield [
            guard_formula(s.scenario),
            guard_formula(s.name),
            s.threat,
            s.vulnerability,
            s.consequence,
            s.risk,
            s.risk_low,
            s.risk_high,
            s.score,
            guard_formula(s.band),
            guard_formula(driver),
        ]


def plan_rows(report: SiteReport) -> Iterator[list[Any]]:
    """One row per measure the plan chooses: id, name, capex, opex, openness."""
    if report.plan is None:
        return
    for m in report.plan.measures:
        yield [guard_formula(m.id), guard_formula(m.name), m.capex, m.opex, m.openness]


def _about(report: SiteReport) -> list[tuple[str, str]]:
    from placeguard.web.reports.rendering import marking_of

    return [
        ("site", guard_formula(report.site_name)),
        ("site_type", report.site_type),
        ("generated_at", report.generated_at.isoformat(timespec="seconds")),
        ("pack_version", guard_formula(report.pack_version)),
        ("currency", report.currency),
        ("marking", guard_formula(marking_of(report))),
    ]


def findings_csv(report: SiteReport) -> str:
    """Findings as CSV: the scenario rows; a blank line and the plan (if any); then "about".

    The plan section's header names the currency (``capex_EUR``); the closing section
    holds the site, generation time, pack version and handling marking as key, value rows.
    """
    from placeguard.web.reports.rendering import ensure_django

    ensure_django()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FINDINGS_HEADER)
    writer.writerows(neutralise_row(_csv(v) for v in row) for row in findings_rows(report))
    if report.plan is not None:
        cur = report.currency
        writer.writerow([])
        writer.writerow(["measure", "name", f"capex_{cur}", f"opex_{cur}_per_year", "openness"])
        writer.writerows(neutralise_row(_csv(v) for v in row) for row in plan_rows(report))
    writer.writerow([])
    writer.writerow(["about", "value"])
    writer.writerows(neutralise_row(pair) for pair in _about(report))
    return out.getvalue()


def _csv(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def findings_xlsx(report: SiteReport) -> bytes:
    """Findings as an Excel workbook: sheets "Findings", "Plan" and "About"."""
    from django.utils.translation import gettext as _
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from placeguard.web.reports.rendering import ensure_django

    ensure_django()
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="0B4F8A")
    cur = report.currency
    book = Workbook()
    sheets: list[tuple[str, list[str], list[list[Any]], dict[int, str], list[int]]] = [
        (
            _("Findings"),
            [
                _("Scenario id"),
                _("Scenario"),
                _("T (attempts/yr)"),
                _("V (probability)"),
                _("C (casualties)"),
                _("Risk (casualties/yr)"),
                _("Risk low"),
                _("Risk high"),
                _("Score (1–125)"),
                _("Band"),
                _("Top driver"),
            ],
            list(findings_rows(report)),
            {3: "0.00E+00", 4: "0.000", 5: "0.0", 6: "0.00E+00", 7: "0.00E+00", 8: "0.00E+00"},
            [22, 34, 14, 14, 14, 18, 12, 12, 12, 11, 90],
        ),
        (
            _("Plan"),
            [
                _("Measure id"),
                _("Measure"),
                _("One-off cost (%(currency)s)") % {"currency": cur},
                _("Running cost (%(currency)s/yr)") % {"currency": cur},
                _("Openness"),
            ],
            list(plan_rows(report)),
            {3: "#,##0", 4: "#,##0"},
            [30, 50, 20, 22, 11],
        ),
        (
            _("About"),
            [_("Field"), _("Value")],
            [list(pair) for pair in _about(report)],
            {},
            [16, 70],
        ),
    ]
    book.remove(book.active)  # type: ignore[arg-type]
    for title, header, rows, formats, widths in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append([guard_formula(h) for h in header])
        for cell in sheet[1]:
            cell.font, cell.fill = head_font, head_fill
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        for row in rows:
            sheet.append(neutralise_row(row))
        for col, fmt in formats.items():
            for (cell,) in sheet.iter_rows(min_row=2, min_col=col, max_col=col):
                cell.number_format = fmt
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
