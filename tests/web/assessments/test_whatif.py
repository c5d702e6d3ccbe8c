"""The what-if page: two plans for one assessment side by side. Visibility is the plan page's;
numbers are the engine's (``whatif.compare_plans``); hand-picked plans that break a
prerequisite or an exclusion come back as form errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from placeguard.engines.risk.planning import InfeasiblePlanError, solve_plan
from placeguard.engines.risk.whatif import compare_plans
from placeguard.web.assessments import queries, scoring, services
from placeguard.web.assessments.models import Assessment
from placeguard.web.assessments.templatetags.assessment_tags import money, risk_text
from placeguard.web.sites import services as site_services
from tests.conftest import World, site_raw
from tests.web.assessments.conftest import start, submitted


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def url(assessment: Assessment) -> str:
    return f"/assessments/{assessment.pk}/plan/compare/"


def custom(a: list[str], b: list[str]) -> dict[str, Any]:
    return {"a_kind": "custom", "a_measures": a, "b_kind": "custom", "b_measures": b}


# ------------------------------------------------------------------ access
def test_login_required(world: World) -> None:
    a = start(world)
    response = Client().get(url(a))
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_outsiders_get_404(world: World) -> None:
    a = submitted(world)
    hotel = client_for(world, "hotel_admin")  # another operator: cannot see North Mall
    for target in [url(a), f"{url(a)}?a_kind=optimal&a_capex=1&b_kind=optimal&b_capex=2"]:
        response = hotel.get(target)
        assert response.status_code == 404
        assert b"North Mall" not in response.content
    police_south = client_for(world, "police_s")  # outside the jurisdiction
    assert police_south.get(url(a)).status_code == 404
    assert (
        client_for(world, "mall_admin").get("/assessments/999999/plan/compare/").status_code == 404
    )


@pytest.mark.parametrize("persona", ["mall_admin", "mall_reader", "police_n", "ministry"])
def test_whoever_sees_the_plan_sees_the_comparison(world: World, persona: str) -> None:
    a = submitted(world)
    client = client_for(world, persona)
    assert client.get(f"/assessments/{a.pk}/plan/").status_code == 200
    response = client.get(url(a))
    assert response.status_code == 200
    assert response.context["result"] is not None


def test_plan_page_links_to_the_comparison_with_its_plan(world: World) -> None:
    a = submitted(world)
    client = client_for(world, "mall_admin")
    plan_page = client.get(f"/assessments/{a.pk}/plan/")  # default capital and running budgets
    chosen = [m["id"] for m in plan_page.context["plan"]["chosen"]]
    link = plan_page.context["whatif_query"]
    assert f'href="{url(a)}?{link.replace("&", "&amp;")}"' in plan_page.content.decode()
    query = parse_qs(urlsplit(f"?{link}").query)
    assert query["a_kind"] == ["optimal"] and query["a_capex"] == ["50000"]
    assert query["a_opex"] == ["25000"] and "a_openness" not in query
    assert query["b_kind"] == ["custom"] and query["b_measures"] == chosen
    response = client.get(f"{url(a)}?{link}")
    result = response.context["result"]
    # Plan B starts as the same measures as the best plan A: nothing differs yet.
    assert set(result.comparison.plan_a) == set(result.comparison.plan_b) == set(chosen)
    assert response.context["same"] is True
    assert result.comparison.total_a == pytest.approx(plan_page.context["plan"]["risk_after"])
    assert "Best plan for 50,000 EUR, at most 25,000 EUR a year" in response.content.decode()


def test_best_plan_limits_are_the_plan_pages(world: World) -> None:
    a = submitted(world)
    query = {"capex": "80000", "opex": "3000", "openness": "2"}
    plan = client_for(world, "mall_admin").get(f"/assessments/{a.pk}/plan/", query)
    expected = plan.context["plan"]
    response = client_for(world, "mall_admin").get(
        url(a),
        {"a_kind": "optimal", "a_capex": "80000", "a_opex": "3000", "a_openness": "2"}
        | {"b_kind": "optimal", "b_capex": "80000"},
    )
    result = response.context["result"]
    assert set(result.comparison.plan_a) == {m["id"] for m in expected["chosen"]}
    assert result.comparison.opex_a <= 3000 + 1e-6 and result.openness_a <= 2
    assert result.comparison.total_a == pytest.approx(expected["risk_after"])
    assert result.comparison.total_b <= result.comparison.total_a  # fewer limits, no more risk


# ------------------------------------------------------------------ numbers
def test_first_visit_compares_two_budgets_like_a_direct_engine_call(world: World) -> None:
    a = submitted(world)
    pack = scoring.current_pack()
    problem = scoring.plan_problem(a)
    plan_a = solve_plan(problem, capex_budget=50000).chosen
    plan_b = solve_plan(problem, capex_budget=100000).chosen
    profile = scoring.planning_profile(a)
    expected = compare_plans(
        pack, profile, dict(a.answers), plan_a, plan_b, threat_level=a.threat_level
    )
    # The profile is the one stored at submission: "now" is the stored total.
    assert expected.current_total == pytest.approx(a.total_risk)
    response = client_for(world, "mall_admin").get(url(a))
    assert response.status_code == 200
    got = response.context["result"].comparison
    assert got.plan_a == expected.plan_a and got.plan_b == expected.plan_b
    assert got.total_a == pytest.approx(expected.total_a)
    assert got.total_b == pytest.approx(expected.total_b)
    assert got.capex_a == pytest.approx(expected.capex_a)
    assert got.opex_b == pytest.approx(expected.opex_b)
    # The best plan's residual risk is the plan page's.
    plan = queries.plan(a, capex_budget=50000)
    assert got.total_a == pytest.approx(plan["risk_after"])
    assert got.capex_a == pytest.approx(plan["total"]["capex"])
    page = response.content.decode()
    for text in [
        risk_text(expected.current_total),
        risk_text(expected.total_a),
        risk_text(expected.total_b),
        money(expected.capex_a, "EUR"),
        money(expected.capex_b, "EUR"),
        "Best plan for 50,000 EUR",
        "Best plan for 100,000 EUR",
    ]:
        assert text in page, text
    rows = response.context["scenarios"]
    assert len(rows) == len(pack.scenarios)
    for row in rows:
        assert row["difference_b_minus_a"] == pytest.approx(row["plan_b"] - row["plan_a"])
    assert response.context["difference"]["risk"] == pytest.approx(
        expected.total_b - expected.total_a
    )


def test_hand_picked_plans_show_costs_openness_and_the_measures_that_differ(
    world: World,
) -> None:
    a = submitted(world)
    pack = scoring.current_pack()
    ids = scoring.plan_problem(a).ids
    free = [m for m in ids if not pack.measure(m).requires and not pack.measure(m).excludes]
    plan_a, plan_b = free[:3], free[1:5]
    response = client_for(world, "mall_admin").get(url(a), custom(plan_a, plan_b))
    assert response.status_code == 200
    result = response.context["result"]
    expected = compare_plans(
        pack,
        scoring.planning_profile(a),
        dict(a.answers),
        plan_a,
        plan_b,
        threat_level=a.threat_level,
    )
    assert result.comparison.total_a == pytest.approx(expected.total_a)
    assert result.comparison.total_b == pytest.approx(expected.total_b)
    assert result.comparison.capex_b == pytest.approx(expected.capex_b)
    assert result.openness_a == sum(pack.measure(m).openness for m in plan_a)
    assert result.openness_b == sum(pack.measure(m).openness for m in plan_b)
    assert [m.id for m in result.only_a] == [free[0]]
    assert {m.id for m in result.only_b} == set(free[3:5])
    assert {m.id for m in result.both} == set(free[1:3])
    page = response.content.decode()
    assert "Hand-picked measures" in page
    assert pack.measure(free[0]).name in page.split('id="only-a"')[1].split('id="only-b"')[0]
    # Both checklists stay open, with the ticked measures ticked.
    assert page.count("<details open>") == 2
    assert f'value="{free[0]}" id="id_a_measures_' in page
    assert "checked" in page.split(f'value="{free[0]}" id="id_a_measures_')[1].split(">")[0]


def test_a_draft_is_compared_from_its_current_answers(world: World) -> None:
    a = start(world)
    services.save_answers(a, {"GOV-01": 4}, actor=world.users["mall_admin"])
    response = client_for(world, "mall_admin").get(url(a))
    assert response.status_code == 200
    live = scoring.compute(Assessment.objects.get(pk=a.pk), a.site, top=0)
    assert response.context["result"].comparison.current_total == pytest.approx(live.total_risk)
    assert "still being edited" in response.content.decode()


# ------------------------------------------------------------------ form errors
def test_missing_prerequisite_is_a_form_error(world: World) -> None:
    a = submitted(world)
    pack = scoring.current_pack()
    ids = scoring.plan_problem(a).ids
    assert "BAG_SEARCH" in ids and "SEARCH_AREA_SETBACK" in ids  # not in place at North Mall
    response = client_for(world, "mall_admin").get(
        url(a), custom(["SEARCH_AREA_SETBACK", "BAG_SEARCH"], ["BAG_SEARCH"])
    )
    assert response.status_code == 200
    assert response.context["result"] is None
    page = response.content.decode()
    assert 'id="form-errors"' in page and 'href="#id_b_measures_0"' in page
    need = f"“{pack.measure('BAG_SEARCH').name}” needs “{pack.measure('SEARCH_AREA_SETBACK').name}”"
    errors = response.context["form"].errors
    assert any(need in e for e in errors["b_measures"])
    assert "a_measures" not in errors  # plan A has its prerequisite
    assert 'id="id_b_measures_error"' in page


def test_mutually_exclusive_measures_are_a_form_error(world: World) -> None:
    venue = site_services.create_site(site_raw(name="Harbour Arena", site_type="venue"), actor=None)
    actor = world.users["mall_admin"]
    a = services.submit(services.start_assessment(venue, actor=actor), actor=actor)
    pack = scoring.current_pack()
    ids = scoring.plan_problem(a).ids
    assert "HVM_PERMANENT" in ids and "HVM_TEMPORARY" in ids
    response = client_for(world, "mall_admin").get(
        url(a), custom(["HVM_PERMANENT", "HVM_TEMPORARY"], ["HVM_TEMPORARY"])
    )
    assert response.status_code == 200
    assert response.context["result"] is None
    errors = response.context["form"].errors["a_measures"]
    permanent, temporary = pack.measure("HVM_PERMANENT").name, pack.measure("HVM_TEMPORARY").name
    assert errors == [f"“{permanent}” and “{temporary}” exclude each other: keep only one of them."]
    assert 'href="#id_a_measures_0"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {"a_kind": "optimal", "b_kind": "optimal", "b_capex": "1"},
            "a_capex",
            "Enter the capital",
        ),
        ({"a_kind": "optimal", "a_capex": "-1", "b_kind": "custom"}, "a_capex", "greater than or"),
        ({"a_kind": "custom", "a_measures": "NOPE", "b_kind": "custom"}, "a_measures", "valid"),
        ({"a_kind": "best", "b_kind": "custom"}, "a_kind", "Select a valid choice"),
        ({"a_kind": "custom"}, "b_kind", "This field is required."),
    ],
)
def test_bad_choices_are_form_errors(
    world: World, query: dict[str, str], field: str, message: str
) -> None:
    a = submitted(world)
    response = client_for(world, "mall_admin").get(url(a), query)
    assert response.status_code == 200
    assert response.context["result"] is None
    assert any(message in e for e in response.context["form"].errors[field])
    assert 'id="form-errors"' in response.content.decode()


def test_solver_failure_is_a_message_not_a_500(world: World, monkeypatch: Any) -> None:
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise InfeasiblePlanError("the plan solver stopped early (time limit)")

    monkeypatch.setattr(scoring, "solve_plan", fail)
    a = submitted(world)
    response = client_for(world, "mall_admin").get(url(a))
    assert response.status_code == 200
    assert "the plan solver stopped early (time limit)" in response.content.decode()


def test_site_name_is_escaped(world: World) -> None:
    site = site_services.create_site(site_raw(name="<img src=x onerror=alert(1)>"), actor=None)
    actor = world.users["mall_admin"]
    a = services.start_assessment(site, actor=actor)
    page = client_for(world, "mall_admin").get(url(a)).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
