"""Form helpers shared by the web apps: accessible field rendering and service-error mapping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates

from placeguard.core.errors import PlaceguardError, ValidationError

__all__ = ["PlaceguardForm", "PlaceguardRenderer", "apply_service_errors"]

FIELD_TEMPLATE = "placeguard/forms/field.html"


class PlaceguardRenderer(DjangoTemplates):
    """Django's form renderer with PlaceGuard's accessible field template."""

    field_template_name = FIELD_TEMPLATE


class PlaceguardForm(forms.Form):
    """A form whose fields render label, help text, errors and widget in an accessible order.

    Django adds ``aria-invalid`` and an ``aria-describedby`` naming the help text and the error
    list to every widget; the field template gives those elements the ids it refers to.
    """

    default_renderer = PlaceguardRenderer
    required_css_class = "required"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # labels read "Name", not "Name:"
        super().__init__(*args, **kwargs)

    def set_choices(self, name: str, choices: Sequence[tuple[str, str]]) -> None:
        """Replace the choices of the choice field ``name``."""
        field = self.fields[name]
        if not isinstance(field, forms.ChoiceField):
            msg = f"{name} is not a choice field"
            raise TypeError(msg)
        field.choices = list(choices)


def _base_field(name: str) -> str:
    """``time_profile.weekly.mon[0]`` → ``time_profile``."""
    return name.split(".", 1)[0].split("[", 1)[0]


def apply_service_errors(
    form: forms.Form,
    exc: PlaceguardError,
    *,
    field_map: Mapping[str, str] | None = None,
    default_field: str | None = None,
    skip_fields_with_errors: bool = False,
) -> None:
    """Put a service error's messages on the form fields they concern.

    A ``ValidationError`` names fields (``time_profile.weekly.mon[0]``); each message goes to
    the form field of the leading name, keeping the rest of the path in the text. Names with no
    form field, and errors without field details, become non-field errors, or errors of
    ``default_field`` when given. With ``skip_fields_with_errors``, a field that the form has
    already rejected keeps only the form's own message.
    """
    field_map = field_map or {}
    details = exc.errors if isinstance(exc, ValidationError) else ()
    if not details:
        form.add_error(default_field, exc.message)
        return
    for err in details:
        base = _base_field(err.field)
        target = field_map.get(base, base)
        rest = err.field[len(base) :].lstrip(".")
        if target in form.fields:
            if skip_fields_with_errors and target in form.errors:
                continue
            form.add_error(target, f"{rest}: {err.message}" if rest else err.message)
        else:
            form.add_error(default_field, f"{err.field}: {err.message}")
