"""After-action report / improvement plan (AAR/IP) for exercises and real incidents.

Strengths and areas for improvement (each with its root cause) per capability; corrective
actions classified by capability element (planning, organisation, equipment, training,
exercises), each with owner organisation, contact, start and due dates and status.
An action is **overdue** on a given day when it is neither completed nor cancelled and its due
date is before that day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from placeguard.core.errors import FieldError, ValidationError

__all__ = [
    "ActionStatus",
    "AfterActionReport",
    "AreaForImprovement",
    "CapabilityElement",
    "CorrectiveAction",
    "Overdue",
    "Strength",
    "overdue_actions",
    "summarise",
    "validate_aar",
]


class CapabilityElement(StrEnum):
    """Where a corrective action acts (HSEEP's POETE elements)."""

    PLANNING = "planning"
    ORGANISATION = "organisation"
    EQUIPMENT = "equipment"
    TRAINING = "training"
    EXERCISES = "exercises"


class ActionStatus(StrEnum):
    """Life cycle of a corrective action."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def closed(self) -> bool:
        """Completed or cancelled."""
        return self in (ActionStatus.COMPLETED, ActionStatus.CANCELLED)


@dataclass(frozen=True, slots=True)
class Strength:
    """Something that went well."""

    capability: str
    text: str
    objective: str = ""


@dataclass(frozen=True, slots=True)
class AreaForImprovement:
    """Something that did not go well, and why."""

    id: str
    capability: str
    observation: str
    root_cause: str
    objective: str = ""


@dataclass(frozen=True, slots=True)
class CorrectiveAction:
    """One improvement-plan row."""

    id: str
    area: str
    description: str
    element: CapabilityElement
    owner_org: str
    contact: str
    start: dt.date
    due: dt.date
    status: ActionStatus = ActionStatus.OPEN
    completed_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class AfterActionReport:
    """An AAR/IP for an exercise (``kind="exercise"``) or a real incident (``"incident"``)."""

    title: str
    kind: str
    event_date: dt.date
    strengths: tuple[Strength, ...] = ()
    areas: tuple[AreaForImprovement, ...] = ()
    actions: tuple[CorrectiveAction, ...] = ()


@dataclass(frozen=True, slots=True)
class Overdue:
    """An overdue corrective action and by how many days."""

    action: str
    owner_org: str
    due: dt.date
    days: int


def validate_aar(report: AfterActionReport) -> None:
    """Raise ``ValidationError`` naming every problem (all at once)."""
    errors: list[FieldError] = []
    if report.kind not in {"exercise", "incident"}:
        errors.append(FieldError("kind", "expected exercise or incident"))
    area_ids = [a.id for a in report.areas]
    for i, area in enumerate(report.areas):
        if area_ids.index(area.id) != i:
            errors.append(FieldError(f"areas[{i}].id", f"duplicate id {area.id!r}"))
        if not area.root_cause.strip():
            errors.append(FieldError(f"areas[{i}].root_cause", "a root cause is required"))
    action_ids = [a.id for a in report.actions]
    for i, action in enumerate(report.actions):
        where = f"actions[{i}]"
        if action_ids.index(action.id) != i:
            errors.append(FieldError(f"{where}.id", f"duplicate id {action.id!r}"))
        if action.area not in area_ids:
            errors.append(
                FieldError(f"{where}.area", f"unknown area for improvement {action.area!r}")
            )
        for name in ("owner_org", "contact", "description"):
            if not getattr(action, name).strip():
                errors.append(FieldError(f"{where}.{name}", "required"))
        if action.due < action.start:
            errors.append(FieldError(f"{where}.due", "due date is before the start date"))
        if (action.status is ActionStatus.COMPLETED) != (action.completed_on is not None):
            errors.append(
                FieldError(f"{where}.completed_on", "set exactly when the action is completed")
            )
    if errors:
        msg = "The after-action report is incomplete."
        raise ValidationError(msg, errors=errors)


def overdue_actions(actions: Sequence[CorrectiveAction], today: dt.date) -> tuple[Overdue, ...]:
    """Open or in-progress actions whose due date is before ``today``, most overdue first."""
    flags = [
        Overdue(a.id, a.owner_org, a.due, (today - a.due).days)
        for a in actions
        if not a.status.closed and a.due < today
    ]
    return tuple(sorted(flags, key=lambda f: (-f.days, f.action)))


@dataclass(frozen=True, slots=True)
class ImprovementSummary:
    """Counts for an improvement plan on a given day."""

    by_element: dict[CapabilityElement, int]
    by_status: dict[ActionStatus, int]
    overdue: tuple[Overdue, ...]
    areas_without_action: tuple[str, ...]


def summarise(report: AfterActionReport, today: dt.date) -> ImprovementSummary:
    """Actions by element and status, overdue flags, and areas nobody has acted on."""
    covered = {a.area for a in report.actions if a.status is not ActionStatus.CANCELLED}
    return ImprovementSummary(
        by_element=dict(Counter(a.element for a in report.actions)),
        by_status=dict(Counter(a.status for a in report.actions)),
        overdue=overdue_actions(report.actions, today),
        areas_without_action=tuple(a.id for a in report.areas if a.id not in covered),
    )
