"""MSEL drafting, CSV/XLSX round trip and row-level import errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placeguard.content.preparedness import load_preparedness_pack
from placeguard.core.errors import ImportValidationError
from placeguard.engines.preparedness.catalogue import TemplateSet
from placeguard.engines.preparedness.msel import (
    MSEL_COLUMNS,
    CorrectiveActionRef,
    draft_msel,
    msel_from_csv,
    msel_from_xlsx,
    msel_to_csv,
    msel_to_xlsx,
)


@pytest.fixture(scope="module")
def templates() -> dict[str, TemplateSet]:
    return dict(load_preparedness_pack().templates.templates)


def test_shipped_pack_covers_required_scenarios(templates: dict[str, TemplateSet]) -> None:
    required = {"vehicle_ramming", "firearms", "placed_ied", "arson", "hostage", "hoax"}
    assert required <= set(templates)
    for template in templates.values():
        assert any(i.type == "contingency" for i in template.injects)


def test_draft_merges_renumbers_and_adds_objectives(templates: dict[str, TemplateSet]) -> None:
    msel = draft_msel(
        templates,
        ["firearms", "hoax"],
        corrective_actions=[CorrectiveActionRef("CA-1", "Radio check at shift start")],
        highest_risks=["vehicle_ramming", "uas"],
        stagger_min=30,
    )
    expected = sum(len(templates[s].injects) for s in ("firearms", "hoax", "vehicle_ramming"))
    assert len(msel.injects) == expected
    assert [i.seq for i in msel.injects] == list(range(1, expected + 1))
    times = [i.time_min for i in msel.injects]
    assert times == sorted(times)
    seqs = {i.seq: i for i in msel.injects}
    for inject in msel.injects:
        if inject.contingency_for is not None:
            backed = seqs[inject.contingency_for]
            assert backed.scenario == inject.scenario
            assert backed.time_min <= inject.time_min
    sources = [o.source for o in msel.objectives]
    assert "corrective_action:CA-1" in sources
    assert "risk:uas" in sources  # no template: objective + note
    assert any("uas" in n for n in msel.notes)
    assert {i.objective for i in msel.injects} <= {o.id for o in msel.objectives}


@given(
    st.lists(
        st.sampled_from(["vehicle_ramming", "firearms", "placed_ied", "arson", "hostage", "hoax"]),
        min_size=1,
        max_size=6,
        unique=True,
    ),
    st.integers(min_value=0, max_value=45),
)
def test_merge_keeps_every_inject_time_ordered(scenarios: list[str], stagger: int) -> None:
    templates = load_preparedness_pack().templates.templates
    msel = draft_msel(templates, scenarios, stagger_min=stagger)
    assert len(msel.injects) == sum(len(templates[s].injects) for s in scenarios)
    for scenario in scenarios:
        mine = [i.description for i in msel.injects if i.scenario == scenario]
        assert mine == [i.description for i in templates[scenario].injects]
    times = [i.time_min for i in msel.injects]
    assert times == sorted(times)


def test_csv_and_xlsx_round_trip(templates: dict[str, TemplateSet]) -> None:
    msel = draft_msel(templates, ["vehicle_ramming", "placed_ied"])
    objectives = [o.id for o in msel.objectives]
    assert msel_from_csv(msel_to_csv(msel.injects), objectives=objectives) == msel.injects
    assert msel_from_xlsx(msel_to_xlsx(msel.injects), objectives=objectives) == msel.injects


def test_formula_like_text_survives_round_trip(templates: dict[str, TemplateSet]) -> None:
    import dataclasses

    first = draft_msel(templates, ["hoax"]).injects[0]
    tricky = dataclasses.replace(first, description='=HYPERLINK("x")')
    text = msel_to_csv([tricky])
    assert "'=HYPERLINK" in text
    assert msel_from_csv(text) == (tricky,)


def test_every_bad_row_is_reported() -> None:
    header = ",".join(MSEL_COLUMNS)
    rows = [
        "1,T+0:00,hoax,contextual,verbal,Facilitator,All,Scene set,,O1,",
        "2,soon,hoax,expected_action,pigeon,Facilitator,All,Call,,O9,",  # 4 problems
        "2,T+0:10,hoax,contingency,verbal,Facilitator,All,Again,Do it,O1,",  # dup seq + link
        "4,T+0:15,hoax,contingency,verbal,,All,Again,Do it,O1,99",  # from missing, bad link
    ]
    with pytest.raises(ImportValidationError) as info:
        msel_from_csv("\n".join([header, *rows]) + "\n", objectives=["O1"])
    found = {(r.row, r.column) for r in info.value.rows}
    assert {(3, "time"), (3, "delivery"), (3, "expected_action"), (3, "objective")} <= found
    assert (4, "contingency_for") in found
    assert (5, "from") in found
    assert 1 not in {r.row for r in info.value.rows}  # line 2 (first data row) is fine


def test_unknown_and_missing_columns() -> None:
    with pytest.raises(ImportValidationError) as info:
        msel_from_csv("seq,time,colour\n1,0,red\n")
    columns = {r.column for r in info.value.rows}
    assert {"colour", "description", "delivery"} <= columns


def test_not_a_workbook() -> None:
    with pytest.raises(ImportValidationError, match="row"):
        msel_from_xlsx(b"not a zip file")
