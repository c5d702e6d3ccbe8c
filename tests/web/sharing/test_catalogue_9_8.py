"""Catalogue 9.8 (web and application security) for the sharing pages and API.

Each test is named after its catalogue entry; docs/sharing-tests.md maps every entry.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from placeguard.core.errors import ValidationError
from placeguard.web.orgs import services as orgs
from placeguard.web.sharing import services
from placeguard.web.sharing.models import Acknowledgement, Bulletin
from tests.conftest import World
from tests.web.helpers import token_client
from tests.web.sharing.conftest import bulletin_raw

B = "/api/v1/bulletins"
EVERYONE = ["READER", "REPORTER", "ANALYST", "PUBLISHER", "ORG_ADMIN"]
#: Payloads for every text field: markup, attribute breaks, URLs and template syntax.
CORPUS = [
    '<script>alert("x1")</script>',
    '"><img src=x onerror=alert("x2")>',
    "<svg/onload=alert('x3')>",
    "javascript:alert('x4')",
    "{{ 7|add:7 }}{% now 'Y' %}",
    "<a href=\"javascript:alert('x5')\">x5</a>",
    "<iframe src=//evil.example></iframe>",
]
#: What must never reach a page unescaped (the pages' own ``<script src>`` tags are fine).
DANGEROUS = [
    "<script>alert",
    "<img src=x",
    "<svg/onload",
    "<iframe src=//evil",
    'href="javascript:',
]


def _streamed(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def _published(w: World, **overrides: Any) -> Bulletin:
    police = w.users["police_n"]
    raw = bulletin_raw(**{"orgs": [w.orgs["mall-co"].pk], "need_to_know": EVERYONE, **overrides})
    return services.publish_bulletin(services.create_bulletin(raw, actor=police), actor=police)


def _page(w: World, name: str, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(w.users[name])
    return client


def _assert_clean(response: Any) -> str:
    html: str = response.content.decode()
    assert response.status_code == 200
    for bad in DANGEROUS:
        assert bad not in html, bad
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1]
    return html


def test_xss_corpus(sworld: World) -> None:
    """Titles, bodies (Markdown), withdrawal reasons, group and organisation names."""
    police = sworld.users["police_n"]
    evil = " ".join(CORPUS)
    orgs.update_organisation(sworld.orgs["mall-co"], actor=None, name=f"Mall {CORPUS[1]}")
    with pytest.raises(ValidationError):  # longer than the column: refused, never truncated
        services.create_group({"name": "x" * 201}, actor=police)
    group = services.create_group({"name": evil[:200], "description": evil}, actor=police)
    b = _published(sworld, title=f"T {CORPUS[1]}"[:200], body=evil, groups=[group.pk])
    services.acknowledge(b, actor=sworld.users["mall_admin"])
    withdrawn = _published(sworld, title=CORPUS[0])
    services.withdraw_bulletin(withdrawn, reason=evil, actor=police)
    author, reader = _page(sworld, "police_n"), _page(sworld, "mall_admin")
    for client, url in [
        (author, "/sharing/bulletins/"),
        (author, f"/sharing/bulletins/{b.pk}/"),
        (author, f"/sharing/bulletins/{b.pk}/edit/"),
        (author, f"/sharing/bulletins/{b.pk}/receipts/"),
        (author, f"/sharing/bulletins/{withdrawn.pk}/"),
        (author, "/sharing/groups/"),
        (author, f"/sharing/groups/{group.pk}/"),
        (reader, "/sharing/bulletins/"),
        (reader, f"/sharing/bulletins/{b.pk}/"),
        (reader, f"/sharing/bulletins/{withdrawn.pk}/"),  # the stub shows the reason
    ]:
        html = _assert_clean(client.get(url))
        assert "&lt;" in html or "&quot;" in html, url  # the text is there, escaped


def test_csrf_required_for_state_change_and_no_get_side_effects(sworld: World) -> None:
    police = sworld.users["police_n"]
    draft = services.create_bulletin(
        bulletin_raw(orgs=[sworld.orgs["mall-co"].pk], need_to_know=EVERYONE), actor=police
    )
    live = _published(sworld, title="Live")
    author = _page(sworld, "police_n", enforce_csrf_checks=True)
    reader = _page(sworld, "mall_admin", enforce_csrf_checks=True)
    posts = [
        (author, f"/sharing/bulletins/{draft.pk}/publish/", {}),
        (author, f"/sharing/bulletins/{live.pk}/withdraw/", {"reason": "x"}),
        (author, "/sharing/bulletins/new/", {"title": "Forged", "tlp": "amber"}),
        (author, "/sharing/groups/new/", {"name": "Forged", "active": "on"}),
        (reader, f"/sharing/bulletins/{live.pk}/acknowledge/", {}),
    ]
    for client, url, data in posts:
        assert client.post(url, data).status_code == 403, url
        assert client.get(url).status_code in {200, 405}, url  # GET never acts
    draft.refresh_from_db()
    live.refresh_from_db()
    assert (draft.status, live.status) == ("draft", "published")
    assert not Bulletin.objects.filter(title="Forged").exists()
    assert not Acknowledgement.objects.filter(acknowledged_at__isnull=False).exists()
    # The API with a session (no token) needs the CSRF token too.
    api = _page(sworld, "mall_admin", enforce_csrf_checks=True)
    assert api.post(f"{B}/{live.pk}/acknowledge/", content_type="application/json").status_code \
        == 403  # fmt: skip
    # Allowed: the same POST with the token from the page.
    page = author.get(f"/sharing/bulletins/{draft.pk}/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else \
        author.cookies["csrftoken"].value  # fmt: skip
    ok = author.post(f"/sharing/bulletins/{draft.pk}/publish/", {"csrfmiddlewaretoken": token})
    assert ok.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"


def test_sort_filter_params_allowlisted(sworld: World) -> None:
    _published(sworld, title="Visible one")
    _published(sworld, title="For the hotel", orgs=[sworld.orgs["hotel-co"].pk])
    mall = token_client(sworld.users["mall_admin"])
    page = _page(sworld, "mall_admin")
    hostile = [
        {"tlp": "amber' OR '1'='1"},
        {"status": "published) OR (1=1"},
        {"q": "%' OR 1=1 --"},
        {"q": "%"},
        {"ordering": "-org__name"},
        {"ordering": "title; DROP TABLE sharing_bulletin"},
        {"org": str(sworld.orgs["hotel-co"].pk)},
        {"page_size": "100000"},
    ]
    for params in hostile:
        response = mall.get(f"{B}/", params)
        assert response.status_code == 200, params
        titles = {row["title"] for row in response.json()["results"]}
        assert "For the hotel" not in titles, params
        assert page.get("/sharing/bulletins/", params).status_code == 200, params
    assert mall.get(f"{B}/", {"q": "%"}).json()["count"] == 0  # "%" is text, not a wildcard
    assert {r["title"] for r in mall.get(f"{B}/", {"tlp": "amber"}).json()["results"]} == {
        "Visible one"
    }
    assert Bulletin.objects.count() == 2


def test_csv_export_formula_injection_neutralised(sworld: World) -> None:
    payloads = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)"]
    for text in payloads:
        _published(sworld, title=text)
    export = token_client(sworld.users["mall_admin"]).get(f"{B}/export/")
    rows = list(csv.DictReader(io.StringIO(_streamed(export))))
    titles = {row["title"] for row in rows}
    assert titles == {"'" + text for text in payloads}
