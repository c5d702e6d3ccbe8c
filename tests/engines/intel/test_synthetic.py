"""The synthetic generator: exact layouts through the adapters, planted effects recoverable."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from placeguard.engines.intel.adapters import read_incidents_table
from placeguard.engines.intel.adapters.acled import ACLED_COLUMNS
from placeguard.engines.intel.adapters.gdelt import GDELT1_COLUMNS, GDELT2_COLUMNS
from placeguard.engines.intel.adapters.gtd import GTD_COLUMNS, read_gtd
from placeguard.engines.intel.schema import arrow_schema
from placeguard.engines.intel.synthetic import (
    SyntheticSpec,
    canonical_table,
    write_acled,
    write_gdelt,
    write_gtd,
)
from placeguard.engines.intel.urban import NearestCity


def _counts(table: object) -> Counter[tuple[int, str]]:
    rows = table.select(["year", "target_categories"]).to_pylist()  # type: ignore[attr-defined]
    return Counter((r["year"], c) for r in rows for c in r["target_categories"])


def test_gtd_file_has_the_exact_layout_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "gtd.csv"
    truth = write_gtd(path, 3000, seed=5)
    header = path.read_text(encoding="cp1252").splitlines()[0].replace('"', "").split(",")
    assert tuple(header) == GTD_COLUMNS
    table = read_incidents_table(path, "gtd")
    assert table.num_rows == 3000 == truth.rows
    assert dict(_counts(table)) == dict(truth.counts)
    deaths = table.column("deaths").to_numpy(zero_copy_only=False)
    known = ~np.isnan(deaths.astype(float))
    # blanks are unknown, never zero
    assert 0.03 < 1 - known.mean() < 0.13
    after = table.column("year").to_numpy() >= truth.spec.split_year
    assert deaths[known & after].mean() == pytest.approx(truth.mean_deaths_after)
    assert deaths[known & ~after].mean() == pytest.approx(truth.mean_deaths_before)
    # the slow path (Incident objects) agrees with the columnar one
    rows = read_gtd(path)
    assert [r.source_row_id for r in rows] == table.column("source_row_id").to_pylist()


def test_same_seed_same_file(tmp_path: Path) -> None:
    write_gtd(tmp_path / "a.csv", 500, seed=3)
    write_gtd(tmp_path / "b.csv", 500, seed=3)
    write_gtd(tmp_path / "c.csv", 500, seed=4)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "c.csv").read_bytes()


def test_planted_trend_and_breaks_recovered_by_log_linear_fit() -> None:
    """Least squares on log yearly counts with one step per break recovers log(rr)."""
    spec = SyntheticSpec()
    table = canonical_table(200_000, seed=11, spec=spec)
    counts = _counts(table)
    years = np.arange(spec.first_year, spec.last_year + 1)
    design = np.column_stack(
        [np.ones(len(years)), years - spec.first_year]
        + [(years >= b).astype(float) for b in spec.breaks]
    )
    for category, (_, rr) in spec.categories.items():
        y = np.log([counts[(int(yr), category)] for yr in years])
        coef, *_ = np.linalg.lstsq(design, y, rcond=None)
        assert math.exp(coef[1]) == pytest.approx(rr, abs=0.01), category
        jumps = [math.exp(c) for c in coef[2:]]
        assert jumps == pytest.approx(list(spec.breaks.values()), rel=0.12), category


def test_planted_lethality_ratio_and_heavy_tail() -> None:
    spec = SyntheticSpec(lethality_ratio=2.0, mean_deaths_before=1.5)
    table = canonical_table(200_000, seed=2, spec=spec)
    deaths = table.column("deaths").to_numpy(zero_copy_only=False).astype(float)
    year = table.column("year").to_numpy()
    known = ~np.isnan(deaths)
    before = deaths[known & (year < spec.split_year)]
    after = deaths[known & (year >= spec.split_year)]
    assert after.mean() / before.mean() == pytest.approx(2.0, rel=0.05)
    assert before.mean() == pytest.approx(1.5, rel=0.05)
    # heavy tail: variance far above the mean (Poisson would have them equal)
    assert before.var() > 4 * before.mean()
    assert np.median(before) < before.mean()


def test_urban_share_agrees_with_the_urban_flag() -> None:
    spec = SyntheticSpec(urban_share=0.3)
    table = canonical_table(20_000, seed=8, spec=spec)
    planted = table.column("urban").to_numpy(zero_copy_only=False)
    lat = table.column("latitude").to_numpy()
    lon = table.column("longitude").to_numpy()
    result = NearestCity(min_population=spec.city_min_population, max_km=10).classify(lat, lon)
    assert planted.mean() == pytest.approx(0.3, abs=0.02)
    assert result.urban[planted].all()  # every planted urban point is within 3 km of a city
    assert (result.urban == planted).all()  # rural points are ≥ 25 km from every such city


def test_acled_export_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "acled.csv"
    truth = write_acled(path, 2000, seed=1)
    header = path.read_text().splitlines()[0].replace('"', "").split(",")
    assert tuple(header) == ACLED_COLUMNS
    table = read_incidents_table(path, "acled")
    assert table.num_rows == 2000
    assert dict(_counts(table)) == dict(truth.counts)
    assert table.column("deaths").null_count == 0


@pytest.mark.parametrize("version", [1, 2])
def test_gdelt_event_files_round_trip(tmp_path: Path, version: int) -> None:
    path = tmp_path / "events.CSV"
    truth = write_gdelt(path, 1500, version=version, seed=4)
    widths = {len(line.split("\t")) for line in path.read_text().splitlines()}
    assert widths == {len(GDELT1_COLUMNS if version == 1 else GDELT2_COLUMNS)}
    table = read_incidents_table(path, f"gdelt{version}")
    assert table.num_rows == 1500
    assert dict(_counts(table)) == dict(truth.counts)
    assert table.column("deaths").null_count == 1500  # GDELT has no casualties


def test_canonical_table_has_the_store_schema() -> None:
    table = canonical_table(100, seed=0)
    assert table.schema.equals(arrow_schema())
