"""Fast bulk inserts of many narrow rows that share most of their values.

Publishing to 10,000 recipients writes tens of thousands of rows (receipts, in-app
notifications, e-mails) that differ only in a user id, an address or a key. ``bulk_create``
builds and compiles a model instance per row, and ``executemany`` sends every row's values,
constant ones included, one statement per row (on PostgreSQL even in pipeline mode that was
five of ten seconds). :func:`insert_rows` instead sends one statement per few thousand rows::

    INSERT INTO t (constant columns…, varying columns…)
    SELECT %s, %s, …, column1, column2 FROM (VALUES (%s, %s), (%s, %s), …)

with the constant values bound once and prepared by their model fields. It works on SQLite and
PostgreSQL (``column1``, ``column2`` … are both databases' names for a VALUES list's columns).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.constants import OnConflict

__all__ = ["insert_rows"]

#: Bound parameters per statement: under SQLite's default limit (32,766) and PostgreSQL's (65,535).
_MAX_PARAMS = 30_000


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def insert_rows(
    model: type[models.Model],
    constant: Mapping[str, Any],
    varying: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    ignore_conflicts: bool = False,
) -> int:
    """Insert ``rows`` into ``model``'s table; returns how many rows were offered.

    Parameters
    ----------
    model
        The model whose table and column names are used (no model instances are built).
    constant
        Field name → value shared by every row, prepared once by its field
        (``get_db_prep_save``: dates, JSON, choices).
    varying
        Field names of the per-row values, in the order of each tuple in ``rows``. Values are
        passed as they are: use them for ids, numbers and strings.
    rows
        One tuple per row.
    ignore_conflicts
        Skip rows that a unique constraint already holds (``ON CONFLICT DO NOTHING`` /
        ``INSERT OR IGNORE``) instead of failing.

    Notes
    -----
    The caller holds the transaction. No signals are sent and no primary keys are returned.
    """
    if not rows:
        return 0
    quote = connection.ops.quote_name
    fixed = [(_field(model, n), v) for n, v in constant.items()]
    per_row = [_field(model, n) for n in varying]
    prepared = [f.get_db_prep_save(v, connection) for f, v in fixed]
    columns = ", ".join(quote(str(f.column)) for f in [*(f for f, _v in fixed), *per_row])
    picks = ", ".join(["%s"] * len(fixed) + [f"column{i + 1}" for i in range(len(per_row))])
    conflict = OnConflict.IGNORE if ignore_conflicts else None
    head = connection.ops.insert_statement(on_conflict=conflict)
    fields = [f for f, _v in fixed] + per_row
    tail = connection.ops.on_conflict_suffix_sql(fields, conflict, None, None) or ""
    one_row = "(" + ", ".join(["%s"] * len(per_row)) + ")"
    size = max(1, (_MAX_PARAMS - len(fixed)) // max(1, len(per_row)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            values = ", ".join([one_row] * len(batch))
            sql = (
                f"{head} {quote(model._meta.db_table)} ({columns}) "  # noqa: S608 - names from the model, values as parameters
                f"SELECT {picks} FROM (VALUES {values}) AS v {tail}"
            ).rstrip()
            params = [*prepared, *(value for row in batch for value in row)]
            cursor.execute(sql, params)
    return len(rows)
