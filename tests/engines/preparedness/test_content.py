"""Content validation: every problem with file, path and reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from placeguard.content.preparedness import PREPAREDNESS_PACK_DIR, load_preparedness_pack
from placeguard.core.packs import ContentError


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    for name in ("msel_templates.yaml", "mandates.yaml"):
        shutil.copy(PREPAREDNESS_PACK_DIR / name, tmp_path / name)
    return tmp_path


def test_shipped_pack_loads() -> None:
    pack = load_preparedness_pack()
    assert len(pack.mandates.characteristics) == 6
    for provision in pack.mandates.provisions:
        assert provision.paraphrase.startswith("Paraphrase:")


def test_broken_template_reports_file_path_reason(pack_copy: Path) -> None:
    path = pack_copy / "msel_templates.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("scenario: vehicle_ramming", "scenario: vehicle_rammming", 1)
    text = text.replace("delivery: radio", "delivery: pigeon\n        colour: red", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_preparedness_pack(
            pack_copy,
            scenario_ids=("vehicle_ramming", "firearms", "placed_ied", "arson", "hostage", "hoax"),
        )
    problems = {(p.source, p.path) for p in info.value.problems}
    assert ("msel_templates.yaml", "templates[0].scenario") in problems
    assert ("msel_templates.yaml", "templates[0].injects[1].delivery") in problems
    assert ("msel_templates.yaml", "templates[0].injects[1].colour") in problems
    assert all(p.reason for p in info.value.problems)


def test_broken_mandates_reported_with_templates(pack_copy: Path) -> None:
    path = pack_copy / "mandates.yaml"
    text = path.read_text(encoding="utf-8").replace("instrument: unscr2396", "instrument: nope", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_preparedness_pack(pack_copy, scenario_ids=("hoax",))
    sources = {p.source for p in info.value.problems}
    assert sources == {"msel_templates.yaml", "mandates.yaml"}  # both files, one run
