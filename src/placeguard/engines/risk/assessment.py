"""One site's assessment: per-scenario risk, display scales, data gaps and explanations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from placeguard.core.timeprofile import TimeProfile
from placeguard.engines.risk.catalogue import RiskPack
from placeguard.engines.risk.engineering import (
    EngineeringFindings,
    adjustments,
    consequence_factors,
)
from placeguard.engines.risk.intel_threat import ThreatLikelihood, threat_links, threat_rates
from placeguard.engines.risk.model import RiskModel
from placeguard.engines.risk.scales import Scales, band_of, level

__all__ = ["Driver", "ScenarioRisk", "SiteAssessment", "SiteProfile", "assess", "model_for"]

_MODELS: dict[int, RiskModel] = {}


def model_for(pack: RiskPack) -> RiskModel:
    """The (cached) array model of a pack."""
    key = id(pack)
    if key not in _MODELS:
        _MODELS[key] = RiskModel(pack)
    return _MODELS[key]


@dataclass(frozen=True, slots=True)
class SiteProfile:
    """What the risk model needs to know about a site.

    ``people`` is the crowd that matters — the everyday peak (capacity) or, when the time
    profile has larger special events, the largest expected attendance.
    """

    site_type: str
    capacity: int
    symbolic: float = 0.0  # 0 none, 1 regional landmark, 2 national symbol
    threatened: bool = False  # specific threats or hostile reconnaissance reported
    impact: float = 1.0  # societal impact weight on consequence, 1–2
    time_profile: TimeProfile | None = None
    engineering: EngineeringFindings | None = None  # vehicle and evacuation results
    intel: tuple[ThreatLikelihood, ...] = ()  # data-derived threat per scenario (optional)

    @property
    def people(self) -> int:
        """Peak people present: capacity, or the largest event attendance if larger."""
        events = self.time_profile.events if self.time_profile is not None else ()
        return max([self.capacity, *(e.expected_attendance for e in events)])


@dataclass(frozen=True, slots=True)
class Driver:
    """Why a scenario's risk is what it is: one answer (or gap) and what improving it would do."""

    question_id: str
    text: str
    answer: str
    best: str
    risk_reduction: float  # expected casualties per year removed by the best answer
    share: float  # of the scenario's risk
    unknown: bool

    def sentence(self, scenario_name: str) -> str:
        """The driver in plain language."""
        said = "not known" if self.unknown else f"answered “{self.answer}”"
        return (
            f"{self.text} — {said}. Moving to “{self.best}” would cut the {scenario_name.lower()} "
            f"risk by {self.share:.0%}."
        )


@dataclass(frozen=True, slots=True)
class ScenarioRisk:
    """One scenario's numbers, their display forms and their drivers."""

    scenario: str
    name: str
    threat: float  # attempts per year
    vulnerability: float  # P(success | attempt)
    consequence: float  # expected casualties if successful
    risk: float  # expected casualties per year
    risk_low: float
    risk_high: float
    threat_level: int
    vulnerability_level: int
    consequence_level: int
    likelihood_level: int
    score: int  # 1–125
    band: str
    drivers: tuple[Driver, ...] = field(default=())
    adjustments: tuple[str, ...] = field(default=())  # site-engineering explanations

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "scenario": self.scenario,
            "name": self.name,
            "T": self.threat,
            "V": self.vulnerability,
            "C": self.consequence,
            "risk": self.risk,
            "risk_interval": [self.risk_low, self.risk_high],
            "levels": {
                "T": self.threat_level,
                "V": self.vulnerability_level,
                "C": self.consequence_level,
                "likelihood": self.likelihood_level,
            },
            "matrix_cell": [self.likelihood_level, self.consequence_level],
            "score": self.score,
            "band": self.band,
            "drivers": [
                {
                    "question": d.question_id,
                    "explanation": d.sentence(self.name),
                    "risk_reduction": d.risk_reduction,
                    "share": d.share,
                    "unknown": d.unknown,
                }
                for d in self.drivers
            ],
            "adjustments": list(self.adjustments),
        }


@dataclass(frozen=True, slots=True)
class SiteAssessment:
    """The result for one site."""

    site_type: str
    people: int
    threat_level: int
    scenarios: tuple[ScenarioRisk, ...]
    unknown: tuple[str, ...]  # questions answered "unknown" or left unanswered
    planned: tuple[str, ...]
    quality: Mapping[str, float]  # measure id → implementation quality used
    engineering: EngineeringFindings | None = None  # the findings the consequences include

    @property
    def total_risk(self) -> float:
        """Expected casualties per year over all scenarios."""
        return sum(s.risk for s in self.scenarios)

    def scenario(self, scenario_id: str) -> ScenarioRisk:
        """One scenario's result."""
        return next(s for s in self.scenarios if s.scenario == scenario_id)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "site_type": self.site_type,
            "people": self.people,
            "threat_level": self.threat_level,
            "total_risk": self.total_risk,
            "unknown_answers": list(self.unknown),
            "planned_measures": list(self.planned),
            "scenarios": [s.as_dict() for s in self.scenarios],
            # kept with stored results so that plans start from the same consequences
            "engineering": None if self.engineering is None else asdict(self.engineering),
        }


