"""Speed profile against closed-form ground truth, and its invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.core.errors import ValidationError
from placeguard.engines.vehicle.impact import kinetic_energy_j
from placeguard.engines.vehicle.profile import gain, speed_profile
from placeguard.engines.vehicle.vehicles import GRAVITY, VehicleClass

KMH = 3.6


def vehicle(**kw: float) -> VehicleClass:
    base: dict[str, float] = {
        "mass_kg": 1500.0, "max_accel": 2.5, "braking": 7.0, "mu": 0.7, "track_width_m": 1.6,
        "cg_height_m": 0.5, "max_speed": 100.0,
    }  # fmt: skip
    base.update(kw)
    return VehicleClass(id="test", name="test", **base)  # type: ignore[arg-type]


def straight(length: float, step: float = 1.0) -> np.ndarray:
    n = max(1, math.ceil(length / step))
    return np.column_stack([np.linspace(0.0, length, n + 1), np.zeros(n + 1)])


def bend_then_straight(
    lead: float, radius: float, tail: float, *, angle: float = math.pi / 2, step: float = 0.25
) -> np.ndarray:
    """``lead`` m east, a left bend of ``radius`` through ``angle``, then ``tail`` m straight."""
    a = np.column_stack([np.arange(-lead, 0.0, 1.0), np.zeros(math.ceil(lead))])
    th = np.arange(0.0, angle, step / radius)
    th = th[th < angle - 1e-6]  # the end point is added below
    arc = np.column_stack([radius * np.sin(th), radius - radius * np.cos(th)])
    end = np.array([[radius * math.sin(angle), radius - radius * math.cos(angle)]])
    heading = np.array([math.cos(angle), math.sin(angle)])
    out = end + np.arange(1.0, tail + 1e-9, 1.0)[:, None] * heading
    return np.vstack([a, arc, end, out])


def test_straight_run_up_matches_v_equals_root_2as() -> None:
    # 60 m at 2.5 m/s² → 17.32 m/s = 62.4 km/h; at 1.0 m/s² → 39.4 km/h.
    assert speed_profile(straight(60), vehicle()).impact_speed * KMH == pytest.approx(
        62.35, abs=0.01
    )
    slow = speed_profile(straight(60), vehicle(max_accel=1.0)).impact_speed * KMH
    assert slow == pytest.approx(39.44, abs=0.01)


def test_straight_run_up_is_capped_at_top_speed() -> None:
    assert speed_profile(straight(500), vehicle(max_speed=20.0)).impact_speed == pytest.approx(20.0)


def test_power_limited_acceleration_follows_v_cubed_law() -> None:
    # a = 2.5 up to v* = P/(m a) = 10 m/s (20 m), then v³ = v*³ + 3 (P/m) s.
    car = vehicle(power_w=37_500.0)
    expected = (10.0**3 + 3 * 25.0 * 80.0) ** (1 / 3)
    assert speed_profile(straight(100), car).impact_speed == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("mu", "kmh"), [(0.7, 36.5), (0.35, 25.8)])
def test_constant_radius_bend_is_limited_to_root_mu_g_r(mu: float, kmh: float) -> None:
    path = bend_then_straight(200.0, 15.0, 0.0, angle=math.pi)
    profile = speed_profile(path, vehicle(mu=mu))
    inside = profile.radius < 20
    assert profile.radius[inside] == pytest.approx(15.0, rel=1e-6)
    assert profile.speed[inside].max() * KMH == pytest.approx(kmh, abs=0.06)
    assert profile.speed[inside].max() == pytest.approx(math.sqrt(mu * GRAVITY * 15.0), rel=1e-9)


def test_rollover_limit_governs_when_lower_than_friction() -> None:
    truck = vehicle(mu=0.7, track_width_m=2.0, cg_height_m=2.5)  # t/2h = 0.4 g
    assert truck.lateral_limit == "rollover"
    profile = speed_profile(bend_then_straight(200.0, 15.0, 0.0, angle=math.pi), truck)
    expected = math.sqrt(GRAVITY * 15.0 * 2.0 / (2 * 2.5))
    assert profile.speed[profile.radius < 20].max() == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("accel", "mu", "kmh"), [(2.5, 0.7, 51.3), (1.0, 0.35, 34.4)])
def test_bend_then_straight_accelerates_from_the_bend_exit_speed(
    accel: float, mu: float, kmh: float
) -> None:
    # 40 m straight + 90° bend of R = 15 m + 20 m straight: v = √(μ g R + 2 a L).
    path = bend_then_straight(40.0, 15.0, 20.0)
    profile = speed_profile(path, vehicle(max_accel=accel, mu=mu))
    closed = math.sqrt(mu * GRAVITY * 15.0 + 2 * accel * 20.0) * KMH
    assert closed == pytest.approx(kmh, abs=0.1)
    assert profile.impact_speed * KMH == pytest.approx(closed, abs=0.15)


def test_backward_pass_brakes_before_a_bend() -> None:
    profile = speed_profile(bend_then_straight(100.0, 15.0, 20.0), vehicle(braking=3.0))
    entry = int(np.argmax(profile.radius < 20))
    assert profile.forward[entry - 5] > profile.speed[entry - 5]  # braking is binding there
    assert np.all(profile.speed <= profile.cap + 1e-9)
    seg = np.diff(profile.s)
    decel = (profile.speed[:-1] ** 2 - profile.speed[1:] ** 2) / (2 * seg)
    assert decel.max() <= 3.0 + 1e-6


def test_impact_energy_is_half_m_v_squared() -> None:
    assert kinetic_energy_j(1500.0, 48 / KMH) / 1000 == pytest.approx(133.3, abs=0.1)
    assert kinetic_energy_j(7200.0, 80 / KMH) / 1000 == pytest.approx(1777.8, abs=0.1)


def test_bad_paths_are_rejected_with_every_problem() -> None:
    with pytest.raises(ValidationError) as info:
        speed_profile(np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0]]), vehicle(), start_speed=-1)
    fields = {e.field for e in info.value.errors}
    assert fields == {"path segment 0", "start_speed"}


# ---------------------------------------------------------------- invariants
lengths = st.floats(5.0, 150.0)
radii = st.floats(5.0, 80.0)


@settings(max_examples=40, deadline=None)
@given(lead=lengths, tail=lengths, radius=radii, angle=st.floats(0.3, 2.5))
def test_adding_a_bend_never_raises_impact_speed(
    lead: float, tail: float, radius: float, angle: float
) -> None:
    bent = bend_then_straight(lead, radius, tail, angle=angle)
    seg = np.hypot(*np.diff(bent, axis=0).T).sum()
    straight_speed = speed_profile(straight(seg, 0.5), vehicle()).impact_speed
    assert speed_profile(bent, vehicle()).impact_speed <= straight_speed + 1e-9


@settings(max_examples=40, deadline=None)
@given(
    lead=lengths, tail=lengths, radius=radii,
    a1=st.floats(0.5, 4.0), a2=st.floats(0.5, 4.0), m1=st.floats(0.2, 1.0), m2=st.floats(0.2, 1.0),
)  # fmt: skip
def test_more_acceleration_or_grip_never_lowers_impact_speed(  # noqa: PLR0917 - hypothesis
    lead: float, tail: float, radius: float, a1: float, a2: float, m1: float, m2: float
) -> None:
    path = bend_then_straight(lead, radius, tail)
    lo = speed_profile(path, vehicle(max_accel=min(a1, a2), mu=min(m1, m2))).impact_speed
    hi = speed_profile(path, vehicle(max_accel=max(a1, a2), mu=max(m1, m2))).impact_speed
    assert hi >= lo - 1e-9


@settings(max_examples=40, deadline=None)
@given(lead=lengths, extra=st.floats(0.0, 200.0), tail=lengths, radius=radii)
def test_a_longer_straight_run_up_never_lowers_impact_speed(
    lead: float, extra: float, tail: float, radius: float
) -> None:
    short = speed_profile(bend_then_straight(lead, radius, tail), vehicle()).impact_speed
    long = speed_profile(bend_then_straight(lead + extra, radius, tail), vehicle()).impact_speed
    assert long >= short - 1e-9


@given(v0=st.floats(0.0, 40.0), dv=st.floats(0.0, 10.0), s=st.floats(0.0, 300.0))
def test_gain_is_monotone_in_entry_speed(v0: float, dv: float, s: float) -> None:
    car = vehicle(power_w=60_000.0)
    assert float(gain(v0 + dv, s, car)) >= float(gain(v0, s, car)) - 1e-9
