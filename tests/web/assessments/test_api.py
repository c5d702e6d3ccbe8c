"""Assessment API: a permission matrix over every endpoint, scoping, and query budgets."""

from __future__ import annotations

from typing import Any

import pytest

from placeguard.web.assessments import scoring, services
from placeguard.web.assessments.models import Assessment
from placeguard.web.orgs.services import create_user
from tests.conftest import World, site_raw
from tests.web.assessments.conftest import ANSWERS, approved, start, submitted, tomorrow
from tests.web.helpers import assert_problem, token_client

API = "/api/v1"


def url_of(assessment: Assessment, suffix: str = "") -> str:
    return f"{API}/assessments/{assessment.pk}/{suffix}"


def user(world: World, persona: str) -> Any:
    """A persona of the shared world, or ``mall_analyst``: an operator ANALYST (no sign-off)."""
    if persona == "mall_analyst" and persona not in world.users:
        world.users[persona] = create_user(
            actor=None, username=persona, organisation=world.orgs["mall-co"], roles=["ANALYST"]
        )
    return world.users[persona]


def first_candidate(assessment: Assessment) -> str:
    return scoring.plan_problem(assessment).ids[0]


def with_item(world: World) -> Any:
    assessment = submitted(world)
    return services.create_action_items(assessment, [first_candidate(assessment)], actor=None)[0]


def with_acceptance(world: World) -> Any:
    return services.accept_risk(
        submitted(world),
        "vehicle_ramming",
        actor=None,
        rationale="Bollards due in May.",
        expires_on=tomorrow(),
    )


Prepared = tuple[str, dict[str, Any]]


def _draft(world: World) -> Assessment:
    draft = start(world)
    return services.save_answers(draft, ANSWERS, actor=None)


def _items_create(world: World) -> Prepared:
    assessment = submitted(world)
    body = {"measure_ids": [first_candidate(assessment)], "due_date": "2030-01-31"}
    return url_of(assessment, "action-items/"), body


def _diff(world: World) -> Prepared:
    old = approved(world)
    return url_of(start(world), f"diff/{old.pk}/"), {}


def _acceptance_create(world: World) -> Prepared:
    body = {
        "assessment": submitted(world).pk,
        "scenario": "vehicle_ramming",
        "rationale": "Bollards are due in May.",
        "expires_on": tomorrow().isoformat(),
    }
    return f"{API}/risk-acceptances/", body


#: How to reach each endpoint against North Mall, building the state it needs: URL and body.
PREPARE: dict[str, Any] = {
    "questions": lambda w: (f"{API}/risk/questions/?site_type=retail", {}),
    "list": lambda w: (f"{API}/assessments/", {}),
    "create": lambda w: (f"{API}/assessments/", {"site": w.sites["mall_north"].pk}),
    "detail": lambda w: (url_of(_draft(w)), {}),
    "context": lambda w: (url_of(_draft(w)), {"threat_level": 4, "symbolic": 1}),
    "answers": lambda w: (
        url_of(_draft(w), "answers/"),
        {"answers": {"GOV-01": 2, "GOV-02": None}},
    ),
    "submit": lambda w: (url_of(_draft(w), "submit/"), {}),
    "approve": lambda w: (url_of(submitted(w), "approve/"), {"comment": "Good work."}),
    "return": lambda w: (url_of(submitted(w), "return/"), {"comment": "Check GOV-03."}),
    "comments_get": lambda w: (url_of(submitted(w), "comments/"), {}),
    "comments_post": lambda w: (url_of(submitted(w), "comments/"), {"text": "Barriers?"}),
    "plan": lambda w: (url_of(submitted(w), "plan/?budget=1000"), {}),
    "items_create": _items_create,
    "diff": _diff,
    "items_list": lambda w: (f"{API}/action-items/", {}),
    "item_detail": lambda w: (f"{API}/action-items/{with_item(w).pk}/", {}),
    "item_update": lambda w: (f"{API}/action-items/{with_item(w).pk}/", {"status": "done"}),
    "acceptances_list": lambda w: (f"{API}/risk-acceptances/", {}),
    "acceptance_create": _acceptance_create,
    "acceptance_detail": lambda w: (f"{API}/risk-acceptances/{with_acceptance(w).pk}/", {}),
    "acceptance_revoke": lambda w: (
        f"{API}/risk-acceptances/{with_acceptance(w).pk}/revoke/",
        {"reason": "Threat rose."},
    ),
    "portfolio": lambda w: (f"{API}/portfolio/", {}),
    "allocation": lambda w: (f"{API}/portfolio/allocation/", {"budget": 1000}),
}


