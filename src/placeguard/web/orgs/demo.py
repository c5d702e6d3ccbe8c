"""Demo data of the orgs app: one persona with two-factor on, with a published secret.

``stadium.security`` shows what a two-factor login looks like. Its authenticator key is fixed
and printed by ``placeguard demo logins`` — a demo convenience only; never do this with real
accounts.
"""

from __future__ import annotations

__all__ = ["DEMO_TOTP_SECRET", "DEMO_TOTP_USERNAME", "load"]

DEMO_TOTP_USERNAME = "stadium.security"
#: Base32 TOTP key of the demo persona (add it to any authenticator app).
DEMO_TOTP_SECRET = "PLACEGUARDDEMO2FAKEY7STADIUM3SEC"  # noqa: S105 - published demo key


def load() -> None:
    """Give the demo two-factor persona its authenticator (no-op if the user is missing)."""
    # Imported here: ``placeguard demo logins`` reads this module's constants without Django.
    from placeguard.web.orgs import services
    from placeguard.web.orgs.models import User

    user = User.objects.filter(username=DEMO_TOTP_USERNAME).first()
    if user is not None:
        services.enrol_totp_with_secret(user, DEMO_TOTP_SECRET, actor=None)


def login_note() -> str:
    """The line ``placeguard demo logins`` prints about the two-factor persona."""
    return (
        f"{DEMO_TOTP_USERNAME} has two-factor authentication on: add the key "
        f"{DEMO_TOTP_SECRET} to an authenticator app (or run "
        f"`oathtool --totp -b {DEMO_TOTP_SECRET}`) and type its code after the password."
    )
