"""The TLP 2.0 marking definitions of STIX 2.1, bundled (python-stix2 ships TLP 1.0 only).

The ids, the creation time and the extension are those of the OASIS ``tlp-2.0`` marking
definitions (research/info-sharing.md §4.3). On import the TLP 1.0 ids are accepted too and read
as their TLP 2.0 successors (WHITE → CLEAR; GREEN, AMBER and RED keep their names).
"""

from __future__ import annotations

from typing import Any

from placeguard.core.vocab import TLP

__all__ = [
    "TLP1_MARKING_IDS",
    "TLP2_EXTENSION_ID",
    "TLP2_MARKING_IDS",
    "is_tlp_marking_id",
    "marking_definition",
    "marking_id",
    "tlp_of_marking_id",
    "tlp_of_marking_object",
]

#: The TLP 2.0 property extension every TLP 2.0 marking definition carries.
TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#: When OASIS published the TLP 2.0 marking definitions (their ``created``).
TLP2_CREATED = "2022-10-01T00:00:00.000Z"

#: TLP 2.0 level → official STIX marking-definition id.
TLP2_MARKING_IDS: dict[TLP, str] = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

#: TLP 1.0 marking-definition ids (the STIX 2.1 specification's), read as TLP 2.0 on import.
TLP1_MARKING_IDS: dict[str, TLP] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLP.CLEAR,  # TLP:WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLP.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLP.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLP.RED,
}
#: The ``definition.tlp`` value of each TLP 1.0 marking definition.
_TLP1_NAMES = {"white": TLP.CLEAR, "green": TLP.GREEN, "amber": TLP.AMBER, "red": TLP.RED}

_BY_ID: dict[str, TLP] = {v: k for k, v in TLP2_MARKING_IDS.items()} | TLP1_MARKING_IDS


def _label(level: TLP) -> str:
    return f"TLP:{level.value.upper()}"


def marking_definition(level: TLP) -> dict[str, Any]:
    """The official STIX 2.1 marking-definition object of ``level`` (a fresh dict)."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_MARKING_IDS[level],
        "created": TLP2_CREATED,
        "name": _label(level),
        "extensions": {
            TLP2_EXTENSION_ID: {
                "extension_type": "property-extension",
                "tlp_2_0": level.value,
            }
        },
    }


def marking_id(level: TLP) -> str:
    """The TLP 2.0 marking-definition id of ``level``."""
    return TLP2_MARKING_IDS[level]


def is_tlp_marking_id(value: str) -> bool:
    """True for an official TLP 2.0 or TLP 1.0 marking-definition id."""
    return value in _BY_ID


def tlp_of_marking_id(value: str) -> TLP | None:
    """The TLP 2.0 level an official TLP 2.0 or 1.0 marking id stands for (None: not TLP)."""
    return _BY_ID.get(value)


def tlp_of_marking_object(obj: dict[str, Any]) -> TLP | None:
    """The level a marking-definition object *says* it is (its extension or TLP 1.0 body).

    Used to check that a bundle's copy of an official marking agrees with its id; None when the
    object states no TLP level.
    """
    ext = obj.get("extensions")
    if isinstance(ext, dict):
        body = ext.get(TLP2_EXTENSION_ID)
        if isinstance(body, dict):
            value = body.get("tlp_2_0")
            if isinstance(value, str):
                try:
                    return TLP(value.lower())
                except ValueError:
                    return None
    definition = obj.get("definition")
    if obj.get("definition_type") == "tlp" and isinstance(definition, dict):
        value = definition.get("tlp")
        if isinstance(value, str):
            return _TLP1_NAMES.get(value.lower())
    return None
