"""The incident crosswalk: dataset codes → scenario ids, target categories and weapons.

The crosswalk is content (``content/intel/crosswalk.yaml``), parsed and validated here with
:class:`placeguard.core.packs.Problems`, so that a malformed file fails at load with file, path
and reason. :func:`check_against_scenarios` verifies that it agrees with the coarse crosswalk
fields of the risk scenarios (``gtd.attacktype``, ``gtd.weaptype``, ``acled.sub_event_type``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from placeguard.core.packs import Problem, Problems, read_yaml
from placeguard.engines.intel.schema import ATTACK_MODES, TARGET_CATEGORIES, Weapon

__all__ = [
    "CROSSWALK_PATH",
    "Crosswalk",
    "ModeRule",
    "check_against_scenarios",
    "load_crosswalk",
    "parse_crosswalk",
]

CROSSWALK_PATH = Path(__file__).resolve().parents[2] / "content" / "intel" / "crosswalk.yaml"
WEAPONS = frozenset(w.value for w in Weapon)

#: ACLED event types and their sub-event types (ACLED codebook, 2019 revision onwards).
ACLED_EVENT_TYPES: Mapping[str, frozenset[str]] = {
    "Battles": frozenset(
        {"Armed clash", "Government regains territory", "Non-state actor overtakes territory"}
    ),
    "Violence against civilians": frozenset(
        {"Sexual violence", "Attack", "Abduction/forced disappearance"}
    ),
    "Explosions/Remote violence": frozenset(
        {
            "Chemical weapon",
            "Air/drone strike",
            "Suicide bomb",
            "Shelling/artillery/missile attack",
            "Remote explosive/landmine/IED",
            "Grenade",
        }
    ),
    "Protests": frozenset(
        {"Peaceful protest", "Protest with intervention", "Excessive force against protesters"}
    ),
    "Riots": frozenset({"Violent demonstration", "Mob violence"}),
    "Strategic developments": frozenset(
        {
            "Agreement",
            "Arrests",
            "Change to group/activity",
            "Disrupted weapons use",
            "Headquarters or base established",
            "Looting/property destruction",
            "Non-violent transfer of territory",
            "Other",
        }
    ),
}
ACLED_SUB_EVENT_TYPES = frozenset().union(*ACLED_EVENT_TYPES.values())

_GTD_RULE_KEYS = ("scenario", "attacktype", "weaptype", "weapsubtype", "suicide", "unless",
                  "at_least_distinct")  # fmt: skip
_ACLED_RULE_KEYS = ("scenario", "sub_event_type", "keywords", "unless")
_TOP_KEYS = ("version", "weapons", "gtd", "acled", "target_keywords", "gdelt", "rdwti")


@dataclass(frozen=True, slots=True)
class ModeRule:
    """One attack-mode rule; empty conditions do not constrain."""

    scenario: str
    attacktype: frozenset[int] = frozenset()
    weaptype: frozenset[int] = frozenset()
    weapsubtype: frozenset[int] = frozenset()
    suicide: bool | None = None
    at_least_distinct: int = 0
    sub_event_type: frozenset[str] = frozenset()
    keywords: tuple[str, ...] = ()
    unless: frozenset[str] = frozenset()


@cache
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Whole words or phrases (a plural ``s``/``es`` allowed), case-insensitive."""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})(?:s|es)?\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Crosswalk:
    """The parsed crosswalk (see ``content/intel/crosswalk.yaml`` for the rule semantics)."""

    version: str
    gtd_weapons: Mapping[int, str]
    gtd_modes: tuple[ModeRule, ...]
    gtd_targsubtype: Mapping[int, str]
    gtd_targtype: Mapping[int, str]
    acled_modes: tuple[ModeRule, ...]
    target_keywords: Mapping[str, tuple[str, ...]]
    gdelt_keep_roots: frozenset[str]
    gdelt_modes: Mapping[str, tuple[str, ...]]
    gdelt_actor2_type: Mapping[str, str]
    rdwti_weapons: Mapping[str, tuple[str, tuple[str, ...]]]
    rdwti_keyword_modes: Mapping[str, tuple[str, ...]]

    # -- applying rules ----------------------------------------------------------------------
    def gtd_attack_modes(
        self,
        attacktypes: Sequence[int],
        weaptypes: Sequence[int],
        weapsubtypes: Sequence[int],
        *,
        suicide: bool | None,
    ) -> tuple[str, ...]:
        """Scenario ids for one GTD row's codes."""
        found: list[str] = []
        for rule in self.gtd_modes:
            if rule.scenario in found or rule.unless & set(found):
                continue
            if rule.attacktype:
                hits = rule.attacktype & set(attacktypes)
                if not hits or len(hits) < rule.at_least_distinct:
                    continue
            if rule.weaptype and not rule.weaptype & set(weaptypes):
                continue
            if rule.weapsubtype and not rule.weapsubtype & set(weapsubtypes):
                continue
            if rule.suicide is not None and suicide is not rule.suicide:
                continue
            found.append(rule.scenario)
        return tuple(found)

    def gtd_targets(
        self, targtypes: Sequence[int], targsubtypes: Sequence[int | None]
    ) -> tuple[str, ...]:
        """Target categories for the (targtype, targsubtype) pairs of one GTD row."""
        found: list[str] = []
        for ttype, sub in zip(targtypes, targsubtypes, strict=True):
            category = self.gtd_targsubtype.get(sub) if sub is not None else None
            category = category or self.gtd_targtype.get(ttype, "other")
            if category not in found:
                found.append(category)
        return tuple(found)

    def acled_attack_modes(self, sub_event_type: str, notes: str) -> tuple[str, ...]:
        """Scenario ids for one ACLED event."""
        text = notes.lower()
        found: list[str] = []
        for rule in self.acled_modes:
            if rule.scenario in found or rule.unless & set(found):
                continue
            if sub_event_type not in rule.sub_event_type:
                continue
            if rule.keywords and not _pattern(rule.keywords).search(text):
                continue
            found.append(rule.scenario)
        return tuple(found)

    def keyword_targets(self, *texts: str) -> tuple[str, ...]:
        """Target categories whose keywords occur in ``texts`` (``unknown`` if none)."""
        text = " ".join(texts).lower()
        found = tuple(
            c for c, words in self.target_keywords.items() if words and _pattern(words).search(text)
        )
        return found or ("unknown",)

    def gdelt_attack_modes(self, event_code: str) -> tuple[str, ...]:
        """Scenario ids for a CAMEO event code (the longest listed prefix wins)."""
        for length in range(len(event_code), 1, -1):
            modes = self.gdelt_modes.get(event_code[:length])
            if modes is not None:
                return modes
        return ()


