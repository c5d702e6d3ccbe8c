"""Strict API input: unknown fields are refused, immutable fields cannot change.

Mix :class:`StrictInputMixin` into a DRF serializer (before the serializer class)::

    class BulletinWriteSerializer(StrictInputMixin, serializers.Serializer[Bulletin]):
        immutable_fields = ("tlp_originator", "kind")

- A key in the request body that is not a field of the serializer is an error
  ``{"field": key, "code": "unknown_field"}`` (DRF would silently drop it: mass assignment
  and typos both pass unnoticed). Read-only fields are fields, so echoing back what a GET
  returned is accepted; their values are ignored as usual.
- On update (the serializer has an ``instance``, or ``context["instance"]`` for the
  ``Serializer(data=...)`` style of the services-based views), a field named in
  ``immutable_fields`` whose value differs from the stored one is an error with code
  ``immutable``. Sending the unchanged value is fine.

Every problem is reported at once, with the ordinary field errors. When any strict error is
present the response is **422** problem+json (``code: "validation_error"``), otherwise the usual
400.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail

__all__ = ["STRICT_CODES", "StrictInputError", "StrictInputMixin"]

STRICT_CODES = frozenset({"unknown_field", "immutable"})


class StrictInputError(exceptions.ValidationError):
    """Input names unknown fields or changes immutable ones: 422."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "invalid_input"


def _codes(detail: Any) -> set[str]:
    if isinstance(detail, Mapping):
        return set().union(*(_codes(v) for v in detail.values())) if detail else set()
    if isinstance(detail, list):
        return set().union(*(_codes(v) for v in detail)) if detail else set()
    return {str(getattr(detail, "code", ""))}


def _comparable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset)) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return sorted(str(_comparable(v)) for v in items)
    return value


class StrictInputMixin:
    """Serializer mixin: refuse unknown fields, refuse changes to ``immutable_fields``."""

    immutable_fields: ClassVar[tuple[str, ...]] = ()

    fields: Any
    instance: Any
    context: Any
    _errors: Any

    def _stored(self) -> Any:
        instance = self.instance if self.instance is not None else self.context.get("instance")
        return None if isinstance(instance, (list, tuple)) else instance

    def to_internal_value(self, data: Any) -> Any:
        errors: dict[str, Any] = {}
        if isinstance(data, Mapping):
            known = set(self.fields)
            for key in data:
                if key not in known:
                    errors[str(key)] = [ErrorDetail(str(_("Unknown field.")), code="unknown_field")]
        value: Any = None
        try:
            value = super().to_internal_value(data)  # type: ignore[misc]
        except exceptions.ValidationError as exc:
            if isinstance(exc.detail, Mapping):
                errors = {**exc.detail, **errors}
            else:
                errors.setdefault("non_field_errors", exc.detail)
        stored = self._stored()
        if value is not None and stored is not None:
            for name in self.immutable_fields:
                if name in value and _comparable(value[name]) != _comparable(
                    getattr(stored, name, None)
                ):
                    errors[name] = [
                        ErrorDetail(str(_("This field cannot be changed.")), code="immutable")
                    ]
        if errors:
            raise exceptions.ValidationError(errors)
        return value

    def is_valid(self, *, raise_exception: bool = False) -> bool:
        valid = bool(super().is_valid(raise_exception=False))  # type: ignore[misc]
        if not valid and raise_exception:
            detail = self._errors
            if _codes(detail) & STRICT_CODES:
                raise StrictInputError(detail)
            raise exceptions.ValidationError(detail)
        return valid
