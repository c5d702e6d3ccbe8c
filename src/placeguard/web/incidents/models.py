"""Models of incidents."""

from __future__ import annotations
