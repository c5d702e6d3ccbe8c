"""Canonical incident tables with planted, known effects (for tests, benchmarks and the docs).

Not a dataset layout generator (that is :mod:`placeguard.engines.intel.synthetic`): this writes
the canonical Arrow table directly, vectorised, so that a million rows take well under a second
and the true values of every statistic are known:

* attacks per (category, year) ~ negative binomial with mean
  ``base[c] × trend[c]^(year − first) × Π_{b ≤ year} jump[b]`` (``jump`` is a collection break:
  it multiplies every category alike) and dispersion ``1/size`` (``size=None``: Poisson);
* deaths per attack ~ negative binomial with mean ``lethality[c] × (ratio[c] if year ≥ split)``
  and shape ``death_shape`` (small shape: heavy right tail); ``unknown_share`` of the counts are
  set unknown (None);
* the urban flag is True with probability ``urban_share``, region and country uniform among
  ``regions`` × ``countries_per_region``, one attack mode per attack uniform among ``modes``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["Planted", "planted_table"]


@dataclass(frozen=True)
class Planted:
    """The truth to plant (see the module docstring)."""

    first: int = 1990
    last: int = 2017
    base: Mapping[str, float] = field(default_factory=lambda: {"place_of_worship": 200.0})
    trend: Mapping[str, float] = field(default_factory=dict)  # annual rate ratio, default 1
    jumps: Mapping[int, float] = field(default_factory=dict)  # break year → level multiplier
    size: float | None = 50.0  # NB size of the yearly counts; None = Poisson
    lethality: Mapping[str, float] = field(default_factory=dict)  # mean deaths, default 2
    lethality_ratio: Mapping[str, float] = field(default_factory=dict)  # after/before split
    split: int = 2012
    death_shape: float = 0.4
    unknown_share: float = 0.05
    urban_share: float = 0.5
    missing_years: Sequence[int] = ()
    regions: Sequence[str] = ("Western Europe", "South Asia", "Sub-Saharan Africa")
    countries_per_region: int = 4
    modes: Sequence[str] = ("placed_ied", "firearms", "arson")
    source: str = "gtd"
    licence: str = "gtd-eua"

    def expected(self, category: str, year: int) -> float:
        """Mean attacks of ``category`` in ``year``."""
        mean = self.base[category] * self.trend.get(category, 1.0) ** (year - self.first)
        for b, j in self.jumps.items():
            if year >= b:
                mean *= j
        return mean


def planted_table(truth: Planted, *, seed: int = 0) -> pa.Table:
    """A canonical Arrow table drawn from ``truth`` with ``seed``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from placeguard.engines.intel.schema import arrow_schema

    rng = np.random.default_rng(seed)
    cats = list(truth.base)
    years = [y for y in range(truth.first, truth.last + 1) if y not in set(truth.missing_years)]
    means = np.array([[truth.expected(c, y) for y in years] for c in cats])
    if truth.size is None:
        counts = rng.poisson(means)
    else:
        counts = rng.negative_binomial(truth.size, truth.size / (truth.size + means))
    cat_idx = np.repeat(np.repeat(np.arange(len(cats)), len(years)), counts.ravel())
    year = np.repeat(np.tile(np.array(years), len(cats)), counts.ravel())
    n = len(year)
    leth = np.array([truth.lethality.get(c, 2.0) for c in cats])[cat_idx]
    ratio = np.array([truth.lethality_ratio.get(c, 1.0) for c in cats])[cat_idx]
    mean_deaths = leth * np.where(year >= truth.split, ratio, 1.0)
    shape = truth.death_shape
    deaths = rng.negative_binomial(shape, shape / (shape + mean_deaths))
    unknown = rng.random(n) < truth.unknown_share
    urban = rng.random(n) < truth.urban_share
    region_idx = rng.integers(0, len(truth.regions), n)
    country_idx = region_idx * truth.countries_per_region + rng.integers(
        0, truth.countries_per_region, n
    )
    mode_idx = rng.integers(0, len(truth.modes), n)
    day = rng.integers(0, 365, n)
    epoch = dt.date(1970, 1, 1)
    jan1 = np.array([(dt.date(y, 1, 1) - epoch).days for y in range(1900, 2101)])
    date = jan1[year - 1900] + np.minimum(day, 364)

    def strings(labels: Sequence[str], idx: NDArray[np.int64]) -> pa.Array:
        return pc.take(pa.array(list(labels), pa.string()), pa.array(idx))

    def one_item_lists(labels: Sequence[str], idx: NDArray[np.int64]) -> pa.Array:
        offsets = pa.array(np.arange(n + 1, dtype=np.int32))
        return pa.ListArray.from_arrays(offsets, strings(labels, idx))

    def constant(value: str) -> pa.Array:
        return strings([value], np.zeros(n, dtype=np.int64))

    countries = [f"C{i:02d}" for i in range(len(truth.regions) * truth.countries_per_region)]
    schema = arrow_schema()
    null_text = pa.nulls(n, pa.string())
    columns = {
        "source": constant(truth.source),
        "source_row_id": pa.array(np.arange(n)).cast(pa.string()),
        "licence": constant(truth.licence),
        "date": pa.array(date.astype("datetime64[D]"), pa.date32()),
        "date_precision": constant("day"),
        "country": strings(countries, country_idx),
        "region": strings(list(truth.regions), region_idx),
        "admin1": null_text,
        "admin2": null_text,
        "city": null_text,
        "latitude": pa.nulls(n, pa.float64()),
        "longitude": pa.nulls(n, pa.float64()),
        "geo_precision": constant("city"),
        "attack_modes": one_item_lists(list(truth.modes), mode_idx),
        "target_categories": one_item_lists(cats, cat_idx),
        "weapons": pa.ListArray.from_arrays(
            pa.array(np.zeros(n + 1, dtype=np.int32)), pa.array([], pa.string())
        ),
        "deaths": pa.array(deaths.astype(np.int32), pa.int32(), mask=unknown),
        "wounded": pa.nulls(n, pa.int32()),
        "perpetrator_deaths": pa.nulls(n, pa.int32()),
        "success": pa.nulls(n, pa.bool_()),
        "hostage": pa.nulls(n, pa.bool_()),
        "suicide": pa.nulls(n, pa.bool_()),
        "release": null_text,
        "urban": pa.array(urban, pa.bool_()),
        "urban_method": constant("planted"),
        "year": pa.array(year.astype(np.int16), pa.int16()),
    }
    arrays = [columns[f.name] if f.name in columns else pa.nulls(n, f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)
