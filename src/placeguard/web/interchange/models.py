"""Models of interchange."""

from __future__ import annotations
