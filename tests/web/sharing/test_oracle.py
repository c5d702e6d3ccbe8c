"""The oracle: ``visible_to`` == a naive re-reading of the specification == ``can_view``.

Hypothesis generates bulletins (author × TLP × audience × caveats × need-to-know × status),
acknowledgements under them, one membership change (a group member removed, a group switched
off or on, a client link removed, an organisation un-vetted) and a reader without two-factor.
For every persona (anonymous included) three answers must agree:

1. ``queries.bulletins_visible_to`` / ``acks_visible_to`` (the querysets),
2. :func:`naive_bulletin` / :func:`naive_ack` below: plain loops over the rules as written in
   research/info-sharing.md §8 and docs/sharing-policy.md — deliberately *not* calling
   ``core.sharing.policy``,
3. ``core.sharing.policy.can_view`` on the items built by ``principals``.

Then the notification outbox of every published bulletin must reach exactly the personas who
read its content, and one persona's surfaces (API list, detail, ``?q=`` search, counts, CSV
export, the STIX export) must show exactly the same set. Rows are written directly (not through the services) on purpose, so that
mislabelled combinations the invariants would refuse are covered too: they must fail closed.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from placeguard.core.interchange import stix
from placeguard.core.sharing.policy import can_view
from placeguard.core.vocab import TLP
from placeguard.web.interchange import services as interchange
from placeguard.web.notifications import services as notifications
from placeguard.web.notifications.models import Notification
from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sharing import principals, queries, services
from placeguard.web.sharing.choices import TLP_RANK
from placeguard.web.sharing.models import (
    Acknowledgement,
    Bulletin,
    BulletinGroup,
    BulletinNeedToKnow,
    BulletinOrg,
    BulletinUser,
    ClientLink,
    SharingGroup,
    SharingGroupMember,
)
from tests.conftest import World
from tests.web.helpers import token_client
from tests.web.sharing.conftest import build_sharing_world

PERSONAS = [
    "police_n", "police_n_reader", "police_s", "police_s_reader", "rogue_police", "ministry",
    "mall_admin", "mall_reader", "hotel_admin", "hotel_reader", "programme", "platform_admin",
    "guard_pub", "guard_reader", "faith_reader", "auditor",
]  # fmt: skip
AUTHORS = ["police_n", "police_s", "ministry", "mall_admin"]
ORG_SLUGS = ["mall-co", "hotel-co", "police-south", "guard-co", "faith-council", "ministry"]
NAMED = ["mall_reader", "hotel_admin", "police_n_reader", "guard_reader", "platform_admin"]
ACKERS = ["mall_reader", "hotel_admin", "guard_reader", "police_s", "police_n_reader"]
TLPS = ["clear", "green", "amber", "amber+strict", "red"]
STATUSES = ["draft", "published", "withdrawn", "expired", "purged"]
CHANGES = ["none", "remove_hotel", "deactivate_north", "activate_dormant", "unlink_guard",
           "unvet_hotel"]  # fmt: skip

# ----------------------------------------------------------------- the naive reading of §8
CONTENT = {"READER", "REPORTER", "ANALYST", "PUBLISHER", "ORG_ADMIN"}
EDITORS = {"ANALYST", "PUBLISHER", "ORG_ADMIN"}
OFFICIAL = {"LAW_ENFORCEMENT", "AUTHORITY"}
PRIVATE = {"OPERATOR", "SECURITY_PROVIDER", "COMMUNITY"}
DEFAULT_NTK = {"ANALYST", "PUBLISHER", "ORG_ADMIN", "security-lead"}


@dataclass
class Reader:
    id: int
    org: int
    org_kind: str
    valid: bool
    mfa: bool
    roles: set[str]
    groups: set[int]
    clients: set[int]


@dataclass
class Row:
    id: int
    author: int
    org: int
    org_kind: str
    status: str
    tlp: str
    public: bool
    community: bool
    groups: set[int]
    orgs: set[int]
    users: set[int]
    le_only: bool
    source_protected: bool
    ntk: set[str] | None
    title: str


def load_readers(no_mfa: int | None) -> dict[str, Reader]:
    out = {}
    for user in User.objects.select_related("organisation").prefetch_related("role_grants"):
        org = user.organisation
        assert org is not None
        groups = {
            m.group_id
            for m in SharingGroupMember.objects.filter(organisation=org)
            if m.group.active
        }
        clients = {c.client_id for c in ClientLink.objects.filter(provider=org)}
        out[user.username] = Reader(
            id=user.pk, org=org.pk, org_kind=org.kind,
            valid=user.is_active and org.active and org.vetted, mfa=user.pk != no_mfa,
            roles={g.role for g in user.role_grants.all()}, groups=groups, clients=clients,
        )  # fmt: skip
    return out


def load_rows() -> list[Row]:
    rows = []
    for b in Bulletin.objects.all():
        rows.append(
            Row(
                id=b.pk,
                author=b.author_id,
                org=b.org_id,
                org_kind=b.org_kind,
                status=b.status,
                tlp=b.tlp,
                public=b.audience_public,
                community=b.audience_community,
                groups={r.group_id for r in BulletinGroup.objects.filter(bulletin=b)},
                orgs={r.org_id for r in BulletinOrg.objects.filter(bulletin=b)},
                users={r.user_id for r in BulletinUser.objects.filter(bulletin=b)},
                le_only=b.le_only,
                source_protected=b.source_protected,
                ntk={r.token for r in BulletinNeedToKnow.objects.filter(bulletin=b)}
                if b.has_need_to_know
                else None,
                title=b.title,
            )
        )
    return rows


def naive_bulletin(u: Reader | None, b: Row) -> str | None:  # noqa: PLR0911, PLR0912
    """'content', 'stub' or None, straight from the rules' sentences."""
    if b.status == "purged":
        return None
    if u is None:
        ok = (
            b.status in {"published", "expired"} and b.public and b.tlp == "clear"
            and not b.le_only and not b.source_protected
        )  # fmt: skip
        return "content" if ok else None
    if not u.valid:
        return None
    if not u.mfa and b.tlp != "clear":
        return None
    author, same = u.id == b.author, u.org == b.org
    if b.status == "draft" and not (author or (same and u.roles & EDITORS)):
        return None
    if b.tlp == "red" and not (author or u.id in b.users):
        return None
    if b.le_only and not (author or u.org_kind == "LAW_ENFORCEMENT"):
        return None
    if b.source_protected and not (author or (u.org_kind == "LAW_ENFORCEMENT" and u.org in b.orgs)):
        return None
    public = b.public and b.tlp == "clear" and b.status != "draft"
    if not public:
        if not u.roles & CONTENT:
            return None
        if not (author or same or u.id in b.users):
            reached = False
            if b.community and b.tlp in {"clear", "green"}:
                reached = True
            if b.groups & u.groups and b.tlp != "red":
                reached = True
            if u.org in b.orgs and b.tlp != "red":
                reached = True
            if u.clients & b.orgs and b.tlp in {"clear", "green", "amber"}:
                reached = True
            if not reached:
                return None
            need: set[str] | None = None
            if b.tlp in {"green", "amber", "amber+strict"}:
                if b.ntk is not None:
                    need = b.ntk
                elif b.tlp != "green" and b.org_kind in OFFICIAL and u.org_kind in PRIVATE:
                    need = DEFAULT_NTK
            if need is not None and not u.roles & need:
                return None
    if b.status == "withdrawn" and not same:
        return "stub"
    return "content"