def _int_keyed(p: Problems, raw: object, path: str, allowed: Iterable[str]) -> dict[int, str]:
    known = set(allowed)
    out: dict[int, str] = {}
    entries: Mapping[Any, object] = p.mapping(raw, path)
    for key, value in entries.items():
        if isinstance(key, bool) or not isinstance(key, int):
            p.add(f"{path}.{key}", "expected a whole-number code")
        elif not isinstance(value, str) or value not in known:
            p.add(f"{path}.{key}", f"unknown identifier {value!r}")
        else:
            out[key] = value
    return out


def _codes(p: Problems, d: Mapping[str, Any], key: str, path: str) -> frozenset[int]:
    items = p.sequence(d.get(key, []), f"{path}.{key}")
    if any(isinstance(v, bool) or not isinstance(v, int) for v in items):
        p.add(f"{path}.{key}", "expected whole-number codes")
    return frozenset(v for v in items if isinstance(v, int) and not isinstance(v, bool))


def _words(p: Problems, raw: object, path: str) -> tuple[str, ...]:
    items = p.sequence(raw if raw is not None else [], path)
    if any(not isinstance(w, str) or not w.strip() for w in items):
        p.add(path, "expected a list of non-empty words")
    return tuple(w.strip().lower() for w in items if isinstance(w, str) and w.strip())


