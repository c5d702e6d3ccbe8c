"""The vectorised reader: fast path and row-by-row fallback agree; row numbers stay exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from placeguard.engines.intel.adapters import IncidentImportError
from placeguard.engines.intel.adapters._base import ErrorLog
from placeguard.engines.intel.adapters._columnar import read_frame
from placeguard.engines.intel.adapters.gtd import read_gtd_table
from tests.engines.intel.generators import gtd_rows, write_gtd_csv


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="cp1252").splitlines(keepends=True)


def test_blank_lines_fall_back_and_keep_spreadsheet_rows(tmp_path: Path) -> None:
    raw = gtd_rows(12)
    raw[8]["nkill"] = "lots"
    path = write_gtd_csv(tmp_path / "g.csv", raw)
    lines = _lines(path)
    lines.insert(4, "\n")  # a blank line after the third data row (row 5)
    path.write_text("".join(lines), encoding="cp1252")
    with pytest.raises(IncidentImportError) as info:
        read_gtd_table(path)
    # row 10 in the original file, one further down because of the blank line
    assert [(r.row, r.column) for r in info.value.rows] == [(11, "nkill")]


def test_short_row_is_reported_not_crashing(tmp_path: Path) -> None:
    raw = gtd_rows(5)
    path = write_gtd_csv(tmp_path / "g.csv", raw)
    lines = _lines(path)
    lines[3] = ",".join(lines[3].split(",")[:20]) + "\n"  # row 4 cut to 20 fields
    path.write_text("".join(lines), encoding="cp1252")
    with pytest.raises(IncidentImportError) as info:
        read_gtd_table(path)
    assert {r.row for r in info.value.rows} == {4}


def test_windows_1252_text_and_quoted_line_breaks(tmp_path: Path) -> None:
    raw = gtd_rows(6)
    raw[1]["city"] = "Saint-Étienne"
    raw[2]["summary"] = "first line\nsecond line"
    path = write_gtd_csv(tmp_path / "g.csv", raw)
    table = read_gtd_table(path)
    assert table.num_rows == 6
    assert table.column("city")[1].as_py() == "Saint-Étienne"
    assert table.column("source_row_id").to_pylist() == [r["eventid"] for r in raw]


def test_fast_and_slow_paths_give_the_same_table(tmp_path: Path) -> None:
    raw = gtd_rows(60, seed=3)
    fast = read_gtd_table(write_gtd_csv(tmp_path / "fast.csv", raw))
    path = write_gtd_csv(tmp_path / "slow.csv", raw)
    path.write_text(path.read_text(encoding="cp1252") + "\n\n", encoding="cp1252")  # irregular
    slow = read_gtd_table(path)
    assert fast.equals(slow)


def test_missing_required_columns_fail_on_row_one(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(IncidentImportError) as info:
        read_frame(path, ErrorLog("x.csv"), required=("a", "c", "d"), layout="test")
    assert [(r.row, r.column) for r in info.value.rows] == [(1, "c"), (1, "d")]


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("")
    with pytest.raises(IncidentImportError) as info:
        read_gtd_table(path)
    assert info.value.rows[0].row == 0


# ---------------------------------------------------------------- ACLED (columnar since 2026-11)
def test_acled_fast_slow_and_xlsx_paths_agree(tmp_path: Path) -> None:
    from placeguard.engines.intel.adapters.acled import ACLED_COLUMNS, read_acled_table
    from tests.engines.intel.generators import acled_rows, write_csv, write_xlsx

    raw = acled_rows(40, seed=6)
    raw[2]["iso"] = ""  # the country then comes from its name
    raw[3]["fatalities"] = ""  # unknown, never zero
    raw[4]["latitude"] = ""  # no coordinates: unknown precision
    fast = read_acled_table(write_csv(tmp_path / "fast.csv", ACLED_COLUMNS, raw))
    path = write_csv(tmp_path / "slow.csv", ACLED_COLUMNS, raw)
    path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")  # irregular
    assert fast.equals(read_acled_table(path))
    assert fast.equals(read_acled_table(write_xlsx(tmp_path / "a.xlsx", ACLED_COLUMNS, raw)))
    from placeguard.engines.intel.countries import load_countries

    assert fast.column("country")[2].as_py() == load_countries().name(raw[2]["country"])[1]
    assert fast.column("deaths")[3].as_py() is None
    assert fast.column("latitude")[4].as_py() is None
    assert fast.column("geo_precision")[4].as_py() == "unknown"
    assert fast.column("source_row_id").to_pylist() == [r["event_id_cnty"] for r in raw]


def test_acled_every_problem_with_its_row_and_message(tmp_path: Path) -> None:
    from placeguard.engines.intel.adapters import read_incidents_table
    from placeguard.engines.intel.adapters.acled import ACLED_COLUMNS
    from tests.engines.intel.generators import acled_rows, write_csv

    raw = acled_rows(12, seed=8)
    raw[1]["event_id_cnty"] = ""
    raw[1]["latitude"] = "95"
    raw[4]["event_type"] = "Nope"
    raw[6]["iso"] = "9999"
    raw[6]["country"] = "Atlantis"
    raw[9]["event_date"] = "31 February 2020"
    raw[9]["time_precision"] = "x"
    path = write_csv(tmp_path / "acled.csv", ACLED_COLUMNS, raw)
    with pytest.raises(IncidentImportError) as info:
        read_incidents_table(path, "acled")
    assert [(r.row, r.column, r.message) for r in info.value.rows] == [
        (3, "event_id_cnty", "a value is required"),
        (3, "latitude", "expected a number from -90 to 90, got 95"),
        (6, "event_type", "'Nope' is not an ACLED event type"),
        (8, "iso", "code 9999 is outside the codebook"),
        (8, "country", "unknown country 'Atlantis' (and no usable iso code)"),
        (11, "event_date",
         "expected a date such as 2023-03-14 or 14 March 2023, got '31 February 2020'"),
        (11, "time_precision", "expected a whole number, got 'x'"),
    ]  # fmt: skip
