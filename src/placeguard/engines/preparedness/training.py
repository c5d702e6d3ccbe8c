"""Training evaluation: normalised gain, Kirkpatrick evidence and programme indicators.

Hake's normalised gain for one participant is ``g = (post − pre) / (max − pre)``: the share of
the possible improvement that was achieved. It is undefined when ``pre = max``; such
participants are excluded from individual gains and counted. For a cohort two figures are
reported, because they differ and both are in use:

* ``g_of_averages = (⟨post⟩ − ⟨pre⟩) / (max − ⟨pre⟩)`` (Hake's ⟨g⟩), and
* ``average_of_gains`` = the mean of the individual ``g``.

Scores are first expressed as a fraction of each test's maximum, so courses with different
maxima can be pooled. Participants lacking a pre or post score are counted as incomplete.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import fmean

from placeguard.engines.preparedness.evaluation import ObjectiveRating

__all__ = [
    "NOT_STATED",
    "CohortGain",
    "FollowUp",
    "IndicatorReport",
    "KirkpatrickEvidence",
    "LevelSummary",
    "Scores",
    "TrainingRecord",
    "cohort_gain",
    "evidence_from_exercise",
    "gain_band",
    "indicator_report",
    "kirkpatrick_summary",
    "normalised_gain",
]

#: The gender category for participants who did not state one (gender is never required).
NOT_STATED = "not stated"


def normalised_gain(pre: float, post: float, max_score: float) -> float | None:
    """``(post − pre)/(max − pre)``; ``None`` when ``pre == max`` (no room to improve)."""
    if max_score <= 0:
        msg = "max_score must be > 0"
        raise ValueError(msg)
    for name, value in (("pre", pre), ("post", post)):
        if not 0 <= value <= max_score:
            msg = f"{name} score {value} is outside 0..{max_score}"
            raise ValueError(msg)
    if pre == max_score:
        return None
    return (post - pre) / (max_score - pre)


def gain_band(g: float | None) -> str:
    """Hake's bands: ``low`` (< 0.3), ``medium`` (0.3–0.7), ``high`` (> 0.7), at 1e-9."""
    if g is None:
        return "undefined"
    g = round(g, 9)  # a cohort at exactly 0.7 must not become "high" by rounding error
    if g < 0.3:
        return "low"
    return "high" if g > 0.7 else "medium"


@dataclass(frozen=True, slots=True)
class Scores:
    """One participant's test scores (``None`` = test not taken)."""

    participant: str
    pre: float | None
    post: float | None
    max_score: float = 100.0


@dataclass(frozen=True, slots=True)
class CohortGain:
    """Cohort learning-gain figures; means are percentages of the maximum score."""

    n_complete: int
    n_incomplete: int
    n_excluded_at_ceiling: int
    mean_pre_pct: float | None
    mean_post_pct: float | None
    g_of_averages: float | None
    average_of_gains: float | None
    individual: tuple[tuple[str, float | None], ...]

    @property
    def band(self) -> str:
        """Hake band of ``g_of_averages``."""
        return gain_band(self.g_of_averages)


def cohort_gain(scores: Iterable[Scores]) -> CohortGain:
    """Individual and cohort normalised gains (see the module docstring for the rules)."""
    complete: list[tuple[str, float, float]] = []
    incomplete = 0
    for item in scores:
        if item.pre is None or item.post is None:
            incomplete += 1
            continue
        normalised_gain(item.pre, item.post, item.max_score)  # validates the ranges
        complete.append((item.participant, item.pre / item.max_score, item.post / item.max_score))
    individual = tuple((pid, normalised_gain(pre, post, 1.0)) for pid, pre, post in complete)
    defined = [g for _, g in individual if g is not None]
    if not complete:
        return CohortGain(0, incomplete, 0, None, None, None, None, ())
    mean_pre = fmean(pre for _, pre, _ in complete)
    mean_post = fmean(post for _, _, post in complete)
    return CohortGain(
        n_complete=len(complete),
        n_incomplete=incomplete,
        n_excluded_at_ceiling=len(individual) - len(defined),
        mean_pre_pct=100 * mean_pre,
        mean_post_pct=100 * mean_post,
        g_of_averages=None if mean_pre >= 1.0 else (mean_post - mean_pre) / (1.0 - mean_pre),
        average_of_gains=fmean(defined) if defined else None,
        individual=individual,
    )


# ------------------------------------------------------------------------------ Kirkpatrick
_LEVELS = {1: "reaction", 2: "learning", 3: "behaviour", 4: "results"}


@dataclass(frozen=True, slots=True)
class KirkpatrickEvidence:
    """One piece of evidence at one Kirkpatrick level."""

    level: int
    description: str
    source: str
    date: dt.date | None = None

    def __post_init__(self) -> None:
        if self.level not in _LEVELS:
            msg = f"Kirkpatrick level must be 1–4, got {self.level}"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class LevelSummary:
    """What is known at one level."""

    level: int
    name: str
    evidenced: bool
    items: int
    sources: tuple[str, ...]
    headline: str


