"""Choices of the orgs app, built from the shared vocabulary in ``placeguard.core.vocab``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.core.vocab import OrgKind as _Kind
from placeguard.core.vocab import Role as _Role


class OrgKind(models.TextChoices):
    """Kind of organisation."""

    LAW_ENFORCEMENT = _Kind.LAW_ENFORCEMENT.value, _("Law enforcement")
    AUTHORITY = _Kind.AUTHORITY.value, _("Public authority")
    OPERATOR = _Kind.OPERATOR.value, _("Site operator")
    SECURITY_PROVIDER = _Kind.SECURITY_PROVIDER.value, _("Security provider")
    COMMUNITY = _Kind.COMMUNITY.value, _("Community organisation")
    PROGRAMME = _Kind.PROGRAMME.value, _("Capacity-building programme")


class Role(models.TextChoices):
    """Role a user holds in their organisation."""

    READER = _Role.READER.value, _("Reader")
    REPORTER = _Role.REPORTER.value, _("Reporter")
    ANALYST = _Role.ANALYST.value, _("Analyst")
    PUBLISHER = _Role.PUBLISHER.value, _("Publisher")
    ORG_ADMIN = _Role.ORG_ADMIN.value, _("Organisation admin")
    AUDITOR = _Role.AUDITOR.value, _("Auditor")
    PLATFORM_ADMIN = _Role.PLATFORM_ADMIN.value, _("Platform admin")


#: Roles that may create and edit registry records (sites) for their organisation.
EDITOR_ROLES = frozenset({Role.ANALYST, Role.PUBLISHER, Role.ORG_ADMIN})
#: Org kinds that register their own sites (the operator of the site is themselves).
SELF_OPERATING_KINDS = frozenset({OrgKind.OPERATOR, OrgKind.COMMUNITY, OrgKind.SECURITY_PROVIDER})
#: Org kinds whose visibility comes from territorial jurisdiction.
TERRITORIAL_KINDS = frozenset({OrgKind.LAW_ENFORCEMENT, OrgKind.AUTHORITY})
