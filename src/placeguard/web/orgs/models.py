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


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 digest of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text=_("First characters, to tell tokens apart."))
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"
