"""Template filters of the exercises pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def capability_name(capability_id: str) -> str:
    """The display name of a capability id from the MSEL templates (the id if unknown)."""
    from placeguard.web.exercises.services import templates

    if not capability_id:
        return "—"
    found = templates().capabilities.get(capability_id)
    return found.name if found is not None else capability_id
