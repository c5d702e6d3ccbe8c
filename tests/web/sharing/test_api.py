"""Sharing API: the permission matrix of every route, 422 on invariant violations, query budget."""

from __future__ import annotations

from typing import Any

import pytest

from placeguard.web.audit.models import AuditEvent
from placeguard.web.sharing import services
from placeguard.web.sharing.models import Acknowledgement, Bulletin
from tests.conftest import World
from tests.web.helpers import assert_problem, token_client
from tests.web.sharing.conftest import bulletin_raw

API = "/api/v1"
EVERYONE = ["READER", "REPORTER", "ANALYST", "PUBLISHER", "ORG_ADMIN"]


def _published(w: World, **overrides: Any) -> Bulletin:
    """An AMBER bulletin from Police North to Mall Co (and so to Guard Co, its provider).

    Its need-to-know list names every content role, so readers are recipients too (R8's default
    for AMBER from police to operators would keep them out; see test_policy_cases).
    """
    police = w.users["police_n"]
    raw = bulletin_raw(orgs=[w.orgs["mall-co"].pk], need_to_know=EVERYONE, **overrides)
    b = services.create_bulletin(raw, actor=police)
    return services.publish_bulletin(b, actor=police)


def _draft(w: World) -> Bulletin:
    return services.create_bulletin(
        bulletin_raw(orgs=[w.orgs["mall-co"].pk]), actor=w.users["police_n"]
    )


def _forwardable(w: World) -> Bulletin:
    """The AMBER bulletin to Mall Co, with Hotel Co registered as a client of Guard Co (R9)."""
    services.link_provider(provider=w.orgs["guard-co"], client=w.orgs["hotel-co"], actor=None)
    return _published(w)


def _group(w: World) -> Any:
    return w.groups["north"]  # type: ignore[attr-defined]


B = f"{API}/bulletins"
G = f"{API}/sharing-groups"
PREPARE: dict[str, Any] = {
    "list": lambda w: (f"{B}/", {}),
    "create": lambda w: (f"{B}/", bulletin_raw(orgs=[w.orgs["mall-co"].pk])),
    "detail": lambda w: (f"{B}/{_published(w).pk}/", {}),
    "edit": lambda w: (f"{B}/{_published(w).pk}/", {"title": "Updated"}),
    "publish": lambda w: (f"{B}/{_draft(w).pk}/publish/", {}),
    "withdraw": lambda w: (f"{B}/{_published(w).pk}/withdraw/", {"reason": "Superseded."}),
    "acknowledge": lambda w: (f"{B}/{_published(w).pk}/acknowledge/", {}),
    "receipts": lambda w: (f"{B}/{_published(w).pk}/receipts/", {}),
    "forward": lambda w: (
        f"{B}/{_forwardable(w).pk}/forward/",
        {"orgs": [w.orgs["hotel-co"].pk], "reason": "Our client runs the hotel."},
    ),
    "counts": lambda w: (f"{B}/counts/", {}),
    "export": lambda w: (f"{B}/export/", {}),
    "group_list": lambda w: (f"{G}/", {}),
    "group_create": lambda w: (f"{G}/", {"name": "Malls"}),
    "group_detail": lambda w: (f"{G}/{_group(w).pk}/", {}),
    "group_edit": lambda w: (f"{G}/{_group(w).pk}/", {"description": "North region partners"}),
    "group_members": lambda w: (
        f"{G}/{_group(w).pk}/members/",
        {"members": [{"organisation": w.orgs["hotel-co"].pk, "extender": False}]},
    ),
}

