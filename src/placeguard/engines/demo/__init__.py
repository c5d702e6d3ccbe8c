"""A seeded generator for the fictional demo country (never hand-written fixtures)."""

from placeguard.engines.demo.country import DEMO_PASSWORD, DemoCountry, generate

__all__ = ["DEMO_PASSWORD", "DemoCountry", "generate"]
