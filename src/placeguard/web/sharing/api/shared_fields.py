"""The fields every shareable record's API shape carries: its audience and its stub flag.

``SharedItemFields`` is mixed into the bulletin, incident and practice serializers: ``groups``,
``orgs``, ``rule_orgs``, ``users`` and ``need_to_know`` come from
:func:`~placeguard.web.sharing.audiences.audience_ids`. With ``many=True`` the list serializer
loads a whole page's audiences in four queries before the rows are rendered (see
:mod:`placeguard.web.sharing.audiences` for why not ``prefetch_related``).

People of another organisation are not named (catalogue 54): ``author`` is shown only to users
of the originating organisation (everyone else sees the organisation and ``author: null``), and
among the named ``users`` a viewer from elsewhere sees only themself. The viewer comes from the
serializer context (``request`` or ``viewer_org``); without one both are hidden (fail closed).

A withdrawn record seen from outside its originating organisation is a *stub* (R2): only the
serializer's ``STUB_FIELDS`` are shown.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from placeguard.web.sharing.audiences import audience_ids, load_audiences
from placeguard.web.sharing.shareable import SharedItem

__all__ = ["SharedItemFields", "SharedItemListSerializer", "viewer_org_id"]


def _viewer(context: dict[str, Any]) -> Any:
    return getattr(context.get("request"), "user", None)


def viewer_org_id(context: dict[str, Any]) -> int | None:
    """The organisation of the user the data is serialised for (None: unknown or anonymous)."""
    if "viewer_org" in context:
        org: int | None = context["viewer_org"]
        return org
    return getattr(_viewer(context), "organisation_id", None)


class SharedItemListSerializer(serializers.ListSerializer):  # type: ignore[type-arg]
    """Loads what a page of rows shows (``child.load_page``) in one go, then renders each row."""

    def to_representation(self, data: Any) -> list[Any]:
        rows = list(data.all() if hasattr(data, "all") else data)
        self.child.load_page(rows)  # type: ignore[union-attr]  # the child is a SharedItemFields
        result: list[Any] = super().to_representation(rows)
        return result


class SharedItemFields(serializers.Serializer):  # type: ignore[type-arg]
    """``author``, ``is_stub``, ``groups``, ``orgs``, ``rule_orgs``, ``users``, ``need_to_know``.

    A serializer using it names :class:`SharedItemListSerializer` as its ``Meta``'s
    ``list_serializer_class``, and lists the fields it shows in ``Meta.fields``.
    """

    author = serializers.SerializerMethodField(
        help_text="The author's username, for the originating organisation's users only."
    )
    is_stub = serializers.SerializerMethodField()
    groups = serializers.SerializerMethodField()
    orgs = serializers.SerializerMethodField(help_text="Organisations named by the author.")
    rule_orgs = serializers.SerializerMethodField(
        help_text="Organisations a targeting rule resolved."
    )
    users = serializers.SerializerMethodField(
        help_text="Named recipients; outside the originating organisation only yourself."
    )
    need_to_know = serializers.SerializerMethodField()

    #: What a stub shows (each serializer names its own).
    STUB_FIELDS: tuple[str, ...] = ("id", "status", "tlp", "org", "is_stub")

    def load_page(self, rows: list[Any]) -> None:
        """Read what ``rows`` show beyond their own columns, in a fixed number of queries.

        Serializers with more related data extend it (and keep to plain values: see
        :mod:`placeguard.web.sharing.audiences`).
        """
        load_audiences(rows)

    def get_author(self, obj: SharedItem) -> str | None:
        """The author's username for the originating organisation's users, else None."""
        viewer = viewer_org_id(self.context)
        if viewer is None or viewer != obj.org_id:
            return None
        return obj.author.username

    def get_is_stub(self, obj: SharedItem) -> bool:
        return bool(getattr(obj, "is_stub", False))

    def get_groups(self, obj: SharedItem) -> list[int]:
        return list(audience_ids(obj).groups)

    def get_orgs(self, obj: SharedItem) -> list[int]:
        return list(audience_ids(obj).orgs)

    def get_rule_orgs(self, obj: SharedItem) -> list[int]:
        return list(audience_ids(obj).rule_orgs)

    def get_users(self, obj: SharedItem) -> list[int]:
        named = audience_ids(obj).users
        viewer = viewer_org_id(self.context)
        if viewer is not None and viewer == obj.org_id:
            return list(named)
        me = getattr(_viewer(self.context), "pk", None)
        return [u for u in named if u == me]

    def get_need_to_know(self, obj: SharedItem) -> list[str] | None:
        if not obj.has_need_to_know:
            return None
        return list(audience_ids(obj).need_to_know)

    def to_representation(self, instance: SharedItem) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if getattr(instance, "is_stub", False):
            return {k: data[k] for k in self.STUB_FIELDS}
        return data
