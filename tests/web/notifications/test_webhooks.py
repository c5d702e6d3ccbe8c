"""Webhook endpoints: the SSRF guard (registration and delivery) and who may allow private."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from placeguard.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from placeguard.web.audit.models import AuditEvent
from placeguard.web.notifications import services
from placeguard.web.notifications.targets import TargetRefusedError, check_target
from tests.conftest import World
from tests.web.notifications.conftest import PUBLIC_IP, public_resolver


def _fake_getaddrinfo(answer: str) -> Any:
    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        family = socket.AF_INET6 if ":" in answer else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (answer, port))]

    return fake


REFUSED = [
    ("https://10.0.0.1/hook", "private"),
    ("https://127.0.0.1/hook", "loopback"),
    ("https://169.254.169.254/latest/meta-data/", "metadata"),
    ("https://[::1]/hook", "loopback"),
    ("https://[fc00::1]/hook", "private"),
    ("https://[fe80::1]/hook", "link-local"),
    ("https://0.0.0.0/hook", "unspecified"),
    ("https://224.0.0.1/hook", "multicast"),
    ("https://240.0.0.1/hook", "reserved"),
    ("https://100.64.0.1/hook", "not a public"),
    ("https://[::ffff:10.0.0.1]/hook", "private"),
    ("https://[fd00:ec2::254]/hook", "metadata"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_non_public_literal_addresses_are_refused(url: str, reason: str) -> None:
    with pytest.raises(TargetRefusedError, match=reason):
        check_target(url, resolve=public_resolver)


def test_a_public_literal_address_is_allowed() -> None:
    target = check_target(f"https://{PUBLIC_IP}:8443/in")
    assert (target.address, target.port, target.path) == (PUBLIC_IP, 8443, "/in")


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _fake_getaddrinfo("192.168.1.20"))
    with pytest.raises(TargetRefusedError, match=r"192\.168\.1\.20"):
        check_target("https://intranet.example.org/hook")
    monkeypatch.setattr(socket, "getaddrinfo", _fake_getaddrinfo(PUBLIC_IP))
    target = check_target("https://hooks.example.org/hook")
    assert target.address == PUBLIC_IP and target.host == "hooks.example.org"


def test_one_private_answer_among_public_ones_is_enough_to_refuse() -> None:
    with pytest.raises(TargetRefusedError):
        check_target("https://mixed.example.org/", resolve=lambda h, p: [PUBLIC_IP, "10.1.2.3"])


def test_a_name_that_does_not_resolve_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror("no such name")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(TargetRefusedError, match="resolve"):
        check_target("https://nowhere.invalid/")


@pytest.mark.parametrize(
    "url", ["http://hooks.example.org/", "https://user:pw@hooks.example.org/", "ftp://x.org/"]
)
def test_plain_http_credentials_and_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(TargetRefusedError):
        check_target(url, resolve=public_resolver)
    assert check_target("https://hooks.example.org/", resolve=public_resolver).scheme == "https"


def test_allow_private_admits_private_ranges_but_never_metadata() -> None:
    assert check_target("https://10.0.0.1/", allow_private=True).address == "10.0.0.1"
    assert check_target("http://127.0.0.1:8080/", allow_private=True).port == 8080
    for url in ("https://169.254.169.254/", "https://0.0.0.0/", "https://224.0.0.1/"):
        with pytest.raises(TargetRefusedError):
            check_target(url, allow_private=True)


# --------------------------------------------------------------------------- endpoint services


def test_org_admins_register_public_endpoints_only(nworld: World) -> None:
    w = nworld
    admin = w.users["mall_admin"]
    with pytest.raises(TargetRefusedError):
        services.create_endpoint({"url": "https://10.0.0.1/hook"}, actor=admin)
    with pytest.raises(PermissionDeniedError):  # only a platform admin may allow private
        services.create_endpoint(
            {"url": "https://10.0.0.1/hook", "allow_private": True}, actor=admin
        )
    with pytest.raises(PermissionDeniedError):  # a reader manages no webhooks
        services.create_endpoint({"url": f"https://{PUBLIC_IP}/"}, actor=w.users["mall_reader"])
    with pytest.raises(ValidationError) as err:
        services.create_endpoint({"url": f"https://{PUBLIC_IP}/", "secret": "mine"}, actor=admin)
    assert [e.code for e in err.value.errors] == ["unknown_field"]
    endpoint = services.create_endpoint({"url": f"https://{PUBLIC_IP}/"}, actor=admin)
    assert endpoint.org_id == admin.organisation_id
    assert len(endpoint.secret) == 64 and not endpoint.allow_private
    event = AuditEvent.objects.get(action="webhook.create")
    assert endpoint.secret not in str(event.diff)


def test_only_a_platform_admin_allows_a_private_address(nworld: World) -> None:
    w = nworld
    admin, platform = w.users["mall_admin"], w.users["platform_admin"]
    endpoint = services.create_endpoint({"url": f"https://{PUBLIC_IP}/"}, actor=admin)
    with pytest.raises(PermissionDeniedError):
        services.update_endpoint(endpoint, {"allow_private": True}, actor=admin)
    services.update_endpoint(
        endpoint, {"allow_private": True, "url": "https://10.0.0.7/hook"}, actor=platform
    )
    endpoint.refresh_from_db()
    assert endpoint.allow_private and endpoint.url == "https://10.0.0.7/hook"
    # the org admin still edits the rest, but cannot switch the flag off or on
    services.update_endpoint(endpoint, {"description": "SOC"}, actor=admin)
    with pytest.raises(PermissionDeniedError):
        services.update_endpoint(endpoint, {"allow_private": False}, actor=admin)
    # and another organisation's admin does not see it at all
    with pytest.raises(NotFoundError):
        services.update_endpoint(endpoint, {"description": "x"}, actor=w.users["hotel_admin"])


def test_rotating_the_secret_changes_it(nworld: World) -> None:
    w = nworld
    endpoint = services.create_endpoint(
        {"url": f"https://{PUBLIC_IP}/"}, actor=w.users["mall_admin"]
    )
    old = endpoint.secret
    assert services.rotate_secret(endpoint, actor=w.users["mall_admin"]).secret != old
    with pytest.raises(NotFoundError):
        services.rotate_secret(endpoint, actor=w.users["hotel_admin"])
