"""Planner page: several attacker types (preference presets) and the editable payoff table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from placeguard.core.timeprofile import TimeProfile
from placeguard.engines.allocation.games import Payoffs
from placeguard.engines.allocation.games_bayesian import (
    AttackerType,
    BayesianGame,
    solve_bayesian,
)
from placeguard.engines.allocation.payoffs import TYPE_ATTRACTIVENESS, SiteInput, derive_payoffs
from placeguard.web.allocation.attackers import EMPHASIS, preference_weights
from placeguard.web.allocation.forms import cell_name
from placeguard.web.allocation.models import PatrolPlan
from placeguard.web.audit.models import AuditEvent
from tests.conftest import World
from tests.web.allocation.conftest import north_site_ids
from tests.web.allocation.test_views import client_for


def form_data(world: World, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sites": [str(i) for i in north_site_ids(world)],
        "teams": [str(world.teams["roam"].pk)],  # type: ignore[attr-defined]
        "shifts_per_day": 1,
        "days": 2,
        "start": "2027-03-01",
        "attacker_model": "sse",
        "interdiction": 0.5,
    }
    data.update(extra)
    return data


def test_presets_double_the_preferred_types() -> None:
    assert preference_weights("default") == {}
    crowded = preference_weights("crowded")
    assert crowded["venue"] == EMPHASIS * TYPE_ATTRACTIVENESS["venue"]
    assert "place_of_worship" not in crowded
    assert preference_weights("symbolic")["place_of_worship"] == EMPHASIS * 1.0


def test_bayesian_plan_from_the_form_equals_a_direct_engine_call(force: World) -> None:
    client = client_for(force.users["police_n"])
    response = client.post(
        "/allocation/",
        form_data(
            force,
            name="Two kinds",
            main_preference="symbolic",
            type2_name="Cell",
            type2_prior="0.3",
            type2_preference="crowded",
        ),
    )
    assert response.status_code == 302, response.content
    plan = PatrolPlan.objects.get(name="Two kinds")
    assert plan.results["attacker_model"] == "bayesian"
    assert [t["name"] for t in plan.parameters["attacker_types"]] == ["Main attacker", "Cell"]
    assert [t["prior"] for t in plan.parameters["attacker_types"]] == pytest.approx([0.7, 0.3])

    sites = sorted((force.sites[k] for k in ["mall_north", "hotel_north", "church", "square",
                                            "station_b"]), key=lambda s: (s.name, s.pk))  # fmt: skip
    share = float(TimeProfile.from_json(None).typical_share)
    derived = derive_payoffs(
        [
            SiteInput(id=str(s.pk), site_type=s.site_type, capacity=s.capacity, typical_share=share)
            for s in sites
        ]
    )
    types = []
    for name, prior, preset in [("Main attacker", 0.7, "symbolic"), ("Cell", 0.3, "crowded")]:
        weights = preference_weights(preset)
        w = np.array([weights.get(s.site_type, TYPE_ATTRACTIVENESS[s.site_type]) for s in sites])
        uau = w * derived.consequence
        rows = np.column_stack([derived.payoffs.defender_covered,
                                derived.payoffs.defender_uncovered, uau * 0.5, uau])  # fmt: skip
        types.append(AttackerType(name=name, prior=prior, payoffs=Payoffs.from_rows(rows)))
    direct = solve_bayesian(
        BayesianGame(ids=derived.ids, resources=1.0, types=tuple(types)), time_limit=30
    )
    stored = {str(s["id"]): s["coverage"] for s in plan.results["sites"]}
    np.testing.assert_allclose([stored[i] for i in derived.ids], direct.coverage, atol=1e-7)
    assert plan.results["defender_utility"] == pytest.approx(direct.defender_utility, abs=1e-7)
    assert plan.results["proven_optimal"] is direct.proven_optimal
    event = AuditEvent.objects.get(action="patrol_plan.create", object_id=str(plan.pk))
    assert event.diff["attacker_model"] == [None, "bayesian"]


@pytest.mark.parametrize(
    ("extra", "field", "text"),
    [
        ({"type2_prior": "0.2"}, "type2_name", "Name this attacker type"),
        ({"type2_name": "Cell"}, "type2_prior", "probability"),
        ({"type2_name": "Cell", "type2_prior": "1.5"}, "type2_prior", "between 0 and 1"),
        ({"type2_name": "Cell", "type2_prior": "x"}, "type2_prior", "number"),
        (
            {"type2_name": "A", "type2_prior": "0.6", "type3_name": "B", "type3_prior": "0.5"},
            "type2_prior",
            "less than 1",
        ),
        (
            {
                "type2_name": "Cell",
                "type2_prior": "0.3",
                "attacker_model": "quantal",
                "rationality": "0.5",
            },
            "attacker_model",
            "rational",
        ),
    ],
)
def test_attacker_type_errors_are_shown_at_their_field(
    force: World, extra: dict[str, Any], field: str, text: str
) -> None:
    client = client_for(force.users["police_n"])
    response = client.post("/allocation/", form_data(force, **extra))
    assert response.status_code == 200
    form = response.context["form"]
    assert text in str(form.errors[field])
    assert f'href="#id_{field}' in response.content.decode()
    assert not PatrolPlan.objects.exists()


def show_table(client: Any, world: World, **extra: Any) -> Any:
    response = client.post("/allocation/", form_data(world, action="payoffs", **extra))
    assert response.status_code == 200
    return response


def test_payoff_table_is_prefilled_and_only_edits_become_overrides(force: World) -> None:
    client = client_for(force.users["police_n"])
    response = show_table(client, force)
    form = response.context["form"]
    church = force.sites["church"].pk
    assert len(form.payoff_rows) == 5 and not PatrolPlan.objects.exists()
    body = response.content.decode()
    assert f'id="id_{cell_name(church, "attacker_uncovered")}"' in body
    assert "Consequence" in body  # the derivation is shown beside each site
    # Submit the table as shown, with one cell changed.
    data = {k: v for k, v in form.data.items() if k not in {"sites", "teams", "action"}}
    data.update(sites=form.data.getlist("sites"), teams=form.data.getlist("teams"), name="Edited")
    shown = float(data[cell_name(church, "attacker_uncovered")])
    data[cell_name(church, "attacker_uncovered")] = str(shown * 3)
    response = client.post("/allocation/", data)
    assert response.status_code == 302, response.context["form"].errors
    plan = PatrolPlan.objects.get(name="Edited")
    assert plan.parameters["overrides"] == {
        str(church): {"attacker_uncovered": pytest.approx(shown * 3)}
    }
    row = next(s for s in plan.results["sites"] if s["id"] == church)
    assert "attacker_uncovered overridden" in row["explanation"]


def test_payoff_cells_show_their_errors(force: World) -> None:
    client = client_for(force.users["police_n"])
    form = show_table(client, force).context["form"]
    church, square = force.sites["church"].pk, force.sites["square"].pk
    data = {k: v for k, v in form.data.items() if k not in {"sites", "teams", "action"}}
    data.update(sites=form.data.getlist("sites"), teams=form.data.getlist("teams"))
    data[cell_name(church, "defender_covered")] = "lots"
    data[cell_name(square, "attacker_covered")] = "1e9"  # better for the attacker than uncovered
    response = client.post("/allocation/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {
        cell_name(church, "defender_covered"),
        cell_name(square, "attacker_covered"),
    }
    body = response.content.decode()
    assert f'href="#id_{cell_name(square, "attacker_covered")}"' in body
    assert f'id="id_{cell_name(church, "defender_covered")}_error"' in body
    assert 'aria-invalid="true"' in body
    assert not PatrolPlan.objects.exists()


def test_a_changed_selection_asks_for_the_table_again(force: World) -> None:
    client = client_for(force.users["police_n"])
    form = show_table(client, force).context["form"]
    data = {k: v for k, v in form.data.items() if k not in {"sites", "teams", "action"}}
    data.update(sites=form.data.getlist("sites")[:2], teams=form.data.getlist("teams"))
    response = client.post("/allocation/", data)
    assert response.status_code == 200
    assert "show the payoff table again" in str(response.context["form"].non_field_errors())
    assert not PatrolPlan.objects.exists()


def test_reader_cannot_post_the_planner(force: World) -> None:
    client = client_for(force.users["police_n_reader"])
    assert client.post("/allocation/", form_data(force, action="payoffs")).status_code == 403
    outsider = client_for(force.users["police_s"])
    response = outsider.post("/allocation/", form_data(force, action="payoffs"))
    assert response.status_code == 200  # South's own planner: North's sites are not choices
    assert "sites" in response.context["form"].errors
