"""The incident store on Apache Spark (optional extra ``spark``), through Ibis's PySpark backend.

Every query of :mod:`placeguard.engines.intel.store` takes and returns Ibis expressions, so the
same expression runs on embedded DuckDB (the default) and, for data that outgrows one machine
(GDELT scale), on Spark — locally (``local[N]``) or on a cluster session the caller provides::

    session = spark_session()                       # local[1], UI off
    table = open_store_spark(Path("var/intel"), session)
    yearly_by_scenario(table).to_pyarrow()

Requirements: ``pip install 'placeguard[spark]'`` (pyspark 4) and a Java 17+ runtime.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from placeguard.core.errors import NotFoundError

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["LOCAL_CONFIG", "open_store_spark", "spark_backend", "spark_session"]

#: Small-footprint settings for a local session (tests, one machine).
LOCAL_CONFIG: Mapping[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "1",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.memory": "1g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def spark_session(
    *, master: str = "local[1]", app_name: str = "placeguard-intel",
    config: Mapping[str, str] | None = None,
) -> Any:  # fmt: skip
    """A (shared) SparkSession with :data:`LOCAL_CONFIG` plus ``config``."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in {**LOCAL_CONFIG, **(config or {})}.items():
        builder = builder.config(key, value)
    logging.getLogger("py4j").setLevel(logging.WARNING)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def spark_backend(session: Any) -> Any:
    """The Ibis PySpark backend over ``session``."""
    import ibis

    return ibis.pyspark.connect(session)


def open_store_spark(store: Path, session: Any) -> ir.Table:
    """All incidents in ``store`` as an Ibis table on Spark — the same columns and types as
    :func:`placeguard.engines.intel.store.open_store` (``source`` and ``year`` from the Hive
    partition folders; ``manifest.json`` and staging folders are skipped)."""
    if not any(store.glob("source=*/year=*/*.parquet")):
        msg = f"no incidents in {store} (import a file first)"
        raise NotFoundError(msg)
    con = spark_backend(session)
    table = con.read_parquet(
        str(store),
        pathGlobFilter="*.parquet",
        basePath=str(store),
        mergeSchema="true",
    )
    return table.mutate(year=table.year.cast("int32"), source=table.source.cast("string"))
