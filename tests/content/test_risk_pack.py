"""The shipped risk content pack: it loads, it is complete, and broken packs fail loudly.

No database is needed: the pack is plain YAML parsed by the Django-free risk catalogue.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from placeguard.content import RISK_PACK_DIR, load_risk_pack
from placeguard.core.packs import ContentError
from placeguard.core.vocab import Scenario, SiteType
from placeguard.engines.risk.catalogue import CATEGORIES, MEASURE_CATEGORIES, RiskPack

PACK_FILES = ("scenarios.yaml", "questions.yaml", "measures.yaml", "compliance.yaml")
SITE_TYPES = [t.value for t in SiteType]
# GTD codebook ranges and ACLED sub-event types, as listed in the incident-analytics research.
GTD_ATTACK_TYPES = range(1, 10)
GTD_WEAPON_TYPES = range(1, 14)
ACLED_SUB_EVENT_TYPES = {
    "Armed clash",
    "Government regains territory",
    "Non-state actor overtakes territory",
    "Sexual violence",
    "Attack",
    "Abduction/forced disappearance",
    "Chemical weapon",
    "Air/drone strike",
    "Suicide bomb",
    "Shelling/artillery/missile attack",
    "Remote explosive/landmine/IED",
    "Grenade",
    "Peaceful protest",
    "Protest with intervention",
    "Excessive force against protesters",
    "Violent demonstration",
    "Mob violence",
    "Agreement",
    "Arrests",
    "Change to group/activity",
    "Disrupted weapons use",
    "Headquarters or base established",
    "Looting/property destruction",
    "Non-violent transfer of territory",
    "Other",
}


@pytest.fixture(scope="module")
def pack() -> RiskPack:
    return load_risk_pack()


# ------------------------------------------------------------------------------- the pack loads
def test_shipped_pack_loads_with_version_and_currency(pack: RiskPack) -> None:
    assert pack.version == "2026.11"
    assert pack.currency == "EUR"
    assert load_risk_pack() is pack  # cached per folder


def test_scenarios_follow_the_vocabulary_order(pack: RiskPack) -> None:
    assert pack.scenario_ids == tuple(s.value for s in Scenario)
    assert len(pack.scenarios) == 14
    for spec in pack.scenarios:
        assert spec.precursor is Scenario(spec.id).is_precursor
        assert spec.name and spec.description
        assert spec.modes and spec.layers


def test_scenario_numbers_are_plausible(pack: RiskPack) -> None:
    for spec in pack.scenarios:
        assert "default" in spec.base_rate
        for low, central, high in spec.base_rate.values():
            assert 0 < low <= central <= high
            if spec.precursor:
                assert 1e-4 <= central <= 3e-2, spec.id
            else:
                assert 1e-7 <= central <= 1e-4, spec.id
        assert 0 < spec.success_probability[1] < 1
        if spec.precursor and spec.id == Scenario.HOSTILE_RECONNAISSANCE:
            assert spec.lethality == (0, 0, 0)
        else:
            assert spec.lethality[1] > 0
            # a successful attack on a crowd big enough to fill the cap hurts at least one
            # person (a hoax is a disruption: most hurt no one)
            if not spec.precursor:
                assert spec.max_exposed * spec.lethality[1] >= 1, spec.id
    hoax = pack.scenario(Scenario.HOAX)
    assert hoax.exposed_share == 1.0
    assert hoax.lethality[1] <= 0.001
    # even evacuating the largest crowd a hoax can reach hurts fewer than one person on average
    assert hoax.max_exposed * hoax.lethality[1] < 1


def test_scenario_crosswalks_use_known_codes(pack: RiskPack) -> None:
    for spec in pack.scenarios:
        assert set(spec.gtd_attack_types) <= set(GTD_ATTACK_TYPES), spec.id
        assert set(spec.gtd_weapon_types) <= set(GTD_WEAPON_TYPES), spec.id
        assert set(spec.acled_sub_event_types) <= ACLED_SUB_EVENT_TYPES, spec.id
    assert pack.scenario(Scenario.VEHICLE_RAMMING).gtd_weapon_types == (10,)
    assert pack.scenario(Scenario.FIREARMS).gtd_weapon_types == (5,)
    assert pack.scenario(Scenario.PBIED).acled_sub_event_types == ("Suicide bomb",)
    for empty in (Scenario.INSIDER, Scenario.HOSTILE_RECONNAISSANCE):
        spec = pack.scenario(empty)
        assert not spec.gtd_attack_types and not spec.gtd_weapon_types
        assert not spec.acled_sub_event_types


# ------------------------------------------------------------------------------- completeness
def test_pack_sizes(pack: RiskPack) -> None:
    assert len(pack.questions) >= 120
    assert len(pack.measures) >= 80


def test_every_question_category_is_used(pack: RiskPack) -> None:
    used = Counter(q.category for q in pack.questions)
    assert set(used) == set(CATEGORIES)
    assert min(used.values()) >= 5


def test_every_measure_category_is_used(pack: RiskPack) -> None:
    assert {m.category for m in pack.measures} == set(MEASURE_CATEGORIES)


@pytest.mark.parametrize("site_type", SITE_TYPES)
def test_each_site_type_has_its_own_questions(pack: RiskPack, site_type: str) -> None:
    specific = [q for q in pack.questions if site_type in q.site_types]
    assert len(specific) >= 5
    assert len(pack.questions_for(site_type)) >= 40
    # the short form covers every site type
    assert sum(q.tier == "quick" for q in pack.questions_for(site_type)) >= 25


def test_about_forty_quick_questions(pack: RiskPack) -> None:
    tiers = Counter(q.tier for q in pack.questions)
    assert 35 <= tiers["quick"] <= 45
    assert tiers["standard"] and tiers["expert"]


@pytest.mark.parametrize("scenario", [s.value for s in Scenario])
def test_every_scenario_is_acted_on_by_several_measures(pack: RiskPack, scenario: str) -> None:
    acting = [m for m in pack.measures if any(e.scenario == scenario for e in m.effects)]
    assert len(acting) >= 3


def test_every_measure_is_evidenced_for_every_site_type_it_suits(pack: RiskPack) -> None:
    for measure in pack.measures:
        assert pack.evidencing_questions(measure.id), measure.id
        for site_type in SITE_TYPES:
            if measure.applies_to(site_type):
                asked = [q for q in pack.questions_for(site_type) if measure.id in q.measures]
                assert asked, (measure.id, site_type)


def test_questions_only_evidence_measures_that_suit_their_site_types(pack: RiskPack) -> None:
    for question in pack.questions:
        for site_type in question.site_types or SITE_TYPES:
            for measure_id in question.measures:
                assert pack.measure(measure_id).applies_to(site_type), (question.id, measure_id)


# ------------------------------------------------------------------------------- questions
def test_question_ids_and_options(pack: RiskPack) -> None:
    for question in pack.questions:
        assert re.fullmatch(r"[A-Z]{3}-\d{2}", question.id), question.id
        assert question.text.endswith("?"), question.id
        qualities = [o.quality for o in question.options]
        assert 3 <= len(qualities) <= 6
        assert qualities[0] == 0.0
        assert qualities[-1] == 1.0
        assert all(b > a for a, b in itertools.pairwise(qualities)), question.id
        for option in question.options:
            label = option.label.lower()
            assert not label.startswith(("unknown", "n/a", "not applicable", "don't know"))
        assert len({o.label for o in question.options}) == len(question.options)


def test_question_texts_are_unique(pack: RiskPack) -> None:
    texts = Counter(q.text for q in pack.questions)
    assert max(texts.values()) == 1


# ------------------------------------------------------------------------------- measures
def test_measure_fields_are_sane(pack: RiskPack) -> None:
    for measure in pack.measures:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", measure.id), measure.id
        assert measure.name and measure.description and measure.layers
        assert 0 <= measure.openness <= 3
        assert measure.capex[0] <= measure.capex[1] <= 500_000
        assert measure.opex[0] <= measure.opex[1] <= 300_000
        for effect in measure.effects:
            assert 0 < effect.effectiveness[1] <= 0.95
            assert effect.on in {"V", "C"}


def test_calibration_anchors(pack: RiskPack) -> None:
    def central(measure_id: str, scenario: str, on: str) -> float:
        measure = pack.measure(measure_id)
        (effect,) = [e for e in measure.effects if e.scenario == scenario and e.on == on]
        return effect.effectiveness[1]

    assert central("HVM_PERMANENT", "vehicle_ramming", "V") == pytest.approx(0.8)
    assert central("SCREENING_EQUIPMENT", "pbied", "V") == pytest.approx(0.5)
    assert 0.25 <= central("LOCKDOWN_PROCEDURE", "firearms", "C") <= 0.35
    assert 0.1 <= central("BLEED_KITS", "bladed_weapon", "C") <= 0.2
    assert pack.measure("SCREENING_EQUIPMENT").openness == 3
    assert pack.measure("BAG_SEARCH").openness == 2
    assert pack.measure("CT_AWARENESS_TRAINING").openness == 0
    assert pack.measure("GLAZING_PROTECTION").openness == 0


def test_dependencies_and_exclusions(pack: RiskPack) -> None:
    assert "CCTV_COVERAGE" in pack.measure("CCTV_LIVE_MONITORING").requires
    assert "SEARCH_AREA_SETBACK" in pack.measure("SCREENING_EQUIPMENT").requires
    assert "LOCKDOWN_PROCEDURE" in pack.measure("LOCKDOWN_HARDWARE").requires
    assert "HVM_TEMPORARY" in pack.measure("HVM_PERMANENT").excludes
    for measure in pack.measures:
        for other in measure.excludes:
            assert measure.id in pack.measure(other).excludes, (measure.id, other)
        for needed in measure.requires:
            for site_type in SITE_TYPES:
                if measure.applies_to(site_type):
                    assert pack.measure(needed).applies_to(site_type), (measure.id, needed)
    # no question claims to evidence two mutually exclusive measures
    for question in pack.questions:
        for measure_id in question.measures:
            assert not set(pack.measure(measure_id).excludes) & set(question.measures)


def test_requirements_have_no_cycles(pack: RiskPack) -> None:
    def visit(measure_id: str, trail: tuple[str, ...]) -> None:
        assert measure_id not in trail, trail
        for needed in pack.measure(measure_id).requires:
            visit(needed, (*trail, measure_id))

    for measure in pack.measures:
        visit(measure.id, ())


def test_site_specific_measures_named_in_the_brief(pack: RiskPack) -> None:
    expected = {
        "HVM_TEMPORARY": {"venue", "public_space"},
        "STEWARDING": {"venue"},
        "VISITOR_MANAGEMENT": {"education"},
        "MAILROOM_SCREENING": {"retail", "hospitality", "transport_hub"},
        "LEFT_LUGGAGE_CONTROL": {"transport_hub"},
        "GREETERS_USHERS": {"place_of_worship"},
        "PATIENT_AREA_LOCKDOWN": {"health"},
    }
    for measure_id, site_types in expected.items():
        assert site_types <= set(pack.measure(measure_id).site_types), measure_id


# ------------------------------------------------------------------------------- compliance
def test_compliance_overlays(pack: RiskPack) -> None:
    overlays = {o.id: o for o in pack.overlays}
    assert set(overlays) == {"uk_tppa_2025", "un_plan_of_action_religious_sites"}
    for overlay in pack.overlays:
        assert overlay.source.startswith("https://")
        for requirement in overlay.requirements:
            assert requirement.text and requirement.min_option
            for question_id, index in requirement.min_option.items():
                question = pack.question(question_id)
                assert 0 <= index < len(question.options)

    uk = overlays["uk_tppa_2025"]
    assert uk.tier_rule == "uk_tppa_2025"
    assert uk.source == "https://www.legislation.gov.uk/ukpga/2025/10/contents"
    by_id = {r.id: r for r in uk.requirements}
    for section5 in ("s5_evacuation", "s5_invacuation", "s5_lockdown", "s5_communication"):
        assert set(by_id[section5].tiers) == {"standard", "enhanced"}
        assert "Section 5" in by_id[section5].text
    for enhanced in (
        "s6_monitoring",
        "s6_movement",
        "s6_physical_safety",
        "s6_security_of_information",
        "s7_documentation",
        "s10_senior_individual",
    ):
        assert by_id[enhanced].tiers == ("enhanced",)
    assert set(by_id["s8_cooperation"].tiers) == {"standard", "enhanced"}
    assert set(by_id["s9_notify_regulator"].tiers) == {"standard", "enhanced"}

    un = overlays["un_plan_of_action_religious_sites"]
    assert un.tier_rule == "all"
    assert un.site_types == ("place_of_worship",)
    assert uk.site_types == ()
    assert all(r.tiers == ("all",) for r in un.requirements)
    assert all(r.text.startswith("Recommended") for r in un.requirements)


def test_uk_overlay_invents_no_duties(pack: RiskPack) -> None:
    """The Act sets no formal risk-assessment, training or CCTV duty: no requirement rests on them."""
    uk = next(o for o in pack.overlays if o.id == "uk_tppa_2025")
    not_legal_duties = {"RISK_ASSESSMENT", "CT_AWARENESS_TRAINING", "CCTV_COVERAGE"}
    for requirement in uk.requirements:
        for question_id in requirement.min_option:
            assert not set(pack.question(question_id).measures) & not_legal_duties
        text = requirement.text.lower()
        assert "risk assessment" not in text and "cctv" not in text and "training" not in text


# ------------------------------------------------------------------------------- broken packs
def _copy_pack(tmp_path: Path) -> Path:
    for name in PACK_FILES:
        shutil.copy(RISK_PACK_DIR / name, tmp_path / name)
    return tmp_path


def _rewrite(folder: Path, name: str, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
    change(data)
    (folder / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _duplicate_measure(data: Any) -> None:
    data["measures"][5]["id"] = data["measures"][0]["id"]


def _unknown_measure_reference(data: Any) -> None:
    data["questions"][3]["measures"] = ["NO_SUCH_MEASURE"]


def _too_effective(data: Any) -> None:
    data["measures"][2]["effects"][1]["effectiveness"] = [0.9, 0.97, 0.99]


def _options_not_rising(data: Any) -> None:
    options = data["questions"][0]["options"]
    options[1]["q"], options[2]["q"] = options[2]["q"], options[1]["q"]


def _unknown_scenario_in_scenarios(data: Any) -> None:
    data["scenarios"][4]["id"] = "drive_by_shooting"


def _unknown_scenario_in_effect(data: Any) -> None:
    data["measures"][1]["effects"][0]["scenario"] = "drive_by_shooting"


def _overlay_unknown_question(data: Any) -> None:
    data["overlays"][0]["requirements"][0]["met_when"] = {"ZZZ-99": 1}


@pytest.mark.parametrize(
    ("name", "change", "path", "reason"),
    [
        ("measures.yaml", _duplicate_measure, "measures[5].id", "duplicate measure id"),
        (
            "questions.yaml",
            _unknown_measure_reference,
            "questions[3].measures[0]",
            "NO_SUCH_MEASURE",
        ),
        ("measures.yaml", _too_effective, "measures[2].effects[1].effectiveness", "0.95"),
        ("questions.yaml", _options_not_rising, "questions[0].options", "rise strictly"),
        ("scenarios.yaml", _unknown_scenario_in_scenarios, "scenarios[4].id", "not a scenario"),
        (
            "measures.yaml",
            _unknown_scenario_in_effect,
            "measures[1].effects[0].scenario",
            "unknown scenario",
        ),
        (
            "compliance.yaml",
            _overlay_unknown_question,
            "overlays[0].requirements[0].met_when.ZZZ-99",
            "unknown question",
        ),
    ],
    ids=[
        "duplicate-id",
        "unknown-measure-reference",
        "effectiveness-above-0.95",
        "options-not-rising",
        "unknown-scenario-id",
        "unknown-scenario-in-effect",
        "overlay-unknown-question",
    ],
)
def test_broken_pack_names_file_path_and_reason(
    tmp_path: Path, name: str, change: Callable[[Any], None], path: str, reason: str
) -> None:
    folder = _copy_pack(tmp_path)
    _rewrite(folder, name, change)
    with pytest.raises(ContentError) as caught:
        load_risk_pack(folder)
    matching = [p for p in caught.value.problems if p.source == name and p.path == path]
    assert matching, caught.value.problems
    assert reason in matching[0].reason
    assert f"{name}: {path}: " in str(caught.value)


def test_bad_yaml_syntax_names_file_and_line(tmp_path: Path) -> None:
    folder = _copy_pack(tmp_path)
    text = (folder / "questions.yaml").read_text(encoding="utf-8")
    (folder / "questions.yaml").write_text(text + "\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_risk_pack(folder)
    (problem,) = caught.value.problems
    assert problem.source == "questions.yaml"
    assert problem.path.startswith("line ")
    assert "not valid YAML" in problem.reason
    assert "questions.yaml: line " in str(caught.value)


def test_round_tripped_pack_still_loads(tmp_path: Path) -> None:
    """The copy helper itself does not corrupt a pack (so the failures above are the edits)."""
    folder = _copy_pack(tmp_path)
    for name in PACK_FILES:
        _rewrite(folder, name, lambda data: None)
    copy = load_risk_pack(folder)
    assert len(copy.measures) == len(load_risk_pack().measures)
    assert copy.measure("HVM_PERMANENT").effects[0].on == "V"
