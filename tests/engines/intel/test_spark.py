"""The same Ibis store expressions on PySpark (local mode) give DuckDB's results exactly."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from placeguard.engines.intel.store import (
    ingest,
    open_store,
    yearly_by_scenario,
    yearly_by_source,
)
from placeguard.engines.intel.synthetic import SyntheticSpec, canonical_table

pytest.importorskip("pyspark")
if shutil.which("java") is None:  # pragma: no cover - Java 17 is on CI and dev machines
    pytest.skip("PySpark needs a Java runtime", allow_module_level=True)

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from placeguard.engines.intel.spark import spark_session

    session = spark_session()
    yield session
    session.stop()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("store")
    spec = SyntheticSpec(first_year=2005, last_year=2012)
    for i, source in enumerate(("gdelt2", "custom-log")):
        table = canonical_table(1500, seed=i, spec=spec, source=source)
        ingest(table, root, source=source, file_name=f"{source}.parquet", sha256=str(i),
               crosswalk_version="test")  # fmt: skip
    return root


def _rows(expr: Any) -> list[dict[str, Any]]:
    return sorted(expr.to_pyarrow().to_pylist(), key=lambda r: tuple(str(v) for v in r.values()))


def test_yearly_by_scenario_identical_on_spark_and_duckdb(spark: Any, store: Path) -> None:
    from placeguard.engines.intel.spark import open_store_spark

    on_spark = _rows(yearly_by_scenario(open_store_spark(store, spark)))
    on_duckdb = _rows(yearly_by_scenario(open_store(store)))
    assert on_spark == on_duckdb
    assert sum(r["attacks"] for r in on_duckdb) == 3000


def test_yearly_by_source_and_a_filter_identical(spark: Any, store: Path) -> None:
    from placeguard.engines.intel.spark import open_store_spark

    def query(table: Any) -> Any:
        urban = table.filter(table.urban & (table.year >= 2008))
        return yearly_by_source(urban)

    assert _rows(query(open_store_spark(store, spark))) == _rows(query(open_store(store)))
    assert _rows(yearly_by_source(open_store_spark(store, spark))) == _rows(
        yearly_by_source(open_store(store))
    )
