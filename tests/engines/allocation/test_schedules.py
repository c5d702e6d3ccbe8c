"""Shift plans: exact marginals, one site per team, districts, and the exports."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.core.errors import ValidationError
from placeguard.engines.allocation.schedules import _birkhoff, comb_sample, make_schedule

DRAWS = 2000


def bound(p: np.ndarray) -> np.ndarray:
    """Five standard errors of a binomial share over DRAWS draws (plus a hair)."""
    return 5 * np.sqrt(p * (1 - p) / DRAWS) + 1e-9


@settings(max_examples=15, deadline=None)
@given(
    weights=st.lists(st.floats(0, 1), min_size=1, max_size=12),
    slots=st.integers(1, 5),
    seed=st.integers(0, 2**32),
)
def test_comb_sampling_marginals_converge_to_the_coverage(
    weights: list, slots: int, seed: int
) -> None:
    c = np.array(weights)
    if c.sum() > slots:
        c = c * slots / c.sum()
    rng = np.random.default_rng(seed)
    counts = np.zeros(c.size)
    for _ in range(DRAWS):
        picked = comb_sample(c, slots, rng)
        assert len(set(picked.tolist())) == picked.size <= slots
        counts[picked] += 1
    assert np.all(np.abs(counts / DRAWS - c) <= bound(c))


def test_birkhoff_mixture_reproduces_the_matrix() -> None:
    z = np.array([[0.5, 0.3, 0.0, 0.1], [0.2, 0.2, 0.4, 0.0], [0.0, 0.4, 0.3, 0.3]])
    weights, assignments = _birkhoff(z)
    rebuilt = np.zeros_like(z)
    for w, a in zip(weights, assignments, strict=True):
        used = a[a >= 0]
        assert len(set(used.tolist())) == used.size  # a site gets at most one team
        for r, t in enumerate(a):
            if t >= 0:
                rebuilt[r, t] += w
    assert rebuilt == pytest.approx(z, abs=1e-9)


def posts(schedule: object) -> dict[tuple[str, int], dict[str, str | None]]:
    out: dict[tuple[str, int], dict[str, str | None]] = {}
    for a in schedule.assignments:  # type: ignore[attr-defined]
        out.setdefault((a.day.isoformat(), a.shift), {})[a.team] = a.site
    return out


def test_identical_teams_schedule_marginals_and_one_site_per_team() -> None:
    ids = ["a", "b", "c", "d"]
    c = np.array([0.9, 0.6, 0.3, 0.2])
    plan = make_schedule(ids=ids, coverage=c, teams=["T1", "T2"], days=DRAWS // 2,
                         shifts_per_day=2, start=date(2026, 1, 1), seed=5)  # fmt: skip
    shifts = posts(plan)
    assert len(shifts) == DRAWS
    counts = dict.fromkeys(ids, 0)
    for shift in shifts.values():
        assert set(shift) == {"T1", "T2"}
        sites = [s for s in shift.values() if s]
        assert len(sites) == len(set(sites))
        for s in sites:
            counts[s] += 1
    share = np.array([counts[i] for i in ids]) / DRAWS
    assert np.all(np.abs(share - c) <= bound(c))


def test_district_teams_only_go_to_their_district() -> None:
    ids = ["n1", "n2", "s1", "s2", "x"]
    y = np.array([[0.7, 0.3, 0, 0, 0], [0, 0, 0.5, 0.5, 0], [0.3, 0, 0, 0.2, 0.5]])
    c = y.sum(axis=0)
    plan = make_schedule(ids=ids, coverage=c, teams=["N", "S", "Any"], days=DRAWS, start=date(2026, 1, 1),
                         team_groups=[0, 1, 2], group_coverage=y, seed=11)  # fmt: skip
    assert plan.method == "birkhoff"  # group 2 overlaps the others
    allowed = {"N": {"n1", "n2"}, "S": {"s1", "s2"}, "Any": {"n1", "s2", "x"}}
    counts = dict.fromkeys(ids, 0)
    for shift in posts(plan).values():
        sites = [s for s in shift.values() if s]
        assert len(sites) == len(set(sites))
        for team, site in shift.items():
            assert site is None or site in allowed[team]
            if site:
                counts[site] += 1
    share = np.array([counts[i] for i in ids]) / DRAWS
    assert np.all(np.abs(share - c) <= bound(c))


def test_disjoint_districts_are_sampled_per_group() -> None:
    y = np.array([[0.5, 0.5, 0, 0], [0, 0, 1.0, 0.6]])
    plan = make_schedule(ids=["a", "b", "c", "d"], coverage=y.sum(axis=0), teams=["A", "B1", "B2"], days=50,
                         start=date(2026, 1, 1), team_groups=[0, 1, 1], group_coverage=y, seed=1)  # fmt: skip
    assert plan.method == "comb-per-group"
    for shift in posts(plan).values():
        assert shift["A"] in {"a", "b"}
        assert {shift["B1"], shift["B2"]} <= {"c", "d", None}
        assert "c" in {shift["B1"], shift["B2"]}  # covered with probability 1


def test_seed_is_recorded_and_reproducible_and_fresh_seeds_differ() -> None:
    args = {
        "ids": ["a", "b"],
        "coverage": np.array([0.5, 0.5]),
        "teams": ["T"],
        "days": 20,
        "start": date(2026, 1, 1),
    }
    first = make_schedule(**args, seed=42)  # type: ignore[arg-type]
    assert first.seed == 42
    assert make_schedule(**args, seed=42).assignments == first.assignments  # type: ignore[arg-type]
    fresh = {make_schedule(**args).seed for _ in range(5)}  # type: ignore[arg-type]
    assert len(fresh) == 5


def test_ics_is_structurally_valid() -> None:
    plan = make_schedule(ids=["Main hall, north; gate\\1"], coverage=np.array([1.0]), teams=["T1", "T2"],
                         days=3, shifts_per_day=2, start=date(2026, 5, 1), seed=3)  # fmt: skip
    text = plan.to_ics(stamp=datetime(2026, 4, 30, 12, 0, tzinfo=UTC))
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "\n" not in text.replace("\r\n", "")
    assert text.count("BEGIN:VEVENT") == text.count("END:VEVENT") == 3 * 2 * 2
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(set(uids)) == len(uids) == 12
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "DTSTAMP:20260430T120000Z" in lines
    assert "Main hall\\, north\\; gate\\\\1" in text.replace("\r\n ", "")
    assert "DTSTART:20260501T120000" in lines


def test_csv_rows_have_a_header_and_one_row_per_team_and_shift() -> None:
    plan = make_schedule(
        ids=["a"], coverage=np.array([0.0]), teams=["T"], days=2, start=date(2026, 1, 1), seed=0
    )
    rows = plan.csv_rows()
    assert rows[0] == ["date", "shift", "start", "end", "team", "site", "post"]
    assert [r[-1] for r in rows[1:]] == ["reserve", "reserve"]


def test_bad_schedule_inputs_are_all_listed() -> None:
    with pytest.raises(ValidationError) as info:
        make_schedule(ids=["a", "b"], coverage=np.array([1.0, 1.0]), teams=["T"], days=0,
                      shifts_per_day=0, start=date(2026, 1, 1))  # fmt: skip
    assert {e.field for e in info.value.errors} == {"teams", "days", "shifts_per_day"}