# The AMBER bulletin to Mall Co: Police North (originator), Mall Co and Guard Co (its provider)
# see it; Hotel Co, Police South, the ministry, the programme and the platform admin do not.
OUTSIDERS = ["hotel_admin", "police_s", "ministry", "programme", "platform_admin"]
MATRIX: list[tuple[str, str, str | None, int]] = [
    *[(e, "get", None, 401) for e in ["list", "counts", "export", "group_list"]],
    *[
        (e, "get", p, 200)
        for e in ["list", "counts", "export"]
        for p in ["mall_reader", "hotel_admin"]
    ],
    ("create", "post", None, 401),
    ("create", "post", "mall_reader", 403),  # a reader does not write bulletins
    ("create", "post", "police_n", 201),
    ("create", "post", "mall_admin", 201),  # an operator writes to its own audience
    ("detail", "get", None, 401),
    *[("detail", "get", p, 404) for p in OUTSIDERS],
    *[("detail", "get", p, 200) for p in ["police_n_reader", "mall_reader", "guard_reader"]],
    ("edit", "patch", None, 401),
    *[("edit", "patch", p, 404) for p in OUTSIDERS],
    ("edit", "patch", "mall_admin", 403),  # a recipient never edits (I5: it forwards)
    ("edit", "patch", "police_n_reader", 403),
    ("edit", "patch", "police_n", 200),
    ("publish", "post", None, 401),
    *[("publish", "post", p, 404) for p in ["mall_admin", "police_s", "police_n_reader"]],
    ("publish", "post", "police_n", 200),
    ("withdraw", "post", None, 401),
    *[("withdraw", "post", p, 404) for p in OUTSIDERS],
    ("withdraw", "post", "mall_admin", 403),
    ("withdraw", "post", "police_n", 200),
    ("acknowledge", "post", None, 401),
    *[("acknowledge", "post", p, 404) for p in OUTSIDERS],
    ("acknowledge", "post", "police_n", 403),  # the originator does not acknowledge
    *[("acknowledge", "post", p, 200) for p in ["mall_reader", "mall_admin"]],
    ("forward", "post", None, 401),
    *[("forward", "post", p, 404) for p in OUTSIDERS],
    ("forward", "post", "mall_reader", 403),  # a recipient's reader does not forward
    ("forward", "post", "police_n", 403),  # the originator widens instead (I5)
    ("forward", "post", "mall_admin", 422),  # Hotel Co is not Mall Co's client (R9)
    ("forward", "post", "guard_pub", 200),  # the provider forwards to its own client
    ("receipts", "get", None, 401),
    *[("receipts", "get", p, 404) for p in OUTSIDERS],
    ("receipts", "get", "mall_admin", 403),
    ("receipts", "get", "police_n", 200),
    ("group_list", "get", "hotel_admin", 200),
    ("group_create", "post", None, 401),
    ("group_create", "post", "mall_reader", 403),
    ("group_create", "post", "mall_admin", 201),
    ("group_detail", "get", None, 401),
    *[("group_detail", "get", p, 404) for p in ["mall_admin", "ministry"]],
    *[("group_detail", "get", p, 200) for p in ["hotel_admin", "police_n"]],
    ("group_edit", "patch", None, 401),
    ("group_edit", "patch", "mall_admin", 404),
    ("group_edit", "patch", "hotel_admin", 403),  # a member, not an extender
    *[("group_edit", "patch", p, 200) for p in ["police_n", "police_s"]],
    ("group_members", "post", None, 401),
    ("group_members", "post", "mall_admin", 404),
    ("group_members", "post", "hotel_admin", 403),
    ("group_members", "post", "police_n", 200),
]


@pytest.mark.parametrize(("endpoint", "method", "persona", "status"), MATRIX)
def test_permission_matrix(
    sworld: World, endpoint: str, method: str, persona: str | None, status: int
) -> None:
    url, body = PREPARE[endpoint](sworld)
    client = token_client(sworld.users[persona] if persona else None)
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, body, format="json")
    assert response.status_code == status, response.content
    if status >= 400:
        assert_problem(response, status)


ROUTES = {
    f"{B}/": {"list", "create"},
    f"{B}/1/": {"detail", "edit"},
    f"{B}/1/publish/": {"publish"},
    f"{B}/1/withdraw/": {"withdraw"},
    f"{B}/1/acknowledge/": {"acknowledge"},
    f"{B}/1/forward/": {"forward"},
    f"{B}/1/receipts/": {"receipts"},
    f"{B}/counts/": {"counts"},
    f"{B}/export/": {"export"},
    f"{G}/": {"group_list", "group_create"},
    f"{G}/1/": {"group_detail", "group_edit"},
    f"{G}/1/members/": {"group_members"},
}