def naive_ack(u: Reader | None, ack: Acknowledgement, b: Row, ack_org_kind: str) -> bool:  # noqa: PLR0911
    """An acknowledgement goes to the bulletin's organisation and the acknowledger's (RED: the
    bulletin's author and the acknowledger), with the bulletin's TLP and caveats; it is seen only
    by those who see the bulletin's content."""
    if u is None or naive_bulletin(u, b) != "content":
        return False
    if not u.mfa and b.tlp != "clear":
        return False
    author = u.id == ack.user_id
    people = {b.author, ack.user_id}
    orgs = {b.org, ack.org_id}
    red = b.tlp == "red"
    if red and u.id not in people:
        return False
    if b.le_only and not (author or u.org_kind == "LAW_ENFORCEMENT"):
        return False
    if b.source_protected and not (
        author or (u.org_kind == "LAW_ENFORCEMENT" and not red and u.org in orgs)
    ):
        return False
    if not u.roles & CONTENT:
        return False
    if author or u.org == ack.org_id or (red and u.id in people):
        return True
    reached = (not red and u.org in orgs) or (
        b.tlp in {"clear", "green", "amber"} and bool(u.clients & orgs)
    )
    if not reached:
        return False
    if b.tlp in {"amber", "amber+strict"} and ack_org_kind in OFFICIAL and u.org_kind in PRIVATE:
        return bool(u.roles & DEFAULT_NTK)
    return True


