"""Adapters on generated files in the exact layouts (and UCDP on the real sample, in place)."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from placeguard.core.errors import ImportValidationError
from placeguard.engines.intel.adapters import IncidentImportError, read_incidents
from placeguard.engines.intel.adapters.acled import ACLED_COLUMNS, read_acled
from placeguard.engines.intel.adapters.gdelt import GDELT1_COLUMNS, GDELT2_COLUMNS, read_gdelt
from placeguard.engines.intel.adapters.gtd import GTD_COLUMNS, read_gtd
from placeguard.engines.intel.adapters.rdwti import read_rdwti
from placeguard.engines.intel.adapters.ucdp import UCDP_COLUMNS, read_ucdp
from placeguard.engines.intel.schema import ATTACK_MODES, TARGET_CATEGORIES, Incident
from tests.engines.intel.generators import (
    RDWTI_HEADER,
    acled_rows,
    gdelt_rows,
    gtd_rows,
    rdwti_rows,
    write_csv,
    write_gdelt,
    write_gtd_csv,
    write_xlsx,
)

UCDP_SAMPLE = Path("/work/shared/research/data/ucdp_ged_23_1_sample1000.csv")


def _check_vocab(rows: list[Incident]) -> None:
    for row in rows:
        assert set(row.attack_modes) <= ATTACK_MODES
        assert set(row.target_categories) <= TARGET_CATEGORIES
        assert row.licence


# ---------------------------------------------------------------- GTD
def test_gtd_layout_has_135_columns() -> None:
    assert len(GTD_COLUMNS) == 135
    assert len(set(GTD_COLUMNS)) == 135
    assert GTD_COLUMNS[0] == "eventid"
    assert GTD_COLUMNS[-1] == "related"


def test_gtd_csv_maps_codes(tmp_path: Path) -> None:
    raw = gtd_rows(120)
    rows = read_gtd(write_gtd_csv(tmp_path / "gtd.csv", raw), release="test")
    assert len(rows) == 120
    _check_vocab(rows)
    by_id = {r.source_row_id: r for r in rows}
    for source in raw:
        got = by_id[source["eventid"]]
        assert got.licence == "gtd-eua"
        assert got.source == "gtd"
        assert got.release == "test"
        # date precision from imonth/iday = 0
        if source["imonth"] == 0:
            assert got.date_precision == "year"
            assert got.date == dt.date(source["iyear"], 1, 1)
        elif source["iday"] == 0:
            assert got.date_precision == "month"
            assert got.date == dt.date(source["iyear"], source["imonth"], 1)
        else:
            assert got.date == dt.date(source["iyear"], source["imonth"], source["iday"])
        # unknown casualties stay unknown
        assert got.deaths == (int(source["nkill"]) if source["nkill"] != "" else None)
        assert got.wounded == (None if source["nwound"] in {"", "-99"} else int(source["nwound"]))
        if source["specificity"] == 5:
            assert got.latitude is None
            assert got.geo_precision == "unknown"
        if source["weapsubtype1"] == 15:
            assert "vbied" in got.attack_modes
        if source["weapsubtype1"] == 13:
            assert "pbied" in got.attack_modes
            assert got.suicide is True
        if source["targsubtype1"] == 86:
            assert got.target_categories[0] == "place_of_worship"
        if source["city"] == "Unknown":
            assert got.city is None
    countries = Counter(r.country for r in rows)
    assert set(countries) <= {"IRQ", "NGA", "FRA", "PAK", "SUN", "DEU"}


def test_gtd_xlsx_reads_like_csv(tmp_path: Path) -> None:
    raw = gtd_rows(40, seed=9)
    from_csv = read_gtd(write_gtd_csv(tmp_path / "gtd.csv", raw))
    from_xlsx = read_gtd(write_xlsx(tmp_path / "gtd.xlsx", GTD_COLUMNS, raw))
    assert len(from_xlsx) == 40

    def key(rows: list[Incident]) -> list[tuple[object, ...]]:
        return [(r.source_row_id, r.date, r.country, r.attack_modes, r.target_categories,
                 r.deaths, r.wounded, r.success) for r in rows]  # fmt: skip

    assert key(from_xlsx) == key(from_csv)


def test_gtd_reports_every_bad_row_at_once(tmp_path: Path) -> None:
    raw = gtd_rows(30)
    raw[2]["attacktype1"] = 12  # outside the codebook
    raw[5]["imonth"] = 2
    raw[5]["iday"] = 30  # not a date
    raw[7]["nkill"] = "many"
    raw[7]["latitude"] = 123.0
    raw[9]["country_txt"] = "Atlantis"
    raw[11]["eventid"] = raw[10]["eventid"]
    raw[12]["targtype1"] = ""
    path = write_gtd_csv(tmp_path / "bad.csv", raw)
    with pytest.raises(IncidentImportError) as info:
        read_gtd(path)
    err = info.value
    assert isinstance(err, ImportValidationError)
    assert err.file == "bad.csv"
    assert err.message.startswith("bad.csv: ")
    found = {(r.row, r.column) for r in err.rows}
    assert found == {
        (4, "attacktype1"), (7, "iday"), (9, "nkill"), (9, "latitude"), (11, "country_txt"),
        (13, "eventid"), (14, "targtype1"),
    }  # fmt: skip
    assert "outside the codebook" in next(r.message for r in err.rows if r.row == 4)


def test_gtd_wrong_layout_names_missing_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "acled.csv", ACLED_COLUMNS, acled_rows(3))
    with pytest.raises(IncidentImportError) as info:
        read_gtd(path)
    columns = {r.column for r in info.value.rows}
    assert {"eventid", "iyear", "attacktype1", "nkill"} <= columns
    assert all(r.row == 1 for r in info.value.rows)
    assert "GTD distribution" in info.value.rows[0].message


def test_progress_is_reported(tmp_path: Path) -> None:
    seen: list[int] = []
    read_gtd(write_gtd_csv(tmp_path / "g.csv", gtd_rows(50)), progress=seen.append)
    assert sum(seen) == 50


# ---------------------------------------------------------------- ACLED
def test_acled_export(tmp_path: Path) -> None:
    raw = acled_rows(45)
    rows = read_acled(write_csv(tmp_path / "acled.csv", ACLED_COLUMNS, raw))
    assert len(rows) == 45
    _check_vocab(rows)
    assert {r.licence for r in rows} == {"acled-terms"}
    assert {r.country for r in rows} <= {"NGA", "IRQ", "BFA"}
    by_note = {r.source_row_id: r for r in rows}
    for source in raw:
        got = by_note[source["event_id_cnty"]]
        assert got.deaths == source["fatalities"]
        assert got.wounded is None
        assert got.date_precision == {1: "day", 2: "week", 3: "month"}[source["time_precision"]]
        if source["notes"].startswith("A suicide bomber"):
            assert got.attack_modes == ("pbied",)
            assert got.target_categories == ("place_of_worship",)
            assert got.suicide is True
        if source["notes"].startswith("A car bomb"):
            assert got.attack_modes == ("vbied",)
        if source["notes"].startswith("An IED"):
            assert got.attack_modes == ("placed_ied",)
        if source["notes"].startswith("A man stabbed"):
            assert got.attack_modes == ("bladed_weapon",)
            assert got.target_categories == ("transport_hub",)
        if source["sub_event_type"] == "Peaceful protest":
            assert got.attack_modes == ()


def test_acled_bad_rows(tmp_path: Path) -> None:
    raw = acled_rows(10)
    raw[0]["sub_event_type"] = "Grenade"  # valid sub-event, wrong event type (Suicide bomb's)
    raw[0]["event_type"] = "Battles"
    raw[3]["event_date"] = "31 February 2020"
    raw[4]["fatalities"] = -3
    path = write_csv(tmp_path / "acled.csv", ACLED_COLUMNS, raw)
    with pytest.raises(IncidentImportError) as info:
        read_acled(path)
    assert {(r.row, r.column) for r in info.value.rows} == {
        (2, "sub_event_type"), (5, "event_date"), (6, "fatalities"),
    }  # fmt: skip


# ---------------------------------------------------------------- RDWTI
def test_rdwti_export(tmp_path: Path) -> None:
    rows = read_rdwti(write_csv(tmp_path / "rdwti.csv", RDWTI_HEADER, rdwti_rows(20)))
    assert len(rows) == 20
    _check_vocab(rows)
    assert {r.licence for r in rows} == {"rdwti-ua"}
    assert all(1998 <= r.date.year <= 2009 for r in rows)
    suicide = [r for r in rows if r.suicide]
    assert suicide
    assert all(r.attack_modes == ("pbied",) for r in suicide)
    xlsx = read_rdwti(write_xlsx(tmp_path / "rdwti.xlsx", RDWTI_HEADER, rdwti_rows(20)))
    assert [r.date for r in xlsx] == [r.date for r in rows]


def test_rdwti_unknown_weapon_is_an_error(tmp_path: Path) -> None:
    raw = rdwti_rows(5)
    raw[1]["Weapon"] = "Laser"
    with pytest.raises(IncidentImportError) as info:
        read_rdwti(write_csv(tmp_path / "r.csv", RDWTI_HEADER, raw))
    assert [(r.row, r.column) for r in info.value.rows] == [(3, "weapon")]


# ---------------------------------------------------------------- UCDP (real data, read in place)
@pytest.mark.skipif(not UCDP_SAMPLE.exists(), reason="shared UCDP sample not available")
def test_ucdp_real_sample() -> None:
    rows = read_ucdp(UCDP_SAMPLE, release="23.1")
    assert len(rows) == 1000
    _check_vocab(rows)
    # figures from research/data/README.md, computed on the same file
    assert sum(r.deaths or 0 for r in rows) == 9561
    assert Counter(r.region for r in rows) == {
        "Middle East": 342, "Asia": 301, "Africa": 191, "Americas": 95, "Europe": 71,
    }  # fmt: skip
    assert Counter(r.geo_precision for r in rows)["exact"] == 475
    assert {r.licence for r in rows} == {"cc-by-4.0"}
    assert all(r.country is not None and len(r.country) == 3 for r in rows)
    assert min(r.date.year for r in rows) == 1989
    assert max(r.date.year for r in rows) == 2022
    assert Counter(r.date_precision for r in rows)["day"] == 849


def test_ucdp_bad_rows(tmp_path: Path) -> None:
    with UCDP_SAMPLE.open(encoding="utf-8") as fh:
        raw = list(csv.DictReader(fh))[:5]
    raw[1]["type_of_violence"] = "4"
    raw[2]["date_start"] = "2013-13-01"
    raw[3]["best"] = ""
    path = write_csv(tmp_path / "ged.csv", UCDP_COLUMNS, raw)
    with pytest.raises(IncidentImportError) as info:
        read_ucdp(path)
    assert {(r.row, r.column) for r in info.value.rows} == {
        (3, "type_of_violence"), (4, "date_start"), (5, "best"),
    }  # fmt: skip


# ---------------------------------------------------------------- GDELT
@pytest.mark.parametrize("version", [1, 2])
def test_gdelt_event_files(tmp_path: Path, version: int) -> None:
    assert len(GDELT1_COLUMNS) == 57
    assert len(GDELT2_COLUMNS) == 61
    raw = gdelt_rows(36, version)
    rows = read_gdelt(write_gdelt(tmp_path / "events.CSV", raw), version=version)
    kept = [r for r in raw if r[GDELT1_COLUMNS.index("EventRootCode")] in {"18", "19", "20"}]
    assert len(rows) == len(kept)
    _check_vocab(rows)
    assert {r.source for r in rows} == {f"gdelt{version}"}
    assert {r.licence for r in rows} == {"gdelt-open"}
    assert all(r.deaths is None for r in rows)
    assert {r.country for r in rows} <= {"IRQ", "NGA", "DEU"}
    modes = Counter(m for r in rows for m in r.attack_modes)
    assert modes["pbied"] == modes["vbied"] == 4


def test_gdelt_wrong_version_is_reported_per_row(tmp_path: Path) -> None:
    path = write_gdelt(tmp_path / "events.CSV", gdelt_rows(3, 2))
    with pytest.raises(IncidentImportError) as info:
        read_gdelt(path, version=1)
    assert [r.row for r in info.value.rows] == [1, 2, 3]
    assert "61 tab-separated fields, expected 57 or 58" in info.value.rows[0].message


def test_gdelt1_with_source_url_column(tmp_path: Path) -> None:
    raw = [[*r, "https://example.org/a"] for r in gdelt_rows(9, 1)]
    assert len(read_gdelt(write_gdelt(tmp_path / "e.CSV", raw), version=1)) > 0


def test_dispatch_by_source_name(tmp_path: Path) -> None:
    path = write_gtd_csv(tmp_path / "g.csv", gtd_rows(5))
    assert len(read_incidents(path, "gtd")) == 5
    with pytest.raises(ValueError, match="mapping"):
        read_incidents(path, "custom")