def _mode_rules(p: Problems, raw: object, path: str, *, gtd: bool) -> tuple[ModeRule, ...]:
    rules: list[ModeRule] = []
    for i, item in enumerate(p.sequence(raw, path)):
        where = f"{path}[{i}]"
        d = p.mapping(item, where)
        p.keys(d, _GTD_RULE_KEYS if gtd else _ACLED_RULE_KEYS, where)
        scenario = p.text(d, "scenario", where)
        if scenario and scenario not in ATTACK_MODES:
            p.add(f"{where}.scenario", f"{scenario!r} is not a scenario of the shared vocabulary")
        unless = frozenset(p.ids(d.get("unless"), f"{where}.unless", ATTACK_MODES))
        if gtd:
            suicide = d.get("suicide")
            if suicide is not None and not isinstance(suicide, bool):
                p.add(f"{where}.suicide", "expected true or false")
                suicide = None
            distinct = d.get("at_least_distinct", 0)
            if isinstance(distinct, bool) or not isinstance(distinct, int) or distinct < 0:
                p.add(f"{where}.at_least_distinct", "expected a whole number ≥ 0")
                distinct = 0
            rule = ModeRule(
                scenario=scenario,
                attacktype=_codes(p, d, "attacktype", where),
                weaptype=_codes(p, d, "weaptype", where),
                weapsubtype=_codes(p, d, "weapsubtype", where),
                suicide=suicide,
                at_least_distinct=distinct,
                unless=unless,
            )
            if not (rule.attacktype or rule.weaptype or rule.weapsubtype):
                p.add(where, "a rule needs at least one of attacktype, weaptype, weapsubtype")
        else:
            subs = frozenset(p.ids(d.get("sub_event_type"), f"{where}.sub_event_type"))
            for s in sorted(subs - ACLED_SUB_EVENT_TYPES):
                p.add(f"{where}.sub_event_type", f"{s!r} is not an ACLED sub-event type")
            if not subs:
                p.add(f"{where}.sub_event_type", "a rule needs at least one sub-event type")
            rule = ModeRule(
                scenario=scenario,
                sub_event_type=subs,
                keywords=_words(p, d.get("keywords"), f"{where}.keywords"),
                unless=unless,
            )
        rules.append(rule)
    return tuple(rules)


def parse_crosswalk(doc: object, source: str = "crosswalk.yaml") -> Crosswalk:  # noqa: PLR0912 - one pass
    """Validate and build a :class:`Crosswalk`; raise ``ContentError`` listing every problem."""
    p = Problems(source)
    d = p.mapping(doc, "")
    p.keys(d, _TOP_KEYS, "")
    version = str(d.get("version") or "")
    if not version:
        p.add("version", "the crosswalk needs a version")
    weapons = p.mapping(d.get("weapons", {}), "weapons")
    gtd = p.mapping(d.get("gtd", {}), "gtd")
    targets = p.mapping(gtd.get("targets", {}), "gtd.targets")
    acled = p.mapping(d.get("acled", {}), "acled")
    gdelt = p.mapping(d.get("gdelt", {}), "gdelt")
    rdwti = p.mapping(d.get("rdwti", {}), "rdwti")

    keywords: dict[str, tuple[str, ...]] = {}
    for cat, words in p.mapping(d.get("target_keywords", {}), "target_keywords").items():
        if cat not in TARGET_CATEGORIES:
            p.add(f"target_keywords.{cat}", "unknown target category")
        keywords[str(cat)] = _words(p, words, f"target_keywords.{cat}")

    gdelt_modes: dict[str, tuple[str, ...]] = {}
    raw_modes: Mapping[Any, object] = p.mapping(gdelt.get("attack_modes", {}), "gdelt.attack_modes")
    for code, modes in raw_modes.items():
        if not (isinstance(code, str) and code.isdigit()):
            p.add(f"gdelt.attack_modes.{code}", "expected a quoted CAMEO code such as '183'")
            continue
        gdelt_modes[code] = p.ids(modes, f"gdelt.attack_modes.{code}", ATTACK_MODES)
    actor2: dict[str, str] = {}
    for code, cat in p.mapping(gdelt.get("actor2_type", {}), "gdelt.actor2_type").items():
        if cat not in TARGET_CATEGORIES:
            p.add(f"gdelt.actor2_type.{code}", f"unknown target category {cat!r}")
        else:
            actor2[str(code)] = cat

    rd_weapons: dict[str, tuple[str, tuple[str, ...]]] = {}
    for label, spec in p.mapping(rdwti.get("weapons", {}), "rdwti.weapons").items():
        where = f"rdwti.weapons.{label}"
        s = p.mapping(spec, where)
        p.keys(s, ("weapon", "scenarios"), where)
        weapon = p.text(s, "weapon", where)
        if weapon and weapon not in WEAPONS:
            p.add(f"{where}.weapon", f"unknown weapon {weapon!r}")
        rd_weapons[str(label).lower()] = (weapon, p.ids(s.get("scenarios"), f"{where}.scenarios",
                                                        ATTACK_MODES))  # fmt: skip
    rd_kw: dict[str, tuple[str, ...]] = {}
    for scen, words in p.mapping(rdwti.get("keyword_modes", {}), "rdwti.keyword_modes").items():
        if scen not in ATTACK_MODES:
            p.add(f"rdwti.keyword_modes.{scen}", "unknown scenario")
        rd_kw[str(scen)] = _words(p, words, f"rdwti.keyword_modes.{scen}")

    result = Crosswalk(
        version=version,
        gtd_weapons=_int_keyed(p, weapons.get("gtd_weaptype", {}), "weapons.gtd_weaptype", WEAPONS),
        gtd_modes=_mode_rules(p, gtd.get("attack_modes", []), "gtd.attack_modes", gtd=True),
        gtd_targsubtype=_int_keyed(
            p, targets.get("targsubtype", {}), "gtd.targets.targsubtype", TARGET_CATEGORIES
        ),
        gtd_targtype=_int_keyed(
            p, targets.get("targtype", {}), "gtd.targets.targtype", TARGET_CATEGORIES
        ),
        acled_modes=_mode_rules(p, acled.get("attack_modes", []), "acled.attack_modes", gtd=False),
        target_keywords=keywords,
        gdelt_keep_roots=frozenset(p.ids(gdelt.get("keep_root_codes"), "gdelt.keep_root_codes")),
        gdelt_modes=gdelt_modes,
        gdelt_actor2_type=actor2,
        rdwti_weapons=rd_weapons,
        rdwti_keyword_modes=rd_kw,
    )
    missing = sorted(set(range(1, 14)) - set(result.gtd_weapons))
    if missing:
        p.add("weapons.gtd_weaptype", f"GTD weapon codes without a weapon: {missing}")
    p.raise_if_any()
    return result


