"""The risk content model: scenarios, questions, measures and compliance overlays.

These frozen dataclasses are what the risk engine computes with. :func:`parse_pack` turns the
plain data of a content pack (already read from YAML) into them, checking every field and every
cross-reference and reporting *all* problems with their path (see ``core.packs``).

Numbers in a pack are ``[low, central, high]`` triples where uncertainty matters; the engine
computes with the central value and propagates the range into an interval.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from placeguard.core.packs import Problems
from placeguard.core.vocab import Scenario, SiteType

__all__ = [
    "CATEGORIES",
    "LAYERS",
    "Effect",
    "Measure",
    "Option",
    "Overlay",
    "Question",
    "Requirement",
    "RiskPack",
    "ScenarioSpec",
    "parse_pack",
]

Triple = tuple[float, float, float]

#: Protection layers, in the order an attack meets them.
LAYERS: tuple[str, ...] = ("deter", "detect", "delay", "respond", "mitigate")
#: Question categories.
CATEGORIES: tuple[str, ...] = (
    "governance",
    "people_training",
    "perimeter_hvm",
    "access_screening",
    "surveillance_detection",
    "communications_alerting",
    "emergency_procedures",
    "insider_risk",
    "cyber_physical",
    "community_openness",
)
MEASURE_CATEGORIES = ("people", "procedures", "physical", "technical", "information")
TIERS = ("quick", "standard", "expert")
THREAT_LEVELS = (1, 2, 3, 4, 5)
SITE_TYPES = tuple(t.value for t in SiteType)
#: Option qualities are stored as multiples of 1/OPTION_GRID.
OPTION_GRID = 240
SCENARIO_KEYS = (
    "id",
    "name",
    "description",
    "precursor",
    "modes",
    "layers",
    "attacker_capability",
    "success_probability",
    "lethality",
    "exposed_share",
    "max_exposed",
    "base_rate",
    "gtd",
    "acled",
)
QUESTION_KEYS = ("id", "category", "site_types", "tier", "text", "help", "options", "measures")
MEASURE_KEYS = (
    "id",
    "name",
    "description",
    "category",
    "layers",
    "site_types",
    "effects",
    "capex",
    "opex",
    "openness",
    "requires",
    "excludes",
)


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """One attack scenario and the parameters of its risk model.

    Attributes
    ----------
    success_probability : chance that an attempt succeeds against an unprotected site (V0).
    lethality : casualties (killed and injured) per exposed person when an attack succeeds.
    exposed_share : share of the people present that one attack of this kind can reach.
    max_exposed : most people one attack of this kind can reach, however large the crowd.
    base_rate : annual probability of an attempt against one site of each type at the
        central national threat level (3), as ``[low, central, high]``.
    """

    id: str
    name: str
    description: str
    precursor: bool
    modes: tuple[str, ...]
    layers: tuple[str, ...]
    attacker_capability: str
    success_probability: Triple
    lethality: Triple
    exposed_share: float
    max_exposed: int
    base_rate: Mapping[str, Triple]
    gtd_attack_types: tuple[int, ...]
    gtd_weapon_types: tuple[int, ...]
    acled_sub_event_types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Option:
    """One graded answer: ``quality`` 0 (worst) to 1 (best) of the measures it evidences."""

    label: str
    quality: float


@dataclass(frozen=True, slots=True)
class Question:
    """A question with options ordered worst to best and the measures it evidences."""

    id: str
    category: str
    site_types: tuple[str, ...]  # empty: every type
    tier: str
    text: str
    help: str
    options: tuple[Option, ...]
    measures: tuple[str, ...]

    def applies_to(self, site_type: str) -> bool:
        """Whether the question is asked for ``site_type``."""
        return not self.site_types or site_type in self.site_types


@dataclass(frozen=True, slots=True)
class Effect:
    """How much a fully implemented measure reduces V (success) or C (consequence) of a scenario."""

    scenario: str
    on: str  # "V" or "C"
    effectiveness: Triple


@dataclass(frozen=True, slots=True)
class Measure:
    """A protective measure from the catalogue."""

    id: str
    name: str
    description: str
    category: str
    layers: tuple[str, ...]
    site_types: tuple[str, ...]  # empty: every type
    effects: tuple[Effect, ...]
    capex: tuple[float, float]  # one-off cost range, pack currency
    opex: tuple[float, float]  # yearly running cost range, pack currency
    openness: int  # 0 none … 3 major change to the site's welcoming character
    requires: tuple[str, ...]
    excludes: tuple[str, ...]

    @property
    def capex_central(self) -> float:
        """Mid-point of the one-off cost range."""
        return (self.capex[0] + self.capex[1]) / 2

    @property
    def opex_central(self) -> float:
        """Mid-point of the yearly running cost range."""
        return (self.opex[0] + self.opex[1]) / 2

    def applies_to(self, site_type: str) -> bool:
        """Whether the measure suits ``site_type``."""
        return not self.site_types or site_type in self.site_types


@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement of a compliance overlay, met when every listed answer is good enough."""

    id: str
    text: str
    tiers: tuple[str, ...]
    min_option: Mapping[str, int]  # question id → lowest option index that meets it


