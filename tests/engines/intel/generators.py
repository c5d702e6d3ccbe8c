"""Seeded generators of small incident files in the exact source layouts (test data only).

The rows are synthetic: real column headers and realistic codes, invented events. GTD, ACLED
and RDWTI rows must never be committed, so every test builds its files here, in tmp_path.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from placeguard.engines.intel.adapters.gtd import GTD_COLUMNS

CITIES = [  # (country_txt, region_txt, provstate, city, lat, lon)
    ("Iraq", "Middle East & North Africa", "Baghdad", "Baghdad", 33.31, 44.36),
    ("Nigeria", "Sub-Saharan Africa", "Borno", "Maiduguri", 11.85, 13.16),
    ("France", "Western Europe", "Ile-de-France", "Paris", 48.86, 2.35),
    ("Pakistan", "South Asia", "Khyber Pakhtunkhwa", "Peshawar", 34.01, 71.58),
    ("Soviet Union", "Eastern Europe", "Moscow", "Moscow", 55.75, 37.62),
    ("West Germany (FRG)", "Western Europe", "Hesse", "Frankfurt", 50.11, 8.68),
]
# (attacktype1, weaptype1, weapsubtype1)
ATTACKS = [(3, 6, 16), (3, 6, 15), (3, 6, 13), (2, 5, 2), (1, 5, 3), (7, 8, 18), (6, 13, None),
           (8, 9, 23), (2, 10, None), (9, 13, None)]  # fmt: skip
TARGETS = [(15, 86), (14, 74), (1, 8), (3, 22), (19, 101), (8, 49), (1, 2), (20, None)]


def gtd_rows(n: int, seed: int = 1, start_year: int = 2005) -> list[dict[str, Any]]:
    """``n`` GTD-layout rows (dicts keyed by the 135 column names)."""
    rng = random.Random(seed)
    rows = []
    per_day: dict[str, int] = {}
    for i in range(n):
        year = start_year + i % 10
        month = rng.choice([0, *range(1, 13)] if i % 17 == 0 else range(1, 13))
        day = 0 if month == 0 or i % 13 == 0 else rng.randint(1, 28)
        key = f"{year}{month:02d}{day:02d}"
        per_day[key] = per_day.get(key, 0) + 1
        country, region, prov, city, lat, lon = rng.choice(CITIES)
        atk, weap, wsub = rng.choice(ATTACKS)
        ttype, tsub = rng.choice(TARGETS)
        specificity = rng.choice([1, 1, 1, 2, 3, 4, 5])
        nkill = rng.choice(["", "0", "0", "1", "2", "5", "12"])
        nkillter = "" if nkill == "" else str(min(int(nkill), rng.choice([0, 0, 1])))
        row: dict[str, Any] = dict.fromkeys(GTD_COLUMNS, "")
        row.update(
            eventid=f"{key}{per_day[key]:04d}", iyear=year, imonth=month, iday=day,
            extended=0, country=rng.randint(4, 1004), country_txt=country, region=8,
            region_txt=region, provstate=prov, city=city if i % 11 else "Unknown",
            latitude="" if specificity == 5 else lat + rng.uniform(-0.1, 0.1),
            longitude="" if specificity == 5 else lon + rng.uniform(-0.1, 0.1),
            specificity=specificity, vicinity=rng.choice([0, 1, -9]), crit1=1, crit2=1, crit3=1,
            doubtterr=rng.choice([0, 0, 1, -9]), multiple=0, success=rng.choice([0, 1, 1]),
            suicide=1 if wsub == 13 else 0, attacktype1=atk, attacktype1_txt="(label)",
            targtype1=ttype, targtype1_txt="(label)", targsubtype1="" if tsub is None else tsub,
            weaptype1=weap, weapsubtype1="" if wsub is None else wsub, nkill=nkill,
            nkillter=nkillter, nwound=rng.choice(["", "0", "3", "-99"]),
            ishostkid=1 if atk == 6 else rng.choice([0, -9]), property=rng.choice([0, 1, -9]),
            INT_LOG=-9, INT_IDEO=-9, INT_MISC=0, INT_ANY=-9, gname="Unknown",
        )  # fmt: skip
        if i % 7 == 0:  # a multi-mode attack: armed assault with explosives
            row.update(attacktype2=2, weaptype2=5, weapsubtype2=2)
        if i % 9 == 0:
            row.update(targtype2=14, targsubtype2=79)
        rows.append(row)
    return rows


def write_csv(path: Path, header: Sequence[str], rows: Sequence[dict[str, Any]], *,
              encoding: str = "utf-8", delimiter: str = ",", with_header: bool = True) -> Path:  # fmt: skip
    """Write ``rows`` under ``header``."""
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        if with_header:
            writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header])
    return path


def write_gtd_csv(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    """GTD distribution CSV (Windows-1252, like START's file)."""
    return write_csv(path, GTD_COLUMNS, rows, encoding="cp1252")


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[dict[str, Any]]) -> Path:
    """First sheet with a header row; numeric-looking cells stored as numbers."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    sheet.append(list(header))
    for row in rows:
        values = []
        for h in header:
            v = row.get(h, "")
            if isinstance(v, str) and v.lstrip("-").replace(".", "", 1).isdigit():
                v = float(v) if "." in v else int(v)
            values.append(None if v == "" else v)
        sheet.append(values)
    book.save(path)
    return path


# ---------------------------------------------------------------- ACLED
ACLED_EVENTS = [  # (event_type, sub_event_type, notes)
    ("Explosions/Remote violence", "Suicide bomb", "A suicide bomber detonated near a mosque."),
    (
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
        "A car bomb exploded at the market.",
    ),
    (
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
        "An IED hit a patrol on the road.",
    ),
    ("Violence against civilians", "Attack", "Gunmen opened fire on worshippers at a church."),
    ("Violence against civilians", "Attack", "A man stabbed two people at the railway station."),
    (
        "Violence against civilians",
        "Abduction/forced disappearance",
        "Students were abducted from a school.",
    ),
    ("Battles", "Armed clash", "Military forces clashed with militants."),
    ("Riots", "Violent demonstration", "Rioters set fire to a hotel."),
    ("Protests", "Peaceful protest", "Traders protested in the square."),
]
ACLED_PLACES = [  # (iso numeric, country, region, admin1, location, lat, lon)
    (566, "Nigeria", "Western Africa", "Borno", "Maiduguri", 11.8464, 13.1603),
    (368, "Iraq", "Middle East", "Baghdad", "Baghdad", 33.3152, 44.3661),
    (854, "Burkina Faso", "Western Africa", "Sahel", "Djibo", 14.1011, -1.6281),
]


def acled_rows(n: int, seed: int = 2) -> list[dict[str, Any]]:
    """``n`` ACLED-export rows."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        event_type, sub, notes = ACLED_EVENTS[i % len(ACLED_EVENTS)]
        iso, country, region, admin1, location, lat, lon = rng.choice(ACLED_PLACES)
        year = 2018 + i % 5
        rows.append(
            {
                "event_id_cnty": f"{country[:3].upper()}{1000 + i}",
                "event_date": f"{rng.randint(1, 28)} {rng.choice(['January', 'March', 'July'])} {year}",
                "year": year, "time_precision": rng.choice([1, 1, 2, 3]),
                "disorder_type": "Political violence", "event_type": event_type,
                "sub_event_type": sub, "actor1": "Unidentified Armed Group", "inter1": 3,
                "interaction": 37, "civilian_targeting": "Civilian targeting", "iso": iso,
                "region": region, "country": country, "admin1": admin1, "admin2": "", "admin3": "",
                "location": location, "latitude": lat, "longitude": lon,
                "geo_precision": rng.choice([1, 2, 3]), "source": "Local media",
                "source_scale": "National", "notes": notes,
                "fatalities": rng.choice([0, 0, 1, 3, 12]), "tags": "", "timestamp": 1700000000,
            }
        )  # fmt: skip
    return rows