def assess(
    pack: RiskPack,
    profile: SiteProfile,
    answers: Mapping[str, int | str],
    *,
    threat_level: int = 3,
    planned: Sequence[str] = (),
    scales: Scales | None = None,
    top: int = 5,
) -> SiteAssessment:
    """Assess one site.

    Parameters
    ----------
    pack : RiskPack
        Scenarios, questions and measures.
    profile : SiteProfile
        Site type, capacity and modifiers.
    answers : mapping
        Question id → option index (0 = worst), ``"unknown"`` or ``"n/a"``. Applicable
        questions left out count as unknown.
    threat_level : int
        National threat level 1–5 (3 = the level base rates are set at).
    planned : sequence of str
        Measure ids counted as fully implemented (residual risk of a plan).
    scales : Scales, optional
        Level thresholds; the defaults when omitted.
    top : int
        Number of drivers kept per scenario.

    Returns
    -------
    SiteAssessment
        T (attempts/yr), V (probability), C (casualties) and R (casualties/yr, with interval)
        per scenario, display levels and score, and the drivers in order of contribution.
    """
    scales = scales or Scales()
    model = model_for(pack)
    row, unknown = model.answers_row(profile.site_type, dict(answers))
    people = profile.people
    links = threat_links(pack, profile.site_type, profile.intel, threat_level=threat_level)

    # Row 0: as answered. Row 1+i: question i moved to its best option (for explanations).
    # (Skipped when no drivers are wanted: one row is all scoring needs.)
    asked = [i for i in range(model.n_questions) if top and not np.isnan(row[i]) and row[i] < 1.0]
    rows = np.repeat(row[None, :], 1 + len(asked), axis=0)
    for r, i in enumerate(asked, start=1):
        rows[r, i] = 1.0
    scores = model.score(
        model.site_rows(
            site_type=profile.site_type,
            people=people,
            rows=rows,
            threat_level=threat_level,
            symbolic=profile.symbolic,
            threatened=profile.threatened,
            impact=profile.impact,
            planned=planned,
            consequence_factor=consequence_factors(pack, profile.engineering),
            threat_rate=threat_rates(pack, links),
        )
    )
    explained: dict[str, list[str]] = {}
    for adjustment in adjustments(profile.engineering):
        explained.setdefault(adjustment.scenario, []).append(adjustment.reason)
    for link in links:
        explained.setdefault(link.scenario, []).append(link.reason)
    base = scores.R[0]
    gains = base[None, :] - scores.R[1:]  # (len(asked), K)

    t_lv = level(scores.T[0], scales.threat)
    v_lv = level(scores.V[0], scales.vulnerability)
    c_lv = level(scores.C[0], scales.consequence)
    l_lv = level(scores.T[0] * scores.V[0], scales.likelihood)
    results = []
    for k, spec in enumerate(pack.scenarios):
        order: list[int] = list(np.argsort(-gains[:, k], kind="stable")[:top]) if asked else []
        drivers = []
        for j in order:
            if gains[j, k] <= 0:
                break
            question = pack.questions[asked[j]]
            current = row[asked[j]]
            is_unknown = question.id in unknown
            label = next((o.label for o in question.options if o.quality == current), "")
            drivers.append(
                Driver(
                    question_id=question.id,
                    text=question.text,
                    answer=label,
                    best=question.options[-1].label,
                    risk_reduction=float(gains[j, k]),
                    share=float(gains[j, k] / base[k]) if base[k] > 0 else 0.0,
                    unknown=is_unknown,
                )
            )
        score = int(t_lv[k] * v_lv[k] * c_lv[k])
        results.append(
            ScenarioRisk(
                scenario=spec.id,
                name=spec.name,
                threat=float(scores.T[0, k]),
                vulnerability=float(scores.V[0, k]),
                consequence=float(scores.C[0, k]),
                risk=float(base[k]),
                risk_low=float(scores.R_range[0, k, 0]),
                risk_high=float(scores.R_range[0, k, 1]),
                threat_level=int(t_lv[k]),
                vulnerability_level=int(v_lv[k]),
                consequence_level=int(c_lv[k]),
                likelihood_level=int(l_lv[k]),
                score=score,
                band=band_of(score),
                drivers=tuple(drivers),
                adjustments=tuple(explained.get(spec.id, ())),
            )
        )
    quality = {m.id: float(scores.quality[0, i]) for i, m in enumerate(pack.measures)}
    return SiteAssessment(
        site_type=profile.site_type,
        people=people,
        threat_level=threat_level,
        scenarios=tuple(results),
        unknown=tuple(unknown),
        planned=tuple(planned),
        quality=quality,
        engineering=profile.engineering,
    )
