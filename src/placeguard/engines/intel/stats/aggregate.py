"""Group once: per (key, year, deaths) attack counts from a canonical table, as Ibis.

Every statistic of the trend report derives from one grouped histogram — the number of attacks
per key (category, attack mode, region, urban flag or country), year and exact death count
(``NULL`` = unknown). Yearly attacks, yearly deaths, attacks with known deaths, the lethality
distribution of any period and the share denominators all follow from it without going back
to the rows. Multi-valued keys (an incident with two target categories) count once under each;
an incident with no mapped value counts under ``unmapped``.

Unknown casualty counts stay unknown: they count as attacks but never as zero deaths.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = [
    "UNMAPPED",
    "By",
    "Filters",
    "Histogram",
    "apply_filters",
    "covered_years",
    "fetch_histogram",
    "histogram_expr",
    "keyed",
    "totals_expr",
]

UNMAPPED = "unmapped"
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class By(StrEnum):
    """Dimensions a report can be broken down by."""

    CATEGORY = "category"  # target_categories (multi-valued)
    SCENARIO = "scenario"  # attack_modes (multi-valued)
    REGION = "region"
    COUNTRY = "country"
    URBAN = "urban"  # the ``urban`` flag column, when the table has one
    CATEGORY_REGION = "category_region"  # every (category, region) cell: "category / region"


@dataclass(frozen=True, slots=True)
class Filters:
    """Row filters applied before grouping (``None``: no filter).

    ``urban`` needs an ``urban`` boolean column (added by the urban-flag step); ``years`` is an
    inclusive ``(first, last)`` range.
    """

    category: str | None = None
    scenario: str | None = None
    region: str | None = None
    country: str | None = None
    urban: bool | None = None
    years: tuple[int, int] | None = None

    def describe(self) -> str:
        """The filters in words (``all incidents`` when none)."""
        parts = [
            f"{name}={value}"
            for name, value in (
                ("category", self.category),
                ("scenario", self.scenario),
                ("region", self.region),
                ("country", self.country),
                ("urban", self.urban),
            )
            if value is not None
        ]
        if self.years is not None:
            parts.append(f"years={self.years[0]}-{self.years[1]}")
        return ", ".join(parts) or "all incidents"


def apply_filters(table: ir.Table, filters: Filters) -> ir.Table:
    """``table`` restricted by ``filters`` (an Ibis expression)."""
    preds = []
    if filters.category is not None:
        preds.append(table.target_categories.contains(filters.category))
    if filters.scenario is not None:
        preds.append(table.attack_modes.contains(filters.scenario))
    if filters.region is not None:
        preds.append(table.region == filters.region)
    if filters.country is not None:
        preds.append(table.country == filters.country)
    if filters.urban is not None:
        if "urban" not in table.columns:
            msg = "the urban filter needs an urban flag column (run the urban classification)"
            raise ValueError(msg)
        preds.append(table.urban == filters.urban)
    if filters.years is not None:
        preds.append(table.year.between(filters.years[0], filters.years[1]))
    return table.filter(preds) if preds else table


def keyed(table: ir.Table, by: By | str) -> ir.Table:
    """``table`` with a string column ``key`` for ``by`` (list columns exploded)."""
    import ibis

    kind = By(by)
    if kind in {By.CATEGORY, By.SCENARIO}:
        column = table.target_categories if kind is By.CATEGORY else table.attack_modes
        values = ibis.ifelse(
            column.length() == 0, ibis.literal([UNMAPPED], type="array<string>"), column
        )
        return table.mutate(key=values.unnest())
    if kind is By.CATEGORY_REGION:
        cats = ibis.ifelse(
            table.target_categories.length() == 0,
            ibis.literal([UNMAPPED], type="array<string>"),
            table.target_categories,
        )
        region = table.region.fill_null(UNMAPPED).cast("string")
        exploded = table.mutate(category=cats.unnest())
        return exploded.mutate(key=exploded.category.concat(" / ", region))
    if kind is By.URBAN:
        if "urban" not in table.columns:
            msg = "a breakdown by urban flag needs an urban flag column"
            raise ValueError(msg)
        flag = table.urban
        key = ibis.cases((flag.isnull(), "unknown"), (flag, "urban"), else_="non_urban")
        return table.mutate(key=key)
    column = table.region if kind is By.REGION else table.country
    return table.mutate(key=column.fill_null(UNMAPPED).cast("string"))


def histogram_expr(table: ir.Table, by: By | str) -> ir.Table:
    """Attacks per (key, year, deaths); ``deaths`` NULL groups the unknown counts."""
    t = keyed(table, by)
    return t.group_by(["key", "year", "deaths"]).aggregate(n=t.count())


def totals_expr(table: ir.Table) -> ir.Table:
    """Attacks per (year, deaths) over the whole (filtered) table — the share denominators."""
    import ibis

    t = table.mutate(key=ibis.literal("all"))
    return t.group_by(["key", "year", "deaths"]).aggregate(n=t.count())


def covered_years(
    observed: Iterable[int],
    *,
    first: int | None = None,
    last: int | None = None,
    missing: Iterable[int] = (),
) -> IntArray:
    """Years the dataset covers: every year from first to last except ``missing``.

    A year inside the range with no incidents is a real zero; a year the dataset does not
    cover (GTD has no 1993 file in its main release) is left out, never read as zero.
    """
    seen = sorted(set(observed))
    if not seen and (first is None or last is None):
        return np.zeros(0, dtype=np.int64)
    lo = first if first is not None else seen[0]
    hi = last if last is not None else seen[-1]
    gone = set(missing)
    return np.array([y for y in range(lo, hi + 1) if y not in gone], dtype=np.int64)


@dataclass(frozen=True)
class Histogram:
    """Grouped attacks: parallel arrays, one entry per (key, year, deaths) group.

    ``deaths`` is NaN for attacks whose death count is unknown.
    """

    keys: tuple[str, ...]
    key_code: IntArray
    year: IntArray
    deaths: FloatArray
    n: IntArray

    @classmethod
    def from_arrays(
        cls, key: Sequence[str], year: ArrayLike, deaths: ArrayLike, n: ArrayLike
    ) -> Histogram:
        """Build from plain arrays (tests and other backends)."""
        names, codes = np.unique(np.asarray(key, dtype=object).astype(str), return_inverse=True)
        return cls(
            keys=tuple(str(k) for k in names),
            key_code=codes.astype(np.int64),
            year=np.asarray(year, dtype=np.int64),
            deaths=np.asarray(deaths, dtype=np.float64),
            n=np.asarray(n, dtype=np.int64),
        )

    def _select(self, key: str | None) -> NDArray[np.bool_]:
        if key is None:
            return np.ones(len(self.n), dtype=bool)
        if key not in self.keys:
            return np.zeros(len(self.n), dtype=bool)
        selected: NDArray[np.bool_] = self.key_code == self.keys.index(key)
        return selected

    def yearly(self, key: str | None, years: IntArray) -> dict[str, IntArray]:
        """Per year in ``years``: attacks, deaths (known counts summed), attacks with known
        deaths, lethal attacks (≥ 1 death) and mass-casualty attacks (≥ 10 deaths)."""
        sel = self._select(key)
        pos = np.searchsorted(years, self.year)
        inside = sel & (pos < len(years))
        inside[inside] &= years[pos[inside]] == self.year[inside]
        p, d, n = pos[inside], self.deaths[inside], self.n[inside]
        known = ~np.isnan(d)
        dz = np.where(known, d, 0.0)
        size = len(years)
        return {
            "attacks": np.bincount(p, weights=n, minlength=size).astype(np.int64),
            "deaths": np.bincount(p, weights=n * dz, minlength=size).round().astype(np.int64),
            "deaths_known": np.bincount(p, weights=n * known, minlength=size).astype(np.int64),
            "lethal": np.bincount(p, weights=n * (dz >= 1), minlength=size).astype(np.int64),
            "mass": np.bincount(p, weights=n * (dz >= 10), minlength=size).astype(np.int64),
        }

    def distribution(self, key: str | None, years: IntArray) -> tuple[FloatArray, IntArray, int]:
        """Known death counts of the attacks in ``years``: (distinct values, attacks with each
        value, attacks whose count is unknown)."""
        sel = self._select(key) & np.isin(self.year, years)
        d, n = self.deaths[sel], self.n[sel]
        known = ~np.isnan(d)
        values, inverse = np.unique(d[known], return_inverse=True)
        counts = np.bincount(inverse, weights=n[known], minlength=len(values)).astype(np.int64)
        return values, counts, int(n[~known].sum())


def fetch_histogram(expr: ir.Table) -> Histogram:
    """Execute a :func:`histogram_expr` / :func:`totals_expr` and return it as arrays."""
    data = expr.to_pyarrow()
    deaths = data.column("deaths").to_numpy(zero_copy_only=False)
    return Histogram.from_arrays(
        key=data.column("key").to_pylist(),
        year=data.column("year").to_numpy(zero_copy_only=False),
        deaths=np.asarray(deaths, dtype=np.float64),
        n=data.column("n").to_numpy(zero_copy_only=False),
    )
