"""The Republic of Meridia: a fictional country for demos, screenshots and tests.

:func:`generate` is pure and deterministic for a given seed: it returns plain specifications
(regions, organisations, users, and sites in the importer's input format) that the web layer
loads through its ordinary services, so demo data passes the same validation as user data.

Meridia lies in the open Atlantic (about 40–44° N, 24–30° W), where no real place can be
mistaken for it. Capacities are drawn from log-normal distributions per site type whose
medians follow typical figures for each kind of place (a parish church seats a few hundred;
a national stadium tens of thousands); opening hours follow each type's usual week.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from placeguard.core.vocab import OrgKind, Role, SiteType

__all__ = ["DEMO_PASSWORD", "DemoCountry", "OrgSpec", "RegionSpec", "UserSpec", "generate"]

DEMO_PASSWORD = "placeguard-demo"  # noqa: S105 - published demo credential, demo data only
COUNTRY_CODE = "XM"  # ISO 3166 user-assigned range: never a real country
TIME_ZONE = "Atlantic/Azores"


@dataclass(frozen=True, slots=True)
class RegionSpec:
    """A region with its main town and a rectangular outline."""

    code: str
    name: str
    town: str
    latitude: float
    longitude: float
    outline: tuple[tuple[float, float], ...]  # (lon, lat) ring, closed
    police: str  # slug of the force whose jurisdiction it is


@dataclass(frozen=True, slots=True)
class OrgSpec:
    """An organisation."""

    slug: str
    name: str
    kind: OrgKind
    regions: tuple[str, ...] = ()
    vetted: bool = True
    description: str = ""
    site_types: tuple[SiteType, ...] = ()  # what an operator runs


@dataclass(frozen=True, slots=True)
class UserSpec:
    """A demo user; every demo user's password is :data:`DEMO_PASSWORD`."""

    username: str
    organisation: str
    roles: tuple[Role, ...]
    first_name: str
    last_name: str
    is_login: bool = True  # listed on the README as a persona login


@dataclass(frozen=True, slots=True)
class DemoCountry:
    """Everything the demo loader writes."""

    seed: int
    regions: tuple[RegionSpec, ...]
    organisations: tuple[OrgSpec, ...]
    users: tuple[UserSpec, ...]
    sites: tuple[dict[str, Any], ...] = field(repr=False)

    @property
    def logins(self) -> tuple[UserSpec, ...]:
        """The persona logins shown to newcomers."""
        return tuple(u for u in self.users if u.is_login)


# (code, name, town, row, column) on a 2 × 3 grid; row 0 is the north.
_REGIONS = (
    ("northgate", "Northgate", "Aldmere", 0, 0),
    ("highmoor", "Highmoor", "Carrow", 0, 1),
    ("lakeshire", "Lakeshire", "Wenlow", 0, 2),
    ("port-meridian", "Port Meridian", "Port Meridian", 1, 0),
    ("southvale", "Southvale", "Sollis", 1, 1),
    ("dunmarsh", "Dunmarsh", "Brackwater", 1, 2),
)
_LAT_TOP, _LAT_STEP = 44.0, 2.0
_LON_LEFT, _LON_STEP = -30.0, 2.0

# Site-type mix (shares of all sites) and capacity distribution: median people at the
# everyday peak and the log-normal sigma; clipped to [floor, ceiling].
_TYPE_MIX: dict[SiteType, tuple[float, int, float, int, int]] = {
    SiteType.PLACE_OF_WORSHIP: (0.20, 350, 0.7, 30, 12000),
    SiteType.PUBLIC_SPACE: (0.11, 2500, 0.8, 200, 60000),
    SiteType.RETAIL: (0.12, 2500, 0.7, 150, 30000),
    SiteType.HOSPITALITY: (0.15, 250, 0.9, 20, 5000),
    SiteType.TOURIST_SITE: (0.08, 700, 0.8, 50, 15000),
    SiteType.VENUE: (0.06, 9000, 1.0, 500, 90000),
    SiteType.TRANSPORT_HUB: (0.10, 4000, 0.9, 200, 80000),
    SiteType.EDUCATION: (0.11, 700, 0.6, 60, 9000),
    SiteType.HEALTH: (0.07, 500, 0.6, 40, 6000),
}

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _grid_region(code: str, name: str, town: str, row: int, col: int) -> RegionSpec:
    north = _LAT_TOP - row * _LAT_STEP
    west = _LON_LEFT + col * _LON_STEP
    south, east = north - _LAT_STEP, west + _LON_STEP
    ring = ((west, south), (east, south), (east, north), (west, north), (west, south))
    return RegionSpec(
        code=code,
        name=name,
        town=town,
        latitude=round((north + south) / 2, 4),
        longitude=round((west + east) / 2, 4),
        outline=ring,
        police="northern-police" if row == 0 else "southern-police",
    )


