"""The incident store: canonical rows ingested once into partitioned Parquet, read with Ibis.

Layout (Hive partitioning, one folder per source and year)::

    STORE/
      manifest.json                        every import: file, sha256, source, rows, licences …
      source=gtd/year=2017/part-<batch>-0.parquet
      source=ucdp/year=2013/part-<batch>-0.parquet

An import is all-or-nothing: files are written to a staging folder inside the store and moved
into place only when all of them were written; the manifest is replaced atomically last. The
same file (by SHA-256) imported twice as the same source is skipped, so ingestion happens once.

:func:`open_store` returns an Ibis table over the whole store on embedded DuckDB; query
functions here take and return Ibis expressions, so they also run on other Ibis backends.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from placeguard.core.errors import NotFoundError, PlaceguardError
from placeguard.engines.intel.schema import Incident, arrow_schema, incidents_to_arrow

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

__all__ = [
    "MANIFEST",
    "Batch",
    "IngestResult",
    "file_sha256",
    "ingest",
    "open_store",
    "read_manifest",
    "yearly_by_scenario",
    "yearly_by_source",
]

MANIFEST = "manifest.json"
#: The attack-mode label counted for incidents whose source gives no mappable attack mode.
UNMAPPED = "unmapped"


@dataclass(frozen=True, slots=True)
class Batch:
    """One import recorded in the manifest."""

    batch: str
    source: str
    file: str
    sha256: str
    rows: int
    licences: tuple[str, ...]
    years: tuple[int, ...]
    release: str | None
    crosswalk_version: str
    imported_at: str


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What :func:`ingest` did; ``skipped`` when the same file was already in the store."""

    batch: Batch
    skipped: bool


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(store: Path) -> list[Batch]:
    """The imports recorded in ``store`` (empty for a new store)."""
    path = store / MANIFEST
    if not path.exists():
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [
            Batch(**{**b, "licences": tuple(b["licences"]), "years": tuple(b["years"])})
            for b in raw["batches"]
        ]
    except (ValueError, KeyError, TypeError) as exc:
        msg = f"{path}: not a valid incident-store manifest ({exc})"
        raise PlaceguardError(msg, code="store_invalid") from exc


def _write_manifest(store: Path, batches: Sequence[Batch]) -> None:
    doc = {"format": "placeguard-incident-store/1", "batches": [asdict(b) for b in batches]}
    tmp = store / f".{MANIFEST}.{uuid.uuid4().hex}"
    tmp.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, store / MANIFEST)


