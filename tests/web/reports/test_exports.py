"""CSV and XLSX findings: the engine's numbers, one row per scenario, then the plan."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from placeguard.core.spreadsheet import guard_formula as sites_guard_formula
from placeguard.web.reports import SiteReport, findings_csv, findings_xlsx
from placeguard.web.reports.exports import FINDINGS_HEADER, guard_formula
from tests.web.reports.conftest import HOSTILE_NAME


def _sections(text: str) -> list[list[list[str]]]:
    """CSV rows split at blank lines."""
    sections: list[list[list[str]]] = [[]]
    for row in csv.reader(io.StringIO(text)):
        if row:
            sections[-1].append(row)
        else:
            sections.append([])
    return sections


def test_csv_rows_are_the_engine_numbers(full_report: SiteReport) -> None:
    findings, plan, about = _sections(findings_csv(full_report))
    assert tuple(findings[0]) == FINDINGS_HEADER
    rows = findings[1:]
    assert len(rows) == 14
    for row, s in zip(rows, full_report.scenarios, strict=True):
        assert row[:2] == [s.scenario, s.name]
        numbers = [float(v) for v in row[2:8]]
        assert numbers == [s.threat, s.vulnerability, s.consequence, s.risk, s.risk_low,
                           s.risk_high]  # fmt: skip
        assert (int(row[8]), row[9]) == (s.score, s.band)
        assert row[10] == (s.drivers[0].sentence(s.name) if s.drivers else "")
    assert full_report.plan is not None
    assert plan[0] == ["measure", "name", "capex_EUR", "opex_EUR_per_year", "openness"]
    assert [r[0] for r in plan[1:]] == [m.id for m in full_report.plan.measures]
    for row, m in zip(plan[1:], full_report.plan.measures, strict=True):
        assert (float(row[2]), float(row[3]), int(row[4])) == (m.capex, m.opex, m.openness)
    facts = dict(about[1:])
    assert facts["generated_at"] == "2026-11-29T18:00:00+00:00"
    assert facts["marking"].startswith("TLP:AMBER")
    assert facts["pack_version"] == "2026.11"


def test_csv_guards_text_against_formula_injection(full_report: SiteReport) -> None:
    facts = dict(_sections(findings_csv(full_report))[-1][1:])
    assert facts["site"] == HOSTILE_NAME  # starts with "<": nothing to guard
    guarded = findings_csv(replace(full_report, site_name="=HYPERLINK(1)"))
    assert dict(_sections(guarded)[-1][1:])["site"] == "'=HYPERLINK(1)"


def test_csv_without_a_plan_has_no_plan_section(plain_report: SiteReport) -> None:
    sections = _sections(findings_csv(plain_report))
    assert len(sections) == 2
    assert sections[1][0] == ["about", "value"]


def test_xlsx_rows_are_the_engine_numbers(full_report: SiteReport) -> None:
    book = load_workbook(io.BytesIO(findings_xlsx(full_report)))
    assert book.sheetnames == ["Findings", "Plan", "About"]
    findings = list(book["Findings"].iter_rows(values_only=True))
    assert findings[0][:2] == ("Scenario id", "Scenario")
    assert len(findings) == 15
    for row, s in zip(findings[1:], full_report.scenarios, strict=True):
        assert row[:2] == (s.scenario, s.name)
        assert row[8:10] == (s.score, s.band)
        # Spreadsheets keep 15-16 significant digits (openpyxl writes %.16g).
        assert row[2:8] == pytest.approx(
            (s.threat, s.vulnerability, s.consequence, s.risk, s.risk_low, s.risk_high), rel=1e-15
        )
    assert full_report.plan is not None
    plan = list(book["Plan"].iter_rows(values_only=True))
    assert plan[0][2] == "One-off cost (EUR)"
    assert [r[0] for r in plan[1:]] == [m.id for m in full_report.plan.measures]
    assert sum(r[2] for r in plan[1:]) == pytest.approx(full_report.plan.capex)
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["site"] == HOSTILE_NAME
    assert str(about["marking"]).startswith("TLP:AMBER")


def test_xlsx_never_stores_a_formula(full_report: SiteReport) -> None:
    hostile = replace(full_report, site_name="=1+2", marking="@x")
    book = load_workbook(io.BytesIO(findings_xlsx(hostile)))
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["site"] == "'=1+2"
    assert about["marking"] == "'@x"


@pytest.mark.parametrize(
    "text", ["=SUM(A1)", "+1", "-1", "@cmd", "\tx", "\rx", "plain", "", "'=x", "a=b"]
)
def test_guard_matches_the_site_exports(text: str) -> None:
    assert guard_formula(text) == sites_guard_formula(text)