def _organisations() -> list[OrgSpec]:
    north = tuple(r[0] for r in _REGIONS if r[3] == 0)
    south = tuple(r[0] for r in _REGIONS if r[3] == 1)
    every = north + south
    return [
        OrgSpec(
            "platform-team",
            "PlaceGuard Platform Team",
            OrgKind.PROGRAMME,
            description="Runs this PlaceGuard instance.",
        ),
        OrgSpec(
            "northern-police",
            "Northern Police Service",
            OrgKind.LAW_ENFORCEMENT,
            north,
            description="Protective security and counter-terrorism liaison for the north.",
        ),
        OrgSpec(
            "southern-police",
            "Southern Police Service",
            OrgKind.LAW_ENFORCEMENT,
            south,
            description="Protective security and counter-terrorism liaison for the south.",
        ),
        OrgSpec(
            "ministry-interior",
            "Ministry of the Interior — National CT Centre",
            OrgKind.AUTHORITY,
            description="National coordination of the protection of vulnerable targets.",
        ),
        OrgSpec(
            "vt-programme",
            "Vulnerable Targets Programme Office",
            OrgKind.PROGRAMME,
            description="Technical assistance and operational trainings on request.",
        ),
        OrgSpec(
            "meridian-malls",
            "Meridian Malls Group",
            OrgKind.OPERATOR,
            ("northgate", *south[:1]),
            site_types=(SiteType.RETAIL,),
        ),
        OrgSpec(
            "harbourline-hotels",
            "Harbourline Hotels",
            OrgKind.OPERATOR,
            ("port-meridian", "lakeshire"),
            site_types=(SiteType.HOSPITALITY,),
        ),
        OrgSpec(
            "st-brendan-parish",
            "St Brendan's Parish Council",
            OrgKind.OPERATOR,
            ("highmoor",),
            site_types=(SiteType.PLACE_OF_WORSHIP,),
        ),
        OrgSpec(
            "national-stadium",
            "National Stadium Company",
            OrgKind.OPERATOR,
            ("southvale",),
            site_types=(SiteType.VENUE,),
        ),
        OrgSpec(
            "interfaith-forum",
            "Interfaith Forum of Meridia",
            OrgKind.COMMUNITY,
            every,
            site_types=(SiteType.PLACE_OF_WORSHIP,),
        ),
        OrgSpec(
            "meridia-transit",
            "Meridia Transit Authority",
            OrgKind.OPERATOR,
            every,
            site_types=(SiteType.TRANSPORT_HUB,),
        ),
        OrgSpec(
            "city-public-spaces",
            "Municipal Public Spaces Department",
            OrgKind.OPERATOR,
            every,
            site_types=(SiteType.PUBLIC_SPACE,),
        ),
        OrgSpec(
            "heritage-trust",
            "Meridia Heritage Trust",
            OrgKind.OPERATOR,
            every,
            site_types=(SiteType.TOURIST_SITE,),
        ),
        OrgSpec(
            "schools-board",
            "National Schools Board",
            OrgKind.OPERATOR,
            every,
            site_types=(SiteType.EDUCATION,),
        ),
        OrgSpec(
            "health-service",
            "Meridia Health Service",
            OrgKind.OPERATOR,
            every,
            site_types=(SiteType.HEALTH,),
        ),
        OrgSpec(
            "coastline-leisure",
            "Coastline Leisure Group",
            OrgKind.OPERATOR,
            every,
            site_types=(SiteType.HOSPITALITY, SiteType.VENUE),
        ),
        OrgSpec(
            "arcade-retail",
            "Arcade Retail Partners",
            OrgKind.OPERATOR,
            every,
            site_types=(SiteType.RETAIL,),
        ),
        OrgSpec(
            "sentinel-guarding",
            "Sentinel Guarding Ltd",
            OrgKind.SECURITY_PROVIDER,
            every,
            description="Contract security for malls and events.",
        ),
    ]