@dataclass(frozen=True, slots=True)
class Overlay:
    """A compliance overlay (a law or an international plan), stated as data."""

    id: str
    name: str
    source: str
    tier_rule: str  # "uk_tppa_2025" or "all"
    requirements: tuple[Requirement, ...]
    site_types: tuple[str, ...] = ()  # empty: every type


@dataclass(frozen=True)
class RiskPack:
    """A complete, cross-checked risk content pack."""

    version: str
    currency: str
    scenarios: tuple[ScenarioSpec, ...]
    questions: tuple[Question, ...]
    measures: tuple[Measure, ...]
    overlays: tuple[Overlay, ...] = field(default=())

    @cached_property
    def scenario_ids(self) -> tuple[str, ...]:
        """Scenario ids in pack order."""
        return tuple(s.id for s in self.scenarios)

    @cached_property
    def measure_index(self) -> dict[str, int]:
        """Position of each measure id."""
        return {m.id: i for i, m in enumerate(self.measures)}

    @cached_property
    def question_index(self) -> dict[str, int]:
        """Position of each question id."""
        return {q.id: i for i, q in enumerate(self.questions)}

    def scenario(self, scenario_id: str) -> ScenarioSpec:
        """Look a scenario up by id."""
        return self.scenarios[self.scenario_ids.index(scenario_id)]

    def measure(self, measure_id: str) -> Measure:
        """Look a measure up by id."""
        return self.measures[self.measure_index[measure_id]]

    def question(self, question_id: str) -> Question:
        """Look a question up by id."""
        return self.questions[self.question_index[question_id]]

    def questions_for(self, site_type: str) -> tuple[Question, ...]:
        """The questions asked for ``site_type``, in pack order."""
        return tuple(q for q in self.questions if q.applies_to(site_type))

    def evidencing_questions(self, measure_id: str) -> tuple[str, ...]:
        """Ids of the questions that evidence ``measure_id``."""
        return tuple(q.id for q in self.questions if measure_id in q.measures)

    def question_scenarios(self, question: Question) -> tuple[str, ...]:
        """Scenarios a question affects, through the measures it evidences."""
        hit = {e.scenario for m in question.measures for e in self.measure(m).effects}
        return tuple(s for s in self.scenario_ids if s in hit)

    def question_layers(self, question: Question) -> tuple[str, ...]:
        """Protection layers a question affects, through the measures it evidences."""
        hit = {layer for m in question.measures for layer in self.measure(m).layers}
        return tuple(layer for layer in LAYERS if layer in hit)


# ------------------------------------------------------------------------------------ parsing
def _unique(problems: Problems, items: list[tuple[str, str]], what: str) -> None:
    seen: set[str] = set()
    for path, ident in items:
        if ident in seen:
            problems.add(path, f"duplicate {what} id {ident!r}")
        seen.add(ident)


