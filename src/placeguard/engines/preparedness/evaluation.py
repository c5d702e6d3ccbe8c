"""Exercise evaluation: P/S/M/U ratings per critical task, rolled up per objective and capability.

HSEEP leaves the final rating to the evaluators' judgement; PlaceGuard computes a *suggested*
rating by a fixed, documented rule (docs/preparedness-method.md):

1. **Task.** When several evaluators rate one critical task, the task rating is the median of
   their ratings; with an even count the worse of the two middle ratings is taken.
2. **Objective** (capability target). The worst rating among its rated critical tasks: a target
   is met only as well as its weakest critical task. Tasks without any rating make the
   objective ``complete=False`` and are listed.
3. **Capability.** The worst rating among the objectives that exercise it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CapabilityRating",
    "ObjectiveRating",
    "Rating",
    "TaskRating",
    "roll_up",
]


class Rating(StrEnum):
    """HSEEP performance ratings, best first."""

    P = "P"  # performed without challenges
    S = "S"  # performed with some challenges
    M = "M"  # performed with major challenges
    U = "U"  # unable to be performed

    @property
    def rank(self) -> int:
        """0 for P (best) to 3 for U (worst)."""
        return "PSMU".index(self.value)


@dataclass(frozen=True, slots=True)
class TaskRating:
    """One evaluator's rating of one critical task, with the observation behind it."""

    objective: str
    task: str
    evaluator: str
    rating: Rating
    observation: str = ""


@dataclass(frozen=True, slots=True)
class ObjectiveRating:
    """Suggested rating of one objective."""

    objective: str
    capability: str
    rating: Rating | None
    task_ratings: Mapping[str, Rating]
    unrated_tasks: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Every critical task has at least one rating."""
        return not self.unrated_tasks


@dataclass(frozen=True, slots=True)
class CapabilityRating:
    """Suggested rating of one capability across its objectives."""

    capability: str
    rating: Rating | None
    objectives: tuple[str, ...]
    counts: Mapping[Rating, int]


def worst(ratings: Iterable[Rating]) -> Rating | None:
    """The worst rating, or ``None`` when there is none."""
    return max(ratings, key=lambda r: r.rank, default=None)


def task_rating(ratings: Sequence[Rating]) -> Rating:
    """Median of several evaluators' ratings, ties resolved toward the worse rating."""
    if not ratings:
        msg = "no ratings"
        raise ValueError(msg)
    ordered = sorted(ratings, key=lambda r: r.rank)
    return ordered[len(ordered) // 2]


def roll_up(
    objectives: Mapping[str, tuple[str, Sequence[str]]],
    ratings: Iterable[TaskRating],
) -> tuple[tuple[ObjectiveRating, ...], tuple[CapabilityRating, ...]]:
    """Objective and capability ratings.

    ``objectives`` maps an objective id to ``(capability, critical task ids)``. A rating for an
    unknown objective or task raises ``ValueError`` (it would otherwise be silently dropped).
    """
    collected: dict[tuple[str, str], list[Rating]] = {}
    for item in ratings:
        if item.objective not in objectives or item.task not in objectives[item.objective][1]:
            msg = f"rating for unknown objective/task {item.objective}/{item.task}"
            raise ValueError(msg)
        collected.setdefault((item.objective, item.task), []).append(item.rating)
    by_objective: list[ObjectiveRating] = []
    for objective, (capability, tasks) in objectives.items():
        rated = {
            t: task_rating(collected[objective, t]) for t in tasks if (objective, t) in collected
        }
        by_objective.append(
            ObjectiveRating(
                objective=objective,
                capability=capability,
                rating=worst(rated.values()),
                task_ratings=rated,
                unrated_tasks=tuple(t for t in tasks if t not in rated),
            )
        )
    capabilities: dict[str, list[ObjectiveRating]] = {}
    for rated_objective in by_objective:
        capabilities.setdefault(rated_objective.capability, []).append(rated_objective)
    by_capability = tuple(
        CapabilityRating(
            capability=capability,
            rating=worst(o.rating for o in items if o.rating is not None),
            objectives=tuple(o.objective for o in items),
            counts=dict(Counter(o.rating for o in items if o.rating is not None)),
        )
        for capability, items in capabilities.items()
    )
    return tuple(by_objective), by_capability
