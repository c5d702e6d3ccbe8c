"""Example site layouts (GeoJSON, local metres) for the evacuation engine and its docs."""

from __future__ import annotations

from pathlib import Path

__all__ = ["EXAMPLE_VENUE", "LAYOUTS_DIR"]

LAYOUTS_DIR = Path(__file__).resolve().parent
#: A synthetic 3,000-person venue: hall, foyer, lounge, corridor, stair, refuge; eight exits.
EXAMPLE_VENUE = LAYOUTS_DIR / "example_venue.geojson"
