"""``placeguard interchange export|import``: the same services as the API, from the shell."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from placeguard.cli.main import app
from placeguard.web.sharing.models import Bulletin
from tests.conftest import World

runner = CliRunner()


def test_export_then_import_round_trip(iworld: World, tmp_path: Path) -> None:
    out = tmp_path / "bundle.json"
    result = runner.invoke(
        app, ["interchange", "export", "--as", "mall_admin", "--max-tlp", "amber", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    bundle = json.loads(out.read_text(encoding="utf-8"))
    names = {o["name"] for o in bundle["objects"] if o["type"] == "report"}
    assert "B amber_mall" in names
    assert "B red_mall_admin" not in names  # above --max-tlp
    count = Bulletin.objects.count()
    result = runner.invoke(app, ["interchange", "import", str(out), "--as", "hotel_admin"])
    assert result.exit_code == 0, result.output
    assert Bulletin.objects.count() == count + len(names)


def test_misp_to_stdout_and_bad_input(iworld: World, tmp_path: Path) -> None:
    result = runner.invoke(app, ["interchange", "export", "--as", "mall_admin", "--format", "misp"])
    assert result.exit_code == 0, result.output
    assert '"tlp:green"' in result.stdout
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "bundle"', encoding="utf-8")
    count = Bulletin.objects.count()
    result = runner.invoke(app, ["interchange", "import", str(bad), "--as", "mall_admin"])
    assert result.exit_code == 1
    assert "not valid JSON" in result.output
    assert Bulletin.objects.count() == count
    nobody = runner.invoke(app, ["interchange", "export", "--as", "nobody"])
    assert nobody.exit_code == 1
