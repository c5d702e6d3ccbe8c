"""The sharing policy: who may see and change shared items (research/info-sharing.md §8).

Pure and Django-free. The web layer builds :class:`Principal` and :class:`Item` values from ORM
rows and asks :func:`can_view` and the ``can_*`` write predicates; its queryset twin
``visible_to(user)`` must select exactly what :func:`can_view` allows (docs/sharing-policy.md).
"""

from __future__ import annotations

from placeguard.core.sharing.invariants import check_create, check_invariants, check_update
from placeguard.core.sharing.model import (
    Audience,
    Caveat,
    Decision,
    Directory,
    HitDisclosure,
    Item,
    ItemKind,
    OrgRecord,
    Principal,
    Problem,
    SharingGroup,
    SourceRef,
    Status,
    Token,
    UserRecord,
)
from placeguard.core.sharing.policy import (
    can_acknowledge,
    can_change_tlp,
    can_comment,
    can_create_group,
    can_delete_group,
    can_edit,
    can_edit_group,
    can_forward,
    can_manage_user,
    can_mint_token,
    can_publish,
    can_view,
    can_view_group_members,
    can_widen_audience,
    can_withdraw,
    default_child,
    disclose_hit,
    effective_principal,
)
from placeguard.core.sharing.rules import RULES, describe

__all__ = [
    "RULES",
    "Audience",
    "Caveat",
    "Decision",
    "Directory",
    "HitDisclosure",
    "Item",
    "ItemKind",
    "OrgRecord",
    "Principal",
    "Problem",
    "SharingGroup",
    "SourceRef",
    "Status",
    "Token",
    "UserRecord",
    "can_acknowledge",
    "can_change_tlp",
    "can_comment",
    "can_create_group",
    "can_delete_group",
    "can_edit",
    "can_edit_group",
    "can_forward",
    "can_manage_user",
    "can_mint_token",
    "can_publish",
    "can_view",
    "can_view_group_members",
    "can_widen_audience",
    "can_withdraw",
    "check_create",
    "check_invariants",
    "check_update",
    "default_child",
    "describe",
    "disclose_hit",
    "effective_principal",
]