# ----------------------------------------------------------------- generated worlds

bulletin_specs = st.fixed_dictionaries(
    {
        "author": st.sampled_from(AUTHORS),
        "status": st.sampled_from(STATUSES),
        "tlp": st.sampled_from(TLPS),
        "public": st.booleans(),
        "community": st.booleans(),
        "groups": st.sets(st.sampled_from(["north", "dormant"])),
        "orgs": st.sets(st.sampled_from(ORG_SLUGS), max_size=3),
        "via_rule": st.booleans(),
        "users": st.sets(st.sampled_from(NAMED), max_size=2),
        "le_only": st.booleans(),
        "source_protected": st.booleans(),
        "ntk": st.one_of(
            st.none(), st.sets(st.sampled_from(["READER", "ANALYST", "security-lead"]))
        ),
        "ackers": st.sets(st.sampled_from(ACKERS), max_size=3),
        "alpha": st.booleans(),
    }
)


def plant(w: World, i: int, spec: dict[str, Any]) -> Bulletin:
    author = w.users[spec["author"]]
    org = author.organisation
    b = Bulletin.objects.create(
        author=author, org=org, org_kind=org.kind, status=spec["status"], tlp=spec["tlp"],
        tlp_rank=TLP_RANK[spec["tlp"]], title=f"B{i} {'alpha' if spec['alpha'] else 'beta'}",
        body="text", audience_public=spec["public"], audience_community=spec["community"],
        le_only=spec["le_only"], source_protected=spec["source_protected"],
        has_need_to_know=spec["ntk"] is not None,
    )  # fmt: skip
    for g in spec["groups"]:
        BulletinGroup.objects.create(bulletin=b, group=w.groups[g])  # type: ignore[attr-defined]
    for slug in spec["orgs"]:
        BulletinOrg.objects.create(bulletin=b, org=w.orgs[slug], via_rule=spec["via_rule"])
    for name in spec["users"]:
        BulletinUser.objects.create(bulletin=b, user=w.users[name])
    for token in spec["ntk"] or ():
        BulletinNeedToKnow.objects.create(bulletin=b, token=token)
    for name in spec["ackers"]:
        user = w.users[name]
        Acknowledgement.objects.create(
            bulletin=b, user=user, org=user.organisation, queued_at=timezone.now()
        )
    return b


