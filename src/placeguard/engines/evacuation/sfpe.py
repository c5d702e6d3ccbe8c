"""SFPE hydraulic movement constants and the speed–density relation, as closed forms.

Speed ``S = k(1 − a·D)`` (m/s) for densities ``D`` between 0.54 p/m² and the jam density
``1/a``; below 0.54 p/m² people walk at the free speed ``S(0.54) = 0.856·k``. Specific flow
``Fs = S·D`` (persons per second per metre of *effective* width) peaks at ``D = 1/(2a)``
with ``Fs = k/(4a)``. Effective width is the clear width less a boundary layer on each side.

Sources (see ``docs/evacuation-method.md``): SFPE Handbook, hydraulic model (Nelson & Mowrer;
Gwynne & Rosenbaum), constants as cited in the research note §4a: k = 1.40 m/s for corridors,
ramps and doorways, a = 0.266 m²/person, door capacity 1.3 p/(m·s) of effective width,
boundary layer 0.15 m per side at doors; stair speed factor 51.8·√(tread/riser) m/min.
"""

from __future__ import annotations

import math
from enum import StrEnum

__all__ = [
    "A_COEFF",
    "BOUNDARY_LAYER_M",
    "DOOR_MAX_SPECIFIC_FLOW",
    "FREE_FLOW_DENSITY",
    "JAM_DENSITY",
    "K_LEVEL",
    "Element",
    "density_for_specific_flow",
    "free_speed",
    "k_for_stair",
    "max_specific_flow",
    "specific_flow",
    "speed",
]

#: SFPE speed constant for level corridors, ramps and doorways (m/s) — 84 m/min.
K_LEVEL = 1.40
#: SFPE density coefficient a (m²/person).
A_COEFF = 0.266
#: Jam density 1/a (persons/m²): movement stops.
JAM_DENSITY = 1.0 / A_COEFF
#: Below this density people walk at their free speed (persons/m²).
FREE_FLOW_DENSITY = 0.54
#: Prescribed maximum specific flow through doors and level elements, p/(m·s) of effective width.
DOOR_MAX_SPECIFIC_FLOW = 1.3


class Element(StrEnum):
    """Route element kinds, each with its own boundary layer."""

    DOOR = "door"
    CORRIDOR = "corridor"
    STAIR = "stair"
    AREA = "area"


#: Boundary layer per side (m) deducted from the clear width (SFPE, after Pauls). The door value
#: is the research note's; corridor, stair and concourse values are the handbook table's.
BOUNDARY_LAYER_M: dict[Element, float] = {
    Element.DOOR: 0.15,
    Element.CORRIDOR: 0.20,
    Element.STAIR: 0.15,
    Element.AREA: 0.46,
}


def k_for_stair(riser_m: float, tread_m: float) -> float:
    """SFPE speed constant k (m/s) for a stair: 51.8·√(tread/riser) m/min.

    Reproduces the handbook table: 7.5/10 in → 1.00 m/s, 7/11 in → 1.08 m/s.
    """
    return 51.8 * math.sqrt(tread_m / riser_m) / 60.0


def speed(density: float, k: float = K_LEVEL) -> float:
    """Walking speed (m/s) at a density (p/m²): k(1 − aD), free speed below 0.54 p/m²."""
    d = max(density, FREE_FLOW_DENSITY)
    return max(0.0, k * (1.0 - A_COEFF * d))


def free_speed(k: float = K_LEVEL) -> float:
    """Unimpeded walking speed for an element with constant k (m/s)."""
    return speed(FREE_FLOW_DENSITY, k)


def specific_flow(density: float, k: float = K_LEVEL) -> float:
    """Specific flow Fs = S·D (persons per second per metre of effective width)."""
    return speed(density, k) * max(density, 0.0)


def max_specific_flow(k: float = K_LEVEL, element: Element = Element.CORRIDOR) -> float:
    """Maximum specific flow: k/(4a), capped at 1.3 p/(m·s) for doors and level elements."""
    peak = k / (4.0 * A_COEFF)
    if element in (Element.DOOR, Element.CORRIDOR, Element.AREA):
        return min(peak, DOOR_MAX_SPECIFIC_FLOW)
    return peak


def density_for_specific_flow(fs: float, k: float = K_LEVEL) -> float:
    """The uncongested density (lower root of k(1 − aD)D = Fs); 1/(2a) at or above capacity."""
    peak = k / (4.0 * A_COEFF)
    if fs >= peak:
        return 1.0 / (2.0 * A_COEFF)
    if fs <= 0.0:
        return 0.0
    return (1.0 - math.sqrt(1.0 - 4.0 * A_COEFF * fs / k)) / (2.0 * A_COEFF)
