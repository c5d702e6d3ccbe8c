"""Action items as CSV or Excel (the action plan a site's security lead works from)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from openpyxl import Workbook

from placeguard.core.spreadsheet import guard_formula, neutralise_row
from placeguard.web.assessments.models import ActionItem

__all__ = ["ACTION_HEADER", "action_items_csv", "action_items_xlsx", "action_rows"]

ACTION_HEADER: tuple[str, ...] = (
    "id",
    "site",
    "assessment",
    "measure",
    "title",
    "owner",
    "due_date",
    "status",
    "overdue",
    "capex",
    "opex",
    "notes",
)


def _owner(item: ActionItem) -> str:
    if item.owner is not None:
        return item.owner.get_full_name() or item.owner.username
    return item.owner_name


def action_rows(items: Iterable[ActionItem]) -> Iterator[list[object]]:
    """One row per item; text cells guarded, numbers and dates typed."""
    for item in items:
        yield [
            item.pk,
            guard_formula(item.site.name),
            item.assessment_id,
            item.measure_id,
            guard_formula(item.title),
            guard_formula(_owner(item)),
            item.due_date.isoformat() if item.due_date else "",
            item.status,
            "yes" if item.is_overdue else "no",
            float(item.capex),
            float(item.opex),
            guard_formula(item.notes),
        ]


def action_items_csv(items: Iterable[ActionItem]) -> str:
    """The action plan as CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ACTION_HEADER)
    writer.writerows(neutralise_row(row) for row in action_rows(items))
    return buffer.getvalue()


def action_items_xlsx(items: Iterable[ActionItem]) -> bytes:
    """The action plan as an Excel workbook."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("action plan")
    sheet.append(list(ACTION_HEADER))
    for row in action_rows(items):
        sheet.append(neutralise_row(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
