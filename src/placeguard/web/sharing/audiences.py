"""Read the audience rows of many shareable records at once, as plain ids.

A page of bulletins, incidents or practices shows each record's audience: its groups, named
and rule-resolved organisations, named users and need-to-know tokens, kept in four row tables
(:mod:`placeguard.web.sharing.shareable`). ``prefetch_related`` would read them in four queries
too, but it builds a model instance and a queryset per row and links every row back to its
record; those reference cycles outlive the request until Python's full garbage collection,
whose pauses (150–250 ms on a 100,000-item database) were the list endpoint's p95. Here the
four queries return tuples and each record gets one small frozen :class:`AudienceIds`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models

from placeguard.web.sharing.shareable import SharedItem

__all__ = ["AudienceIds", "audience_ids", "load_audiences"]

#: Attribute the ids are attached under (not a field: never saved).
_ATTR = "_audience_ids"


@dataclass(frozen=True, slots=True)
class AudienceIds:
    """One record's audience rows, each sorted."""

    groups: tuple[int, ...] = ()
    orgs: tuple[int, ...] = ()
    """Organisations named by the author."""
    rule_orgs: tuple[int, ...] = ()
    """Organisations a targeting rule resolved (``via_rule``)."""
    users: tuple[int, ...] = ()
    need_to_know: tuple[str, ...] = ()


def _rows(
    model: type[models.Model], related_name: str, ids: list[int], *columns: str
) -> dict[int, list[tuple[Any, ...]]]:
    """``{record id: [column values, ...]}`` from one row table, in one query."""
    relation = model._meta.get_field(related_name)
    fk = relation.field.attname  # type: ignore[union-attr]  # a reverse FK has .field
    table: Any = relation.related_model
    by_item: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for item_id, *values in table.objects.filter(**{f"{fk}__in": ids}).values_list(fk, *columns):
        by_item[item_id].append(tuple(values))
    return by_item


def load_audiences(records: Sequence[SharedItem]) -> None:
    """Attach :class:`AudienceIds` to each record (four queries whatever the number of records).

    All records must be of one model. Records without a primary key get an empty audience.
    """
    ids = [r.pk for r in records if r.pk is not None]
    if not ids:
        for record in records:
            setattr(record, _ATTR, AudienceIds())
        return
    model = type(records[0])
    groups = _rows(model, "group_rows", ids, "group_id")
    orgs = _rows(model, "org_rows", ids, "org_id", "via_rule")
    users = _rows(model, "user_rows", ids, "user_id")
    tokens = _rows(model, "ntk_rows", ids, "token")
    for record in records:
        pk = record.pk
        org_rows = orgs.get(pk, [])
        setattr(
            record,
            _ATTR,
            AudienceIds(
                groups=tuple(sorted(g for (g,) in groups.get(pk, []))),
                orgs=tuple(sorted(o for o, via_rule in org_rows if not via_rule)),
                rule_orgs=tuple(sorted(o for o, via_rule in org_rows if via_rule)),
                users=tuple(sorted(u for (u,) in users.get(pk, []))),
                need_to_know=tuple(sorted(t for (t,) in tokens.get(pk, []))),
            ),
        )


def audience_ids(record: SharedItem) -> AudienceIds:
    """The record's attached audience, read now (four queries) when nothing is attached."""
    found: AudienceIds | None = getattr(record, _ATTR, None)
    if found is None:
        load_audiences([record])
        found = getattr(record, _ATTR)
    return found