def evidence_from_exercise(
    ratings: Sequence[ObjectiveRating], exercise: str, date: dt.date, *, level: int = 3
) -> tuple[KirkpatrickEvidence, ...]:
    """Level 3 (behaviour) evidence from a later exercise's ratings of trained staff."""
    return tuple(
        KirkpatrickEvidence(
            level,
            f"objective {r.objective} ({r.capability}) rated {r.rating.value}",
            exercise,
            date,
        )
        for r in ratings
        if r.rating is not None
    )


def kirkpatrick_summary(
    evidence: Iterable[KirkpatrickEvidence],
    *,
    satisfaction_mean: float | None = None,
    satisfaction_scale: float = 5.0,
    gain: CohortGain | None = None,
) -> tuple[LevelSummary, ...]:
    """One line per level; levels 1 and 2 also count a satisfaction mean and a cohort gain."""
    grouped: dict[int, list[KirkpatrickEvidence]] = {level: [] for level in _LEVELS}
    for item in evidence:
        grouped[item.level].append(item)
    out: list[LevelSummary] = []
    for level, name in _LEVELS.items():
        items = grouped[level]
        headline = f"{len(items)} item(s) of evidence" if items else "no evidence yet"
        extra = 0
        if level == 1 and satisfaction_mean is not None:
            headline = f"mean satisfaction {satisfaction_mean:.2f} / {satisfaction_scale:g}"
            extra = 1
        if level == 2 and gain is not None and gain.g_of_averages is not None:
            headline = (
                f"normalised gain {gain.g_of_averages:.2f} ({gain.band}); "
                f"{gain.n_complete} complete, {gain.n_incomplete} incomplete"
            )
            extra = 1
        out.append(
            LevelSummary(
                level,
                name,
                bool(items) or extra > 0,
                len(items),
                tuple(dict.fromkeys(i.source for i in items)),
                headline,
            )
        )
    return tuple(out)


# ------------------------------------------------------------------------------ indicators
@dataclass(frozen=True, slots=True)
class TrainingRecord:
    """One participant in one course."""

    participant: str
    course: str
    country: str
    sector: str
    topic: str
    attended: bool = True
    gender: str | None = None
    satisfaction: float | None = None
    pre: float | None = None
    post: float | None = None
    max_score: float = 100.0


@dataclass(frozen=True, slots=True)
class FollowUp:
    """The six-month follow-up of one course."""

    course: str
    due: dt.date
    completed_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class IndicatorReport:
    """Programme indicators (counts are distinct officials who attended)."""

    officials_trained: int
    by_country: dict[str, int]
    by_sector: dict[str, int]
    by_gender: dict[str, int]
    by_topic: dict[str, int]
    satisfaction_mean: float | None
    satisfaction_responses: int
    learning: CohortGain
    followups_due: int
    followups_completed: int

    @property
    def followup_completion_rate(self) -> float | None:
        """Completed ÷ due follow-ups (``None`` when none is due)."""
        return self.followups_completed / self.followups_due if self.followups_due else None


def _distinct(records: Sequence[TrainingRecord], key: str) -> dict[str, int]:
    pairs = {(r.participant, _dimension(r, key)) for r in records}
    return dict(sorted(Counter(value for _, value in pairs).items()))


def _dimension(record: TrainingRecord, key: str) -> str:
    if key == "gender":
        return (record.gender or "").strip() or NOT_STATED
    value: str = getattr(record, key)
    return value


def indicator_report(
    records: Sequence[TrainingRecord], followups: Sequence[FollowUp], *, as_of: dt.date
) -> IndicatorReport:
    """Officials trained (by country, sector, gender, topic), satisfaction, learning gain and
    follow-up completion as of ``as_of``.

    Only attended records count. An official trained in two topics counts once in the total
    and once under each topic. A follow-up is *due* when its due date is on or before
    ``as_of`` and *completed* when it was completed on or before ``as_of``.
    """
    attended = [r for r in records if r.attended]
    answers = [r.satisfaction for r in attended if r.satisfaction is not None]
    due = [f for f in followups if f.due <= as_of]
    return IndicatorReport(
        officials_trained=len({r.participant for r in attended}),
        by_country=_distinct(attended, "country"),
        by_sector=_distinct(attended, "sector"),
        by_gender=_distinct(attended, "gender"),
        by_topic=_distinct(attended, "topic"),
        satisfaction_mean=fmean(answers) if answers else None,
        satisfaction_responses=len(answers),
        learning=cohort_gain(
            Scores(f"{r.participant}@{r.course}", r.pre, r.post, r.max_score) for r in attended
        ),
        followups_due=len(due),
        followups_completed=sum(
            1 for f in due if f.completed_on is not None and f.completed_on <= as_of
        ),
    )