def _users() -> list[UserSpec]:
    return [
        UserSpec("admin", "platform-team", (Role.PLATFORM_ADMIN,), "Ada", "Admin"),
        UserSpec(
            "police.north", "northern-police", (Role.ANALYST, Role.PUBLISHER), "Nadia", "Okafor"
        ),
        UserSpec(
            "police.south", "southern-police", (Role.ANALYST, Role.PUBLISHER), "Samuel", "Reyes"
        ),
        UserSpec("ministry", "ministry-interior", (Role.ANALYST, Role.PUBLISHER), "Mira", "Haddad"),
        UserSpec(
            "mall.security", "meridian-malls", (Role.ANALYST, Role.ORG_ADMIN), "Marco", "Lindqvist"
        ),
        UserSpec(
            "hotel.security", "harbourline-hotels", (Role.ANALYST, Role.ORG_ADMIN), "Hana", "Sato"
        ),
        UserSpec(
            "worship.warden", "st-brendan-parish", (Role.ANALYST, Role.ORG_ADMIN), "Walter", "Byrne"
        ),
        UserSpec(
            "stadium.security",
            "national-stadium",
            (Role.ANALYST, Role.ORG_ADMIN),
            "Stella",
            "Mensah",
        ),
        UserSpec(
            "programme.officer", "vt-programme", (Role.ANALYST, Role.PUBLISHER), "Priya", "Nair"
        ),
        # Front-line and specialist staff: real-looking organisations have more than one user.
        UserSpec(
            "mall.guard",
            "meridian-malls",
            (Role.READER, Role.REPORTER),
            "Tom",
            "Ilic",
            is_login=False,
        ),
        UserSpec(
            "police.north.admin",
            "northern-police",
            (Role.ORG_ADMIN,),
            "Iris",
            "Kane",
            is_login=False,
        ),
        UserSpec(
            "police.north.auditor",
            "northern-police",
            (Role.AUDITOR,),
            "Oscar",
            "Lund",
            is_login=False,
        ),
        UserSpec(
            "transit.security",
            "meridia-transit",
            (Role.ANALYST, Role.ORG_ADMIN),
            "Tariq",
            "Aziz",
            is_login=False,
        ),
    ]


_FAITHS = (
    ("St {saint}'s Church", {"sun": [["08:00", "12:30"]], "wed": [["18:00", "20:00"]]}),
    (
        "{place} Central Mosque",
        {d: [["05:00", "06:30"], ["12:30", "14:30"], ["17:30", "21:00"]] for d in _DAYS},
    ),
    ("{place} Synagogue", {"fri": [["18:00", "20:30"]], "sat": [["09:00", "12:30"]]}),
    ("{place} Hindu Temple", {d: [["06:00", "09:00"], ["17:00", "20:30"]] for d in _DAYS}),
    ("{place} Gurdwara", {d: [["05:00", "21:00"]] for d in _DAYS}),
    ("Shrine of {saint}", {d: [["07:00", "19:00"]] for d in _DAYS}),
)
_SAINTS = (
    "Brendan",
    "Agnes",
    "Columba",
    "Lucia",
    "Anselm",
    "Brigid",
    "Mark",
    "Theresa",
    "Jude",
    "Clare",
)
_STREETS = (
    "Harbour",
    "Market",
    "Station",
    "Chapel",
    "Mill",
    "Castle",
    "Bridge",
    "Garden",
    "Quay",
    "Victoria",
    "King's",
    "Ferry",
    "Church",
    "High",
    "Union",
    "Lantern",
)
_DISTRICTS = ("Old Town", "Riverside", "Eastgate", "Westfield", "Hillcrest", "Portside",
              "Greenway", "Northbank", "Southbank", "Fairview")  # fmt: skip
_NIGHTLIFE = (
    "{street} Street Bistro",
    "Club {saint}",
    "The {street} Bar",
    "{place} Night Market Hall",
)
_NAMES = {
    SiteType.PUBLIC_SPACE: (
        "{place} Square",
        "{street} Street Market",
        "{place} Waterfront Park",
        "{place} Pedestrian Mile",
        "{place} Beach Promenade",
    ),
    SiteType.RETAIL: (
        "{place} Shopping Centre",
        "{street} Galleria",
        "{place} Retail Park",
        "{street} Hypermarket",
    ),
    SiteType.HOSPITALITY: ("Hotel {place}", "The {street} Grand", "{place} Harbour Inn"),
    SiteType.TOURIST_SITE: (
        "{place} Museum of History",
        "{place} Castle",
        "{saint} Lighthouse",
        "{place} Old Town Gate",
        "National Gallery of {place}",
    ),
    SiteType.VENUE: (
        "{place} Arena",
        "{place} Stadium",
        "{street} Concert Hall",
        "{place} Festival Grounds",
        "{place} Theatre",
    ),
    SiteType.TRANSPORT_HUB: (
        "{place} Central Station",
        "{street} Metro",
        "{place} Bus Terminal",
        "{place} Ferry Terminal",
        "{place} Airport (landside)",
    ),
    SiteType.EDUCATION: (
        "{place} Secondary School",
        "{saint} Primary School",
        "University of {place}",
        "{place} Technical College",
    ),
    SiteType.HEALTH: (
        "{place} General Hospital",
        "{street} Street Clinic",
        "{saint} Children's Hospital",
    ),
}