# ---------------------------------------------------------------- RDWTI
RDWTI_HEADER = ("Date", "City", "Country", "Perpetrator", "Weapon", "Injuries", "Fatalities",
                "Description")  # fmt: skip


def rdwti_rows(n: int, seed: int = 3) -> list[dict[str, Any]]:
    """``n`` RDWTI-export rows (dates like 14-Jan-1998)."""
    rng = random.Random(seed)
    weapons = ["Explosives", "Firearms", "Fire or Firebomb", "Knives & sharp objects", "Unknown"]
    texts = ["A suicide bomber attacked a bus station.", "Gunmen attacked a hotel.",
             "A bomb exploded outside a synagogue.", "Arsonists burned a school."]  # fmt: skip
    rows = []
    for i in range(n):
        month = rng.choice(["Jan", "Mar", "Oct"])
        rows.append(
            {
                "Date": f"{rng.randint(1, 28):02d}-{month}-{1998 + i % 12}",
                "City": rng.choice(["Jerusalem", "Karachi", "Madrid"]),
                "Country": rng.choice(["Israel", "Pakistan", "Spain"]),
                "Perpetrator": "Unknown", "Weapon": weapons[i % len(weapons)],
                "Injuries": rng.choice([0, 4, 20]), "Fatalities": rng.choice([0, 1, 7]),
                "Description": texts[i % len(texts)],
            }
        )  # fmt: skip
    return rows


