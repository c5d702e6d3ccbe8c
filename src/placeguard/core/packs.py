"""Loading content packs: YAML files whose every problem is reported with file, path and reason.

A content pack is data shipped with the product (questions, measures, crosswalks). Packs are
parsed into typed objects by the engine that uses them; this module only reads YAML and
collects problems, so that a malformed pack fails at load time with a message such as::

    measures.yaml: measures[12].effects[0].effectiveness: expected 0 ≤ low ≤ central ≤ high ≤ 1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from placeguard.core.errors import PlaceguardError

__all__ = ["ContentError", "Problem", "Problems", "read_yaml"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem at one place in one file."""

    source: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.path or '(top)'}: {self.reason}"


class ContentError(PlaceguardError):
    """A content pack failed validation; ``problems`` lists every one."""

    code = "content_invalid"

    def __init__(self, problems: Sequence[Problem]) -> None:
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in content pack:\n{lines}")
        self.problems = tuple(problems)


@dataclass
class Problems:
    """A collector: ``add`` problems while parsing, ``raise_if_any`` at the end."""

    source: str
    items: list[Problem] = field(default_factory=list)

    def add(self, path: str, reason: str) -> None:
        """Record a problem at ``path``."""
        self.items.append(Problem(self.source, path, reason))

    def extend(self, others: Iterable[Problem]) -> None:
        """Take over problems found elsewhere."""
        self.items.extend(others)

    def raise_if_any(self) -> None:
        """Raise :class:`ContentError` when anything was recorded."""
        if self.items:
            raise ContentError(self.items)

    # typed accessors -------------------------------------------------------------
    def keys(self, data: Mapping[Any, Any], allowed: Iterable[str], path: str) -> None:
        """Report keys that are not in ``allowed`` (a typo must not be silently ignored)."""
        known = set(allowed)
        for key in data:
            if key not in known:
                hint = " (write it as acts_on)" if key is True else ""
                self.add(
                    f"{path}.{key}",
                    f"unknown key{hint}; expected one of {', '.join(sorted(known))}",
                )

    def flag(self, data: Mapping[str, Any], key: str, path: str, *, default: bool = False) -> bool:
        """A true/false field."""
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.add(f"{path}.{key}", "expected true or false")
            return default
        return value

    def mapping(self, data: object, path: str) -> Mapping[str, Any]:
        """``data`` if it is a mapping, else record a problem and return ``{}``."""
        if isinstance(data, Mapping):
            return data
        self.add(path, f"expected a mapping, got {type(data).__name__}")
        return {}

    def sequence(self, data: object, path: str) -> Sequence[Any]:
        """``data`` if it is a list, else record a problem and return ``[]``."""
        if isinstance(data, list):
            return data
        self.add(path, f"expected a list, got {type(data).__name__}")
        return []

    def text(self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str:
        """A string field."""
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.add(f"{path}.{key}", "expected a non-empty string")
            return ""
        return value.strip()

    def number(
        self, data: Mapping[str, Any], key: str, path: str, *, low: float, high: float,
        default: float | None = None,
    ) -> float:  # fmt: skip
        """A number within ``[low, high]``."""
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(f"{path}.{key}", "expected a number")
            return low
        if not low <= value <= high:
            self.add(f"{path}.{key}", f"expected a number from {low:g} to {high:g}, got {value:g}")
            return low
        return float(value)

    def triple(
        self, value: object, path: str, *, low: float, high: float
    ) -> tuple[float, float, float]:
        """``[low, central, high]`` (or a single number meaning all three), ordered, in range."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = [value, value, value]
        if not (
            isinstance(value, list)
            and len(value) == 3
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        ):
            self.add(path, "expected a number or [low, central, high]")
            return (low, low, low)
        a, b, c = (float(v) for v in value)
        if not low <= a <= b <= c <= high:
            self.add(path, f"expected {low:g} ≤ low ≤ central ≤ high ≤ {high:g}, got {value}")
            return (low, low, low)
        return (a, b, c)

    def ids(self, value: object, path: str, known: Iterable[str] | None = None) -> tuple[str, ...]:
        """A list of identifiers, each in ``known`` when given."""
        if value is None:
            return ()
        items = self.sequence(value, path)
        allowed = set(known) if known is not None else None
        out: list[str] = []
        for i, item in enumerate(items):
            if not isinstance(item, str):
                self.add(f"{path}[{i}]", "expected an identifier")
            elif allowed is not None and item not in allowed:
                self.add(f"{path}[{i}]", f"unknown identifier {item!r}")
            else:
                out.append(item)
        return tuple(out)


def read_yaml(path: Path) -> object:
    """Parse one YAML file; syntax errors become a :class:`ContentError` naming the line."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ContentError([Problem(path.name, where, f"not valid YAML: {exc}")]) from exc
    except OSError as exc:
        raise ContentError([Problem(path.name, "", f"cannot read: {exc.strerror}")]) from exc
