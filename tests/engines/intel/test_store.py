"""The Parquet store: ingest once, partitions, Ibis queries checked against pure Python."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from placeguard.core.errors import NotFoundError
from placeguard.engines.intel.adapters.gtd import read_gtd
from placeguard.engines.intel.store import (
    UNMAPPED,
    file_sha256,
    ingest,
    open_store,
    read_manifest,
    yearly_by_scenario,
    yearly_by_source,
)
from tests.engines.intel.generators import gtd_rows, write_gtd_csv


@pytest.fixture
def gtd_file(tmp_path: Path) -> Path:
    return write_gtd_csv(tmp_path / "gtd.csv", gtd_rows(400, seed=5))


def _ingest(path: Path, store: Path) -> bool:
    rows = read_gtd(path)
    result = ingest(rows, store, source="gtd", file_name=path.name, sha256=file_sha256(path),
                    crosswalk_version="t")  # fmt: skip
    return result.skipped


def test_ingest_once_into_source_year_partitions(gtd_file: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert _ingest(gtd_file, store) is False
    assert _ingest(gtd_file, store) is True  # same file again: nothing written
    years = sorted(p.name for p in (store / "source=gtd").iterdir())
    assert years == [f"year={y}" for y in range(2005, 2015)]
    assert not list(store.glob(".staging-*"))
    [batch] = read_manifest(store)
    assert batch.rows == 400
    assert batch.licences == ("gtd-eua",)
    assert batch.sha256 == file_sha256(gtd_file)
    table = open_store(store)
    assert table.count().to_pyarrow().as_py() == 400  # (execute() goes through pandas)
    assert set(table.columns) >= {"source", "year", "attack_modes", "deaths", "licence"}


def test_yearly_by_scenario_matches_pure_python(gtd_file: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    _ingest(gtd_file, store)
    rows = read_gtd(gtd_file)
    expected: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in rows:
        for mode in r.attack_modes or (UNMAPPED,):
            cell = expected[(r.date.year, mode)]
            cell[0] += 1
            cell[1] += r.deaths or 0
            cell[2] += r.deaths is not None
    got = {
        (d["year"], d["scenario"]): [d["attacks"], d["deaths"], d["deaths_known"]]
        for d in yearly_by_scenario(open_store(store)).to_pyarrow().to_pylist()
    }
    assert got == dict(expected)
    assert any(mode == UNMAPPED for _, mode in got)


def test_yearly_by_source_and_second_source(gtd_file: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    _ingest(gtd_file, store)
    other = write_gtd_csv(tmp_path / "gtd2.csv", gtd_rows(50, seed=6, start_year=1990))
    _ingest(other, store)
    data = yearly_by_source(open_store(store)).to_pyarrow().to_pylist()
    assert sum(d["attacks"] for d in data) == 450
    assert [d["year"] for d in data] == sorted(d["year"] for d in data)
    assert len(read_manifest(store)) == 2


def test_empty_store(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no incidents"):
        open_store(tmp_path)
