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