# ---------------------------------------------------------------- GDELT
def gdelt_rows(n: int, version: int, seed: int = 4) -> list[list[str]]:
    """``n`` GDELT event rows as lists of fields (no header)."""
    from placeguard.engines.intel.adapters.gdelt import GDELT1_COLUMNS, GDELT2_COLUMNS

    rng = random.Random(seed)
    columns = GDELT1_COLUMNS if version == 1 else GDELT2_COLUMNS
    codes = ["1831", "1832", "183", "190", "193", "181", "042", "0231", "204"]
    places = [("IZ", "Baghdad, Baghdad, Iraq", 33.3386, 44.3939, 4),
              ("NI", "Nigeria", 10.0, 8.0, 1), ("GM", "Berlin, Berlin, Germany", 52.5167, 13.4, 4)]  # fmt: skip
    rows = []
    for i in range(n):
        code = codes[i % len(codes)]
        fips, name, lat, lon, gtype = rng.choice(places)
        year = 2015 + i % 4
        date = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        row = dict.fromkeys(columns, "")
        row.update(
            GLOBALEVENTID=str(400000000 + i), SQLDATE=date, MonthYear=date[:6], Year=str(year),
            FractionDate=f"{year}.5000", Actor1Code="UAF", Actor1Name="GUNMEN",
            Actor2Code="REL", Actor2Type1Code=rng.choice(["REL", "COP", "", "EDU"]),
            IsRootEvent="1", EventCode=code, EventBaseCode=code[:3], EventRootCode=code[:2],
            QuadClass="4" if code[:2] in {"18", "19", "20"} else "1", GoldsteinScale="-10.0",
            NumMentions="6", NumSources="1", NumArticles="6", AvgTone="-7.5",
            ActionGeo_Type=str(gtype), ActionGeo_FullName=name, ActionGeo_CountryCode=fips,
            ActionGeo_ADM1Code=f"{fips}01", ActionGeo_Lat=str(lat), ActionGeo_Long=str(lon),
            ActionGeo_FeatureID="-3629014",
            DATEADDED=f"{date}154500" if version == 2 else date,
        )  # fmt: skip
        if version == 2:
            row["SOURCEURL"] = f"https://news.example/{i}"
        rows.append([row[c] for c in columns])
    return rows


def write_gdelt(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    """Tab-separated, no header, like the GDELT export files."""
    path.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path
