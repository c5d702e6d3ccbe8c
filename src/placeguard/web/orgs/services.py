"""All writes to organisations, users, roles and API tokens, each audited in its transaction."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from placeguard.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.web.audit import services as audit
from placeguard.web.orgs import throttle, twofactor
from placeguard.web.orgs.access import is_principal_valid, visible_users
from placeguard.web.orgs.choices import OrgKind, Role
from placeguard.web.orgs.models import (
    ApiToken,
    Organisation,
    RecoveryCode,
    Region,
    RoleGrant,
    TOTPDevice,
    User,
)
from placeguard.web.orgs.scopes import ALL as ALL_SCOPES
from placeguard.web.orgs.scopes import normalise_scopes, within

__all__ = [
    "authenticate_token",
    "confirm_totp",
    "create_organisation",
    "create_region",
    "create_user",
    "disable_totp",
    "enrol_totp_with_secret",
    "issue_token",
    "regenerate_recovery_codes",
    "reset_totp",
    "revoke_token",
    "set_require_two_factor",
    "set_roles",
    "start_totp_enrolment",
    "update_organisation",
    "update_user",
    "verify_second_factor",
]

#: Roles an organisation admin may hand out inside their own organisation.
ORG_ADMIN_GRANTABLE = frozenset(
    {Role.READER, Role.REPORTER, Role.ANALYST, Role.PUBLISHER, Role.ORG_ADMIN, Role.AUDITOR}
)
ORG_FIELDS = (
    "slug",
    "name",
    "kind",
    "country_code",
    "vetted",
    "active",
    "contact_email",
    "description",
)


def _require_platform_admin(actor: User | None) -> None:
    if actor is not None and not (is_principal_valid(actor) and actor.is_platform_admin):
        msg = "Only platform admins manage organisations."
        raise PermissionDeniedError(msg)


def _org_snapshot(org: Organisation) -> dict[str, Any]:
    data = {f: getattr(org, f) for f in ORG_FIELDS}
    data["regions"] = sorted(r.code for r in org.regions.all())
    return data


def _validate_org(fields: dict[str, Any], *, instance: Organisation | None) -> None:
    errors: dict[str, str] = {}
    kind = fields.get("kind", instance.kind if instance else None)
    if kind not in OrgKind.values:
        errors["kind"] = f"unknown kind {kind!r}"
    slug = fields.get("slug", instance.slug if instance else "")
    if not slug:
        errors["slug"] = "this field is required"
    elif Organisation.objects.filter(slug=slug).exclude(pk=instance.pk if instance else 0).exists():
        errors["slug"] = "an organisation with this short name exists"
    if not fields.get("name", instance.name if instance else ""):
        errors["name"] = "this field is required"
    if errors:
        raise ValidationError.from_mapping(errors)


def create_organisation(
    *, actor: User | None, regions: Iterable[Region] = (), **fields: Any
) -> Organisation:
    """Register an organisation (platform admins only)."""
    _require_platform_admin(actor)
    _validate_org(fields, instance=None)
    with transaction.atomic():
        org = Organisation.objects.create(**fields)
        org.regions.set(list(regions))
        audit.record(
            actor=actor,
            action="organisation.create",
            obj=org,
            diff=audit.diff_fields(None, _org_snapshot(org)),
        )
    return org


def update_organisation(
    org: Organisation, *, actor: User | None, regions: Iterable[Region] | None = None, **fields: Any
) -> Organisation:
    """Change an organisation.

    Platform admins change anything; an organisation's own admins its name and contact text.
    """
    if actor is not None and not actor.is_platform_admin:
        own = actor.is_org_admin and actor.organisation_id == org.pk and is_principal_valid(actor)
        if not own:
            msg = "Only platform admins or the organisation's admins may edit it."
            raise PermissionDeniedError(msg)
        if set(fields) - {"contact_email", "description", "name"} or regions is not None:
            msg = "Organisation admins may change only the name and contact details."
            raise PermissionDeniedError(msg)
    unknown = set(fields) - set(ORG_FIELDS)
    if unknown:
        raise ValidationError.from_mapping(dict.fromkeys(sorted(unknown), "unknown field"))
    _validate_org(fields, instance=org)
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=org.pk)
        before = _org_snapshot(org)
        for key, value in fields.items():
            setattr(org, key, value)
        org.save()
        if regions is not None:
            org.regions.set(list(regions))
        diff = audit.diff_fields(before, _org_snapshot(org))
        if diff:
            audit.record(actor=actor, action="organisation.update", obj=org, diff=diff)
    return org


def _check_roles(actor: User | None, org: Organisation, roles: Iterable[str]) -> list[str]:
    wanted = sorted(set(roles))
    bad = [r for r in wanted if r not in Role.values]
    if bad:
        raise ValidationError.from_mapping({"roles": f"unknown role(s): {', '.join(bad)}"})
    if actor is None or actor.is_platform_admin:
        return wanted
    if not (actor.is_org_admin and actor.organisation_id == org.pk and is_principal_valid(actor)):
        msg = "Only your organisation's admins manage its users."
        raise PermissionDeniedError(msg)
    above = [r for r in wanted if r not in ORG_ADMIN_GRANTABLE]
    if above:
        raise ValidationError.from_mapping({"roles": f"you cannot grant: {', '.join(above)}"})
    return wanted


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": user.is_active,
        "organisation": user.organisation_id,
        "roles": sorted(g.role for g in user.role_grants.all()),
    }


def create_user(
    *,
    actor: User | None,
    username: str,
    organisation: Organisation,
    roles: Iterable[str] = (Role.READER,),
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    validate: bool = True,
) -> User:
    """Create a user in ``organisation`` with ``roles``.

    Org admins create users in their own organisation only. With ``password=None`` the
    account has an unusable password until a reset. ``validate=False`` skips the password
    strength rules (used only for the demo's shared password).
    """
    wanted = _check_roles(actor, organisation, roles)
    username = username.strip()
    if not username:
        raise ValidationError.from_mapping({"username": "this field is required"})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError.from_mapping({"username": "this username is taken"})
    user = User(
        username=username,
        organisation=organisation,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=Role.PLATFORM_ADMIN in wanted,
    )
    if password is not None:
        if validate:
            try:
                validate_password(password, user)
            except DjangoValidationError as exc:
                raise ValidationError.from_mapping({"password": " ".join(exc.messages)}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        user.save()
        RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in wanted])
        audit.record(
            actor=actor,
            action="user.create",
            obj=user,
            diff=audit.diff_fields(None, _user_snapshot(user)),
        )
    return user


def set_roles(user: User, roles: Iterable[str], *, actor: User | None) -> User:
    """Replace a user's roles."""
    assert user.organisation is not None
    wanted = _check_roles(actor, user.organisation, roles)
    if (
        actor is not None
        and actor.pk == user.pk
        and Role.ORG_ADMIN not in wanted
        and user.is_org_admin
    ):
        msg = "You cannot remove your own organisation-admin role."
        raise ConflictError(msg, code="self_demotion")
    with transaction.atomic():
        before = _user_snapshot(user)
        RoleGrant.objects.filter(user=user).exclude(role__in=wanted).delete()
        have = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
        RoleGrant.objects.bulk_create(
            [RoleGrant(user=user, role=r) for r in wanted if r not in have]
        )
        user.is_staff = Role.PLATFORM_ADMIN in wanted
        user.save(update_fields=["is_staff"])
        user = User.objects.prefetch_related("role_grants").get(pk=user.pk)
        diff = audit.diff_fields(before, _user_snapshot(user))
        if diff:
            audit.record(actor=actor, action="user.roles", obj=user, diff=diff)
    return user


def update_user(
    user: User, *, actor: User | None, roles: Iterable[str] | None = None, **fields: Any
) -> User:
    """Change a user's name, email, active flag and (optionally) roles, in one transaction.

    Deactivating a user deletes their API tokens.
    """
    if actor is not None and not visible_users(actor).filter(pk=user.pk).exists():
        msg = "User not found."
        raise NotFoundError(msg)
    if actor is not None and actor.pk != user.pk:
        assert user.organisation is not None  # visible users always belong to an organisation
        _check_roles(actor, user.organisation, [])  # org-admin-of-same-org or platform admin
    allowed = {"email", "first_name", "last_name", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError.from_mapping(dict.fromkeys(sorted(unknown), "cannot be changed here"))
    if actor is not None and actor.pk == user.pk and fields.get("is_active") is False:
        msg = "You cannot deactivate yourself."
        raise ConflictError(msg, code="self_deactivation")
    with transaction.atomic():
        before = _user_snapshot(user)
        for key, value in fields.items():
            setattr(user, key, value)
        user.save()
        if fields.get("is_active") is False:
            ApiToken.objects.filter(user=user).delete()
        diff = audit.diff_fields(before, _user_snapshot(user))
        if diff:
            audit.record(actor=actor, action="user.update", obj=user, diff=diff)
        if roles is not None and set(roles) != user.role_set:
            user = set_roles(user, roles, actor=actor)
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    user: User,
    *,
    actor: User | None,
    name: str = "",
    scopes: Iterable[str] = (ALL_SCOPES,),
    read_only: bool = False,
    ttl_hours: int | None = None,
    two_factor: bool = False,
    parent: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """Create an API token for ``user``; the secret is returned once and never stored.

    ``scopes`` narrow what the token may do (``*``: everything the user may do). A token
    minted with another token (``parent``) can have no scope, lifetime or write access the
    parent lacks. ``two_factor`` marks a token issued after a TOTP check.
    """
    if actor is not None and actor.pk != user.pk:
        msg = "API tokens are issued to their own user only."
        raise PermissionDeniedError(msg)
    try:
        wanted = normalise_scopes(scopes)
    except ValueError as exc:
        raise ValidationError.from_mapping({"scopes": str(exc)}) from exc
    if not wanted:
        raise ValidationError.from_mapping({"scopes": "choose at least one scope"})
    max_hours = settings.API_TOKEN_TTL_HOURS
    hours = max_hours if ttl_hours is None else ttl_hours
    if not 1 <= hours <= max_hours:
        raise ValidationError.from_mapping({"ttl_hours": f"between 1 and {max_hours} hours"})
    expires = timezone.now() + timedelta(hours=hours)
    if parent is not None:
        if not within(parent.scopes, wanted):
            msg_0 = "A token cannot grant scopes it does not hold."
            raise PermissionDeniedError(msg_0)
        if parent.read_only and not read_only:
            msg_0 = "A read-only token cannot mint a writable token."
            raise PermissionDeniedError(msg_0)
        expires = min(expires, parent.expires)
        two_factor = two_factor and parent.two_factor
    secret = "pg_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:100],
            digest=_digest(secret),
            prefix=secret[:8],
            scopes=wanted,
            read_only=read_only,
            two_factor=two_factor,
            expires=expires,
        )
        audit.record(
            actor=actor or user,
            action="token.issue",
            obj=token,
            diff={
                "prefix": [None, token.prefix],
                "scopes": [None, wanted],
                "read_only": [None, read_only],
                "expires": [None, expires.isoformat()],
            },
        )
    return token, secret


def revoke_token(token: ApiToken, *, actor: User | None) -> None:
    """Revoke an API token (kept, marked revoked; it authenticates nothing any more).

    Users revoke their own tokens; platform admins anyone's.
    """
    if actor is not None and actor.pk != token.user_id and not actor.is_platform_admin:
        msg = "Token not found."
        raise NotFoundError(msg)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked is not None:
            return
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
        audit.record(
            actor=actor, action="token.revoke", obj=token, diff={"prefix": [token.prefix, None]}
        )


def authenticate_token(secret: str) -> tuple[User, ApiToken] | None:
    """The user behind a live token, or None (expired, revoked, unknown, user/org disabled)."""
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(digest=_digest(secret), expires__gt=timezone.now(), revoked__isnull=True)
        .first()
    )
    if token is None or not is_principal_valid(token.user):
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used > timedelta(minutes=5):
        # Throttled so that every request does not become a write.
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user, token


