"""Vehicle dynamics assessment (VDA): how fast a hostile vehicle can reach each point of a
protected perimeter, from which approach, with what energy, and which barrier rating stops it.

Modules: :mod:`.vehicles` (threat vehicle classes), :mod:`.surface` (site file and drivable
surface graph), :mod:`.paths` (approach search), :mod:`.profile` (forward–backward speed
profile), :mod:`.impact`, :mod:`.ratings` (barrier standards and catalogue measures),
:mod:`.results` (heat-map GeoJSON) and :mod:`.assess` (the whole pipeline).
"""

from __future__ import annotations

from placeguard.engines.vehicle.assess import Assessment, AssessmentOptions, assess_site
from placeguard.engines.vehicle.profile import SpeedProfile, speed_profile
from placeguard.engines.vehicle.surface import Site, SurfaceGraph, parse_site
from placeguard.engines.vehicle.vehicles import VehicleClass, get_vehicle, load_vehicle_classes

__all__ = [
    "Assessment",
    "AssessmentOptions",
    "Site",
    "SpeedProfile",
    "SurfaceGraph",
    "VehicleClass",
    "assess_site",
    "get_vehicle",
    "load_vehicle_classes",
    "parse_site",
    "speed_profile",
]