def _scenario(p: Problems, raw: object, path: str) -> ScenarioSpec:
    d = p.mapping(raw, path)
    p.keys(d, SCENARIO_KEYS, path)
    sid = p.text(d, "id", path)
    if sid and sid not in {s.value for s in Scenario}:
        p.add(f"{path}.id", f"{sid!r} is not a scenario of the shared vocabulary")
    rates: dict[str, Triple] = {}
    raw_rates = p.mapping(d.get("base_rate", {}), f"{path}.base_rate")
    for key, value in raw_rates.items():
        if key != "default" and key not in SITE_TYPES:
            p.add(f"{path}.base_rate.{key}", "unknown site type")
            continue
        rates[key] = p.triple(value, f"{path}.base_rate.{key}", low=0, high=1)
    if "default" not in rates:
        p.add(f"{path}.base_rate", "a 'default' rate is required")
    gtd = p.mapping(d.get("gtd", {}), f"{path}.gtd")
    acled = p.mapping(d.get("acled", {}), f"{path}.acled")

    def ints(value: object, where: str) -> tuple[int, ...]:
        items = p.sequence(value if value is not None else [], where)
        bad = [v for v in items if isinstance(v, bool) or not isinstance(v, int)]
        if bad:
            p.add(where, "expected whole-number codes")
        return tuple(v for v in items if isinstance(v, int) and not isinstance(v, bool))

    capability = p.text(d, "attacker_capability", path)
    if capability and capability not in {"low", "medium", "high"}:
        p.add(f"{path}.attacker_capability", "expected low, medium or high")
    return ScenarioSpec(
        id=sid,
        name=p.text(d, "name", path),
        description=p.text(d, "description", path, required=False),
        precursor=p.flag(d, "precursor", path),
        modes=p.ids(d.get("modes", []), f"{path}.modes"),
        layers=p.ids(d.get("layers", []), f"{path}.layers", LAYERS),
        attacker_capability=capability,
        success_probability=p.triple(
            d.get("success_probability"), f"{path}.success_probability", low=0, high=1
        ),
        lethality=p.triple(d.get("lethality"), f"{path}.lethality", low=0, high=1),
        exposed_share=p.number(d, "exposed_share", path, low=0, high=1),
        max_exposed=int(p.number(d, "max_exposed", path, low=1, high=1e7)),
        base_rate=rates,
        gtd_attack_types=ints(gtd.get("attacktype"), f"{path}.gtd.attacktype"),
        gtd_weapon_types=ints(gtd.get("weaptype"), f"{path}.gtd.weaptype"),
        acled_sub_event_types=p.ids(
            acled.get("sub_event_type", []), f"{path}.acled.sub_event_type"
        ),
    )


def _question(p: Problems, raw: object, path: str, measure_ids: set[str]) -> Question:
    d = p.mapping(raw, path)
    p.keys(d, QUESTION_KEYS, path)
    options: list[Option] = []
    raw_options = p.sequence(d.get("options"), f"{path}.options")
    if not 3 <= len(raw_options) <= 6:
        p.add(f"{path}.options", "expected 3 to 6 options, worst first")
    for i, item in enumerate(raw_options):
        o = p.mapping(item, f"{path}.options[{i}]")
        p.keys(o, ("label", "q"), f"{path}.options[{i}]")
        quality = p.number(o, "q", f"{path}.options[{i}]", low=0, high=1)
        # Qualities live on a grid of 1/240 (quarters, thirds, fifths…): 0.33 becomes 79/240.
        # The vectorised model relies on it to turn logarithms into table look-ups.
        quality = round(quality * OPTION_GRID) / OPTION_GRID
        options.append(Option(p.text(o, "label", f"{path}.options[{i}]"), quality))
    qualities = [o.quality for o in options]
    if options and (qualities[0] != 0 or any(b <= a for a, b in itertools.pairwise(qualities))):
        p.add(
            f"{path}.options", "option qualities must start at 0 and rise strictly (worst to best)"
        )
    category = p.text(d, "category", path)
    if category and category not in CATEGORIES:
        p.add(f"{path}.category", f"unknown category; use one of {', '.join(CATEGORIES)}")
    tier = d.get("tier", "standard")
    if tier not in TIERS:
        p.add(f"{path}.tier", f"expected one of {', '.join(TIERS)}")
    site_types = p.ids(d.get("site_types", []), f"{path}.site_types", SITE_TYPES)
    measures = p.ids(d.get("measures"), f"{path}.measures", measure_ids)
    if not measures:
        p.add(f"{path}.measures", "a question must evidence at least one measure")
    return Question(
        id=p.text(d, "id", path),
        category=category,
        site_types=site_types,
        tier=str(tier),
        text=p.text(d, "text", path),
        help=p.text(d, "help", path, required=False),
        options=tuple(options),
        measures=measures,
    )