_ALL_DAY = (("00:00", "24:00"),)
# Usual weeks of the types whose hours vary little; retail and hospitality are drawn below.
_FIXED_WEEKS: dict[SiteType, dict[str, tuple[tuple[str, str], ...]]] = {
    SiteType.PUBLIC_SPACE: dict.fromkeys(_DAYS, _ALL_DAY),
    SiteType.HEALTH: dict.fromkeys(_DAYS, _ALL_DAY),
    SiteType.TOURIST_SITE: dict.fromkeys(_DAYS[1:], (("09:30", "18:00"),)),  # closed Mondays
    SiteType.VENUE: {},  # open for events only
    SiteType.TRANSPORT_HUB: dict.fromkeys(_DAYS, (("05:00", "01:00"),)),
    SiteType.EDUCATION: dict.fromkeys(_DAYS[:5], (("07:45", "16:30"),)),
}


def _weekly(site_type: SiteType, rng: random.Random) -> dict[str, list[list[str]]]:
    if site_type == SiteType.RETAIL:
        close = rng.choice(["20:00", "21:00", "22:00"])
        week = {d: [["09:00", close]] for d in _DAYS[:6]}
        week["sun"] = [["10:00", "18:00"]]
        return week
    if site_type == SiteType.HOSPITALITY:
        if rng.random() < 0.5:  # hotel
            return {d: [["00:00", "24:00"]] for d in _DAYS}
        return {d: [["18:00", "02:00"]] for d in ("thu", "fri", "sat")}  # bar / club, past midnight
    fixed = _FIXED_WEEKS.get(site_type, {})
    return {day: [list(span) for span in spans] for day, spans in fixed.items()}


def _events(
    site_type: SiteType, capacity: int, rng: random.Random, start: date
) -> list[dict[str, Any]]:
    if site_type == SiteType.VENUE:
        count = rng.randint(4, 10)
        kinds = ("League match", "Concert", "Cup final", "Festival day", "National day celebration")
    elif site_type in {SiteType.PUBLIC_SPACE, SiteType.TOURIST_SITE, SiteType.PLACE_OF_WORSHIP}:
        count = rng.choice([0, 0, 1, 2])
        kinds = (
            "Festival",
            "Open-air concert",
            "Pilgrimage day",
            "Night of museums",
            "Christmas market",
        )
    else:
        return []
    events = []
    for _ in range(count):
        day = start + timedelta(days=rng.randint(7, 330))
        hour = rng.choice([11, 14, 17, 19, 20])
        begins = datetime.combine(day, time(hour, 0))
        ends = begins + timedelta(hours=rng.choice([3, 4, 5, 8]))
        crowd = int(capacity * rng.uniform(0.6, 1.15))
        events.append(
            {
                "name": rng.choice(kinds),
                "start": begins.isoformat(timespec="minutes"),
                "end": ends.isoformat(timespec="minutes"),
                "expected_attendance": crowd,
            }
        )
    return sorted(events, key=lambda e: e["start"])


def _capacity(site_type: SiteType, rng: random.Random) -> int:
    _, median, sigma, floor, ceiling = _TYPE_MIX[site_type]
    raw = math.exp(math.log(median) + sigma * rng.gauss(0.0, 1.0))
    value = min(max(raw, floor), ceiling)
    step = 10 if value < 1000 else 100 if value < 20000 else 500
    return int(round(value / step) * step)


def _operators_for(orgs: list[OrgSpec]) -> dict[SiteType, list[OrgSpec]]:
    by_type: dict[SiteType, list[OrgSpec]] = {t: [] for t in SiteType}
    for org in orgs:
        for t in org.site_types:
            by_type[t].append(org)
    return by_type


