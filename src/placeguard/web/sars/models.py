"""Models of sars."""

from __future__ import annotations