# (endpoint, method, persona, expected status): for every endpoint anonymous 401, outsider 404,
# insufficient role 403, permitted 2xx. Outsiders of North Mall: Hotel Co, Police South, the
# unvetted police, the programme and the platform admin.
MATRIX = [
    ("questions", "get", None, 401),
    ("questions", "get", "programme", 200),
    ("questions", "get", "mall_reader", 200),
    ("list", "get", None, 401),
    ("list", "get", "mall_reader", 200),
    ("create", "post", None, 401),
    ("create", "post", "hotel_admin", 404),
    ("create", "post", "police_s", 404),
    ("create", "post", "rogue_police", 404),
    ("create", "post", "mall_reader", 403),
    ("create", "post", "police_n_reader", 403),
    ("create", "post", "mall_admin", 201),
    ("create", "post", "police_n", 201),
    ("create", "post", "ministry", 201),
    ("detail", "get", None, 401),
    ("detail", "get", "hotel_admin", 404),
    ("detail", "get", "police_s", 404),
    ("detail", "get", "rogue_police", 404),
    ("detail", "get", "platform_admin", 404),
    ("detail", "get", "programme", 404),
    ("detail", "get", "mall_reader", 200),
    ("detail", "get", "police_n_reader", 200),
    ("detail", "get", "ministry", 200),
    ("context", "patch", None, 401),
    ("context", "patch", "hotel_admin", 404),
    ("context", "patch", "mall_reader", 403),
    ("context", "patch", "mall_admin", 200),
    ("context", "patch", "police_n", 200),
    ("answers", "patch", None, 401),
    ("answers", "patch", "police_s", 404),
    ("answers", "patch", "mall_reader", 403),
    ("answers", "patch", "police_n_reader", 403),
    ("answers", "patch", "mall_analyst", 200),
    ("answers", "patch", "police_n", 200),
    ("submit", "post", None, 401),
    ("submit", "post", "hotel_admin", 404),
    ("submit", "post", "mall_reader", 403),
    ("submit", "post", "mall_admin", 200),
    ("submit", "post", "ministry", 200),
    ("approve", "post", None, 401),
    ("approve", "post", "hotel_admin", 404),
    ("approve", "post", "police_s", 404),
    ("approve", "post", "mall_admin", 403),
    ("approve", "post", "mall_reader", 403),
    ("approve", "post", "police_n_reader", 403),
    ("approve", "post", "police_n", 200),
    ("approve", "post", "ministry", 200),
    ("return", "post", None, 401),
    ("return", "post", "rogue_police", 404),
    ("return", "post", "mall_admin", 403),
    ("return", "post", "police_n_reader", 403),
    ("return", "post", "police_n", 200),
    ("comments_get", "get", None, 401),
    ("comments_get", "get", "hotel_admin", 404),
    ("comments_get", "get", "mall_reader", 200),
    ("comments_post", "post", None, 401),
    ("comments_post", "post", "hotel_admin", 404),
    ("comments_post", "post", "mall_admin", 403),
    ("comments_post", "post", "police_n_reader", 403),
    ("comments_post", "post", "police_n", 201),
    ("plan", "get", None, 401),
    ("plan", "get", "police_s", 404),
    ("plan", "get", "mall_reader", 200),
    ("items_create", "post", None, 401),
    ("items_create", "post", "hotel_admin", 404),
    ("items_create", "post", "mall_reader", 403),
    ("items_create", "post", "police_n", 403),
    ("items_create", "post", "mall_analyst", 201),
    ("items_create", "post", "mall_admin", 201),
    ("diff", "get", None, 401),
    ("diff", "get", "hotel_admin", 404),
    ("diff", "get", "mall_reader", 200),
    ("diff", "get", "police_n", 200),
    ("items_list", "get", None, 401),
    ("items_list", "get", "mall_reader", 200),
    ("item_detail", "get", None, 401),
    ("item_detail", "get", "hotel_admin", 404),
    ("item_detail", "get", "police_n", 200),
    ("item_update", "patch", None, 401),
    ("item_update", "patch", "hotel_admin", 404),
    ("item_update", "patch", "police_s", 404),
    ("item_update", "patch", "mall_reader", 403),
    ("item_update", "patch", "police_n", 403),
    ("item_update", "patch", "mall_analyst", 200),
    ("acceptances_list", "get", None, 401),
    ("acceptances_list", "get", "police_n", 200),
    ("acceptance_create", "post", None, 401),
    ("acceptance_create", "post", "hotel_admin", 404),
    ("acceptance_create", "post", "mall_reader", 403),
    ("acceptance_create", "post", "mall_analyst", 403),
    ("acceptance_create", "post", "police_n", 403),
    ("acceptance_create", "post", "mall_admin", 201),
    ("acceptance_detail", "get", None, 401),
    ("acceptance_detail", "get", "police_s", 404),
    ("acceptance_detail", "get", "ministry", 200),
    ("acceptance_revoke", "post", None, 401),
    ("acceptance_revoke", "post", "hotel_admin", 404),
    ("acceptance_revoke", "post", "mall_analyst", 403),
    ("acceptance_revoke", "post", "police_n", 403),
    ("acceptance_revoke", "post", "mall_admin", 200),
    ("portfolio", "get", None, 401),
    ("portfolio", "get", "mall_reader", 200),
    ("portfolio", "get", "programme", 200),
    ("portfolio", "get", "ministry", 200),
    ("allocation", "post", None, 401),
    ("allocation", "post", "mall_admin", 403),
    ("allocation", "post", "police_n_reader", 403),
    ("allocation", "post", "ministry", 200),
]


