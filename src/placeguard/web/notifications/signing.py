"""Webhook signatures: ``X-PlaceGuard-Signature: sha256=<hex HMAC-SHA256 of "timestamp.body">``.

The receiver recomputes the HMAC with its endpoint secret over the ``X-PlaceGuard-Timestamp``
header, a dot and the raw body, compares in constant time, refuses old timestamps (replay) and
drops a repeated ``Idempotency-Key``. :func:`verify` is that check, for receivers written in
Python and for the tests.
"""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "sign", "verify"]

SIGNATURE_HEADER = "X-PlaceGuard-Signature"
TIMESTAMP_HEADER = "X-PlaceGuard-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance_s: int = 300,
    now: float | None = None,
) -> bool:
    """True if ``signature`` signs ``body`` at ``timestamp`` and the timestamp is recent."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - stamp) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, stamp, body), signature)
