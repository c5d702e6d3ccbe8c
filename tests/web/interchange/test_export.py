"""Exports hold exactly the visible, live, caveat-free items up to the chosen TLP (9.6 #52)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from placeguard.core.interchange import stix, tlp2
from placeguard.core.vocab import TLP
from placeguard.web.audit.models import AuditEvent
from placeguard.web.interchange import services
from placeguard.web.sharing.queries import bulletins_visible_to
from placeguard.web.sites.access import visible_to as sites_visible_to
from tests.conftest import World
from tests.web.helpers import assert_problem, token_client

API = "/api/v1/interchange"
PERSONAS = [
    "police_n", "police_n_reader", "police_s", "mall_admin", "mall_reader", "hotel_reader",
    "guard_pub", "guard_reader", "faith_reader", "ministry", "platform_admin",
]  # fmt: skip


def expected_bulletins(user: Any, max_tlp: TLP) -> set[int]:
    """The oracle: the visibility function, then the export filters, written out plainly."""
    out = set()
    for b in bulletins_visible_to(user):
        if b.is_stub or b.status not in {"published", "expired"}:  # type: ignore[attr-defined]
            continue
        if TLP(b.tlp).rank > max_tlp.rank or b.le_only or b.pii or b.source_protected:
            continue
        out.add(b.pk)
    return out


def report_pks(bundle: dict[str, Any], w: World) -> set[int]:
    ns = services.instance_namespace()
    by_id = {stix.stix_id(ns, "bulletin", b.pk): b.pk for b in w.bulletins.values()}  # type: ignore[attr-defined]
    return {by_id[o["id"]] for o in bundle["objects"] if o["type"] == "report"}


def test_stix_export_is_the_visible_set_filtered(iworld: World) -> None:
    seen: set[int] = set()
    for persona in PERSONAS:  # one world for every persona and level: building it is the cost
        user = iworld.users[persona]
        for max_tlp in TLP:
            result = services.export_for(user, max_tlp=max_tlp, fmt="stix")
            got = report_pks(result.document, iworld)
            assert got == expected_bulletins(user, max_tlp), (persona, max_tlp)
            seen |= got
    exportable = {"clear_public", "green_community", "amber_mall", "strict_north",
                  "red_mall_admin", "mall_own"}  # fmt: skip
    assert seen == {iworld.bulletins[k].pk for k in exportable}  # type: ignore[attr-defined]


def test_hidden_item_absent_and_visible_item_present(iworld: World) -> None:
    b = iworld.bulletins  # type: ignore[attr-defined]
    mall_reader = services.export_for(iworld.users["mall_reader"], max_tlp=TLP.RED, fmt="stix")
    got = report_pks(mall_reader.document, iworld)
    assert b["amber_mall"].pk in got  # visible, AMBER, addressed to Mall Co
    assert b["strict_north"].pk not in got  # the north group does not include Mall Co
    assert b["red_mall_admin"].pk not in got  # RED names mall_admin, not the reader
    admin = services.export_for(iworld.users["mall_admin"], max_tlp=TLP.RED, fmt="stix")
    assert b["red_mall_admin"].pk in report_pks(admin.document, iworld)
    # R8: AMBER+STRICT from police reaches the hotel's admin, not its plain readers.
    hotel = services.export_for(iworld.users["hotel_admin"], max_tlp=TLP.RED, fmt="stix")
    assert b["strict_north"].pk in report_pks(hotel.document, iworld)
    assert b["amber_mall"].pk not in report_pks(hotel.document, iworld)


def test_caveats_stubs_and_drafts_never_leave(iworld: World) -> None:
    b = iworld.bulletins  # type: ignore[attr-defined]
    police = iworld.users["police_n"]
    visible = set(bulletins_visible_to(police).values_list("pk", flat=True))
    assert {b["le_only"].pk, b["pii_mall"].pk, b["draft_police"].pk} <= visible
    got = report_pks(services.export_for(police, max_tlp=TLP.RED).document, iworld)
    assert b["le_only"].pk not in got
    assert b["pii_mall"].pk not in got
    assert b["draft_police"].pk not in got
    assert b["withdrawn"].pk not in got
    assert b["clear_public"].pk in got
    mall = report_pks(services.export_for(iworld.users["mall_admin"], max_tlp=TLP.RED).document,
                      iworld)  # fmt: skip
    assert b["withdrawn"].pk not in mall  # a stub for Mall Co
    assert b["mall_own"].pk in mall


def test_locations_are_the_visible_sites_at_amber_strict(iworld: World) -> None:
    mall = iworld.users["mall_admin"]
    at_amber = services.export_for(mall, max_tlp=TLP.AMBER, fmt="stix").document
    assert not [o for o in at_amber["objects"] if o["type"] == "location"]
    bundle = services.export_for(mall, max_tlp=TLP.AMBER_STRICT, fmt="stix").document
    names = {o["name"] for o in bundle["objects"] if o["type"] == "location"}
    assert names == set(sites_visible_to(mall).values_list("name", flat=True))
    assert names == {"North Mall", "South Mall"}  # not the hotels
    assert all(
        o["object_marking_refs"] == [tlp2.marking_id(TLP.AMBER_STRICT)]
        for o in bundle["objects"]
        if o["type"] == "location"
    )


def test_misp_never_above_max_tlp_and_red_only_at_red(iworld: World) -> None:
    mall = iworld.users["mall_admin"]
    for max_tlp in TLP:
        events = services.export_for(mall, max_tlp=max_tlp, fmt="misp").document["response"]
        tags = {t["name"] for e in events for t in e["Event"]["Tag"]}
        assert all(TLP(tag.removeprefix("tlp:")).rank <= max_tlp.rank for tag in tags)
        infos = {e["Event"]["info"] for e in events}
        assert ("B red_mall_admin" in infos) == (max_tlp is TLP.RED)
    reader = services.export_for(iworld.users["mall_reader"], max_tlp=TLP.RED, fmt="misp")
    assert "B red_mall_admin" not in {e["Event"]["info"] for e in reader.document["response"]}


def test_misp_never_carries_local_tags(iworld: World) -> None:
    events = services.export_for(iworld.users["mall_admin"], max_tlp=TLP.RED, fmt="misp")
    tags = {t["name"] for e in events.document["response"] for t in e["Event"]["Tag"]}
    assert tags
    assert all(tag.startswith("tlp:") for tag in tags)
    assert "crowded-place" not in json.dumps(events.document)  # the sites' local tag


def test_export_is_audited(iworld: World) -> None:
    user = iworld.users["mall_admin"]
    result = services.export_for(user, max_tlp=TLP.AMBER, fmt="misp")
    event = AuditEvent.objects.get(action="interchange.export_misp")
    assert event.actor_id == user.pk
    assert event.object_id == str(result.exchange_id)
    assert event.diff["max_tlp"] == "amber"
    assert event.diff["counts"] == result.counts
    assert result.counts["bulletin"] >= 1


# --------------------------------------------------------------------------- API


def test_api_stix_download(iworld: World) -> None:
    client = token_client(iworld.users["mall_admin"])
    response = client.get(f"{API}/stix/", {"max_tlp": "amber"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/stix+json")
    assert response["Content-Disposition"] == 'attachment; filename="placeguard-stix-amber.json"'
    bundle = json.loads(response.content)
    assert report_pks(bundle, iworld) == expected_bulletins(iworld.users["mall_admin"], TLP.AMBER)


def test_api_misp_download_defaults_to_green(iworld: World) -> None:
    client = token_client(iworld.users["mall_admin"])
    response = client.get(f"{API}/misp/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    tags = {t["name"] for e in json.loads(response.content)["response"] for t in e["Event"]["Tag"]}
    assert tags == {"tlp:clear", "tlp:green"}


@pytest.mark.parametrize("query", [{"max_tlp": "purple"}, {"kinds": "sar"}])
def test_api_bad_parameters(iworld: World, query: dict[str, str]) -> None:
    client = token_client(iworld.users["mall_admin"])
    assert_problem(client.get(f"{API}/stix/", query), 400)
    assert client.get(f"{API}/stix/", {"max_tlp": "amber_strict"}).status_code == 200


def test_api_needs_sign_in(iworld: World) -> None:
    assert_problem(token_client(None).get(f"{API}/stix/"), 401)
    assert_problem(token_client(None).get(f"{API}/misp/"), 401)


def test_library_parse_of_the_export(iworld: World) -> None:
    import stix2

    bundle = services.export_for(iworld.users["police_n"], max_tlp=TLP.RED).document
    parsed = stix2.parse(json.dumps(bundle), allow_custom=True)
    assert len(parsed.objects) == len(bundle["objects"])
