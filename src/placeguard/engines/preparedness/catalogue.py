"""Preparedness content: MSEL templates, mandate provisions and GAO's strategy characteristics.

The YAML lives in ``content/preparedness/`` and is read by
:mod:`placeguard.content.preparedness`; this module only turns parsed documents into typed,
frozen objects, reporting every problem with file, path and reason (unknown keys included).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from placeguard.core.packs import Problems

__all__ = [
    "GAO_ELEMENT_IDS",
    "Capability",
    "CriticalTask",
    "DeliveryMethod",
    "GaoCharacteristic",
    "GaoElement",
    "InjectType",
    "Instrument",
    "MandateCatalogue",
    "ObjectiveTemplate",
    "Provision",
    "TemplateCatalogue",
    "TemplateInject",
    "TemplateSet",
    "parse_mandates",
    "parse_msel_templates",
]


class InjectType(StrEnum):
    """HSEEP inject kinds: scene-setting, one that expects player action, or a fallback."""

    CONTEXTUAL = "contextual"
    EXPECTED_ACTION = "expected_action"
    CONTINGENCY = "contingency"


class DeliveryMethod(StrEnum):
    """How the controller delivers an inject."""

    VERBAL = "verbal"
    HANDOUT = "handout"
    PHONE = "phone"
    EMAIL = "email"
    RADIO = "radio"
    VIDEO = "video"
    SOCIAL_MEDIA = "social_media"


@dataclass(frozen=True, slots=True)
class Capability:
    """A capability an objective exercises (``operational_coordination``, ...)."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class CriticalTask:
    """A task that shows how a capability target is met."""

    id: str
    text: str


@dataclass(frozen=True, slots=True)
class ObjectiveTemplate:
    """An exercise objective with its capability target and critical tasks."""

    id: str
    title: str
    capability: str
    capability_target: str
    critical_tasks: tuple[CriticalTask, ...]


@dataclass(frozen=True, slots=True)
class TemplateInject:
    """One inject in a scenario template; ``key`` is local to the template."""

    key: str
    offset_min: int
    type: InjectType
    delivery: DeliveryMethod
    sender: str
    recipient: str
    description: str
    expected_action: str
    objective: str
    contingency_for: str | None = None


@dataclass(frozen=True, slots=True)
class TemplateSet:
    """A tabletop MSEL template for one scenario."""

    scenario: str
    title: str
    summary: str
    objectives: tuple[ObjectiveTemplate, ...]
    injects: tuple[TemplateInject, ...]


@dataclass(frozen=True, slots=True)
class TemplateCatalogue:
    """Every template (by scenario id) and the capability list they draw on."""

    capabilities: Mapping[str, Capability]
    templates: Mapping[str, TemplateSet]


@dataclass(frozen=True, slots=True)
class Instrument:
    """A normative instrument (a Security Council resolution, the Plan of Action)."""

    id: str
    symbol: str
    title: str


@dataclass(frozen=True, slots=True)
class Provision:
    """One provision a national plan can cite; ``paragraph`` is empty when not verified."""

    id: str
    instrument: str
    paragraph: str
    theme: str
    paraphrase: str


@dataclass(frozen=True, slots=True)
class GaoElement:
    """One element a characteristic requires; ``id`` names the engine's check."""

    id: str
    requires: str


@dataclass(frozen=True, slots=True)
class GaoCharacteristic:
    """One of GAO's six desirable characteristics of a national strategy."""

    id: str
    name: str
    elements: tuple[GaoElement, ...]


@dataclass(frozen=True, slots=True)
class MandateCatalogue:
    """Instruments, provisions (in file order) and the GAO characteristics."""

    instruments: Mapping[str, Instrument]
    provisions: tuple[Provision, ...]
    characteristics: tuple[GaoCharacteristic, ...]

    def provision(self, provision_id: str) -> Provision:
        """The provision with ``provision_id`` (``KeyError`` if absent)."""
        for item in self.provisions:
            if item.id == provision_id:
                return item
        raise KeyError(provision_id)


#: Element ids the plan completeness check knows how to test (see ``plans.py``).
GAO_ELEMENT_IDS = frozenset(
    {
        "purpose",
        "scope",
        "methodology",
        "problem_definition",
        "risk_assessment",
        "objectives",
        "activities",
        "priorities",
        "milestones",
        "performance_measures",
        "resources",
        "risk_management",
        "lead_agencies",
        "coordination",
        "integration",
        "implementation",
    }
)


# ------------------------------------------------------------------------------- templates
_TEMPLATE_KEYS = ("scenario", "title", "summary", "objectives", "injects")
_OBJECTIVE_KEYS = ("id", "title", "capability", "capability_target", "critical_tasks")
_INJECT_KEYS = (
    "key", "offset_min", "type", "delivery", "from", "to", "description", "expected_action",
    "objective", "contingency_for",
)  # fmt: skip


_E = TypeVar("_E", bound=StrEnum)


