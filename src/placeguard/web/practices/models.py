"""Models of practices."""

from __future__ import annotations
