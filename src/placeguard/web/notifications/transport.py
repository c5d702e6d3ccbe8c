"""Sending a webhook: one HTTP POST to a checked address, short timeout, no redirects.

The default transport uses ``http.client`` and connects to the address the target guard
(``targets.check_target``) approved, presenting the URL's host name for TLS (certificate checked
against the name) and in ``Host``: a second DNS answer cannot redirect the request (rebinding).
Redirects are not followed: a 3xx is a failed delivery. Tests inject a fake transport (the
``transport`` argument of ``delivery.deliver_due`` or the ``PLACEGUARD_WEBHOOK_TRANSPORT``
setting, a dotted path); nothing in the test suite opens a socket.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Mapping
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from placeguard.web.notifications.targets import Target

__all__ = ["TIMEOUT_S", "Transport", "default_transport", "http_transport"]

TIMEOUT_S = 5.0
_MAX_RESPONSE = 4096  # read a little of the answer for the error message, never more


class Transport(Protocol):
    """POST ``body`` to ``target`` and return the HTTP status code (raise OSError on failure)."""

    def __call__(
        self, target: Target, body: bytes, headers: Mapping[str, str], *, timeout: float
    ) -> int: ...


def http_transport(
    target: Target, body: bytes, headers: Mapping[str, str], *, timeout: float
) -> int:
    """The real transport: ``http.client`` pinned to ``target.address``."""
    conn: http.client.HTTPConnection
    if target.scheme == "https":
        conn = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    def pinned(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        return socket.create_connection((target.address, address[1]), *args, **kwargs)

    conn._create_connection = pinned  # type: ignore[attr-defined]  # connect to the checked address
    try:
        conn.request("POST", target.path, body=body, headers=dict(headers))
        response = conn.getresponse()
        response.read(_MAX_RESPONSE)
        return int(response.status)
    finally:
        conn.close()


def default_transport() -> Transport:
    """The transport named by ``PLACEGUARD_WEBHOOK_TRANSPORT``, else :func:`http_transport`."""
    path = getattr(settings, "PLACEGUARD_WEBHOOK_TRANSPORT", "")
    if path:
        chosen: Transport = import_string(path)
        return chosen
    return http_transport