@pytest.mark.parametrize(("endpoint", "method", "persona", "status"), MATRIX)
def test_permission_matrix(
    world: World, endpoint: str, method: str, persona: str | None, status: int
) -> None:
    url, body = PREPARE[endpoint](world)
    client = token_client(user(world, persona) if persona else None)
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, body, format="json")
    assert response.status_code == status, response.content
    if status >= 400:
        assert_problem(response, status)


#: Each route of the app (ids as 1) and the matrix endpoints that exercise it.
ROUTES = {
    f"{API}/risk/questions/": {"questions"},
    f"{API}/assessments/": {"list", "create"},
    f"{API}/assessments/1/": {"detail", "context"},
    f"{API}/assessments/1/answers/": {"answers"},
    f"{API}/assessments/1/submit/": {"submit"},
    f"{API}/assessments/1/approve/": {"approve"},
    f"{API}/assessments/1/return/": {"return"},
    f"{API}/assessments/1/comments/": {"comments_get", "comments_post"},
    f"{API}/assessments/1/plan/": {"plan"},
    f"{API}/assessments/1/action-items/": {"items_create"},
    f"{API}/assessments/1/diff/1/": {"diff"},
    f"{API}/action-items/": {"items_list"},
    f"{API}/action-items/1/": {"item_detail", "item_update"},
    f"{API}/risk-acceptances/": {"acceptances_list", "acceptance_create"},
    f"{API}/risk-acceptances/1/": {"acceptance_detail"},
    f"{API}/risk-acceptances/1/revoke/": {"acceptance_revoke"},
    f"{API}/portfolio/": {"portfolio"},
    f"{API}/portfolio/allocation/": {"allocation"},
}