def _measure(p: Problems, raw: object, path: str, scenario_ids: set[str]) -> Measure:
    d = p.mapping(raw, path)
    p.keys(d, MEASURE_KEYS, path)
    effects: list[Effect] = []
    for i, item in enumerate(p.sequence(d.get("effects"), f"{path}.effects")):
        e = p.mapping(item, f"{path}.effects[{i}]")
        p.keys(e, ("scenario", "acts_on", "effectiveness"), f"{path}.effects[{i}]")
        scenario = p.text(e, "scenario", f"{path}.effects[{i}]")
        if scenario and scenario not in scenario_ids:
            p.add(f"{path}.effects[{i}].scenario", f"unknown scenario {scenario!r}")
        on = e.get("acts_on")
        if on not in {"V", "C"}:
            p.add(f"{path}.effects[{i}].acts_on", "expected V (success) or C (consequence)")
        # A single measure never removes a risk entirely: at most 0.95 effectiveness.
        eff = p.triple(
            e.get("effectiveness"), f"{path}.effects[{i}].effectiveness", low=0, high=0.95
        )
        effects.append(Effect(scenario, str(on), eff))
    if not effects:
        p.add(f"{path}.effects", "a measure must act on at least one scenario")
    seen = [(e.scenario, e.on) for e in effects]
    if len(seen) != len(set(seen)):
        p.add(f"{path}.effects", "one effect per scenario and target (V or C)")
    category = p.text(d, "category", path)
    if category and category not in MEASURE_CATEGORIES:
        p.add(f"{path}.category", f"expected one of {', '.join(MEASURE_CATEGORIES)}")

    def cost(key: str) -> tuple[float, float]:
        value = d.get(key, [0, 0])
        ok = (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        )
        if not ok or not 0 <= value[0] <= value[1]:
            p.add(f"{path}.{key}", "expected [low, high] with 0 ≤ low ≤ high")
            return (0.0, 0.0)
        return (float(value[0]), float(value[1]))

    return Measure(
        id=p.text(d, "id", path),
        name=p.text(d, "name", path),
        description=p.text(d, "description", path, required=False),
        category=category,
        layers=p.ids(d.get("layers", []), f"{path}.layers", LAYERS),
        site_types=p.ids(d.get("site_types", []), f"{path}.site_types", SITE_TYPES),
        effects=tuple(effects),
        capex=cost("capex"),
        opex=cost("opex"),
        openness=int(p.number(d, "openness", path, low=0, high=3, default=0)),
        requires=p.ids(d.get("requires", []), f"{path}.requires"),
        excludes=p.ids(d.get("excludes", []), f"{path}.excludes"),
    )


def _overlay(p: Problems, raw: object, path: str, questions: Mapping[str, Question]) -> Overlay:
    d = p.mapping(raw, path)
    p.keys(d, ("id", "name", "source", "tier_rule", "site_types", "requirements"), path)
    tier_rule = d.get("tier_rule", "all")
    if tier_rule not in {"all", "uk_tppa_2025"}:
        p.add(f"{path}.tier_rule", "expected all or uk_tppa_2025")
    requirements = []
    for i, item in enumerate(p.sequence(d.get("requirements"), f"{path}.requirements")):
        rp = f"{path}.requirements[{i}]"
        r = p.mapping(item, rp)
        p.keys(r, ("id", "text", "tiers", "met_when"), rp)
        minimum: dict[str, int] = {}
        for qid, index in p.mapping(r.get("met_when", {}), f"{rp}.met_when").items():
            question = questions.get(qid)
            if question is None:
                p.add(f"{rp}.met_when.{qid}", "unknown question")
            elif (
                isinstance(index, bool)
                or not isinstance(index, int)
                or not 0 <= index < len(question.options)
            ):
                p.add(
                    f"{rp}.met_when.{qid}",
                    f"expected an option index 0–{len(question.options) - 1}",
                )
            else:
                minimum[qid] = index
        if not minimum:
            p.add(f"{rp}.met_when", "name at least one question and its lowest acceptable option")
        tiers = p.ids(r.get("tiers", ["all"]), f"{rp}.tiers", {"all", "standard", "enhanced"})
        requirements.append(Requirement(p.text(r, "id", rp), p.text(r, "text", rp), tiers, minimum))
    return Overlay(
        id=p.text(d, "id", path),
        name=p.text(d, "name", path),
        source=p.text(d, "source", path, required=False),
        tier_rule=str(tier_rule),
        requirements=tuple(requirements),
        site_types=p.ids(d.get("site_types", []), f"{path}.site_types", SITE_TYPES),
    )


