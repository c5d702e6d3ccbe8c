"""Grid cells for the dashboard map: hand-counted cases and a naive oracle."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.engines.intel.schema import Incident, incidents_to_arrow
from placeguard.engines.intel.stats.aggregate import Filters
from placeguard.engines.intel.stats.geo import grid_cells
from placeguard.engines.intel.stats.source import table_from_arrow


def _incident(i: int, lat: float | None, lon: float | None, deaths: int | None,
              category: str = "religious") -> Incident:  # fmt: skip
    return Incident(
        source="custom", source_row_id=str(i), licence="open", date=dt.date(2015, 1, 1),
        date_precision="day", country="XMA", latitude=lat, longitude=lon, deaths=deaths,
        target_categories=(category,),
    )  # fmt: skip


def _table(rows: list[Incident]):  # type: ignore[no-untyped-def]
    return table_from_arrow(incidents_to_arrow(rows))


def test_hand_counted_cells_suppression_and_unknown_deaths() -> None:
    rows = [
        _incident(1, 10.1, 20.1, 2),
        _incident(2, 10.2, 20.4, None),  # unknown deaths: an attack, not zero deaths
        _incident(3, 10.4, 20.2, 5),
        _incident(4, 10.6, 20.1, 1),  # the next cell north: alone, suppressed
        _incident(5, None, None, 7),  # no coordinates
        _incident(6, -0.1, -0.1, 0, category="transport"),
    ]
    summary = grid_cells(_table(rows), cell_deg=0.5, min_attacks=2)
    assert len(summary.cells) == 1
    cell = summary.cells[0]
    assert (cell.lat, cell.lon) == (10.25, 20.25)
    assert (cell.attacks, cell.deaths, cell.known_deaths) == (3, 7, 2)
    assert summary.suppressed_attacks == 2  # the lone northern cell and the transport one
    assert summary.without_coordinates == 1
    only_religious = grid_cells(_table(rows), Filters(category="transport"), min_attacks=1)
    assert [(c.lat, c.lon, c.attacks) for c in only_religious.cells] == [(-0.25, -0.25, 1)]


def test_a_bad_cell_size_is_refused() -> None:
    with pytest.raises(ValueError, match="cell_deg"):
        grid_cells(_table([_incident(1, 1.0, 1.0, 0)]), cell_deg=0)


@settings(max_examples=30, deadline=None)
@given(
    points=st.lists(
        st.tuples(
            st.floats(-60, 60, allow_nan=False), st.floats(-170, 170, allow_nan=False),
            st.one_of(st.none(), st.integers(0, 50)),
        ),
        min_size=1, max_size=40,
    ),
    cell=st.sampled_from([0.25, 0.5, 1.0, 5.0]),
    k=st.integers(1, 3),
)  # fmt: skip
def test_cells_equal_a_naive_count(
    points: list[tuple[float, float, int | None]], cell: float, k: int
) -> None:
    rows = [_incident(i, lat, lon, d) for i, (lat, lon, d) in enumerate(points)]
    naive: dict[tuple[int, int], list[int | None]] = {}
    for lat, lon, d in points:
        naive.setdefault((math.floor(lat / cell), math.floor(lon / cell)), []).append(d)
    summary = grid_cells(_table(rows), cell_deg=cell, min_attacks=k)
    got = {(round(c.lat / cell - 0.5), round(c.lon / cell - 0.5)): c for c in summary.cells}
    expected = {key: v for key, v in naive.items() if len(v) >= k}
    assert set(got) == set(expected)
    for key, deaths in expected.items():
        known = [d for d in deaths if d is not None]
        assert (got[key].attacks, got[key].deaths, got[key].known_deaths) == (
            len(deaths), sum(known), len(known),
        )  # fmt: skip
    assert summary.suppressed_attacks == sum(len(v) for v in naive.values() if len(v) < k)
    assert summary.without_coordinates == 0
