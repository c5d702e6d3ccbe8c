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
from placeguard.web.orgs.access import is_principal_valid, visible_users
from placeguard.web.orgs.choices import OrgKind, Role
from placeguard.web.orgs.models import ApiToken, Organisation, Region, RoleGrant, User

__all__ = [
    "authenticate_token",
    "create_organisation",
    "create_region",
    "create_user",
    "issue_token",
    "revoke_token",
    "set_roles",
    "update_organisation",
    "update_user",
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


def issue_token(user: User, *, actor: User | None) -> tuple[ApiToken, str]:
    """Create an API token for ``user``; the secret is returned once and never stored."""
    secret = "pg_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            digest=_digest(secret),
            prefix=secret[:8],
            expires=timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
        )
        audit.record(
            actor=actor or user,
            action="token.issue",
            obj=token,
            diff={"prefix": [None, token.prefix]},
        )
    return token, secret


def revoke_token(token: ApiToken, *, actor: User | None) -> None:
    """Delete an API token."""
    with transaction.atomic():
        audit.record(
            actor=actor, action="token.revoke", obj=token, diff={"prefix": [token.prefix, None]}
        )
        token.delete()


def authenticate_token(secret: str) -> tuple[User, ApiToken] | None:
    """The user behind a live token, or None (expired, unknown, or user/org disabled)."""
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(digest=_digest(secret), expires__gt=timezone.now())
        .first()
    )
    if token is None or not is_principal_valid(token.user):
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used > timedelta(minutes=5):
        # Throttled so that every request does not become a write.
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user, token


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
