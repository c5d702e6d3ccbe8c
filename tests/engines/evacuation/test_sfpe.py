"""The SFPE speed–density relation and its closed forms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placeguard.engines.evacuation import sfpe


def test_speed_density_closed_form() -> None:
    assert sfpe.speed(1.0) == pytest.approx(1.40 * (1 - 0.266))
    assert sfpe.speed(2.0) == pytest.approx(1.40 * (1 - 0.532))
    assert sfpe.speed(sfpe.JAM_DENSITY) == pytest.approx(0.0, abs=1e-12)
    # free speed below 0.54 p/m²
    assert sfpe.speed(0.1) == sfpe.speed(0.54) == pytest.approx(1.40 * (1 - 0.266 * 0.54))


def test_peak_specific_flow_at_half_jam_density() -> None:
    d_star = 1 / (2 * 0.266)
    assert d_star == pytest.approx(1.88, abs=0.005)
    assert sfpe.specific_flow(d_star) == pytest.approx(1.40 / (4 * 0.266))
    assert sfpe.specific_flow(d_star) == pytest.approx(1.316, abs=1e-3)
    assert sfpe.max_specific_flow() == 1.3  # prescribed door capacity caps the level peak


@given(st.floats(0.55, 3.7))
def test_specific_flow_never_exceeds_peak(d: float) -> None:
    assert sfpe.specific_flow(d) <= 1.40 / (4 * 0.266) + 1e-12


@given(st.floats(0.01, 1.30))
def test_density_for_flow_inverts_specific_flow(fs: float) -> None:
    d = sfpe.density_for_specific_flow(fs)
    assert d <= 1 / (2 * 0.266) + 1e-12
    if d >= 0.54:
        assert sfpe.specific_flow(d) == pytest.approx(fs, rel=1e-9)


def test_stair_speed_matches_handbook_table() -> None:
    # 7.5 in riser / 10 in tread -> k = 1.00 m/s; 7 / 11 -> 1.08 m/s (SFPE table)
    assert sfpe.k_for_stair(0.191, 0.254) == pytest.approx(1.00, abs=0.01)
    assert sfpe.k_for_stair(0.178, 0.279) == pytest.approx(1.08, abs=0.01)
    assert sfpe.max_specific_flow(1.08, sfpe.Element.STAIR) == pytest.approx(1.01, abs=0.01)
