"""Site time profiles: a weekly opening schedule plus dated special events.

A time profile answers "is the site open at this moment, and how many people are expected
there?". It is stored as JSON on a site and validated here, so the web layer, the importers
and later engines (risk exposure, patrol timing) all read it the same way.

JSON shape (all times are local to the site's time zone, ``HH:MM``, 24-hour)::

    {
      "weekly": {"mon": [["08:00", "22:00"]], "sun": [["10:00", "12:30"], ["17:00", "19:00"]]},
      "typical_share": 0.6,
      "events": [{"name": "Cup final", "start": "2027-05-01T15:00", "end": "2027-05-01T19:00",
                  "expected_attendance": 42000}]
    }

An interval whose end is earlier than its start runs past midnight into the next day;
``"00:00"``–``"24:00"`` means the whole day. ``typical_share`` is the share of the
peak capacity present, on average, while the site is open.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from placeguard.core.errors import FieldError, ValidationError

__all__ = ["DAYS", "Event", "Interval", "TimeProfile"]

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_MINUTES_PER_DAY = 24 * 60


def _parse_hhmm(value: object, where: str, errors: list[FieldError]) -> int | None:
    """Minutes since midnight for ``HH:MM`` (``24:00`` allowed), or record an error."""
    if not isinstance(value, str) or not (m := _HHMM.match(value)):
        errors.append(FieldError(where, f"expected a time as HH:MM, got {value!r}"))
        return None
    minutes = int(m.group(1)) * 60 + int(m.group(2))
    if minutes > _MINUTES_PER_DAY:
        errors.append(FieldError(where, f"{value} is past 24:00"))
        return None
    return minutes


@dataclass(frozen=True, slots=True)
class Interval:
    """Opening interval in minutes since local midnight; ``end < start`` wraps past midnight."""

    start: int
    end: int

    @property
    def minutes(self) -> int:
        """Length of the interval in minutes."""
        if self.end > self.start:
            return self.end - self.start
        return _MINUTES_PER_DAY - self.start + self.end

    def as_json(self) -> list[str]:
        """``["HH:MM", "HH:MM"]``."""
        return [f"{m // 60:02d}:{m % 60:02d}" for m in (self.start, self.end)]


@dataclass(frozen=True, slots=True)
class Event:
    """A dated special event (naive local datetimes) with its expected attendance."""

    name: str
    start: datetime
    end: datetime
    expected_attendance: int

    def as_json(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "name": self.name,
            "start": self.start.isoformat(timespec="minutes"),
            "end": self.end.isoformat(timespec="minutes"),
            "expected_attendance": self.expected_attendance,
        }


@dataclass(frozen=True, slots=True)
class TimeProfile:
    """Weekly schedule and special events of one site.

    Attributes
    ----------
    weekly : mapping of day id (``"mon"`` … ``"sun"``) to opening intervals.
    events : dated special events; during an event the site counts as open.
    typical_share : share of peak capacity present, on average, while open (0–1).
    """

    weekly: Mapping[str, tuple[Interval, ...]] = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    typical_share: float = 0.6

    # ------------------------------------------------------------------ parsing
    @classmethod
    def from_json(cls, data: object) -> TimeProfile:
        """Validate and parse the stored JSON shape; raise ``ValidationError`` listing all problems.

        ``None`` or ``{}`` is an empty profile (never open except during events).
        """
        if data is None:
            return cls()
        errors: list[FieldError] = []
        msg = "Invalid time profile."
        if not isinstance(data, Mapping):
            raise ValidationError(
                msg, errors=[FieldError("time_profile", "expected a JSON object")]
            )
        unknown = set(data) - {"weekly", "events", "typical_share"}
        errors.extend(FieldError(f"time_profile.{k}", "unknown key") for k in sorted(unknown))
        weekly = cls._parse_weekly(data.get("weekly", {}), errors)
        events = cls._parse_events(data.get("events", []), errors)
        share = data.get("typical_share", 0.6)
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            errors.append(FieldError("time_profile.typical_share", "expected a number from 0 to 1"))
            share = 0.6
        if errors:
            raise ValidationError(msg, errors=errors)
        return cls(weekly=weekly, events=events, typical_share=float(share))

    @staticmethod
    def _parse_weekly(raw: object, errors: list[FieldError]) -> dict[str, tuple[Interval, ...]]:
        if not isinstance(raw, Mapping):
            errors.append(FieldError("time_profile.weekly", "expected an object keyed by day"))
            return {}
        weekly: dict[str, tuple[Interval, ...]] = {}
        for day, spans in raw.items():
            where = f"time_profile.weekly.{day}"
            if day not in DAYS:
                errors.append(FieldError(where, f"unknown day; use one of {', '.join(DAYS)}"))
                continue
            if not isinstance(spans, Sequence) or isinstance(spans, str):
                errors.append(FieldError(where, "expected a list of [open, close] pairs"))
                continue
            parsed: list[Interval] = []
            for i, span in enumerate(spans):
                if not isinstance(span, Sequence) or isinstance(span, str) or len(span) != 2:
                    errors.append(FieldError(f"{where}[{i}]", "expected [open, close]"))
                    continue
                start = _parse_hhmm(span[0], f"{where}[{i}]", errors)
                end = _parse_hhmm(span[1], f"{where}[{i}]", errors)
                if start is None or end is None:
                    continue
                if start == end:
                    errors.append(FieldError(f"{where}[{i}]", "open and close are equal"))
                    continue
                parsed.append(Interval(start % _MINUTES_PER_DAY, end))
            weekly[day] = tuple(sorted(parsed, key=lambda iv: iv.start))
        return weekly

    @staticmethod
    def _parse_events(raw: object, errors: list[FieldError]) -> tuple[Event, ...]:
        if not isinstance(raw, Sequence) or isinstance(raw, str):
            errors.append(FieldError("time_profile.events", "expected a list"))
            return ()
        events: list[Event] = []
        for i, item in enumerate(raw):
            where = f"time_profile.events[{i}]"
            if not isinstance(item, Mapping):
                errors.append(FieldError(where, "expected an object"))
                continue
            name = item.get("name")
            attendance = item.get("expected_attendance", 0)
            try:
                start = datetime.fromisoformat(str(item.get("start")))
                end = datetime.fromisoformat(str(item.get("end")))
            except ValueError:
                errors.append(FieldError(where, "start and end must be ISO date-times"))
                continue
            if start.tzinfo is not None or end.tzinfo is not None:
                errors.append(FieldError(where, "use local times without a UTC offset"))
                continue
            if not isinstance(name, str) or not name.strip():
                errors.append(FieldError(f"{where}.name", "required"))
                continue
            if end <= start:
                errors.append(FieldError(where, "end must be after start"))
                continue
            if isinstance(attendance, bool) or not isinstance(attendance, int) or attendance < 0:
                errors.append(
                    FieldError(f"{where}.expected_attendance", "expected a whole number ≥ 0")
                )
                continue
            events.append(Event(name.strip(), start, end, attendance))
        return tuple(sorted(events, key=lambda e: e.start))

    def as_json(self) -> dict[str, Any]:
        """The stored JSON shape (inverse of :meth:`from_json`)."""
        out: dict[str, Any] = {
            "weekly": {
                d: [iv.as_json() for iv in self.weekly[d]] for d in DAYS if d in self.weekly
            },
            "typical_share": self.typical_share,
        }
        if self.events:
            out["events"] = [e.as_json() for e in self.events]
        return out

    # ------------------------------------------------------------------ queries
    def weekly_open_minutes(self) -> int:
        """Total scheduled opening minutes in one week (events excluded)."""
        return sum(iv.minutes for spans in self.weekly.values() for iv in spans)

    def event_at(self, local: datetime) -> Event | None:
        """The special event running at naive local time ``local``, if any."""
        for event in self.events:
            if event.start <= local < event.end:
                return event
        return None

    def is_open(self, local: datetime) -> bool:
        """Whether the site is open (schedule or event) at naive local time ``local``."""
        if self.event_at(local) is not None:
            return True
        minute = local.hour * 60 + local.minute
        today = DAYS[local.weekday()]
        yesterday = DAYS[(local.weekday() - 1) % 7]
        for iv in self.weekly.get(today, ()):
            if iv.end > iv.start and iv.start <= minute < iv.end:
                return True
            if iv.end <= iv.start and minute >= iv.start:  # wraps: today's part
                return True
        # intervals of yesterday that run past midnight
        return any(iv.end <= iv.start and minute < iv.end for iv in self.weekly.get(yesterday, ()))

    def expected_people(self, local: datetime, capacity: int) -> int:
        """Expected people on site at ``local``.

        During an event the event's expected attendance (capped at nothing: events may exceed
        the everyday peak); otherwise ``typical_share × capacity`` while open and 0 when closed.
        """
        event = self.event_at(local)
        if event is not None:
            return event.expected_attendance
        if self.is_open(local):
            return round(self.typical_share * capacity)
        return 0

    def occupancy_hours(self, start: datetime, hours: int) -> list[int]:
        """Open (1) / closed (0) for each hour from ``start`` (sampled at the half hour)."""
        return [int(self.is_open(start + timedelta(hours=h, minutes=30))) for h in range(hours)]

    @staticmethod
    def always_open() -> TimeProfile:
        """A 24/7 profile (hospitals, public squares)."""
        whole_day = (Interval(0, _MINUTES_PER_DAY),)
        return TimeProfile(weekly=dict.fromkeys(DAYS, whole_day))
