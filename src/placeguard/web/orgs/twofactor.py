"""TOTP two-factor authentication: secrets, codes, QR codes and the session's verification.

Public helpers for other apps (the sharing policy needs two-factor for anything above CLEAR):

- :func:`has_confirmed_totp` — the *user* has an enrolled, confirmed authenticator;
- :func:`session_two_factor_ok` — *this request* was authenticated with a second factor: a web
  session whose login passed the TOTP step (or that just enrolled), or an API token issued
  with a TOTP code or from such a session.

Writes (enrol, confirm, disable, reset) live in :mod:`placeguard.web.orgs.services`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
from datetime import datetime
from typing import Any

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from placeguard.web.orgs.models import ApiToken, RecoveryCode, TOTPDevice, User

__all__ = [
    "SESSION_VERIFIED_AT",
    "decrypt_secret",
    "encrypt_secret",
    "has_confirmed_totp",
    "mark_session_verified",
    "match_totp",
    "new_recovery_codes",
    "new_secret",
    "provisioning_uri",
    "qr_svg",
    "recovery_digest",
    "session_two_factor_ok",
]

#: Session keys: when the second factor was checked, and which device (its confirmation time).
SESSION_VERIFIED_AT = "placeguard_2fa_verified_at"
SESSION_DEVICE = "placeguard_2fa_device"
ISSUER = "PlaceGuard"
#: Codes one step either side of now are accepted (clock drift of phones).
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10


def _fernet() -> MultiFernet:
    """Fernet keys derived from SECRET_KEY and its fallbacks (rotation keeps old secrets)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(hashlib.sha256(b"placeguard-totp:" + k.encode()).digest())
            )
            for k in keys
        ]
    )


def encrypt_secret(secret: str) -> str:
    """The base32 TOTP secret, encrypted for storage."""
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str | None:
    """The stored secret in clear, or None if no configured key opens it."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def new_secret() -> str:
    """A fresh random base32 secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(data: str) -> str:
    """An inline SVG QR code of ``data`` (no external request, no script)."""
    out = io.BytesIO()
    segno.make(data, error="m").save(
        out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, svgclass="qr-code"
    )
    return out.getvalue().decode()


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace() and ch != "-")


def match_totp(secret: str, code: str, *, at: datetime, after_step: int) -> int | None:
    """The time step ``code`` is valid for (within the window, later than ``after_step``)."""
    code = _normalise_code(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(at.timestamp()) // totp.interval
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if step <= after_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def recovery_digest(code: str) -> str:
    """Digest of a recovery code (case, spaces and dashes ignored)."""
    return hashlib.sha256(_normalise_code(code).lower().encode()).hexdigest()


def new_recovery_codes() -> list[str]:
    """Fresh recovery codes, formatted ``xxxxx-xxxxx`` (50 bits each)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def confirmed_device(user: Any) -> TOTPDevice | None:
    """The user's confirmed authenticator, or None."""
    if not isinstance(user, User) or user.pk is None:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed__isnull=False).first()


def has_confirmed_totp(user: Any) -> bool:
    """True when ``user`` has an enrolled and confirmed authenticator app."""
    if not isinstance(user, User) or user.pk is None:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed__isnull=False).exists()


def mark_session_verified(request: HttpRequest, device: TOTPDevice) -> None:
    """Record in the session that its user passed the second factor now, with ``device``."""
    assert device.confirmed is not None
    request.session[SESSION_VERIFIED_AT] = timezone.now().isoformat()
    request.session[SESSION_DEVICE] = device.confirmed.isoformat()


def session_verified_at(request: HttpRequest) -> datetime | None:
    """When this session passed the second factor, or None."""
    session = getattr(request, "session", None)
    raw = session.get(SESSION_VERIFIED_AT) if session is not None else None
    return datetime.fromisoformat(raw) if isinstance(raw, str) else None


def session_two_factor_ok(request: Any) -> bool:
    """True when this request was authenticated with a second factor that is still enrolled.

    Works for Django ``HttpRequest`` and DRF ``Request``. API token requests: the token was
    issued with a TOTP code (or from a two-factor session) and its user still has TOTP. Web
    sessions: the login passed the TOTP step (or enrolled during the session) with the
    authenticator the user has now; a reset or re-enrolment voids earlier sessions.
    """
    user = getattr(request, "user", None)
    device = confirmed_device(user)
    if device is None or device.confirmed is None:
        return False
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return bool(auth.two_factor) and auth.created >= device.confirmed
    session = getattr(request, "session", None)
    if session is None or session_verified_at(request) is None:
        return False
    return bool(session.get(SESSION_DEVICE) == device.confirmed.isoformat())


def attach_two_factor_check(user: Any, request: Any) -> None:
    """Give ``user`` a lazy, cached ``two_factor_check()`` answering for *this* request.

    The sharing policy builds its principal from the user alone; this is how it learns whether
    the request passed the second factor without an extra query on pages that never ask.
    """
    answer: list[bool] = []

    def check() -> bool:
        if not answer:
            answer.append(session_two_factor_ok(request))
        return answer[0]

    user.two_factor_check = check


def unused_recovery_codes(user: User) -> int:
    """How many recovery codes the user has left."""
    return RecoveryCode.objects.filter(user=user, used__isnull=True).count()
