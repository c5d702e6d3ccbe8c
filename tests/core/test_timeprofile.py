"""Time profiles: hand-computed cases, validation, and hypothesis properties."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placeguard.core.errors import ValidationError
from placeguard.core.timeprofile import DAYS, TimeProfile

MON = datetime(2027, 3, 1)  # noqa: DTZ001 - a Monday, naive local time as profiles use


def at(day: int, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return MON + timedelta(days=day, hours=h, minutes=m)


def test_simple_weekday_hours() -> None:
    p = TimeProfile.from_json({"weekly": {"mon": [["09:00", "17:30"]]}})
    assert not p.is_open(at(0, "08:59"))
    assert p.is_open(at(0, "09:00"))
    assert p.is_open(at(0, "17:29"))
    assert not p.is_open(at(0, "17:30"))
    assert not p.is_open(at(1, "12:00"))  # Tuesday
    assert p.weekly_open_minutes() == 510


def test_interval_past_midnight_belongs_to_the_day_it_starts() -> None:
    p = TimeProfile.from_json({"weekly": {"fri": [["18:00", "02:00"]]}})
    assert p.is_open(at(4, "23:30"))  # Friday night
    assert p.is_open(at(5, "01:59"))  # early Saturday, still Friday's opening
    assert not p.is_open(at(5, "02:00"))
    assert not p.is_open(at(0, "01:00"))  # Monday early: Sunday had no opening
    assert p.weekly_open_minutes() == 8 * 60


def test_whole_day_and_always_open() -> None:
    p = TimeProfile.always_open()
    assert p.weekly_open_minutes() == 7 * 24 * 60
    assert all(p.is_open(at(d, "00:00")) and p.is_open(at(d, "23:59")) for d in range(7))


def test_events_open_the_site_and_set_the_crowd() -> None:
    p = TimeProfile.from_json({
        "weekly": {},
        "events": [{"name": "Final", "start": "2027-03-06T15:00", "end": "2027-03-06T19:00", "expected_attendance": 42000}],
    })  # fmt: skip
    assert p.expected_people(at(5, "16:00"), capacity=30000) == 42000
    assert p.expected_people(at(5, "20:00"), capacity=30000) == 0
    assert p.is_open(at(5, "15:00")) and not p.is_open(at(5, "19:00"))


def test_expected_people_uses_the_typical_share() -> None:
    p = TimeProfile.from_json({"weekly": {"mon": [["00:00", "24:00"]]}, "typical_share": 0.25})
    assert p.expected_people(at(0, "12:00"), capacity=1000) == 250


def test_occupancy_hours() -> None:
    p = TimeProfile.from_json({"weekly": {"mon": [["09:00", "12:00"]]}})
    assert p.occupancy_hours(at(0, "08:00"), 5) == [0, 1, 1, 1, 0]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"weekly": {"funday": []}}, "time_profile.weekly.funday"),
        ({"weekly": {"mon": [["9:00", "17:00"]]}}, "time_profile.weekly.mon[0]"),
        ({"weekly": {"mon": [["09:00", "24:30"]]}}, "time_profile.weekly.mon[0]"),
        ({"weekly": {"mon": [["09:00", "09:00"]]}}, "time_profile.weekly.mon[0]"),
        ({"weekly": {"mon": "09-17"}}, "time_profile.weekly.mon"),
        ({"weekly": []}, "time_profile.weekly"),
        ({"typical_share": 1.5}, "time_profile.typical_share"),
        ({"typical_share": True}, "time_profile.typical_share"),
        ({"colour": "red"}, "time_profile.colour"),
        (
            {"events": [{"name": "X", "start": "2027-01-02T10:00", "end": "2027-01-02T09:00"}]},
            "time_profile.events[0]",
        ),
        (
            {"events": [{"name": "X", "start": "yesterday", "end": "today"}]},
            "time_profile.events[0]",
        ),
        (
            {"events": [{"name": "", "start": "2027-01-02T10:00", "end": "2027-01-02T11:00"}]},
            "time_profile.events[0].name",
        ),
        (
            {
                "events": [
                    {
                        "name": "X",
                        "start": "2027-01-02T10:00",
                        "end": "2027-01-02T11:00",
                        "expected_attendance": -1,
                    }
                ]
            },
            "time_profile.events[0].expected_attendance",
        ),
    ],
)
def test_invalid_profiles_name_the_field(data: object, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        TimeProfile.from_json(data)
    assert field in {e.field for e in info.value.errors}


def test_all_problems_are_reported_together() -> None:
    with pytest.raises(ValidationError) as info:
        TimeProfile.from_json(
            {"weekly": {"mon": [["x", "y"]], "sun": [["25:00", "26:00"]]}, "typical_share": 9}
        )
    assert len(info.value.errors) >= 4


def test_not_an_object() -> None:
    with pytest.raises(ValidationError):
        TimeProfile.from_json([1, 2])


times = st.integers(min_value=0, max_value=24 * 60).map(lambda m: f"{m // 60:02d}:{m % 60:02d}")
spans = st.tuples(times, times).filter(lambda s: s[0] != s[1] and s[0] != "24:00").map(list)
weekly = st.dictionaries(st.sampled_from(DAYS), st.lists(spans, max_size=3), max_size=7)


@given(weekly)
def test_json_round_trip(week: dict[str, list[list[str]]]) -> None:
    profile = TimeProfile.from_json({"weekly": week})
    again = TimeProfile.from_json(profile.as_json())
    assert again == profile


@given(weekly, st.integers(min_value=0, max_value=7 * 24 * 60 - 1))
def test_is_open_agrees_with_a_minute_by_minute_oracle(
    week: dict[str, list[list[str]]], minute: int
) -> None:
    """Naive oracle: paint every open minute of a two-week timeline, then look one up."""
    profile = TimeProfile.from_json({"weekly": week})
    timeline = [False] * (8 * 24 * 60)
    for day_index, day in enumerate(DAYS):
        for iv in profile.weekly.get(day, ()):
            start = day_index * 1440 + iv.start
            for m in range(start, start + iv.minutes):
                timeline[m % (7 * 1440)] = True  # Sunday's late hours wrap to Monday
    moment = MON + timedelta(minutes=minute)
    assert profile.is_open(moment) == timeline[minute]


@given(weekly)
def test_open_minutes_never_exceed_a_week(week: dict[str, list[list[str]]]) -> None:
    profile = TimeProfile.from_json({"weekly": week})
    assert profile.weekly_open_minutes() >= 0