def _choice(
    problems: Problems, data: Mapping[str, Any], key: str, path: str, enum: type[_E]
) -> _E | None:
    value = data.get(key)
    if isinstance(value, str) and value in {e.value for e in enum}:
        return enum(value)
    allowed = ", ".join(e.value for e in enum)
    problems.add(f"{path}.{key}", f"expected one of {allowed}, got {value!r}")
    return None


def parse_msel_templates(
    doc: object, scenario_ids: Iterable[str], *, source: str = "msel_templates.yaml"
) -> TemplateCatalogue:
    """Templates from a parsed ``msel_templates.yaml``; raises ``ContentError`` listing all
    problems (unknown keys, unknown scenario ids, dangling objective/contingency references,
    contingency injects scheduled before the inject they back up)."""
    p = Problems(source)
    known_scenarios = set(scenario_ids)
    top = p.mapping(doc, "")
    p.keys(top, ("capabilities", "templates"), "")
    capabilities: dict[str, Capability] = {}
    for i, raw in enumerate(p.sequence(top.get("capabilities"), "capabilities")):
        path = f"capabilities[{i}]"
        item = p.mapping(raw, path)
        p.keys(item, ("id", "name"), path)
        cid, name = p.text(item, "id", path), p.text(item, "name", path)
        if cid in capabilities:
            p.add(f"{path}.id", f"duplicate capability {cid!r}")
        elif cid:
            capabilities[cid] = Capability(cid, name)
    templates: dict[str, TemplateSet] = {}
    for i, raw in enumerate(p.sequence(top.get("templates"), "templates")):
        path = f"templates[{i}]"
        parsed = _parse_template(p, p.mapping(raw, path), path, known_scenarios, capabilities)
        if parsed is None:
            continue
        if parsed.scenario in templates:
            p.add(f"{path}.scenario", f"a second template for {parsed.scenario!r}")
        templates[parsed.scenario] = parsed
    p.raise_if_any()
    return TemplateCatalogue(capabilities, templates)


def _parse_template(
    p: Problems,
    data: Mapping[str, Any],
    path: str,
    scenarios: set[str],
    capabilities: Mapping[str, Capability],
) -> TemplateSet | None:
    p.keys(data, _TEMPLATE_KEYS, path)
    scenario = p.text(data, "scenario", path)
    if scenario and scenario not in scenarios:
        p.add(f"{path}.scenario", f"unknown scenario id {scenario!r} (not in the risk pack)")
    objectives: list[ObjectiveTemplate] = []
    for j, raw in enumerate(p.sequence(data.get("objectives"), f"{path}.objectives")):
        opath = f"{path}.objectives[{j}]"
        item = p.mapping(raw, opath)
        p.keys(item, _OBJECTIVE_KEYS, opath)
        capability = p.text(item, "capability", opath)
        if capability and capability not in capabilities:
            p.add(f"{opath}.capability", f"unknown capability {capability!r}")
        tasks: list[CriticalTask] = []
        for k, traw in enumerate(p.sequence(item.get("critical_tasks"), f"{opath}.critical_tasks")):
            tpath = f"{opath}.critical_tasks[{k}]"
            task = p.mapping(traw, tpath)
            p.keys(task, ("id", "text"), tpath)
            tasks.append(CriticalTask(p.text(task, "id", tpath), p.text(task, "text", tpath)))
        if not tasks:
            p.add(f"{opath}.critical_tasks", "an objective needs at least one critical task")
        objectives.append(
            ObjectiveTemplate(
                id=p.text(item, "id", opath),
                title=p.text(item, "title", opath),
                capability=capability,
                capability_target=p.text(item, "capability_target", opath),
                critical_tasks=tuple(tasks),
            )
        )
    objective_ids = [o.id for o in objectives]
    for j, oid in enumerate(objective_ids):
        if oid and objective_ids.index(oid) != j:
            p.add(f"{path}.objectives[{j}].id", f"duplicate objective id {oid!r}")
    injects = _parse_injects(p, data, path, set(objective_ids))
    if not injects:
        p.add(f"{path}.injects", "a template needs at least one inject")
    return TemplateSet(
        scenario=scenario,
        title=p.text(data, "title", path),
        summary=p.text(data, "summary", path),
        objectives=tuple(objectives),
        injects=tuple(injects),
    )