def parse_pack(docs: Mapping[str, Any]) -> RiskPack:
    """Build a :class:`RiskPack` from the parsed YAML documents of a pack.

    ``docs`` maps file names (``scenarios.yaml``, ``measures.yaml``, ``questions.yaml`` and,
    optionally, ``compliance.yaml``) to their parsed content. Raises ``ContentError`` listing
    every problem with its file and path.
    """
    all_problems: list[Any] = []

    def section(name: str, key: str) -> tuple[Problems, list[Any], Mapping[str, Any]]:
        p = Problems(name)
        doc = p.mapping(docs.get(name, {}), "")
        return p, list(p.sequence(doc.get(key, []), key)), doc

    ps, raw_scenarios, sdoc = section("scenarios.yaml", "scenarios")
    scenarios = [_scenario(ps, r, f"scenarios[{i}]") for i, r in enumerate(raw_scenarios)]
    _unique(ps, [(f"scenarios[{i}].id", s.id) for i, s in enumerate(scenarios)], "scenario")
    scenario_ids = {s.id for s in scenarios}

    pm, raw_measures, mdoc = section("measures.yaml", "measures")
    measures = [_measure(pm, r, f"measures[{i}]", scenario_ids) for i, r in enumerate(raw_measures)]
    _unique(pm, [(f"measures[{i}].id", m.id) for i, m in enumerate(measures)], "measure")
    measure_ids = {m.id for m in measures}
    for i, m in enumerate(measures):
        for ref in (*m.requires, *m.excludes):
            if ref not in measure_ids or ref == m.id:
                pm.add(f"measures[{i}]", f"requires/excludes names unknown or self measure {ref!r}")
        if set(m.requires) & set(m.excludes):
            pm.add(f"measures[{i}]", "a measure cannot both require and exclude the same measure")

    pq, raw_questions, _ = section("questions.yaml", "questions")
    questions = [
        _question(pq, r, f"questions[{i}]", measure_ids) for i, r in enumerate(raw_questions)
    ]
    _unique(pq, [(f"questions[{i}].id", q.id) for i, q in enumerate(questions)], "question")
    evidenced = {m for q in questions for m in q.measures}
    for i, m in enumerate(measures):
        if m.id not in evidenced:
            pm.add(f"measures[{i}]", f"no question evidences measure {m.id!r}")

    overlays: list[Overlay] = []
    if "compliance.yaml" in docs:
        pc, raw_overlays, _ = section("compliance.yaml", "overlays")
        by_id = {q.id: q for q in questions}
        overlays = [_overlay(pc, r, f"overlays[{i}]", by_id) for i, r in enumerate(raw_overlays)]
        all_problems += pc.items

    version = str(sdoc.get("version", ""))
    currency = str(mdoc.get("currency", ""))
    if not version:
        ps.add("version", "the pack needs a version")
    if len(currency) != 3 or not currency.isupper():
        pm.add("currency", "expected an ISO 4217 code such as EUR")
    all_problems = ps.items + pm.items + pq.items + all_problems
    if all_problems:
        collector = Problems("pack")
        collector.extend(all_problems)
        collector.raise_if_any()
    return RiskPack(
        version=version,
        currency=currency,
        scenarios=tuple(scenarios),
        questions=tuple(questions),
        measures=tuple(measures),
        overlays=tuple(overlays),
    )
