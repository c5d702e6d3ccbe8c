"""``placeguard sites import/export``: all-or-nothing imports with a full report, round trips."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from placeguard.cli.main import app
from placeguard.web.audit.models import AuditEvent
from placeguard.web.sites.models import Site
from placeguard.web.sites.validation import FIELDS
from tests.conftest import World

runner = CliRunner()
HEADER = [
    "name",
    "site_type",
    "address",
    "region",
    "latitude",
    "longitude",
    "capacity",
    "operator",
    "tags",
]


def write_csv(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


GOOD = [
    "Harbour Square",
    "public_space",
    "Quay St",
    "north-a",
    "43.1",
    "-29.2",
    "5000",
    "mall-co",
    "crowded-place;events",
]


def test_csv_import_creates_all_rows_with_audit(world: World, tmp_path: Path) -> None:
    rows = [[f"Site {i}", *GOOD[1:]] for i in range(5)]
    result = runner.invoke(app, ["sites", "import", str(write_csv(tmp_path / "s.csv", rows))])
    assert result.exit_code == 0, result.output
    assert "Imported 5 site(s)" in result.output
    site = Site.objects.get(name="Site 3")
    assert sorted(t.name for t in site.tags.all()) == ["crowded-place", "events"]
    assert (
        AuditEvent.objects.filter(action="site.create", object_repr__startswith="Site ").count()
        == 5
    )


def test_bad_rows_are_all_reported_and_nothing_is_written(world: World, tmp_path: Path) -> None:
    rows = [
        GOOD,
        ["", "public_space", "", "north-a", "43.1", "-29.2", "5000", "mall-co", ""],  # line 3: name
        [
            "Bad coords",
            "public_space",
            "",
            "north-a",
            "123",
            "abc",
            "5000",
            "mall-co",
            "",
        ],  # line 4
        [GOOD[0], "castle", *GOOD[2:6], "-1", "ghost-org", ""],  # line 5: type, capacity, operator
    ]
    before = Site.objects.count()
    result = runner.invoke(app, ["sites", "import", str(write_csv(tmp_path / "bad.csv", rows))])
    assert result.exit_code == 1
    out = result.output
    assert "3 row(s) failed validation; nothing was imported." in out
    for line, column in [
        (3, "name"),
        (4, "latitude"),
        (4, "longitude"),
        (5, "site_type"),
        (5, "capacity"),
        (5, "operator"),
    ]:
        assert any(str(line) in ln and column in ln for ln in out.splitlines()), (line, column, out)
    assert Site.objects.count() == before


def test_missing_and_unknown_columns_are_reported(world: World, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cols.csv", [["x", "retail"]], header=["name", "site_typo"])
    result = runner.invoke(app, ["sites", "import", str(path)])
    assert result.exit_code == 1
    for word in [
        "site_typo",
        "unknown column",
        "site_type",
        "required column is missing",
        "capacity",
    ]:
        assert word in result.output


def test_as_user_applies_their_rights(world: World, tmp_path: Path) -> None:
    rows = [GOOD, [GOOD[0] + " 2", *GOOD[1:7], "hotel-co", ""]]
    path = write_csv(tmp_path / "s.csv", rows)
    result = runner.invoke(app, ["sites", "import", str(path), "--as", "mall_admin"])
    assert result.exit_code == 1
    assert "operator" in result.output and "own organisation" in result.output
    reader = runner.invoke(app, ["sites", "import", str(path), "--as", "mall_reader"])
    assert reader.exit_code == 1
    assert "role" in reader.output


def test_geojson_import(world: World, tmp_path: Path) -> None:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-29.0, 43.0]},
             "properties": {"name": "Geo Mall", "site_type": "retail", "region": "north-a",
                            "capacity": 800, "operator": "mall-co",
                            "time_profile": {"weekly": {"sat": [["10:00", "20:00"]]}}}},
        ],
    }  # fmt: skip
    path = tmp_path / "s.geojson"
    path.write_text(json.dumps(doc))
    result = runner.invoke(app, ["sites", "import", str(path)])
    assert result.exit_code == 0, result.output
    site = Site.objects.get(name="Geo Mall")
    assert (site.latitude, site.longitude) == (43.0, -29.0)
    assert site.time_profile["weekly"] == {"sat": [["10:00", "20:00"]]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"type": "Feature"}', "FeatureCollection"),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}, "properties": {}}]}',
            "Point",
        ),
    ],
)
def test_malformed_geojson_is_reported(
    world: World, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    result = runner.invoke(app, ["sites", "import", str(path)])
    assert result.exit_code == 1
    assert message in result.output


def test_non_utf8_file_is_reported(world: World, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,site_type\nCaf\xe9,retail\n".encode("latin-1"))
    result = runner.invoke(app, ["sites", "import", str(path)])
    assert result.exit_code == 1
    assert "UTF-8" in result.output


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_export_is_scoped_and_reimports_identically(world: World, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"export.{fmt}"
    result = runner.invoke(
        app, ["sites", "export", "--as", "police_n", "--format", fmt, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "North Mall" in text and "North Hotel" in text
    assert "South Mall" not in text  # outside police_n's jurisdiction
    # Re-import the export as new sites and compare the fields that describe a site.
    originals = {s.name: s for s in Site.objects.all()}
    from django.db.models import Value
    from django.db.models.functions import Concat

    Site.objects.update(name=Concat(Value("old "), "name"))  # free the names, keep history
    result = runner.invoke(app, ["sites", "import", str(out)])
    assert result.exit_code == 0, result.output
    for name in ["North Mall", "North Hotel"]:
        new, old = Site.objects.get(name=name), originals[name]
        for field in FIELDS:
            if field in {"responsible_le", "tags"}:
                assert {o.pk for o in getattr(new, field).all()} == {
                    o.pk for o in getattr(old, field).all()
                }
            else:
                assert getattr(new, field) == getattr(old, field), field


def test_export_requires_a_user(world: World) -> None:
    result = runner.invoke(app, ["sites", "export"])
    assert result.exit_code != 0


def test_formula_guard_survives_a_round_trip(world: World, tmp_path: Path) -> None:
    from placeguard.web.sites.services import update_site

    update_site(
        world.sites["mall_north"], {"name": "=HYPERLINK(1)", "address": "+44 Quay"}, actor=None
    )
    out = tmp_path / "x.csv"
    assert (
        runner.invoke(app, ["sites", "export", "--as", "mall_admin", "-o", str(out)]).exit_code == 0
    )
    assert "'=HYPERLINK(1)" in out.read_text()
    Site.objects.filter(pk=world.sites["mall_north"].pk).update(name="renamed")
    Site.objects.filter(pk=world.sites["mall_south"].pk).update(name="renamed too")
    result = runner.invoke(app, ["sites", "import", str(out)])
    assert result.exit_code == 0, result.output
    assert Site.objects.filter(name="=HYPERLINK(1)", address="+44 Quay").exists()


def test_xlsx_export_has_typed_cells_and_defused_formulas(world: World, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from placeguard.web.sites.services import update_site

    update_site(world.sites["mall_north"], {"name": "=1+1"}, actor=None)
    out = tmp_path / "sites.xlsx"
    result = runner.invoke(
        app, ["sites", "export", "--as", "mall_admin", "--format", "xlsx", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    header, *data = rows
    assert header[:4] == ("id", "uuid", "status", "name")
    by_name = {r[header.index("name")]: r for r in data}
    assert set(by_name) == {"'=1+1", "South Mall"}
    assert by_name["South Mall"][header.index("capacity")] == 1200
    assert by_name["South Mall"][header.index("latitude")] == 41.0  # a number, not text


def test_xlsx_export_needs_an_output_file(world: World) -> None:
    result = runner.invoke(app, ["sites", "export", "--as", "mall_admin", "--format", "xlsx"])
    assert result.exit_code == 1
    assert "--output" in result.output


def test_xlsx_is_not_an_import_format(world: World, tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    path.write_text("x")
    result = runner.invoke(app, ["sites", "import", str(path), "--format", "xlsx"])
    assert result.exit_code == 1
    assert "unknown format" in result.output