@cache
def _load(path: Path) -> Crosswalk:
    return parse_crosswalk(read_yaml(path), path.name)


def load_crosswalk(path: Path | None = None) -> Crosswalk:
    """The shipped crosswalk (or the one at ``path``), validated; cached per file."""
    return _load(Path(path or CROSSWALK_PATH).resolve())


def check_against_scenarios(
    crosswalk: Crosswalk,
    scenarios: Iterable[tuple[str, Sequence[int], Sequence[int], Sequence[str]]],
) -> list[Problem]:
    """Disagreements between the crosswalk rules and the risk scenarios' crosswalk fields.

    ``scenarios`` yields ``(id, gtd_attack_types, gtd_weapon_types, acled_sub_event_types)``.
    Every code a rule uses for a scenario must be listed for that scenario.
    """
    by_id = {sid: (set(a), set(w), set(s)) for sid, a, w, s in scenarios}
    problems: list[Problem] = []
    for i, rule in enumerate(crosswalk.gtd_modes):
        where = f"gtd.attack_modes[{i}]"
        attack, weapon, _ = by_id.get(rule.scenario, (set(), set(), set()))
        if extra := sorted(rule.attacktype - attack):
            problems.append(Problem("crosswalk.yaml", where, f"attacktype {extra} not listed "
                                    f"for {rule.scenario} in scenarios.yaml"))  # fmt: skip
        if extra := sorted(rule.weaptype - weapon):
            problems.append(Problem("crosswalk.yaml", where, f"weaptype {extra} not listed "
                                    f"for {rule.scenario} in scenarios.yaml"))  # fmt: skip
    for i, rule in enumerate(crosswalk.acled_modes):
        _, _, subs = by_id.get(rule.scenario, (set(), set(), set()))
        if extra_subs := sorted(rule.sub_event_type - subs):
            problems.append(Problem("crosswalk.yaml", f"acled.attack_modes[{i}]",
                                    f"sub_event_type {extra_subs} not listed for {rule.scenario} "
                                    "in scenarios.yaml"))  # fmt: skip
    return problems
