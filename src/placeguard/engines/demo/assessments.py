"""Seeded risk-assessment answers for the demo country.

:func:`plan_assessments` is pure and deterministic for a seed: given the demo sites and the
questions the content pack asks each site type (id and number of options), it picks about a
third of the sites and answers their questionnaires, with an outcome for each (approved,
awaiting review, returned with a comment, or a draft in progress). The web loader carries the
plan out through the assessment services, so demo assessments pass the same checks as real ones.

Answers follow a *maturity* per site: drawn around a typical value for its type (transport hubs
and stadiums usually have professional security; places of worship and public spaces often rely
on volunteers), so results vary sensibly across the portfolio.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MATURITY",
    "OUTCOMES",
    "DemoAssessment",
    "demo_answers",
    "earlier_answers",
    "plan_assessments",
]

#: Typical security maturity (0 none … 1 best practice) of each site type.
MATURITY: dict[str, float] = {
    "transport_hub": 0.6,
    "venue": 0.56,
    "retail": 0.5,
    "health": 0.44,
    "hospitality": 0.4,
    "tourist_site": 0.36,
    "education": 0.34,
    "public_space": 0.26,
    "place_of_worship": 0.24,
}
#: Spread of maturity between sites of one type.
MATURITY_SPREAD = 0.18
#: Outcomes of demo assessments and their shares.
OUTCOMES: tuple[tuple[str, float], ...] = (
    ("approved", 0.68),
    ("submitted", 0.12),
    ("returned", 0.08),
    ("draft", 0.12),
)
#: Outcomes of a featured operator's first, second and third site.
FEATURED_OUTCOMES = ("approved", "draft", "submitted")
#: Share of approved assessments that replace an earlier approved one (a history to compare).
REASSESSED_SHARE = 0.15
#: Typical symbolic value (0–2) by site type: the choices and their weights.
_SYMBOLIC: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "place_of_worship": ((0.0, 0.5, 1.0, 2.0), (0.35, 0.35, 0.25, 0.05)),
    "tourist_site": ((0.5, 1.0, 2.0), (0.3, 0.5, 0.2)),
    "venue": ((0.5, 1.0, 2.0), (0.4, 0.45, 0.15)),
    "public_space": ((0.0, 0.5, 1.0), (0.4, 0.4, 0.2)),
    "transport_hub": ((0.5, 1.0), (0.6, 0.4)),
}
RETURN_COMMENTS = (
    "Please check this answer against the site plan we walked through on our visit.",
    "The answer does not match what we saw on the visit; please review it with your security lead.",
    "Several answers are marked unknown; please find out before we approve.",
    "Please describe the arrangements for large events, not only a normal day.",
)
APPROVE_COMMENTS = (
    "",
    "",
    "Reviewed with the site security lead; consistent with our visit.",
    "Approved. Please prioritise the vehicle access measures in the action plan.",
)


@dataclass(frozen=True, slots=True)
class DemoAssessment:
    """One demo assessment to create.

    ``site`` indexes the demo sites; ``earlier`` holds the answers of a previous approved
    assessment of the same site when it has a history.
    """

    site: int
    answers: dict[str, int | str]
    outcome: str
    threat_level: int = 3
    symbolic: float = 0.0
    threatened: bool = False
    comment: str = ""
    comment_question: str = ""
    earlier: dict[str, int | str] | None = field(default=None)


def demo_answers(
    questions: Sequence[tuple[str, int]],
    maturity: float,
    rng: random.Random,
    *,
    answered_share: float = 1.0,
) -> dict[str, int | str]:
    """Answers to ``questions`` ((id, number of options), options worst to best).

    Each answer is the option nearest ``maturity`` on the question's scale, give or take about
    one option; less mature sites know less about themselves, so more answers are "unknown".
    With ``answered_share`` < 1, only that share of the questions (in order) is answered — a
    questionnaire left part-way.
    """
    unknown = 0.03 + 0.12 * (1.0 - maturity)
    n_answered = round(len(questions) * min(max(answered_share, 0.0), 1.0))
    answers: dict[str, int | str] = {}
    for qid, n_options in questions[:n_answered]:
        roll = rng.random()
        if roll < unknown:
            answers[qid] = "unknown"
        elif roll < unknown + 0.02:
            answers[qid] = "n/a"
        else:
            target = maturity * (n_options - 1) + rng.gauss(0.0, 0.8)
            answers[qid] = min(max(round(target), 0), n_options - 1)
    return answers


def earlier_answers(
    answers: Mapping[str, int | str],
    rng: random.Random,
    *,
    changed_share: float = 0.2,
) -> dict[str, int | str]:
    """The answers of a year before: about ``changed_share`` of them one or two options
    weaker, or not known yet, since the site has improved since."""
    earlier: dict[str, int | str] = dict(answers)
    for qid, value in answers.items():
        if rng.random() >= changed_share:
            continue
        if isinstance(value, int) and value > 0 and rng.random() < 0.8:
            earlier[qid] = max(0, value - rng.choice((1, 1, 2)))
        elif isinstance(value, int):
            earlier[qid] = "unknown"
    return earlier


def _outcome(rng: random.Random) -> str:
    names = [name for name, _share in OUTCOMES]
    return rng.choices(names, [share for _name, share in OUTCOMES])[0]


def plan_assessments(
    sites: Sequence[Mapping[str, Any]],
    questions: Mapping[str, Sequence[tuple[str, int]]],
    *,
    seed: int,
    share: float = 1 / 3,
    featured_operators: Collection[str] = (),
    featured_per_operator: int = 3,
) -> list[DemoAssessment]:
    """Choose about ``share`` of the sites and plan an assessment of each.

    Parameters
    ----------
    sites : sequence of mapping
        The demo sites in the importer's input format (``site_type`` and ``operator`` used).
    questions : mapping
        Site type → the questions asked for it, as (id, number of options), in pack order.
    seed : int
        Seed of the random generator; the same inputs and seed give the same plan.
    share : float
        Share of the sites to assess.
    featured_operators : collection of str
        Operators (slugs) of whom up to ``featured_per_operator`` sites are always assessed,
        so that every demo persona has assessments to look at.

    Returns
    -------
    list of DemoAssessment
        In site order.
    """
    rng = random.Random(seed * 7919 + 13)
    count = round(len(sites) * share)
    chosen: set[int] = set()
    for operator in featured_operators:
        own = [i for i, s in enumerate(sites) if s["operator"] == operator]
        chosen.update(own[:featured_per_operator])
    rest = [i for i in range(len(sites)) if i not in chosen]
    rng.shuffle(rest)
    chosen.update(rest[: max(0, count - len(chosen))])
    # Each featured operator gets one of each state a persona should see: an approved
    # assessment (with its follow-up), one awaiting review and a draft in progress.
    featured_outcomes: dict[int, str] = {}
    for operator in featured_operators:
        own = [i for i, s in enumerate(sites) if s["operator"] == operator]
        for n, i in enumerate(own[:featured_per_operator]):
            featured_outcomes[i] = FEATURED_OUTCOMES[n % len(FEATURED_OUTCOMES)]
    plans: list[DemoAssessment] = []
    for i in sorted(chosen):
        site_type = str(sites[i]["site_type"])
        asked = list(questions.get(site_type, ()))
        if not asked:
            continue
        typical = MATURITY.get(site_type, 0.45)
        maturity = min(max(rng.gauss(typical, MATURITY_SPREAD), 0.05), 0.95)
        outcome = _outcome(rng)
        outcome = featured_outcomes.get(i, outcome)
        share_answered = rng.uniform(0.25, 0.7) if outcome == "draft" else 1.0
        answers = demo_answers(asked, maturity, rng, answered_share=share_answered)
        earlier = None
        history = rng.random() < REASSESSED_SHARE or featured_outcomes.get(i) == "approved"
        if outcome == "approved" and history:
            earlier = earlier_answers(answers, rng)
        values, weights = _SYMBOLIC.get(site_type, ((0.0, 0.5), (0.7, 0.3)))
        comment, about = "", ""
        if outcome == "returned":
            comment = rng.choice(RETURN_COMMENTS)
            about = rng.choice([qid for qid, _n in asked])
        elif outcome == "approved":
            comment = rng.choice(APPROVE_COMMENTS)
        plans.append(
            DemoAssessment(
                site=i,
                answers=answers,
                outcome=outcome,
                threat_level=3,
                symbolic=rng.choices(values, weights)[0],
                threatened=rng.random() < 0.05,
                comment=comment,
                comment_question=about,
                earlier=earlier,
            )
        )
    return plans