def change(w: World, what: str) -> None:
    groups = w.groups  # type: ignore[attr-defined]
    if what == "remove_hotel":
        SharingGroupMember.objects.filter(
            group=groups["north"], organisation=w.orgs["hotel-co"]
        ).delete()
    elif what == "deactivate_north":
        SharingGroup.objects.filter(pk=groups["north"].pk).update(active=False)
    elif what == "activate_dormant":
        SharingGroup.objects.filter(pk=groups["dormant"].pk).update(active=True)
    elif what == "unlink_guard":
        ClientLink.objects.all().delete()
    elif what == "unvet_hotel":
        Organisation.objects.filter(pk=w.orgs["hotel-co"].pk).update(vetted=False)


@pytest.fixture
def oracle_world(db: None) -> Any:
    """One world (and API clients) for all examples; every example rolls back its rows."""
    w = build_sharing_world()
    clients = {p: token_client(w.users[p]) for p in PERSONAS}
    clients["anonymous"] = token_client(None)
    return w, clients


def _api_ids(client: Any, url: str, params: dict[str, str] | None = None) -> set[int] | None:
    response = client.get(url, {**(params or {}), "page_size": 500})
    if response.status_code in {401, 403}:
        return None
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"]}


@settings(
    max_examples=int(os.environ.get("SHARING_ORACLE_EXAMPLES", "60")),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(bulletin_specs, min_size=1, max_size=5),
    what=st.sampled_from(CHANGES),
    no_mfa=st.sampled_from([None, "mall_admin", "hotel_reader", "police_s"]),
    surface_persona=st.sampled_from([*PERSONAS, "anonymous"]),
)
def test_visible_to_equals_naive_equals_policy_on_every_surface(
    oracle_world: Any, specs: list[dict[str, Any]], what: str, no_mfa: str | None,
    surface_persona: str,
) -> None:  # fmt: skip
    w, clients = oracle_world
    with transaction.atomic():
        for i, spec in enumerate(specs):
            plant(w, i, spec)
        change(w, what)
        no_mfa_id = w.users[no_mfa].pk if no_mfa else None
        with mock.patch.object(principals, "two_factor_ok", lambda u: u.pk != no_mfa_id):
            _check_all(w, clients, no_mfa_id, surface_persona)
        transaction.set_rollback(True)


