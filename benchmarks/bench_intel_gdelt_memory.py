"""Yearly category aggregation over a GDELT-scale incident store in DuckDB under a 4 GB cap.

Claim (issue 4, "Performance"): on a 100-million-row GDELT-layout Parquet data set the yearly
category aggregation runs in DuckDB without exceeding 4 GB of memory.

Data: :func:`placeguard.engines.intel.synthetic.canonical_table` — GDELT-like incidents in the
canonical schema, generated in chunks and written as the store's Hive-partitioned Parquet
(``source=gdelt2/year=YYYY``) in a temporary folder (deleted afterwards).

Measured: the Ibis expression (unnest ``target_categories``, group by year and category:
attacks, deaths, attacks with known deaths) executed by DuckDB with ``memory_limit='4GB'``,
in a fresh child process so that its peak resident set size (``resource.getrusage``) is the
query's alone. Figure: time and peak RSS; ratio: peak RSS against the 4 GB budget.

Usage: ``python benchmarks/bench_intel_gdelt_memory.py [--rows N] [--chunk N]``
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_BYTES = 4 * 1024**3


def query(store: Path) -> None:
    """Run the aggregation and print one JSON line (the child process)."""
    import ibis

    from placeguard.engines.intel.store import open_store

    tmp = store.parent / "duckdb-spill"
    con = ibis.duckdb.connect(memory_limit="4GB", threads=2, temp_directory=str(tmp))
    start = time.perf_counter()
    table = open_store(store, connection=con).select("year", "target_categories", "deaths")
    exploded = table.mutate(category=table.target_categories.unnest())
    expr = exploded.group_by(["year", "category"]).aggregate(
        attacks=exploded.count(),
        deaths=exploded.deaths.sum().fill_null(0).cast("int64"),
        deaths_known=exploded.deaths.count(),
    )
    result = expr.to_pyarrow()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    attacks = sum(result.column("attacks").to_pylist())
    print(json.dumps({"seconds": seconds, "peak_rss": peak, "cells": result.num_rows,
                      "attacks": attacks}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--chunk", type=int, default=5_000_000)
    parser.add_argument("--query-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.query_only:
        query(args.query_only)
        return

    import pyarrow.dataset as ds

    from placeguard.engines.intel.synthetic import SyntheticSpec, canonical_table

    tmp = Path(tempfile.mkdtemp(prefix="placeguard-gdelt-bench-"))
    store = tmp / "store"
    spec = SyntheticSpec(first_year=2015, last_year=2024, breaks={})
    try:
        start = time.perf_counter()
        done = 0
        for i in range(0, args.rows, args.chunk):
            n = min(args.chunk, args.rows - i)
            table = canonical_table(n, seed=i // args.chunk, spec=spec, source="gdelt2")
            ds.write_dataset(
                table, store, format="parquet", partitioning=["source", "year"],
                partitioning_flavor="hive",
                basename_template=f"part-{i // args.chunk}-{{i}}.parquet",
                existing_data_behavior="overwrite_or_ignore",
            )  # fmt: skip
            done += n
            print(f"\r  generated {done:,} rows", end="", file=sys.stderr, flush=True)
        size = sum(f.stat().st_size for f in store.rglob("*.parquet"))
        print(f"\ngenerated {done:,} GDELT-layout rows ({size / 1e9:.2f} GB Parquet) in "
              f"{time.perf_counter() - start:.0f} s")  # fmt: skip
        out = subprocess.run(  # noqa: S603 - our own script, our own arguments
            [sys.executable, __file__, "--query-only", str(store)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        assert figures["attacks"] == done, figures
        peak = figures["peak_rss"]
        print(f"yearly category aggregation, {done:,} rows on DuckDB (memory_limit=4GB): "
              f"{figures['seconds']:.1f} s, peak RSS {peak / 1024**3:.2f} GiB "
              f"({figures['cells']} year × category cells)")  # fmt: skip
        print(f"peak RSS / 4 GiB budget: {peak / BUDGET_BYTES:.2f} — "
              f"{'within' if peak <= BUDGET_BYTES else 'OVER'} budget")  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