# ------------------------------------------------------------------ two-factor


def start_totp_enrolment(user: User, *, actor: User) -> str:
    """Begin (or restart) enrolment: a new, unconfirmed secret, returned once in clear.

    Refused while a confirmed authenticator exists (disable or reset it first).
    """
    if actor.pk != user.pk:
        msg = "Only the user enrols their own authenticator."
        raise PermissionDeniedError(msg)
    if twofactor.has_confirmed_totp(user):
        msg = "Two-factor authentication is already on."
        raise ConflictError(msg, code="totp_enrolled")
    secret = twofactor.new_secret()
    with transaction.atomic():
        TOTPDevice.objects.update_or_create(
            user=user,
            defaults={
                "encrypted_secret": twofactor.encrypt_secret(secret),
                "confirmed": None,
                "last_step": 0,
            },
        )
    return secret


def confirm_totp(user: User, code: str, *, actor: User) -> tuple[TOTPDevice, list[str]]:
    """Confirm enrolment with a first code; returns the device and new recovery codes (once)."""
    if actor.pk != user.pk:
        msg = "Only the user enrols their own authenticator."
        raise PermissionDeniedError(msg)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user).first()
        if device is None or device.confirmed is not None:
            msg = "Start the enrolment first."
            raise ConflictError(msg, code="totp_not_started")
        secret = twofactor.decrypt_secret(device.encrypted_secret)
        step = (
            None
            if secret is None
            else twofactor.match_totp(secret, code, at=throttle.now(), after_step=0)
        )
        if step is None:
            raise ValidationError.from_mapping({"code": "this code is not valid; try the next one"})
        device.confirmed = timezone.now()
        device.last_step = step
        device.save(update_fields=["confirmed", "last_step"])
        codes = _replace_recovery_codes(user)
        audit.record(actor=actor, action="totp.enrol", obj=user, diff={"totp": [False, True]})
    return device, codes