def _parse_injects(
    p: Problems, data: Mapping[str, Any], path: str, objective_ids: set[str]
) -> list[TemplateInject]:
    injects: list[TemplateInject] = []
    offsets: dict[str, int] = {}
    for j, raw in enumerate(p.sequence(data.get("injects"), f"{path}.injects")):
        ipath = f"{path}.injects[{j}]"
        item = p.mapping(raw, ipath)
        p.keys(item, _INJECT_KEYS, ipath)
        key = p.text(item, "key", ipath)
        if key in offsets:
            p.add(f"{ipath}.key", f"duplicate inject key {key!r}")
        offset = item.get("offset_min")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            p.add(f"{ipath}.offset_min", "expected a whole number of minutes ≥ 0")
            offset = 0
        kind = _choice(p, item, "type", ipath, InjectType)
        delivery = _choice(p, item, "delivery", ipath, DeliveryMethod)
        objective = p.text(item, "objective", ipath)
        if objective and objective not in objective_ids:
            p.add(f"{ipath}.objective", f"unknown objective {objective!r} in this template")
        needs_action = kind in (InjectType.EXPECTED_ACTION, InjectType.CONTINGENCY)
        expected = p.text(item, "expected_action", ipath, required=needs_action)
        backs_up = p.text(item, "contingency_for", ipath, required=False) or None
        if kind is InjectType.CONTINGENCY and backs_up is None:
            p.add(f"{ipath}.contingency_for", "a contingency inject names the inject it backs up")
        if kind is not InjectType.CONTINGENCY and backs_up is not None:
            p.add(f"{ipath}.contingency_for", "only contingency injects back up another inject")
        if backs_up is not None and kind is InjectType.CONTINGENCY:
            if backs_up not in offsets:
                p.add(f"{ipath}.contingency_for", f"no earlier inject with key {backs_up!r}")
            elif offsets[backs_up] > offset:
                p.add(f"{ipath}.offset_min", "a contingency inject cannot precede its inject")
        if key:
            offsets[key] = offset
        if kind is None or delivery is None:
            continue
        injects.append(
            TemplateInject(
                key=key,
                offset_min=offset,
                type=kind,
                delivery=delivery,
                sender=p.text(item, "from", ipath),
                recipient=p.text(item, "to", ipath),
                description=p.text(item, "description", ipath),
                expected_action=expected,
                objective=objective,
                contingency_for=backs_up,
            )
        )
    return injects


# ------------------------------------------------------------------------------- mandates
def parse_mandates(doc: object, *, source: str = "mandates.yaml") -> MandateCatalogue:
    """Instruments, provisions and GAO characteristics from a parsed ``mandates.yaml``."""
    p = Problems(source)
    top = p.mapping(doc, "")
    p.keys(top, ("instruments", "provisions", "gao_characteristics"), "")
    instruments: dict[str, Instrument] = {}
    for i, raw in enumerate(p.sequence(top.get("instruments"), "instruments")):
        path = f"instruments[{i}]"
        item = p.mapping(raw, path)
        p.keys(item, ("id", "symbol", "title"), path)
        iid = p.text(item, "id", path)
        if iid in instruments:
            p.add(f"{path}.id", f"duplicate instrument {iid!r}")
        instruments[iid] = Instrument(
            iid, p.text(item, "symbol", path), p.text(item, "title", path)
        )
    provisions: list[Provision] = []
    seen: set[str] = set()
    keys = ("id", "instrument", "paragraph", "theme", "paraphrase")
    for i, raw in enumerate(p.sequence(top.get("provisions"), "provisions")):
        path = f"provisions[{i}]"
        item = p.mapping(raw, path)
        p.keys(item, keys, path)
        pid, instrument = p.text(item, "id", path), p.text(item, "instrument", path)
        if pid in seen:
            p.add(f"{path}.id", f"duplicate provision {pid!r}")
        seen.add(pid)
        if instrument and instrument not in instruments:
            p.add(f"{path}.instrument", f"unknown instrument {instrument!r}")
        paraphrase = p.text(item, "paraphrase", path)
        if paraphrase and not paraphrase.lower().startswith("paraphrase:"):
            p.add(f"{path}.paraphrase", "must start with 'Paraphrase:' (never quote the text)")
        provisions.append(
            Provision(
                id=pid,
                instrument=instrument,
                paragraph=p.text(item, "paragraph", path, required=False),
                theme=p.text(item, "theme", path),
                paraphrase=paraphrase,
            )
        )
    characteristics: list[GaoCharacteristic] = []
    for i, raw in enumerate(p.sequence(top.get("gao_characteristics"), "gao_characteristics")):
        path = f"gao_characteristics[{i}]"
        item = p.mapping(raw, path)
        p.keys(item, ("id", "name", "elements"), path)
        elements: list[GaoElement] = []
        for j, eraw in enumerate(p.sequence(item.get("elements"), f"{path}.elements")):
            epath = f"{path}.elements[{j}]"
            element = p.mapping(eraw, epath)
            p.keys(element, ("id", "requires"), epath)
            eid = p.text(element, "id", epath)
            if eid and eid not in GAO_ELEMENT_IDS:
                p.add(f"{epath}.id", f"no completeness check named {eid!r}")
            elements.append(GaoElement(eid, p.text(element, "requires", epath)))
        characteristics.append(
            GaoCharacteristic(p.text(item, "id", path), p.text(item, "name", path), tuple(elements))
        )
    if characteristics and len(characteristics) != 6:
        p.add(
            "gao_characteristics", f"expected GAO's six characteristics, got {len(characteristics)}"
        )
    p.raise_if_any()
    return MandateCatalogue(instruments, tuple(provisions), tuple(characteristics))