def test_every_route_is_in_the_matrix() -> None:
    from tests.web.common.test_routes import api_routes

    mine = {u for u in api_routes() if u.startswith((f"{B}/", f"{G}/"))}
    assert mine == set(ROUTES)
    assert set().union(*ROUTES.values()) == set(PREPARE) == {e for e, *_ in MATRIX}
    for endpoint in PREPARE:
        statuses = {s for e, _m, _p, s in MATRIX if e == endpoint}
        assert 401 in statuses and any(s < 300 for s in statuses), endpoint


def test_invariant_violations_are_422_with_every_problem_and_nothing_saved(sworld: World) -> None:
    client = token_client(sworld.users["police_n"])
    before = (Bulletin.objects.count(), AuditEvent.objects.count())
    bad = bulletin_raw(tlp="red", audience_public=True, orgs=[sworld.orgs["mall-co"].pk])
    problem = assert_problem(client.post(f"{B}/", bad, format="json"), 422)
    messages = " ".join(e["message"] for e in problem["errors"])
    assert "I1" in messages and "named recipients" in messages
    stale = bulletin_raw(groups=[sworld.groups["dormant"].pk])  # type: ignore[attr-defined]
    problem = assert_problem(client.post(f"{B}/", stale, format="json"), 422)
    assert any(e["code"] == "I6" for e in problem["errors"])
    unknown = assert_problem(client.post(f"{B}/", bulletin_raw(colour="red"), format="json"), 422)
    assert unknown["errors"][0]["field"] == "colour"
    assert (Bulletin.objects.count(), AuditEvent.objects.count()) == before
    # The allowed case with the same client: a valid AMBER draft is created.
    ok = client.post(f"{B}/", bulletin_raw(orgs=[sworld.orgs["mall-co"].pk]), format="json")
    assert ok.status_code == 201 and ok.json()["tlp"] == "amber"


def test_immutable_fields_cannot_change(sworld: World) -> None:
    b = _published(sworld)
    client = token_client(sworld.users["police_n"])
    for field, value in [("author", sworld.users["mall_admin"].pk), ("org", sworld.orgs["mall-co"].pk),
                         ("id", 999), ("parent", 1)]:  # fmt: skip
        problem = assert_problem(client.patch(f"{B}/{b.pk}/", {field: value}, format="json"), 422)
        assert problem["errors"][0]["field"] == field
    same = client.patch(f"{B}/{b.pk}/", {"id": b.pk, "title": "Same id is fine"}, format="json")
    assert same.status_code == 200 and same.json()["title"] == "Same id is fine"


def test_only_the_originators_publisher_relaxes_tlp_and_widening_is_audited(sworld: World) -> None:
    b = _published(sworld, tlp="amber+strict")
    reader = token_client(sworld.users["police_n_reader"])
    denied = reader.patch(f"{B}/{b.pk}/", {"tlp": "amber"}, format="json")
    assert denied.status_code == 403
    publisher = token_client(sworld.users["police_n"])
    relaxed = publisher.patch(f"{B}/{b.pk}/", {"tlp": "amber"}, format="json")
    assert relaxed.status_code == 200 and relaxed.json()["tlp"] == "amber"
    assert AuditEvent.objects.filter(action="bulletin.widen", object_id=str(b.pk)).count() == 1
    widened = publisher.patch(
        f"{B}/{b.pk}/", {"orgs": [sworld.orgs["mall-co"].pk, sworld.orgs["hotel-co"].pk]},
        format="json",
    )  # fmt: skip
    assert widened.status_code == 200
    assert AuditEvent.objects.filter(action="bulletin.widen", object_id=str(b.pk)).count() == 2
    narrowed = publisher.patch(f"{B}/{b.pk}/", {"tlp": "amber+strict"}, format="json")
    assert narrowed.status_code == 200
    assert AuditEvent.objects.filter(action="bulletin.widen", object_id=str(b.pk)).count() == 2