def test_every_route_is_in_the_matrix() -> None:
    from tests.web.common.test_routes import api_routes

    prefixes = tuple(f"{API}/{p}" for p in ("assessments", "action-items", "risk", "portfolio"))
    assert {u for u in api_routes() if u.startswith(prefixes)} == set(ROUTES)
    assert set().union(*ROUTES.values()) == set(PREPARE) == {e for e, *_ in MATRIX}
    rows = {(e, persona, status) for e, _m, persona, status in MATRIX}
    for endpoint in set().union(*ROUTES.values()):
        statuses = {status for e, persona, status in rows if e == endpoint}
        assert 401 in statuses and any(s < 300 for s in statuses), endpoint
        if endpoint not in {
            "questions",
            "list",
            "items_list",
            "acceptances_list",
            "portfolio",
            "allocation",
        }:
            assert 404 in statuses, endpoint  # an outsider
        if endpoint not in {
            "questions",
            "list",
            "items_list",
            "acceptances_list",
            "portfolio",
            "detail",
            "comments_get",
            "plan",
            "diff",
            "item_detail",
            "acceptance_detail",
        }:
            assert 403 in statuses, endpoint  # visible, but the role is not enough


def test_outsider_404_is_indistinguishable_from_a_missing_assessment(world: World) -> None:
    client = token_client(world.users["hotel_admin"])
    hidden = client.get(url_of(start(world)))
    missing = client.get(f"{API}/assessments/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


# ------------------------------------------------------------------ scoping and shapes
def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_lists_are_scoped_to_visible_sites(world: World) -> None:
    north, south = start(world), start(world, "mall_south")
    hotel = start(world, "hotel_north", by="hotel_admin")
    assert ids(token_client(world.users["mall_reader"]).get(f"{API}/assessments/")) == {
        north.pk,
        south.pk,
    }
    assert ids(token_client(world.users["police_n"]).get(f"{API}/assessments/")) == {
        north.pk,
        hotel.pk,
    }
    assert ids(token_client(world.users["hotel_admin"]).get(f"{API}/assessments/")) == {hotel.pk}
    assert ids(
        token_client(world.users["ministry"]).get(
            f"{API}/assessments/", {"site": world.sites["mall_south"].pk}
        )
    ) == {south.pk}


def test_list_filters_by_status(world: World) -> None:
    done = approved(world)
    draft = start(world)
    client = token_client(world.users["mall_reader"])
    assert ids(client.get(f"{API}/assessments/", {"status": "approved"})) == {done.pk}
    assert ids(client.get(f"{API}/assessments/", {"status": ["draft", "approved"]})) == {
        done.pk,
        draft.pk,
    }
    assert_problem(client.get(f"{API}/assessments/", {"status": "lost"}), 400, "validation_error")


def test_questions_apply_to_the_site_type_with_options_worst_first(world: World, pack: Any) -> None:
    client = token_client(world.users["programme"])
    body = client.get(f"{API}/risk/questions/", {"site_type": "place_of_worship"}).json()
    assert [q["id"] for q in body] == [q.id for q in pack.questions_for("place_of_worship")]
    first = pack.question(body[0]["id"])
    assert body[0]["options"] == [
        {"index": i, "label": o.label} for i, o in enumerate(first.options)
    ]
    assert "POW-01" in {q["id"] for q in body}
    retail = client.get(f"{API}/risk/questions/", {"site_type": "retail", "tier": "quick"}).json()
    assert "POW-01" not in {q["id"] for q in retail}
    assert {q["tier"] for q in retail} == {"quick"}
    bad = client.get(f"{API}/risk/questions/", {"site_type": "castle"})
    assert assert_problem(bad, 400)["errors"][0]["field"] == "site_type"


def test_detail_of_a_draft_has_a_live_result_gaps_compliance_and_permissions(world: World) -> None:
    draft = start(world)
    services.save_answers(draft, ANSWERS, actor=None)
    body = token_client(world.users["police_n"]).get(url_of(draft)).json()
    assert body["status"] == "draft"
    assert body["answers"] == ANSWERS
    assert body["result_is_live"] is True
    assert body["total_risk"] is None
    assert body["result"]["total_risk"] > 0
    assert len(body["result"]["scenarios"]) == 14
    unknown = {u["question_id"] for u in body["unknown_answers"]}
    assert "GOV-03" in unknown and "GOV-01" not in unknown and "GOV-05" not in unknown
    overlays = {o["overlay"]: o for o in body["compliance"]}
    assert set(overlays) == {"uk_tppa_2025", "un_plan_of_action_religious_sites"}
    assert {r["status"] for r in overlays["un_plan_of_action_religious_sites"]["requirements"]} == {
        "not applicable"
    }
    assert body["permissions"] == {
        "edit": True,
        "review": True,
        "manage_actions": False,
        "accept_risk": False,
    }


def test_submitted_detail_shows_the_stored_result(world: World) -> None:
    assessment = submitted(world)
    body = token_client(world.users["mall_reader"]).get(url_of(assessment)).json()
    assert body["result_is_live"] is False
    assert body["result"] == Assessment.objects.get(pk=assessment.pk).result
    assert body["total_risk"] == body["result"]["total_risk"]
    assert body["permissions"] == {
        "edit": False,
        "review": False,
        "manage_actions": False,
        "accept_risk": False,
    }


def test_invalid_answers_are_all_listed_and_nothing_is_saved(world: World) -> None:
    draft = start(world)
    services.save_answers(draft, {"GOV-01": 1}, actor=None)
    response = token_client(world.users["mall_admin"]).patch(
        url_of(draft, "answers/"),
        {"answers": {"GOV-01": 4, "NOPE-99": 1, "POW-01": 0, "GOV-02": 17, "GOV-04": "maybe"}},
        format="json",
    )
    body = assert_problem(response, 400, "validation_error")
    assert {e["field"] for e in body["errors"]} == {
        "answers.NOPE-99",
        "answers.POW-01",
        "answers.GOV-02",
        "answers.GOV-04",
    }
    assert Assessment.objects.get(pk=draft.pk).answers == {"GOV-01": 1}


def test_context_out_of_range_is_a_400_listing_each_field(world: World) -> None:
    response = token_client(world.users["mall_admin"]).patch(
        url_of(start(world)), {"threat_level": 9, "symbolic": 3, "impact": 0.5}, format="json"
    )
    body = assert_problem(response, 400)
    assert {e["field"] for e in body["errors"]} == {"threat_level", "symbolic", "impact"}


def test_second_open_assessment_is_a_409(world: World) -> None:
    start(world)
    response = token_client(world.users["police_n"]).post(
        f"{API}/assessments/", {"site": world.sites["mall_north"].pk}, format="json"
    )
    assert_problem(response, 409, "assessment_in_progress")


def test_state_rules_answer_409(world: World) -> None:
    assessment = submitted(world)
    client = token_client(world.users["mall_admin"])
    assert_problem(
        client.patch(url_of(assessment, "answers/"), {"answers": {"GOV-01": 1}}, format="json"),
        409,
        "invalid_state",
    )
    assert_problem(client.post(url_of(assessment, "submit/")), 409, "invalid_state")
    draft = start(world, "mall_south")
    police = token_client(world.users["police_s"])
    assert_problem(police.post(url_of(draft, "approve/"), {}, format="json"), 409)


def test_plan_is_within_budget_and_adds_up(world: World) -> None:
    assessment = submitted(world)
    client = token_client(world.users["mall_reader"])
    body = client.get(url_of(assessment, "plan/"), {"budget": 1000, "pareto": 2}).json()
    assert body["currency"] == "EUR"
    assert body["total"]["capex"] <= 1000 + 1e-6
    assert body["total"]["capex"] == pytest.approx(sum(m["capex"] for m in body["chosen"]))
    assert body["risk_before"] == pytest.approx(assessment.total_risk)
    assert body["risk_after"] == pytest.approx(
        sum(r["after"] for r in body["residual_by_scenario"])
    )
    assert body["risk_after"] < body["risk_before"]
    assert len(body["pareto"]) >= 1
    bad = client.get(url_of(assessment, "plan/"), {"budget": -5, "pareto": 99})
    assert {e["field"] for e in assert_problem(bad, 400)["errors"]} == {"budget", "pareto"}
    assert_problem(client.get(url_of(assessment, "plan/")), 400)


def test_action_items_from_the_plan_carry_its_costs(world: World) -> None:
    assessment = submitted(world)
    admin = token_client(world.users["mall_admin"])
    plan = admin.get(url_of(assessment, "plan/"), {"budget": 1000}).json()
    chosen = [m["id"] for m in plan["chosen"]]
    response = admin.post(
        url_of(assessment, "action-items/"), {"measure_ids": chosen}, format="json"
    )
    assert response.status_code == 201, response.content
    items = response.json()
    assert [i["measure_id"] for i in items] == chosen
    by_id = {m["id"]: m for m in plan["chosen"]}
    for item in items:
        assert float(item["capex"]) == pytest.approx(by_id[item["measure_id"]]["capex"], abs=0.005)
        assert item["title"] == by_id[item["measure_id"]]["name"]
        assert item["currency"] == "EUR" and item["status"] == "open"
    again = admin.post(
        url_of(assessment, "action-items/"), {"measure_ids": chosen[:1]}, format="json"
    )
    assert_problem(again, 409, "duplicate_action_item")
    bad = admin.post(
        url_of(assessment, "action-items/"),
        {"measure_ids": ["NOPE", "VISITOR_MANAGEMENT"]},
        format="json",
    )
    assert {e["field"] for e in assert_problem(bad, 400)["errors"]} == {
        "measure_ids[0]",
        "measure_ids[1]",
    }


def test_action_item_update_and_overdue_filter(world: World) -> None:
    item = with_item(world)
    client = token_client(world.users["mall_admin"])
    url = f"{API}/action-items/{item.pk}/"
    late = client.patch(
        url,
        {
            "due_date": "2020-01-01",
            "owner": world.users["mall_reader"].pk,
            "notes": "Quote requested.",
        },
        format="json",
    )
    assert late.status_code == 200, late.content
    assert late.json()["is_overdue"] is True
    assert late.json()["owner_username"] == "mall_reader"
    assert ids(client.get(f"{API}/action-items/", {"overdue": "true"})) == {item.pk}
    assert ids(client.get(f"{API}/action-items/", {"overdue": "false"})) == set()
    done = client.patch(url, {"status": "done"}, format="json").json()
    assert done["is_overdue"] is False
    assert ids(client.get(f"{API}/action-items/", {"overdue": "true"})) == set()
    outsider = client.patch(url, {"owner": world.users["hotel_admin"].pk}, format="json")
    assert assert_problem(outsider, 400)["errors"][0]["field"] == "owner"


def test_risk_acceptance_rules(world: World) -> None:
    assessment = submitted(world)
    client = token_client(world.users["mall_admin"])
    url = f"{API}/risk-acceptances/"
    bad = client.post(
        url,
        {
            "assessment": assessment.pk,
            "scenario": "meteor",
            "rationale": " ",
            "expires_on": "2020-01-01",
        },
        format="json",
    )
    assert {e["field"] for e in assert_problem(bad, 400)["errors"]} == {
        "scenario",
        "rationale",
        "expires_on",
    }
    good = {
        "assessment": assessment.pk,
        "scenario": "uas",
        "rationale": "Low exposure.",
        "expires_on": tomorrow().isoformat(),
    }
    created = client.post(url, good, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "active"
    assert created.json()["scenario_name"]
    assert_problem(client.post(url, good, format="json"), 409, "acceptance_exists")
    revoke = client.post(f"{url}{created.json()['id']}/revoke/", {}, format="json")
    assert revoke.json()["status"] == "revoked"
    assert_problem(client.post(f"{url}{created.json()['id']}/revoke/", {}, format="json"), 409)
    assert client.post(url, good, format="json").status_code == 201


def test_portfolio_ranks_visible_sites_by_reference_risk(world: World) -> None:
    north = approved(world, answers={"GOV-01": 4})
    south = submitted(world, "mall_south")
    ministry = token_client(world.users["ministry"])
    rows = ministry.get(f"{API}/portfolio/").json()["results"]
    assert [r["name"] for r in rows][:2] == sorted(
        ["North Mall", "South Mall"],
        key=lambda n: -(north.total_risk if n == "North Mall" else south.total_risk),
    )
    assert [r["rank"] for r in rows] == [1, 2, 3, 4]
    assert {r["name"] for r in rows[2:]} == {"North Hotel", "South Hotel"}
    assert rows[2]["total_risk"] is None and rows[2]["assessment"] is None
    by_name = {r["name"]: r for r in rows}
    assert by_name["North Mall"]["assessment_status"] == "approved"
    assert by_name["South Mall"]["assessment_status"] == "submitted"
    assert by_name["North Mall"]["worst_band"] == north.worst_band
    assert by_name["North Mall"]["top_scenario"] == north.top_scenario
    assert by_name["North Mall"]["top_scenario_name"]
    police = token_client(world.users["police_n"]).get(f"{API}/portfolio/").json()["results"]
    assert {r["name"] for r in police} == {"North Mall", "North Hotel"}
    hotel = token_client(world.users["hotel_admin"]).get(f"{API}/portfolio/").json()["results"]
    assert {r["name"] for r in hotel} == {"North Hotel", "South Hotel"}
    filtered = ministry.get(f"{API}/portfolio/", {"site_type": "retail", "region": "south-a"})
    assert [r["name"] for r in filtered.json()["results"]] == ["South Mall"]
    banded = ministry.get(f"{API}/portfolio/", {"band": north.worst_band}).json()["results"]
    assert "North Mall" in {r["name"] for r in banded}
    assert "North Hotel" not in {r["name"] for r in banded}
    unassessed = ministry.get(f"{API}/portfolio/", {"assessed": "false"}).json()["results"]
    assert {r["name"] for r in unassessed} == {"North Hotel", "South Hotel"}
    by_name_order = ministry.get(f"{API}/portfolio/", {"order": "name"}).json()["results"]
    assert [r["name"] for r in by_name_order] == sorted(r["name"] for r in rows)
    assert_problem(ministry.get(f"{API}/portfolio/", {"band": "purple"}), 400)


def test_openapi_schema_describes_the_endpoints(world: World) -> None:
    import yaml

    schema = yaml.safe_load(token_client(None).get(f"{API}/schema/").content)
    paths = schema["paths"]
    for path in [
        "/api/v1/assessments/",
        "/api/v1/assessments/{id}/answers/",
        "/api/v1/assessments/{id}/plan/",
        "/api/v1/assessments/{id}/diff/{other_id}/",
        "/api/v1/action-items/{id}/",
        "/api/v1/risk-acceptances/{id}/revoke/",
        "/api/v1/portfolio/",
        "/api/v1/risk/questions/",
    ]:
        assert path in paths, path
    plan = paths["/api/v1/assessments/{id}/plan/"]["get"]
    assert {"budget", "opex", "openness", "pareto"} <= {p["name"] for p in plan["parameters"]}


# ------------------------------------------------------------------ query budgets
def _grow(world: World, n: int) -> None:
    """``n`` more North Mall-like sites, each with a submitted assessment, an action item and
    an accepted risk."""
    from placeguard.web.sites.services import import_sites

    for site in import_sites([site_raw(name=f"Mall {i}") for i in range(n)], actor=None):
        assessment = services.start_assessment(site, actor=None)
        services.save_answers(assessment, ANSWERS, actor=None)
        services.submit(assessment, actor=None)
        services.create_action_items(assessment, [first_candidate(assessment)], actor=None)
        services.accept_risk(assessment, "uas", actor=None, rationale="Low.", expires_on=tomorrow())


LISTS = [
    f"{API}/assessments/",
    f"{API}/action-items/",
    f"{API}/risk-acceptances/",
    f"{API}/portfolio/",
]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("persona", ["ministry", "police_n", "mall_admin"])
def test_list_query_count_does_not_grow_with_rows(
    world: World, url: str, persona: str, django_assert_max_num_queries: Any
) -> None:
    client = token_client(world.users[persona])
    _grow(world, 12)
    # token (1) + last-used (≤1) + authority region check (≤1) + count + page
    with django_assert_max_num_queries(6):
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] >= 12