def _site(
    site_type: SiteType,
    operator: OrgSpec,
    region: RegionSpec,
    rng: random.Random,
    start: date,
) -> dict[str, Any]:
    district = rng.choice(_DISTRICTS)
    place = rng.choice([region.town, region.name, district, f"{region.town} {district}"])
    fmt = {"place": place, "saint": rng.choice(_SAINTS), "street": rng.choice(_STREETS)}
    if site_type == SiteType.PLACE_OF_WORSHIP:
        pattern, weekly = rng.choice(_FAITHS)
    else:
        weekly = _weekly(site_type, rng)
        nightlife = site_type == SiteType.HOSPITALITY and len(weekly) < 7
        pattern = rng.choice(_NIGHTLIFE if nightlife else _NAMES[site_type])
    capacity = _capacity(site_type, rng)
    # Sites cluster around the region's town (about 10–30 km spread), inside the region box.
    lat = min(
        max(region.latitude + rng.gauss(0, 0.25), region.latitude - 0.95), region.latitude + 0.95
    )
    lon = min(
        max(region.longitude + rng.gauss(0, 0.3), region.longitude - 0.95), region.longitude + 0.95
    )
    tags = []
    if capacity >= 5000:
        tags.append("crowded-place")
    if site_type == SiteType.HOSPITALITY and len(weekly) < 7:
        tags.append("night-economy")
    if site_type == SiteType.TOURIST_SITE or (
        site_type == SiteType.PLACE_OF_WORSHIP and rng.random() < 0.2
    ):
        tags.append("heritage")
    events = _events(site_type, capacity, rng, start)
    if events:
        tags.append("special-events")
    profile: dict[str, Any] = {
        "weekly": weekly,
        "typical_share": round(rng.uniform(0.35, 0.75), 2),
    }
    if events:
        profile["events"] = events
    return {
        "name": pattern.format(**fmt),
        "site_type": site_type.value,
        "address": f"{rng.randint(1, 240)} {rng.choice(_STREETS)} Street, {region.town}",
        "region": region.code,
        "latitude": round(lat, 5),
        "longitude": round(lon, 5),
        "capacity": capacity,
        "time_zone": TIME_ZONE,
        "operator": operator.slug,
        "tags": tags,
        "time_profile": profile,
        "notes": "",
    }


def generate(seed: int = 7, n_sites: int = 300, *, start: date | None = None) -> DemoCountry:
    """Generate the demo country.

    Parameters
    ----------
    seed : int
        Seed of the random generator; the same seed gives the same country.
    n_sites : int
        Number of sites (at least one per site type when ``n_sites >= 9``).
    start : date, optional
        First day of the special-event calendar (default: 1 January 2027).

    Returns
    -------
    DemoCountry
        Regions, organisations, users and sites (sites in the importer's input format).
    """
    if n_sites < 0:
        msg = "n_sites must be ≥ 0"
        raise ValueError(msg)
    rng = random.Random(seed)
    start = start or date(2027, 1, 1)
    regions = tuple(_grid_region(*r) for r in _REGIONS)
    by_code = {r.code: r for r in regions}
    orgs = _organisations()
    operators = _operators_for(orgs)
    types = list(_TYPE_MIX)
    weights = [_TYPE_MIX[t][0] for t in types]
    # Every type appears at least once, then the mix decides.
    chosen = types[: min(n_sites, len(types))] + rng.choices(
        types, weights, k=max(0, n_sites - len(types))
    )
    rng.shuffle(chosen)
    repeats: dict[str, int] = {}
    sites: list[dict[str, Any]] = []
    for site_type in chosen:
        operator = rng.choice(operators[site_type])
        region = by_code[rng.choice(operator.regions or tuple(by_code))]
        site = _site(site_type, operator, region, rng, start)
        # Names repeat across a country, but not within one town: draw again a few times,
        # then number the repeat.
        for _ in range(4):
            if site["name"] not in repeats:
                break
            site["name"] = _site(site_type, operator, region, rng, start)["name"]
        repeats[site["name"]] = repeats.get(site["name"], 0) + 1
        if repeats[site["name"]] > 1:
            site["name"] = f"{site['name']} ({repeats[site['name']]})"
        sites.append(site)
    return DemoCountry(
        seed=seed,
        regions=regions,
        organisations=tuple(orgs),
        users=tuple(_users()),
        sites=tuple(sites),
    )
