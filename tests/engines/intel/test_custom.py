"""User-defined mappings for national incident logs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from placeguard.core.packs import ContentError
from placeguard.engines.intel.adapters import IncidentImportError, read_incidents
from placeguard.engines.intel.adapters.custom import load_mapping, parse_mapping, read_custom
from tests.engines.intel.generators import write_csv

MAPPING = {
    "source": "national_log",
    "licence": "own-data",
    "release": "2024-06",
    "delimiter": ";",
    "date_format": "%d/%m/%Y",
    "separator": "|",
    "columns": {
        "source_row_id": "Ref",
        "date": "Date",
        "city": "Town",
        "latitude": "Lat",
        "longitude": "Lon",
        "attack_modes": "Method",
        "target_categories": "Target",
        "deaths": "Killed",
        "wounded": "Injured",
        "success": "Completed",
    },
    "constants": {"country": "France", "geo_precision": "city"},
    "values": {
        "attack_modes": {
            "Stabbing": "bladed_weapon",
            "Shooting": "firearms",
            "Truck": ["vehicle_ramming"],
            "Car bomb": "vbied",
        },
        "target_categories": {
            "Church": "place_of_worship",
            "Market": "public_space",
            "Station": "transport_hub",
        },
        "success": {"oui": True, "non": False},
    },
}
HEADER = ("Ref", "Date", "Town", "Lat", "Lon", "Method", "Target", "Killed", "Injured",
          "Completed")  # fmt: skip
ROWS = [
    {"Ref": "N-1", "Date": "14/07/2016", "Town": "Nice", "Lat": "43.695", "Lon": "7.265",
     "Method": "Truck|Shooting", "Target": "Market", "Killed": "86", "Injured": "434",
     "Completed": "oui"},
    {"Ref": "N-2", "Date": "26/07/2016", "Town": "Saint-Étienne-du-Rouvray", "Lat": "", "Lon": "",
     "Method": "Stabbing", "Target": "Church", "Killed": "1", "Injured": "",
     "Completed": "oui"},
    {"Ref": "N-3", "Date": "03/02/2017", "Town": "Paris", "Lat": "48.86", "Lon": "2.33",
     "Method": "", "Target": "Station", "Killed": "0", "Injured": "1", "Completed": "non"},
]  # fmt: skip


def _files(tmp_path: Path, rows: list[dict[str, str]] = ROWS) -> tuple[Path, Path]:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump(MAPPING, allow_unicode=True), encoding="utf-8")
    log = write_csv(tmp_path / "log.csv", HEADER, rows, delimiter=";")
    return log, mapping


def test_custom_log_mapped(tmp_path: Path) -> None:
    log, mapping = _files(tmp_path)
    rows = read_custom(log, load_mapping(mapping))
    assert [r.source_row_id for r in rows] == ["N-1", "N-2", "N-3"]
    nice, church, paris = rows
    assert nice.source == "national_log"
    assert nice.licence == "own-data"
    assert nice.release == "2024-06"
    assert nice.date == dt.date(2016, 7, 14)
    assert nice.country == "FRA"
    assert nice.attack_modes == ("vehicle_ramming", "firearms")
    assert nice.target_categories == ("public_space",)
    assert (nice.deaths, nice.wounded, nice.success) == (86, 434, True)
    assert nice.geo_precision == "city"
    assert church.latitude is None
    assert church.geo_precision == "unknown"
    assert church.wounded is None
    assert paris.attack_modes == ()
    assert paris.success is False


def test_json_mapping_and_dispatch(tmp_path: Path) -> None:
    log, _ = _files(tmp_path)
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps(MAPPING))
    rows = read_incidents(log, "custom", mapping=load_mapping(mapping), release="r2")
    assert {r.release for r in rows} == {"r2"}


def test_bad_rows_all_reported(tmp_path: Path) -> None:
    rows = [dict(r) for r in ROWS]
    rows[0]["Method"] = "Truck|Poison"
    rows[1]["Date"] = "2016-07-26"
    rows[2]["Killed"] = "-1"
    rows[2]["Lat"] = "95"
    log, mapping = _files(tmp_path, rows)
    with pytest.raises(IncidentImportError) as info:
        read_custom(log, load_mapping(mapping))
    assert {(r.row, r.column) for r in info.value.rows} == {
        (2, "Method"), (3, "Date"), (4, "Killed"), (4, "Lat"),
    }  # fmt: skip
    assert "'Poison' has no entry in the value map" in info.value.rows[0].message


def test_mapping_problems_name_file_path_and_reason() -> None:
    doc = json.loads(json.dumps(MAPPING))
    doc["source"] = "gtd"
    doc["licence"] = "public-domain"
    doc["columns"]["colour"] = "C"
    del doc["columns"]["date"]
    doc["values"]["attack_modes"]["Shooting"] = "gunfire"
    doc["constants"]["city"] = "Paris"
    with pytest.raises(ContentError) as info:
        parse_mapping(doc, "m.yaml")
    text = str(info.value)
    for expected in (
        "m.yaml: source:", "m.yaml: licence: unknown licence tag 'public-domain'",
        "m.yaml: columns.colour: not a canonical incident field",
        "m.yaml: columns: the date field needs a column",
        "m.yaml: values.attack_modes.Shooting: 'gunfire' is not a valid attack_modes value",
        "m.yaml: constants.city: this field already has a column",
    ):  # fmt: skip
        assert expected in text


def test_missing_mapped_column(tmp_path: Path) -> None:
    log, mapping = _files(tmp_path)
    log.write_text("Ref;Date\nN-1;01/01/2020\n", encoding="utf-8")
    with pytest.raises(IncidentImportError) as info:
        read_custom(log, load_mapping(mapping))
    assert {r.column for r in info.value.rows} >= {"Town", "Method", "Killed"}
