"""A stored plan's schedule as CSV and iCalendar, through the engine's own writers."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from placeguard.core.spreadsheet import neutralise_row
from placeguard.engines.allocation.schedules import Assignment, Schedule
from placeguard.web.allocation.models import PatrolPlan

__all__ = ["schedule_csv", "schedule_ics", "schedule_of", "site_labels"]


def site_labels(plan: PatrolPlan) -> dict[int, str]:
    """Site id → name, as stored with the plan."""
    return {int(s["id"]): str(s["name"]) for s in plan.results.get("sites", [])}


def schedule_of(plan: PatrolPlan) -> Schedule:
    """The stored assignments as the engine's :class:`Schedule`, sites named."""
    stored: dict[str, Any] = plan.results.get("schedule", {})
    labels = site_labels(plan)
    assignments = tuple(
        Assignment(
            day=date.fromisoformat(a["date"]),
            shift=int(a["shift"]) - 1,
            start=datetime.fromisoformat(a["start"]),
            end=datetime.fromisoformat(a["end"]),
            team=str(a["team"]),
            site=labels.get(int(a["site"]), str(a["site"])) if a["site"] is not None else None,
        )
        for a in stored.get("assignments", [])
    )
    return Schedule(int(stored.get("seed", 0)), assignments, str(stored.get("method", "")))


def schedule_csv(plan: PatrolPlan) -> str:
    """``date, shift, start, end, team, site, post`` rows."""
    rows = schedule_of(plan).csv_rows()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(rows[0])
    # Site and team names are user text: guard spreadsheet formula injection.
    writer.writerows([neutralise_row(row) for row in rows[1:]])
    return buffer.getvalue()


def schedule_ics(plan: PatrolPlan) -> str:
    """RFC 5545 calendar of every post (floating local times)."""
    return schedule_of(plan).to_ics(stamp=plan.created_at, name=plan.name)
