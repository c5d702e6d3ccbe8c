"""Organisations, regions, users with roles, and API tokens."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.web.orgs.choices import OrgKind, Role


class Region(models.Model):
    """An administrative region of a country; the unit of jurisdiction."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    country_code = models.CharField(_("country code"), max_length=8, db_index=True)
    # Centre and outline are for the map only; no GIS dependency is needed.
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    outline = models.JSONField(
        _("outline"), default=list, blank=True, help_text=_("Polygon ring as [[lon, lat], …].")
    )

    class Meta:
        ordering: ClassVar = ["country_code", "name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A participating organisation: police force, ministry, operator, provider, programme."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("short name"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=OrgKind.choices)
    country_code = models.CharField(_("country code"), max_length=8)
    regions = models.ManyToManyField(
        Region,
        blank=True,
        related_name="organisations",
        verbose_name=_("regions / jurisdiction"),
        help_text=_("For law enforcement: the regions it polices. For others: where it works."),
    )
    vetted = models.BooleanField(
        _("vetted"),
        default=False,
        help_text=_("Vetted by a platform admin; unvetted organisations see only their own data."),
    )
    active = models.BooleanField(_("active"), default=True)
    require_two_factor = models.BooleanField(
        _("require two-factor authentication"),
        default=False,
        help_text=_("Members without an authenticator app must enrol at their next login."),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    description = models.TextField(_("description"), blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person using PlaceGuard. Belongs to exactly one organisation (none only for bootstrap)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering: ClassVar = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def role_set(self) -> frozenset[str]:
        """The user's roles (cached per instance; prefetch ``role_grants`` for lists)."""
        cached: frozenset[str] | None = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(g.role for g in self.role_grants.all())
            self._role_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        """True if the user holds any of ``roles``."""
        return bool(self.role_set.intersection(roles))

    @property
    def is_platform_admin(self) -> bool:
        """Manages organisations and users; not an implicit reader of operator data."""
        return Role.PLATFORM_ADMIN in self.role_set

    @property
    def is_org_admin(self) -> bool:
        """Manages the users of their own organisation."""
        return Role.ORG_ADMIN in self.role_set


class RoleGrant(models.Model):
    """One role held by one user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user"),
        ]
        ordering: ClassVar = ["role"]

    def __str__(self) -> str:
        return f"{self.user.username}:{self.role}"


def _all_scopes() -> list[str]:
    return ["*"]


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 digest of the secret is stored.

    ``scopes`` lists what the token may do (``["*"]``: everything its user may do); a token
    never exceeds its user, whose roles and visibility still apply. ``read_only`` tokens are
    refused every unsafe method. A revoked token is kept for the record but authenticates
    nothing.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text=_("First characters, to tell tokens apart."))
    scopes = models.JSONField(_("scopes"), default=_all_scopes)
    read_only = models.BooleanField(_("read-only"), default=False)
    two_factor = models.BooleanField(
        _("issued after two-factor verification"),
        default=False,
        help_text=_("Counts as a two-factor session for content above TLP:CLEAR."),
    )
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"


class TOTPDevice(models.Model):
    """A user's authenticator app (RFC 6238 TOTP).

    The shared secret is stored encrypted (Fernet, key derived from ``SECRET_KEY``) and is
    shown to the user only while enrolling. ``last_step`` is the last accepted time step, so a
    code is accepted at most once.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    encrypted_secret = models.TextField()
    confirmed = models.DateTimeField(_("confirmed"), null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return f"TOTP ({self.user.username})"


class RecoveryCode(models.Model):
    """A single-use recovery code; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    used = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "digest"], name="unique_recovery_code"),
        ]

    def __str__(self) -> str:
        return f"recovery code ({self.user.username})"


class LoginFailure(models.Model):
    """One failed login (password or second step), for throttling and the audit trail."""

    username = models.CharField(max_length=150, db_index=True, help_text=_("Normalised."))
    ip = models.CharField(max_length=64, db_index=True)
    stage = models.CharField(max_length=16)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering: ClassVar = ["-at"]

    def __str__(self) -> str:
        return f"{self.username or '?'} from {self.ip} ({self.stage})"