def ingest(
    rows: Sequence[Incident] | pa.Table,
    store: Path,
    *,
    source: str,
    file_name: str,
    sha256: str,
    crosswalk_version: str,
    release: str | None = None,
) -> IngestResult:
    """Write validated ``rows`` (incidents or a canonical Arrow table) into ``store`` once (see
    the module docstring)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    store.mkdir(parents=True, exist_ok=True)
    batches = read_manifest(store)
    for known in batches:
        if known.sha256 == sha256 and known.source == source:
            return IngestResult(known, skipped=True)
    table = rows if isinstance(rows, pa.Table) else incidents_to_arrow(rows)
    table = table.select(arrow_schema().names).cast(arrow_schema())
    if len(table) and pc.unique(table.column("source")).to_pylist() != [source]:
        msg = f"every row of a {source} import must have source {source!r}"
        raise PlaceguardError(msg, code="store_invalid")
    batch_id = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    staging = store / f".staging-{batch_id}"
    try:
        if len(table):
            ds.write_dataset(
                table,
                staging,
                format="parquet",
                partitioning=["source", "year"],
                partitioning_flavor="hive",
                basename_template=f"part-{batch_id}-{{i}}.parquet",
                existing_data_behavior="error",
            )
        moved = [
            (f, store / f.relative_to(staging)) for f in staging.rglob("*.parquet") if f.is_file()
        ]
        for _, target in moved:
            target.parent.mkdir(parents=True, exist_ok=True)
        for src, target in moved:
            os.replace(src, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    batch = Batch(
        batch=batch_id,
        source=source,
        file=file_name,
        sha256=sha256,
        rows=len(table),
        licences=tuple(sorted(pc.unique(table.column("licence")).to_pylist())),
        years=tuple(sorted(int(y) for y in pc.unique(table.column("year")).to_pylist())),
        release=release,
        crosswalk_version=crosswalk_version,
        imported_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    _write_manifest(store, [*batches, batch])
    return IngestResult(batch, skipped=False)


def open_store(store: Path, *, connection: Any = None) -> ir.Table:
    """All incidents in ``store`` as one Ibis table (DuckDB unless ``connection`` is given)."""
    import ibis

    if not any(store.glob("source=*/year=*/*.parquet")):
        msg = f"no incidents in {store} (import a file first)"
        raise NotFoundError(msg)
    con = connection if connection is not None else ibis.duckdb.connect()
    pattern = str(store / "source=*" / "year=*" / "*.parquet")
    table = con.read_parquet(pattern, hive_partitioning=True, union_by_name=True)
    return table.mutate(year=table.year.cast("int32"), source=table.source.cast("string"))


def yearly_by_scenario(table: ir.Table) -> ir.Table:
    """Per year and attack mode: attacks, deaths (known counts summed) and attacks with known
    deaths. An incident with two attack modes counts once under each; incidents without a
    mappable mode count under ``unmapped``."""
    import ibis

    modes = ibis.ifelse(
        table.attack_modes.length() == 0,
        ibis.literal([UNMAPPED], type="array<string>"),
        table.attack_modes,
    )
    exploded = table.mutate(scenario=modes.unnest())
    return (
        exploded.group_by(["year", "scenario"])
        .aggregate(
            attacks=exploded.count(),
            deaths=exploded.deaths.sum().fill_null(0).cast("int64"),
            deaths_known=exploded.deaths.count(),
        )
        .order_by(["year", "scenario"])
    )


def yearly_by_source(table: ir.Table) -> ir.Table:
    """Per source and year: incidents, deaths (known counts summed) and incidents with known
    deaths."""
    return (
        table.group_by(["source", "year"])
        .aggregate(
            attacks=table.count(),
            deaths=table.deaths.sum().fill_null(0).cast("int64"),
            deaths_known=table.deaths.count(),
        )
        .order_by(["source", "year"])
    )


def import_file(
    path: Path,
    source: str,
    store: Path,
    *,
    mapping: Any = None,
    release: str | None = None,
    progress: Any = None,
    urban: Any = "default",
) -> IngestResult:
    """Read, validate, flag urban and ingest ``path`` in one go — the import path of the CLI.

    Columnar throughout (:func:`~placeguard.engines.intel.adapters.read_incidents_table`).
    ``urban`` is an :class:`~placeguard.engines.intel.urban.UrbanClassifier`, ``None`` to leave
    the flag unknown, or ``"default"`` for :class:`~placeguard.engines.intel.urban.NearestCity`
    with its defaults (GeoNames places of ≥ 100,000 inhabitants within 10 km).
    """
    from placeguard.engines.intel.adapters import read_incidents_table
    from placeguard.engines.intel.crosswalk import load_crosswalk
    from placeguard.engines.intel.urban import NearestCity, apply_urban

    table = read_incidents_table(path, source, mapping=mapping, release=release, progress=progress)
    classifier = NearestCity() if urban == "default" else urban
    if classifier is not None:
        table = apply_urban(table, classifier)
    if len(table):
        dataset = str(table.column("source")[0].as_py())
    else:
        dataset = mapping.source if mapping is not None else source
    return ingest(
        table,
        store,
        source=dataset,
        file_name=path.name,
        sha256=file_sha256(path),
        crosswalk_version=load_crosswalk().version,
        release=release or (getattr(mapping, "release", None) if mapping is not None else None),
    )