def enrol_totp_with_secret(user: User, secret: str, *, actor: User | None) -> TOTPDevice:
    """System only (demo data): give ``user`` a confirmed authenticator with a known secret.

    No recovery codes are created. ``actor`` must be None: no person may set someone's key.
    """
    if actor is not None:
        msg = "Only the system sets a known authenticator key."
        raise PermissionDeniedError(msg)
    with transaction.atomic():
        device, _ = TOTPDevice.objects.update_or_create(
            user=user,
            defaults={
                "encrypted_secret": twofactor.encrypt_secret(secret),
                "confirmed": timezone.now(),
                "last_step": 0,
            },
        )
        audit.record(actor=None, action="totp.enrol", obj=user, diff={"totp": [False, True]})
    return device


def _replace_recovery_codes(user: User) -> list[str]:
    codes = twofactor.new_recovery_codes()
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, digest=twofactor.recovery_digest(c)) for c in codes]
    )
    return codes


def verify_second_factor(user: User, code: str) -> bool:
    """Check a TOTP code (each accepted once) or a recovery code (used up); audited."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed__isnull=False)
            .first()
        )
        if device is None:
            return False
        secret = twofactor.decrypt_secret(device.encrypted_secret)
        if secret is not None:
            step = twofactor.match_totp(
                secret, code, at=throttle.now(), after_step=device.last_step
            )
            if step is not None:
                device.last_step = step
                device.save(update_fields=["last_step"])
                return True
        recovery = (
            RecoveryCode.objects.select_for_update()
            .filter(user=user, digest=twofactor.recovery_digest(code), used__isnull=True)
            .first()
        )
        if recovery is None:
            return False
        recovery.used = timezone.now()
        recovery.save(update_fields=["used"])
        audit.record(
            actor=user,
            action="totp.recovery_code_used",
            obj=user,
            diff={"recovery_codes_left": RecoveryCode.objects.filter(
                user=user, used__isnull=True).count()},
        )  # fmt: skip
    return True


def regenerate_recovery_codes(user: User, code: str, *, actor: User) -> list[str]:
    """New recovery codes (the old ones stop working), after a valid second factor."""
    if actor.pk != user.pk:
        msg = "Only the user renews their recovery codes."
        raise PermissionDeniedError(msg)
    if not verify_second_factor(user, code):
        raise ValidationError.from_mapping({"code": "this code is not valid"})
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        audit.record(actor=actor, action="totp.recovery_codes", obj=user, diff={})
    return codes


def disable_totp(user: User, code: str, *, actor: User) -> None:
    """The user turns two-factor off, proving possession with a code or recovery code.

    Refused when the organisation requires two-factor (reset and re-enrol instead).
    """
    if actor.pk != user.pk:
        msg = "Only the user disables their own authenticator."
        raise PermissionDeniedError(msg)
    org_id = user.organisation_id
    if (
        org_id is not None
        and Organisation.objects.filter(pk=org_id, require_two_factor=True).exists()
    ):
        msg = "Your organisation requires two-factor authentication."
        raise ConflictError(msg, code="totp_required")
    if not verify_second_factor(user, code):
        raise ValidationError.from_mapping({"code": "this code is not valid"})
    with transaction.atomic():
        _remove_totp(user)
        audit.record(actor=actor, action="totp.disable", obj=user, diff={"totp": [True, False]})


def _remove_totp(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    # Tokens vouched for by the old authenticator no longer count as two-factor.
    ApiToken.objects.filter(user=user, two_factor=True).update(two_factor=False)


def reset_totp(user: User, *, actor: User) -> None:
    """An organisation admin (own organisation) or platform admin removes a user's authenticator.

    For lost phones. The user enrols again (at next login if the organisation requires it).
    """
    if not visible_users(actor).filter(pk=user.pk).exists():
        msg = "User not found."
        raise NotFoundError(msg)
    same_org = actor.is_org_admin and actor.organisation_id == user.organisation_id
    if actor.pk == user.pk or not (same_org or actor.is_platform_admin):
        msg = "Only an organisation admin or platform admin resets it."
        raise PermissionDeniedError(msg)
    if user.is_platform_admin and not actor.is_platform_admin:
        msg = "Only platform admins reset a platform admin."
        raise PermissionDeniedError(msg)
    with transaction.atomic():
        had = TOTPDevice.objects.filter(user=user).exists()
        _remove_totp(user)
        audit.record(actor=actor, action="totp.reset", obj=user, diff={"totp": [had, False]})


def set_require_two_factor(org: Organisation, required: bool, *, actor: User) -> Organisation:
    """Turn the organisation's "require two-factor" setting on or off (its admins, platform)."""
    own = actor.is_org_admin and actor.organisation_id == org.pk and is_principal_valid(actor)
    if not (own or actor.is_platform_admin):
        msg = "Only the organisation's admins change this setting."
        raise PermissionDeniedError(msg)
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=org.pk)
        before = org.require_two_factor
        if before != required:
            org.require_two_factor = required
            org.save(update_fields=["require_two_factor"])
            audit.record(
                actor=actor,
                action="organisation.require_two_factor",
                obj=org,
                diff={"require_two_factor": [before, required]},
            )
    return org


def create_region(
    *,
    actor: User | None,
    code: str,
    name: str,
    country_code: str,
    latitude: float | None = None,
    longitude: float | None = None,
    outline: list[list[float]] | None = None,
) -> Region:
    """Register a region (platform admins only)."""
    _require_platform_admin(actor)
    if Region.objects.filter(code=code).exists():
        raise ValidationError.from_mapping({"code": "a region with this code exists"})
    with transaction.atomic():
        region = Region.objects.create(
            code=code,
            name=name,
            country_code=country_code,
            latitude=latitude,
            longitude=longitude,
            outline=outline or [],
        )
        snapshot = {"code": code, "name": name, "country_code": country_code}
        audit.record(
            actor=actor, action="region.create", obj=region, diff=audit.diff_fields(None, snapshot)
        )
    return region
