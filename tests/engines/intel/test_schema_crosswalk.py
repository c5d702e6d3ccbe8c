"""The canonical schema and the crosswalk content file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from placeguard.content import load_risk_pack
from placeguard.core.packs import ContentError
from placeguard.core.vocab import Scenario, SiteType
from placeguard.engines.intel.countries import load_countries
from placeguard.engines.intel.crosswalk import (
    CROSSWALK_PATH,
    check_against_scenarios,
    load_crosswalk,
    parse_crosswalk,
)
from placeguard.engines.intel.schema import (
    TARGET_CATEGORIES,
    Incident,
    arrow_schema,
    incidents_to_arrow,
    is_restricted,
)


def test_categories_include_every_site_type() -> None:
    assert {s.value for s in SiteType} <= TARGET_CATEGORIES
    assert {"transport_vehicle", "hard_target", "other", "unknown"} <= TARGET_CATEGORIES


def test_arrow_round_trip_keeps_unknown_casualties_null() -> None:
    row = Incident(
        source="gtd", source_row_id="201701010001", licence="gtd-eua",
        date=dt.date(2017, 1, 1), date_precision="day", country="IRQ",
        attack_modes=("pbied", "firearms"), target_categories=("place_of_worship",),
        deaths=None, wounded=3,
    )  # fmt: skip
    table = incidents_to_arrow([row])
    assert table.schema.equals(arrow_schema())
    got = table.to_pylist()[0]
    assert got["deaths"] is None
    assert got["wounded"] == 3
    assert got["attack_modes"] == ["pbied", "firearms"]
    assert got["year"] == 2017
    assert table.schema.field("deaths").type == pa.int32()


def test_restricted_licences() -> None:
    assert is_restricted("gtd-eua")
    assert is_restricted("acled-terms")
    assert is_restricted("rdwti-ua")
    assert is_restricted("own-data")
    assert is_restricted("something-new")
    assert not is_restricted("cc-by-4.0")
    assert not is_restricted("gdelt-open")


def test_shipped_crosswalk_agrees_with_risk_scenarios() -> None:
    pack = load_risk_pack()
    rows = [
        (s.id, s.gtd_attack_types, s.gtd_weapon_types, s.acled_sub_event_types)
        for s in pack.scenarios
    ]
    assert check_against_scenarios(load_crosswalk(), rows) == []


def test_disagreement_with_scenarios_is_reported() -> None:
    rows = [(s.value, [], [], []) for s in Scenario]
    problems = check_against_scenarios(load_crosswalk(), rows)
    assert any("attacktype [3] not listed for vbied" in p.reason for p in problems)
    assert any("sub_event_type ['Suicide bomb'] not listed for pbied" in p.reason for p in problems)


@pytest.mark.parametrize(
    ("codes", "suicide", "expected"),
    [
        (([3], [6], [15]), False, ("vbied",)),
        (([3], [6], [13]), True, ("pbied",)),
        (([3], [6], [16]), False, ("placed_ied",)),
        (([3, 2], [6, 5], [16, 2]), False, ("placed_ied", "firearms", "complex")),
        (([6], [13], []), False, ("hostage",)),
        (([2], [10], []), False, ("vehicle_ramming",)),
        (([7], [8], [18]), False, ("arson",)),
        (([9], [13], []), False, ()),
    ],
)
def test_gtd_attack_mode_rules(
    codes: tuple[list[int], list[int], list[int]], suicide: bool, expected: tuple[str, ...]
) -> None:
    assert load_crosswalk().gtd_attack_modes(*codes, suicide=suicide) == expected


def test_gtd_targets_subtype_first_then_type() -> None:
    xw = load_crosswalk()
    assert xw.gtd_targets([15], [86]) == ("place_of_worship",)
    assert xw.gtd_targets([1, 3], [8, 22]) == ("hospitality", "hard_target")
    assert xw.gtd_targets([1], [3]) == ("other",)  # Bank/Commerce: no category
    assert xw.gtd_targets([20], [None]) == ("unknown",)


def test_keywords_match_whole_words() -> None:
    xw = load_crosswalk()
    assert xw.keyword_targets("soldiers attacked near the barracks") == ("unknown",)
    assert xw.keyword_targets("a bomb in the market near two mosques") == (
        "place_of_worship", "public_space",
    )  # fmt: skip


def test_malformed_crosswalk_reports_every_problem_with_path() -> None:
    doc = yaml.safe_load(CROSSWALK_PATH.read_text(encoding="utf-8"))
    doc["gtd"]["attack_modes"][0]["scenario"] = "drive_by"
    doc["gtd"]["targets"]["targsubtype"][86] = "church"
    doc["acled"]["attack_modes"][0]["sub_event_type"] = ["Suicide bombing"]
    del doc["version"]
    with pytest.raises(ContentError) as info:
        parse_crosswalk(doc)
    text = str(info.value)
    assert "crosswalk.yaml: gtd.attack_modes[0].scenario: 'drive_by' is not a scenario" in text
    assert "gtd.targets.targsubtype.86: unknown identifier 'church'" in text
    assert "acled.attack_modes[0].sub_event_type: 'Suicide bombing' is not an ACLED" in text
    assert "crosswalk.yaml: version:" in text


def test_load_crosswalk_from_file_reports_yaml_errors(tmp_path: Path) -> None:
    bad = tmp_path / "cw.yaml"
    bad.write_text("gtd: [unclosed\n")
    with pytest.raises(ContentError, match=r"cw\.yaml: line"):
        load_crosswalk(bad)


def test_country_resolution() -> None:
    countries = load_countries()
    assert countries.name("DR Congo (Zaire)") == (True, "COD")
    assert countries.name("West Germany (FRG)") == (True, "DEU")
    assert countries.name("Soviet Union") == (True, "SUN")
    assert countries.name("International") == (True, None)
    assert countries.name("Atlantis") == (False, None)
    assert countries.numeric(566) == (True, "NGA")
    assert countries.fips("IZ") == (True, "IRQ")
