"""Webhook target guard (SSRF): only public addresses, checked at registration and delivery.

A webhook URL is resolved with ``socket.getaddrinfo`` and **every** address it resolves to must
be public: private (RFC 1918, unique-local), loopback, link-local, multicast, reserved,
unspecified, shared (CGNAT) and cloud-metadata addresses are refused, and so are IPv4 addresses
wrapped in IPv6 (``::ffff:10.0.0.1``). An endpoint a platform admin marked ``allow_private``
may use private, loopback and link-local addresses (an on-premises receiver) but never a
metadata, multicast, reserved or unspecified one.

Delivery resolves again (the DNS answer may have changed since registration: rebinding) and the
transport connects to the address checked here, not to a second resolution of the name.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from placeguard.core.errors import FieldError, ValidationError

__all__ = ["METADATA_ADDRESSES", "Target", "TargetRefusedError", "check_target", "resolve_host"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Instance-metadata services of the big clouds (AWS, GCP, Azure, Alibaba, Oracle, AWS IPv6).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "192.0.0.192", "fd00:ec2::254")
)


class TargetRefusedError(ValidationError):
    """The webhook URL is not an acceptable target (422 in the API)."""

    code = "webhook_target_refused"


@dataclass(frozen=True, slots=True)
class Target:
    """A checked webhook target: connect to ``address`` and present ``host``."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


Resolver = Callable[[str, int], list[str]]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (``socket.getaddrinfo``, TCP)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _refusal(ip: IPAddress, *, allow_private: bool) -> str | None:  # noqa: PLR0911 - one answer per range
    """Why ``ip`` is refused, or None."""
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        return _refusal(mapped, allow_private=allow_private)
    if ip in METADATA_ADDRESSES:
        return _("a cloud metadata address")
    if ip.is_unspecified:
        return _("an unspecified address")
    if ip.is_multicast:
        return _("a multicast address")
    if ip.is_loopback:  # before "reserved": ::1 lies in IPv6's reserved ::/8
        return None if allow_private else _("a loopback address")
    if ip.is_reserved:
        return _("a reserved address")
    if ip.is_link_local or ip.is_private:
        if allow_private:
            return None
        return _("a link-local address") if ip.is_link_local else _("a private address")
    if not ip.is_global:  # shared (CGNAT), documentation, benchmarking ranges…
        return _("not a public address")
    return None


def _refuse(message: str) -> TargetRefusedError:
    return TargetRefusedError(message, errors=[FieldError("url", message, code="ssrf")])


def check_target(
    url: str, *, allow_private: bool = False, resolve: Resolver | None = None
) -> Target:
    """Check ``url`` as a webhook target; raise :class:`TargetRefusedError` with the reason.

    Parameters
    ----------
    url
        An ``https://`` URL (``http://`` only when ``allow_private``: an internal receiver).
    allow_private
        The endpoint's admin-set flag: private, loopback and link-local addresses allowed.
    resolve
        ``(host, port) -> [address, ...]``; :func:`resolve_host` (the system resolver) by
        default. Tests pass a fake or monkeypatch ``socket.getaddrinfo``.

    Returns
    -------
    Target
        The parts of the URL and the first checked address to connect to.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"https", "http"} or (scheme == "http" and not allow_private):
        raise _refuse(_("The webhook URL must use https."))
    if parts.username or parts.password:
        raise _refuse(_("The webhook URL must not contain credentials."))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise _refuse(_("The webhook URL has no host."))
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise _refuse(_("The webhook URL has an invalid port.")) from exc
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = (resolve or resolve_host)(host, port)
        except (OSError, UnicodeError) as exc:
            raise _refuse(_("The webhook host does not resolve.")) from exc
    if not addresses:
        raise _refuse(_("The webhook host does not resolve."))
    for raw in addresses:
        ip = ipaddress.ip_address(raw.split("%", 1)[0])  # drop an IPv6 zone id
        reason = _refusal(ip, allow_private=allow_private)
        if reason is not None:
            message = _("The webhook host resolves to %(address)s, %(reason)s.") % {
                "address": ip,
                "reason": reason,
            }
            raise _refuse(message)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])
