"""Content-pack translations: texts change with the language, ids and numbers never do."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from placeguard.content import RISK_PACK_DIR, load_risk_pack, pack_languages
from placeguard.core.packs import ContentError
from placeguard.core.po import parse_po
from placeguard.engines.risk.assessment import SiteProfile, assess
from placeguard.engines.risk.translation import pack_messages


def test_the_shipped_french_catalogue_translates_and_falls_back() -> None:
    english, french = load_risk_pack(), load_risk_pack(language="fr")
    assert "fr" in pack_languages()
    assert french.scenario("vehicle_ramming").name == "Véhicule utilisé comme arme"
    assert french.question("GOV-01").options[0].label == "Personne n'en a été chargé"
    # a text the catalogue lacks stays in English
    untranslated = english.measures[0]
    assert french.measure(untranslated.id).description == untranslated.description
    # regional variants fall back to the language; the source language and unknown ones
    # give the pack as written
    assert load_risk_pack(language="fr-CA") is french
    assert load_risk_pack(language="en") is english
    assert load_risk_pack(language="xx") is english


def test_every_catalogue_entry_is_a_text_of_the_pack() -> None:
    """A stale msgid (the English text changed) would silently stop translating."""
    texts = {m.msgid for m in pack_messages(load_risk_pack())}
    for language in pack_languages():
        path = RISK_PACK_DIR / "locale" / f"{language}.po"
        stale = set(parse_po(path.read_text(encoding="utf-8"))) - texts
        assert not stale, f"{path.name} translates texts the pack no longer has: {stale}"


def test_scores_are_the_same_in_every_language() -> None:
    site = SiteProfile(site_type="place_of_worship", capacity=900, symbolic=1)
    answers = {"GOV-01": 2}
    english = assess(load_risk_pack(), site, answers)
    french = assess(load_risk_pack(language="fr"), site, answers)
    assert np.array_equal([s.risk for s in english.scenarios], [s.risk for s in french.scenarios])
    assert [s.scenario for s in english.scenarios] == [s.scenario for s in french.scenarios]
    assert french.scenarios[0].name != english.scenarios[0].name


def test_the_template_lists_every_question_and_option() -> None:
    pack = load_risk_pack()
    texts = {m.msgid for m in pack_messages(pack)}
    for question in pack.questions:
        assert question.text in texts
        assert all(o.label in texts for o in question.options)
    assert all(m.name in texts and m.description in texts for m in pack.measures)


def test_a_broken_catalogue_fails_at_load_with_file_and_line(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(RISK_PACK_DIR, pack)
    (pack / "locale" / "de.po").write_text('msgid "Drone attack"\nmsgstr "Drohnen\n')
    with pytest.raises(ContentError, match=r"de\.po:2"):
        load_risk_pack(pack, language="de")
