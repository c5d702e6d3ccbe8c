"""import_file: columnar read, urban flag and ingest in one step."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from placeguard.engines.intel.store import import_file, open_store, read_manifest
from placeguard.engines.intel.synthetic import SyntheticSpec, write_gtd
from placeguard.engines.intel.urban import NearestCity, UrbanPolygons


def test_import_file_flags_urban_and_records_the_method(tmp_path: Path) -> None:
    path = tmp_path / "gtd.csv"
    truth = write_gtd(path, 800, seed=3, spec=SyntheticSpec(urban_share=0.5))
    result = import_file(path, "gtd", tmp_path / "store", release="synthetic")
    assert result.batch.rows == 800
    assert read_manifest(tmp_path / "store")[0].release == "synthetic"
    rows = open_store(tmp_path / "store").select("urban", "urban_method", "latitude")
    data = rows.to_pyarrow().to_pylist()
    located = [r for r in data if r["latitude"] is not None]
    assert all(r["urban"] is None for r in data if r["latitude"] is None)
    assert {r["urban_method"] for r in data} == {NearestCity().method}
    share = sum(r["urban"] for r in located) / len(located)
    assert abs(share - truth.urban_share) < 0.05


def test_import_file_without_or_with_polygon_flag(tmp_path: Path) -> None:
    path = tmp_path / "gtd.csv"
    write_gtd(path, 200, seed=4)
    import_file(path, "gtd", tmp_path / "a", urban=None)
    data = open_store(tmp_path / "a").select("urban", "urban_method").to_pyarrow()
    assert data.column("urban").null_count == 200
    world = {"type": "Polygon", "coordinates": [[[-180, -90], [180, -90], [180, 90],
                                                 [-180, 90], [-180, -90]]]}  # fmt: skip
    import_file(path, "gtd", tmp_path / "b", urban=UrbanPolygons.from_geojson(world))
    data = open_store(tmp_path / "b").select("urban", "latitude").to_pyarrow().to_pylist()
    assert all(r["urban"] is (True if r["latitude"] is not None else None) for r in data)


def test_store_written_before_the_urban_columns_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "gtd.csv"
    write_gtd(path, 100, seed=5)
    store = tmp_path / "store"
    import_file(path, "gtd", store)
    part = next(store.glob("source=gtd/year=*/*.parquet"))
    old = pq.read_table(part)
    old = old.drop_columns(["urban", "urban_method"])
    pq.write_table(old, part)
    table = open_store(store)
    assert table.count().to_pyarrow().as_py() == 100
    assert isinstance(table.urban.isnull().sum().to_pyarrow(), pa.Scalar)
