"""Notifications API and page: your own notifications only; org admins manage webhooks."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from placeguard.web.notifications import services
from placeguard.web.notifications.models import Notification, WebhookEndpoint
from placeguard.web.orgs.models import User
from tests.conftest import PASSWORD, World
from tests.web.helpers import assert_problem, token_client
from tests.web.notifications.conftest import PUBLIC_IP

N = "/api/v1/notifications/"
H = "/api/v1/webhooks/"


def _note(user: User, title: str = "Suspicious van", **kw: Any) -> Notification:
    defaults: dict[str, Any] = {"event": "bulletin.published", "item_kind": "bulletin",
                                "item_id": 1, "tlp": "amber", "title": title,
                                "body": f"New TLP:AMBER bulletin: {title}",
                                "url": "/sharing/bulletins/1/"}  # fmt: skip
    defaults.update(kw)
    return Notification.objects.create(user=user, created=timezone.now(), **defaults)


def test_own_notifications_only(nworld: World) -> None:
    w = nworld
    mine = _note(w.users["mall_reader"])
    theirs = _note(w.users["hotel_admin"], item_id=2)
    client = token_client(w.users["mall_reader"])
    listed = client.get(N).json()
    assert [n["id"] for n in listed["results"]] == [mine.pk]
    assert client.get(f"{N}{mine.pk}/").status_code == 200
    assert_problem(client.get(f"{N}{theirs.pk}/"), 404)
    assert_problem(client.post(f"{N}{theirs.pk}/read/"), 404)
    other = token_client(w.users["hotel_admin"])
    assert [n["id"] for n in other.get(N).json()["results"]] == [theirs.pk]
    assert token_client(w.users["platform_admin"]).get(N).json()["results"] == []


def test_mark_read_one_and_all(nworld: World) -> None:
    w = nworld
    reader = w.users["mall_reader"]
    first, second = _note(reader), _note(reader, item_id=2)
    theirs = _note(w.users["hotel_admin"], item_id=3)
    client = token_client(reader)
    assert client.post(f"{N}{first.pk}/read/").json()["read_at"] is not None
    assert [n["id"] for n in client.get(N, {"unread": "true"}).json()["results"]] == [second.pk]
    answer = client.post(f"{N}mark-read/", {"ids": [second.pk, theirs.pk]}, format="json")
    assert answer.json() == {"marked": 1}  # another user's id is ignored
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert_problem(client.post(f"{N}mark-read/", {"ids": [1], "user": 2}, format="json"), 422)


def test_webhook_api_for_org_admins(nworld: World) -> None:
    w = nworld
    admin = token_client(w.users["mall_admin"])
    created = admin.post(H, {"url": f"https://{PUBLIC_IP}/hook"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert len(body["secret"]) == 64 and body["org"] == "mall-co"
    listed = admin.get(H).json()["results"]
    assert [e["id"] for e in listed] == [body["id"]] and "secret" not in listed[0]
    rotated = admin.post(f"{H}{body['id']}/rotate-secret/").json()["secret"]
    assert rotated != body["secret"]
    refused = admin.post(H, {"url": "https://169.254.169.254/"}, format="json")
    assert_problem(refused, 400, "webhook_target_refused")
    assert_problem(admin.post(H, {"url": f"https://{PUBLIC_IP}/", "secret": "x"},
                              format="json"), 422)  # fmt: skip
    flag = admin.patch(f"{H}{body['id']}/", {"allow_private": True}, format="json")
    assert_problem(flag, 403)
    # another organisation's admin: 404; a reader: nothing listed, cannot create
    assert_problem(token_client(w.users["hotel_admin"]).get(f"{H}{body['id']}/"), 404)
    reader = token_client(w.users["mall_reader"])
    assert reader.get(H).json()["results"] == []
    assert_problem(reader.post(H, {"url": f"https://{PUBLIC_IP}/"}, format="json"), 403)
    # the platform admin sets the flag; the org admin deletes
    platform = token_client(w.users["platform_admin"])
    patched = platform.patch(f"{H}{body['id']}/", {"allow_private": True,
                             "url": "https://10.1.1.1/in"}, format="json")  # fmt: skip
    assert patched.status_code == 200 and patched.json()["allow_private"] is True
    assert admin.delete(f"{H}{body['id']}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_services_refuse_non_admins_in_the_api_too(nworld: World) -> None:
    w = nworld
    endpoint = services.create_endpoint(
        {"url": f"https://{PUBLIC_IP}/"}, actor=w.users["mall_admin"]
    )
    assert_problem(token_client(w.users["mall_reader"]).delete(f"{H}{endpoint.pk}/"), 404)
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_the_page_lists_own_notifications_escaped_and_marks_read(nworld: World) -> None:
    w = nworld
    reader = w.users["mall_reader"]
    mine = _note(reader, title="<script>alert(1)</script>")
    red = _note(reader, item_id=5, tlp="red", title="",
                body="You have a new TLP:RED item, sign in to read it.")  # fmt: skip
    _note(w.users["hotel_admin"], title="Not yours", item_id=9)
    client = Client()
    assert client.login(username="mall_reader", password=PASSWORD)
    page = client.get("/notifications/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "sign in to read it" in html and "Not yours" not in html
    assert "2 unread notifications" in html
    client.post("/notifications/read/", {"id": mine.pk})
    mine.refresh_from_db()
    red.refresh_from_db()
    assert mine.read_at is not None and red.read_at is None
    client.post("/notifications/read/")
    assert Notification.objects.get(pk=red.pk).read_at is not None
    assert Client().get("/notifications/").status_code == 302  # sign in first