def _check_all(w: World, clients: dict[str, Any], no_mfa_id: int | None, persona: str) -> None:
    readers = load_readers(no_mfa_id)
    rows = load_rows()
    by_id = {r.id: r for r in rows}
    bulletins = {b.pk: b for b in Bulletin.objects.all()}
    items = {pk: principals.bulletin_item(b) for pk, b in bulletins.items()}
    acks = list(Acknowledgement.objects.select_related("org"))
    expected: dict[str, dict[int, str]] = {}
    fresh = {u.username: u for u in User.objects.select_related("organisation")}
    for name in [*PERSONAS, "anonymous"]:
        user = fresh.get(name)  # re-read: the membership change may have touched the org
        reader = readers.get(name)
        naive = {r.id: v for r in rows if (v := naive_bulletin(reader, r)) is not None}
        principal = principals.principal_for(user) if user is not None else None
        decided = {}
        for pk, item in items.items():
            d = can_view(principal, item)
            if d.allowed and (principal is not None or user is None):
                decided[pk] = "stub" if d.stub_only else "content"
        if (
            user is not None
            and principal is not None
            and not (principal.active and principal.org_active and principal.org_vetted)
        ):
            decided = {}
        qs = queries.bulletins_visible_to(user)
        got = {b.pk: ("stub" if b.is_stub else "content") for b in qs}
        assert got == naive == decided, (name, got, naive, decided)
        whole = queries.bulletins_visible_to(user, whole_set=True)  # the counts/export plan
        assert {b.pk: ("stub" if b.is_stub else "content") for b in whole} == got, name
        expected[name] = naive
        # Acknowledgements (R7 and the default child audience).
        naive_acks = {
            a.pk for a in acks
            if naive_ack(reader, a, by_id[a.bulletin_id], a.org.kind)
        }  # fmt: skip
        decided_acks = set()
        if (
            principal is not None
            and principal.active
            and principal.org_active
            and (principal.org_vetted)
        ):
            for a in acks:
                parent = items[a.bulletin_id]
                if can_view(principal, principals.ack_item(a, parent), parent=parent).allowed:
                    decided_acks.add(a.pk)
        got_acks = set(queries.acks_visible_to(user).values_list("pk", flat=True))
        assert got_acks == naive_acks == decided_acks, (name, got_acks, naive_acks, decided_acks)

    # Publishing queues exactly the users ``can_view`` admits, one call per user (the service
    # shares one evaluation between equal principals; this holds it to the plain loop).
    everyone = principals.bulk_principals(
        User.objects.filter(is_active=True, organisation__active=True, organisation__vetted=True)
    )
    for pk, b in bulletins.items():
        item = items[pk]
        plain = {
            u.pk for u, p in everyone if u.organisation_id != b.org_id and can_view(p, item).content
        }
        assert {u.pk for u in services.recipients(b, item)} == plain, pk

    _check_outbox(bulletins, expected, fresh)

    # The API surfaces of one persona show exactly the same set.
    client = clients[persona]
    want = expected[persona]
    url = "/api/v1/bulletins/"
    listed = _api_ids(client, url)
    if listed is None:  # refused outright: the persona sees nothing anyway
        assert persona == "anonymous" or not want
        return
    assert listed == set(want)
    content = {pk for pk, v in want.items() if v == "content"}
    alpha = {pk for pk in content if "alpha" in by_id[pk].title}
    assert _api_ids(client, url, {"q": "alpha"}) == alpha
    counts = client.get(f"{url}counts/").json()
    assert counts["total"] == len(want)
    export = b"".join(client.get(f"{url}export/").streaming_content).decode()
    exported = {int(r["id"]) for r in csv.DictReader(io.StringIO(export))}
    assert exported == set(want)
    _check_stix(fresh.get(persona), bulletins, content)
    for pk in bulletins:
        response = client.get(f"{url}{pk}/")
        if pk in want:
            assert response.status_code == 200
            assert response.json()["is_stub"] is (want[pk] == "stub")
            assert ("title" in response.json()) is (want[pk] == "content")
        else:
            assert response.status_code == 404


def _check_outbox(
    bulletins: dict[int, Bulletin], expected: dict[str, dict[int, str]], fresh: dict[str, User]
) -> None:
    """A published bulletin tells exactly the personas outside its organisation who read it."""
    persona_ids = {fresh[n].pk: n for n in PERSONAS if n in fresh}
    for pk, b in bulletins.items():
        if b.status != "published":
            continue
        b.published_at = b.published_at or timezone.now()  # planted rows skip the service
        notifications.queue_for_bulletin(b, event="bulletin.published")
        told = set(
            Notification.objects.filter(item_kind="bulletin", item_id=pk).values_list(
                "user_id", flat=True
            )
        )
        want_told = {
            uid
            for uid, name in persona_ids.items()
            if expected[name].get(pk) == "content" and fresh[name].organisation_id != b.org_id
        }
        assert told & set(persona_ids) == want_told, (pk, told, want_told)


def _check_stix(user: User | None, bulletins: dict[int, Bulletin], content: set[int]) -> None:
    """The STIX export is the live, caveat-free part of the visible content."""
    if user is None or principals.principal_for(user) is None:
        return
    bundle = interchange.export_for(user, max_tlp=TLP.RED, fmt="stix").document
    ns = interchange.instance_namespace()
    stix_ids = {stix.stix_id(ns, "bulletin", pk): pk for pk in bulletins}
    reports = {stix_ids[o["id"]] for o in bundle["objects"] if o["type"] == "report"}
    live = {
        pk
        for pk in content
        if bulletins[pk].status in {"published", "expired"}
        and not (bulletins[pk].le_only or bulletins[pk].pii or bulletins[pk].source_protected)
    }
    assert reports == live, (user.username, reports, live)