def test_publish_queues_acknowledgements_and_receipts_show_reads(sworld: World) -> None:
    b = _published(sworld)
    queued = set(
        Acknowledgement.objects.filter(bulletin=b).values_list("user__username", flat=True)
    )
    # Mall Co's readers and Guard Co (AMBER reaches the registered provider); not Police North.
    assert queued == {"mall_admin", "mall_reader", "guard_pub", "guard_reader"}
    token_client(sworld.users["mall_reader"]).get(f"{B}/{b.pk}/")
    token_client(sworld.users["mall_admin"]).post(f"{B}/{b.pk}/acknowledge/")
    receipts = token_client(sworld.users["police_n"]).get(f"{B}/{b.pk}/receipts/").json()
    by_user = {r["user"]: r for r in receipts}
    assert by_user["mall_reader"]["read_at"] and not by_user["mall_reader"]["acknowledged_at"]
    assert by_user["mall_admin"]["acknowledged_at"]
    assert not by_user["guard_reader"]["read_at"]


def test_targeting_rule_is_resolved_at_publish_time(sworld: World) -> None:
    police = sworld.users["police_n"]
    b = services.create_bulletin(
        bulletin_raw(target_site_types=["hospitality"], target_regions=["north-b"]), actor=police
    )
    services.publish_bulletin(b, actor=police)
    rule_orgs = set(b.org_rows.filter(via_rule=True).values_list("org__slug", flat=True))
    assert rule_orgs == {"hotel-co"}  # North Hotel is in north-b; malls are retail
    seen = token_client(sworld.users["hotel_admin"]).get(f"{B}/{b.pk}/")
    assert seen.status_code == 200
    assert token_client(sworld.users["mall_admin"]).get(f"{B}/{b.pk}/").status_code == 404


def test_withdrawn_bulletin_is_a_stub_outside_the_originator(sworld: World) -> None:
    b = _published(sworld)
    services.withdraw_bulletin(b, reason="Threat passed.", actor=sworld.users["police_n"])
    stub = token_client(sworld.users["mall_reader"]).get(f"{B}/{b.pk}/").json()
    assert stub["is_stub"] and "title" not in stub and stub["withdrawal_reason"] == "Threat passed."
    own = token_client(sworld.users["police_n_reader"]).get(f"{B}/{b.pk}/").json()
    assert not own["is_stub"] and own["title"]


def test_bulletin_list_has_a_query_budget(
    sworld: World, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        _published(sworld, title=f"Bulletin {i}", groups=[sworld.groups["north"].pk])  # type: ignore[attr-defined]
    for persona in ["mall_reader", "hotel_admin", "police_n"]:
        client = token_client(sworld.users[persona])
        with django_assert_max_num_queries(16):
            response = client.get(f"{B}/", {"page_size": 200})
        assert response.status_code == 200 and response.json()["count"] >= 30
    with django_assert_max_num_queries(16):
        assert token_client(sworld.users["hotel_admin"]).get(f"{G}/").status_code == 200


def test_list_count_is_capped_but_every_page_is_exact(
    sworld: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from placeguard.web.sharing.api import views

    made = {
        _published(sworld, title=f"Bulletin {i}", groups=[sworld.groups["north"].pk]).pk  # type: ignore[attr-defined]
        for i in range(7)
    }
    client = token_client(sworld.users["mall_reader"])
    whole = client.get(f"{B}/", {"page_size": 500}).json()
    assert whole["count_exact"] is True and whole["count"] == len(whole["results"])
    assert made <= {r["id"] for r in whole["results"]}
    total = client.get(f"{B}/counts/").json()["total"]
    assert whole["count"] == total
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    first = client.get(f"{B}/", {"page_size": 2}).json()
    assert first["count"] == 3 and first["count_exact"] is False and first["next"]
    seen: list[int] = []
    url: str | None = f"{B}/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert seen == [r["id"] for r in whole["results"]]  # same rows, same order, nothing skipped
    assert client.get(f"{B}/", {"page_size": 2, "page": 99}).status_code == 404
