"""The one error hierarchy of PlaceGuard.

Every error carries a stable machine-readable ``code``; the web layer turns them into
RFC 9457 problem+json responses and the CLI into a non-zero exit with a readable message.

::

    PlaceguardError
    ├── ValidationError          (also a ValueError) bad input, with per-field details
    │   └── ImportValidationError     a file import with one or more bad rows
    ├── NotFoundError            absent *or* not visible: the two look the same on purpose
    ├── PermissionDeniedError    visible, but the actor lacks the capability
    ├── ConflictError            the write would break a uniqueness or state rule
    └── IntegrityError           stored data failed a consistency check (audit chain)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "ConflictError",
    "FieldError",
    "ImportValidationError",
    "IntegrityError",
    "NotFoundError",
    "PermissionDeniedError",
    "PlaceguardError",
    "RowError",
    "ValidationError",
]


class PlaceguardError(Exception):
    """Base of every error PlaceGuard raises on purpose."""

    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one input field."""

    field: str
    message: str
    code: str = "invalid"


class ValidationError(PlaceguardError, ValueError):
    """Input failed validation; ``errors`` names every offending field."""

    code = "validation_error"

    def __init__(
        self,
        message: str,
        *,
        errors: Sequence[FieldError] = (),
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.errors: tuple[FieldError, ...] = tuple(errors)

    @classmethod
    def from_mapping(
        cls, errors: Mapping[str, str], message: str = "Invalid input."
    ) -> ValidationError:
        """Build from a ``{field: message}`` mapping."""
        return cls(message, errors=[FieldError(k, v) for k, v in errors.items()])


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one row of an imported file.

    ``row`` is the line in the file as a spreadsheet or editor shows it (a CSV header is line 1,
    so the first data row is line 2); 0 means the file as a whole.
    """

    row: int
    column: str
    message: str


class ImportValidationError(ValidationError):
    """An import file had bad rows; nothing was written. ``rows`` lists every problem."""

    def __init__(self, rows: Sequence[RowError]) -> None:
        n = len({r.row for r in rows})
        super().__init__(
            f"{n} row(s) failed validation; nothing was imported.",
            errors=[FieldError(f"row {r.row}: {r.column}", r.message) for r in rows],
            code="import_invalid",
        )
        self.rows = list(rows)


class NotFoundError(PlaceguardError, LookupError):
    """The object does not exist or the actor may not see it."""

    code = "not_found"


class PermissionDeniedError(PlaceguardError):
    """The actor can see the object but lacks the role for this action."""

    code = "permission_denied"


class ConflictError(PlaceguardError):
    """The write conflicts with existing data or the object's state."""

    code = "conflict"


class IntegrityError(PlaceguardError):
    """Stored data failed an integrity check (for example a broken audit hash chain)."""

    code = "integrity_error"
