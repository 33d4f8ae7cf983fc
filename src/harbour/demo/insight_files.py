"""Riverside's public and partners' files, generated in the exact formats their publishers use,
for the insight store: police.uk's street, outcomes and stop-and-search CSVs, a Nomis census
table with its title lines (and one in the bulk layout), a DfE exclusions data file, an ISTV
return and the LSOA boundaries as GeoJSON and GeoJSON Lines.

Plain Python (no Django), seeded, so the same call gives the same bytes: the insight tests'
fixtures were written by it, ``harbour demo insight-files`` writes two years for the demo, and
the import benchmark writes a year for a large force. Every place, code and number is invented:
Riverside's 60 LSOAs (``E01990001``..., outside the real range) are laid out as a grid of
rectangles in the Midlands."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harbour.insight.engine.police import STREET_COLUMNS


@dataclass(frozen=True)
class Lsoa:
    code: str
    name: str


# Riverside's 60 invented LSOAs, as ``riverside.LSOAS`` (which this plain module cannot import,
# as that module imports Django's models; a test checks the two agree).
LSOAS: tuple[Lsoa, ...] = tuple(
    Lsoa(f"E01{990000 + n:06d}", f"Riverside {(n - 1) // 3 + 1:03d}{'ABC'[(n - 1) % 3]}")
    for n in range(1, 61)
)

FORCE = "Riverside Police"
WEST, SOUTH = -1.62, 52.38  # the south-west corner of Riverside's grid
WIDTH, HEIGHT = 0.02, 0.01  # one LSOA, in degrees of longitude and latitude
COLUMNS = 6

STREET_WORDS = (
    "Station", "Church", "Mill", "Canal", "Victoria", "Albert", "Queens", "Park", "Market",
    "Bridge", "Wharf", "School", "Chapel", "Green", "Castle", "Kings", "Meadow", "Orchard",
    "Ferry", "Union", "Dock", "Elm", "Ash", "Willow", "Cedar", "Holly", "Hazel", "Rowan",
)  # fmt: skip
STREET_KINDS = ("Road", "Street", "Lane", "Avenue", "Close", "Way", "Walk", "Drive", "Row")
# Each street in one LSOA only, as most are: 252 names, four an LSOA.
STREETS = tuple(f"{word} {kind}" for kind in STREET_KINDS for word in STREET_WORDS)
# Weights roughly as a large force's year looks.
CRIME_TYPES = (
    ("Violence and sexual offences", 33),
    ("Anti-social behaviour", 18),
    ("Shoplifting", 8),
    ("Criminal damage and arson", 8),
    ("Other theft", 7),
    ("Public order", 7),
    ("Vehicle crime", 5),
    ("Burglary", 4),
    ("Drugs", 3),
    ("Other crime", 2),
    ("Robbery", 1.5),
    ("Possession of weapons", 1.2),
    ("Theft from the person", 1.2),
    ("Bicycle theft", 1.1),
)
OUTCOMES = (
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Awaiting court outcome",
    "Local resolution",
    "Offender given a caution",
    "Status update unavailable",
    "Court result unavailable",
)
STREET_HEADER = list(STREET_COLUMNS)


@dataclass(frozen=True)
class MapPoint:
    longitude: float
    latitude: float
    street: str
    lsoa_code: str
    lsoa_name: str


def lsoa_box(index: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of Riverside's LSOA number ``index`` (0-based)."""
    row, column = divmod(index, COLUMNS)
    west, south = WEST + column * WIDTH, SOUTH + row * HEIGHT
    return west, south, west + WIDTH, south + HEIGHT


def map_points(seed: int = 2026, per_lsoa: int = 8) -> list[MapPoint]:
    """police.uk's anonymised map points: a few a street, each inside one LSOA."""
    rng = random.Random(seed)
    points = []
    for index, lsoa in enumerate(LSOAS):
        west, south, east, north = lsoa_box(index)
        streets = STREETS[4 * index : 4 * index + 4]
        for n in range(per_lsoa):
            points.append(
                MapPoint(
                    round(rng.uniform(west + 0.001, east - 0.001), 6),
                    round(rng.uniform(south + 0.0005, north - 0.0005), 6),
                    streets[n % len(streets)],
                    lsoa.code,
                    lsoa.name,
                )
            )
    return points


def months_between(first: str, count: int) -> list[str]:
    year, month = (int(part) for part in first.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def _csv(header: list[str], rows: Iterator[list[str]] | list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _crime_id(seed: int, number: int) -> str:
    return hashlib.sha256(f"riverside:{seed}:{number}".encode()).hexdigest()


def street_rows(months: list[str], per_month: int, seed: int = 2026) -> Iterator[list[str]]:
    """police.uk street-level rows: about 2% with no location, a few zeroed, anti-social
    behaviour with no Crime ID and no outcome."""
    rng = random.Random(seed)
    points = map_points(seed)
    types = [t for t, _ in CRIME_TYPES]
    weights = [w for _, w in CRIME_TYPES]
    number = 0
    for month in months:
        for _ in range(per_month):
            number += 1
            crime_type = rng.choices(types, weights)[0]
            asb = crime_type == "Anti-social behaviour"
            draw = rng.random()
            if draw < 0.02:
                place = ["", "", "No Location", "", ""]
            elif draw < 0.025:
                place = ["0", "0", "On or near " + rng.choice(STREETS), "", ""]
            else:
                p = rng.choice(points)
                place = [
                    f"{p.longitude:.6f}",
                    f"{p.latitude:.6f}",
                    f"On or near {p.street}",
                    p.lsoa_code,
                    p.lsoa_name,
                ]
            yield [
                "" if asb else _crime_id(seed, number),
                month,
                FORCE,
                FORCE,
                place[0],
                place[1],
                place[2],
                place[3],
                place[4],
                crime_type,
                "" if asb else rng.choice(OUTCOMES),
                "",
            ]


def street_csv(months: list[str], per_month: int, seed: int = 2026) -> str:
    return _csv(STREET_HEADER, street_rows(months, per_month, seed))


def outcomes_csv(months: list[str], per_month: int, seed: int = 2026) -> str:
    """Outcomes of crimes in the street file (the same Crime IDs), the same month or the next."""
    rng = random.Random(seed + 1)
    rows = []
    for row in street_rows(months, per_month, seed):
        if not row[0] or rng.random() < 0.6:
            continue
        # Recorded the same month or the next; one recorded after the last month published is in
        # a later file (piling them into the last month would make its volume rise, which the
        # emerging-pattern check would rightly call out).
        later = months_between(row[1], 1 + rng.randint(0, 1))[-1]
        if later > months[-1]:
            continue
        rows.append([row[0], later, *row[2:9], rng.choice(OUTCOMES)])
    return _csv([*STREET_HEADER[:9], "Outcome type"], rows)


SEARCH_OUTCOMES = (
    "A no further action disposal",
    "Arrest",
    "Community resolution",
    "Summons / charged by post",
    "Khat or Cannabis warning",
    "Penalty Notice for Disorder",
    "Caution (simple or conditional)",
)
SELF_DEFINED = (
    ("White - English/Welsh/Scottish/Northern Irish/British", 55),
    ("White - Any other White background", 6),
    ("Black/African/Caribbean/Black British - Caribbean", 8),
    ("Black/African/Caribbean/Black British - African", 8),
    ("Asian/Asian British - Pakistani", 6),
    ("Asian/Asian British - Indian", 4),
    ("Mixed/Multiple ethnic groups - White and Black Caribbean", 5),
    ("Other ethnic group - Any other ethnic group", 2),
    ("Other ethnic group - Not stated", 6),
)
OFFICER_DEFINED = {"White": "White", "Black/": "Black", "Asian/": "Asian", "Mixed/": "Mixed"}


# The emerging pattern the demo holds for the monthly check to find (ADR 0034): in the last
# ``RISE_MONTHS`` months, more stop and searches of Black children (10-17) a month than before,
# as the report's example had it ("a recent increase in the number of children from one
# particular ethnic group ... was clear in the data available").
RISE_ETHNICITY = "Black/African/Caribbean/Black British - Caribbean"
RISE_MONTHS = 1
RISE_EXTRA = 16


def stop_search_csv(
    months: list[str], per_month: int, seed: int = 2026, *, rise: bool = False
) -> str:
    """police.uk stop and search rows; ``rise``: the demo's emerging pattern in its last months
    (extra searches of children of one ethnic group)."""
    rng = random.Random(seed + 2)
    points = map_points(seed)
    header = [
        "Type", "Date", "Part of a policing operation", "Policing operation", "Latitude",
        "Longitude", "Gender", "Age range", "Self-defined ethnicity", "Officer-defined ethnicity",
        "Legislation", "Object of search", "Outcome", "Outcome linked to object of search",
        "Removal of more than just outer clothing",
    ]  # fmt: skip
    rows = []
    rising = set(months[-RISE_MONTHS:]) if rise else set()
    for month in months:
        year, mon = (int(p) for p in month.split("-"))
        extra = RISE_EXTRA if month in rising else 0
        for number in range(per_month + extra):
            raised = number >= per_month
            when = dt.datetime(
                year, mon, rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59)
            )
            p = rng.choice(points)
            ethnicity = rng.choices([e for e, _ in SELF_DEFINED], [w for _, w in SELF_DEFINED])[0]
            ethnicity = RISE_ETHNICITY if raised else ethnicity
            officer = next(
                (v for k, v in OFFICER_DEFINED.items() if ethnicity.startswith(k)), "Other"
            )
            drugs = rng.random() < 0.6
            located = rng.random() > 0.05
            rows.append(
                [
                    rng.choice(["Person search", "Person search", "Person and Vehicle search"]),
                    when.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                    "False",
                    "",
                    f"{p.latitude:.6f}" if located else "",
                    f"{p.longitude:.6f}" if located else "",
                    rng.choice(["Male"] * 8 + ["Female"]),
                    "10-17"
                    if raised
                    else rng.choice(["10-17", "18-24", "18-24", "25-34", "over 34"]),
                    "" if ethnicity.endswith("Not stated") and rng.random() < 0.3 else ethnicity,
                    officer,
                    "Misuse of Drugs Act 1971 (section 23)"
                    if drugs
                    else "Police and Criminal Evidence Act 1984 (section 1)",
                    "Controlled drugs" if drugs else "Offensive weapons",
                    rng.choice(SEARCH_OUTCOMES),
                    rng.choice(["True", "False", ""]),
                    "False",
                ]
            )
    return _csv(header, rows)


# Riverside's make-up by ethnic group (per 1,000 people), TS021's detailed categories.
ETHNIC_SHARES = {
    "Asian, Asian British or Asian Welsh: Bangladeshi": 12,
    "Asian, Asian British or Asian Welsh: Chinese": 8,
    "Asian, Asian British or Asian Welsh: Indian": 40,
    "Asian, Asian British or Asian Welsh: Pakistani": 45,
    "Asian, Asian British or Asian Welsh: Other Asian": 15,
    "Black, Black British, Black Welsh, Caribbean or African: African": 30,
    "Black, Black British, Black Welsh, Caribbean or African: Caribbean": 22,
    "Black, Black British, Black Welsh, Caribbean or African: Other Black": 6,
    "Mixed or Multiple ethnic groups: White and Asian": 8,
    "Mixed or Multiple ethnic groups: White and Black African": 5,
    "Mixed or Multiple ethnic groups: White and Black Caribbean": 14,
    "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups": 7,
    "White: English, Welsh, Scottish, Northern Irish or British": 690,
    "White: Irish": 8,
    "White: Gypsy or Irish Traveller": 2,
    "White: Roma": 2,
    "White: Other White": 60,
    "Other ethnic group: Arab": 6,
    "Other ethnic group: Any other ethnic group": 20,
}
GROUP_HEADINGS = (
    "Asian, Asian British or Asian Welsh",
    "Black, Black British, Black Welsh, Caribbean or African",
    "Mixed or Multiple ethnic groups",
    "White",
    "Other ethnic group",
)


def _ts021_columns() -> list[str]:
    columns = ["Total: All usual residents"]
    for heading in GROUP_HEADINGS:
        columns.append(heading)
        columns += [c for c in ETHNIC_SHARES if c.startswith(f"{heading}: ")]
    return columns


def _ts021_counts(rng: random.Random) -> dict[str, int]:
    people = rng.randint(1300, 2100)
    counts = {
        c: max(0, round(people * share / 1000 * rng.uniform(0.5, 1.5)))
        for c, share in ETHNIC_SHARES.items()
    }
    for heading in GROUP_HEADINGS:
        counts[heading] = sum(counts[c] for c in ETHNIC_SHARES if c.startswith(f"{heading}: "))
    counts["Total: All usual residents"] = sum(counts[h] for h in GROUP_HEADINGS)
    return counts


def census_ts021_nomis(seed: int = 2026) -> str:
    """TS021 by LSOA as a Nomis query download: title lines, the table, footnotes."""
    rng = random.Random(seed + 3)
    columns = _ts021_columns()
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    writer.writerow(["TS021 - Ethnic group"])
    writer.writerow(["ONS Crown Copyright Reserved [from Nomis on 27 November 2026]"])
    writer.writerow(["Population :", "All usual residents"])
    writer.writerow(["Units      :", "Persons"])
    writer.writerow(["Date       :", "2021"])
    writer.writerow([])
    writer.writerow(["2021 super output area - lower layer", "mnemonic", *columns])
    for lsoa in LSOAS:
        counts = _ts021_counts(rng)
        writer.writerow([lsoa.name, lsoa.code, *(counts[c] for c in columns)])
    writer.writerow([])
    writer.writerow(
        [
            "In order to protect against disclosure of personal information, records have been "
            "swapped between different geographic areas. Some counts will be affected, "
            "particularly small counts at the lowest geographies."
        ]
    )
    return buffer.getvalue()


AGE_BANDS = [
    "Aged 4 years and under",
    *(f"Aged {a} to {a + 4} years" for a in range(5, 85, 5)),
    "Aged 85 years and over",
]


def census_ts007a_bulk(seed: int = 2026) -> str:
    """TS007A by LSOA in Nomis's bulk layout (``census2021-ts007a-lsoa.csv``)."""
    rng = random.Random(seed + 4)
    header = ["date", "geography", "geography code", "Age: Total"] + [
        f"Age: {b}" for b in AGE_BANDS
    ]
    rows = []
    for lsoa in LSOAS:
        bands = [rng.randint(40, 140) for _ in AGE_BANDS]
        rows.append(["2021", lsoa.name, lsoa.code, str(sum(bands)), *map(str, bands)])
    return _csv(header, rows)


LOCAL_AUTHORITY = ("E06099001", "Riverside", "990")


def exclusions_csv(years: list[int], seed: int = 2026) -> str:
    """Suspensions and permanent exclusions for Riverside and England, by phase, as Explore
    Education Statistics publishes them (with a confidential cell, 'c')."""
    rng = random.Random(seed + 5)
    header = [
        "time_period", "time_identifier", "geographic_level", "country_code", "country_name",
        "region_code", "region_name", "old_la_code", "new_la_code", "la_name", "education_phase",
        "headcount", "suspension", "susp_rate", "perm_excl", "perm_excl_rate", "one_plus_susp",
        "one_plus_susp_rate",
    ]  # fmt: skip
    rows = []
    for year in years:
        period = f"{year}{(year + 1) % 100:02d}"
        for level, scale in (("National", 400), ("Local authority", 1)):
            for phase, pupils in (
                ("State-funded primary", 21000),
                ("State-funded secondary", 17000),
                ("Special", 900),
            ):
                headcount = pupils * scale
                suspensions = round(headcount * rng.uniform(0.02, 0.12))
                exclusions = round(headcount * rng.uniform(0.0003, 0.0012))
                one_plus = round(suspensions * 0.45)
                cells = [
                    str(headcount), str(suspensions), f"{100 * suspensions / headcount:.2f}",
                    str(exclusions), f"{100 * exclusions / headcount:.2f}", str(one_plus),
                    f"{100 * one_plus / headcount:.2f}",
                ]  # fmt: skip
                if level == "Local authority" and phase == "Special":
                    cells[3], cells[4] = "c", "c"  # fewer than the publisher shows
                place = (
                    ["", "", "", "", ""]
                    if level == "National"
                    else [
                        "E12000005",
                        "West Midlands",
                        LOCAL_AUTHORITY[2],
                        LOCAL_AUTHORITY[0],
                        LOCAL_AUTHORITY[1],
                    ]
                )
                rows.append(
                    [period, "Academic year", level, "E92000001", "England", *place, phase, *cells]
                )
    return _csv(header, rows)


ISTV_HEADER = [
    "REPORTING PERIOD START DATE", "REPORTING PERIOD END DATE", "SITE CODE (OF TREATMENT)",
    "ARRIVAL DATE AND TIME AT ACCIDENT AND EMERGENCY DEPARTMENT", "ASSAULT DATE AND TIME",
    "ASSAULT METHOD", "ASSAULT METHOD OTHER DESCRIPTION", "ASSAULT LOCATION TYPE",
    "ASSAULT LOCATION DESCRIPTION",
]  # fmt: skip
METHODS = (
    ("Bodily force (hit, kicked, punched)", 55),
    ("Knife or other sharp object", 12),
    ("Blunt object", 10),
    ("Glass or bottle", 8),
    ("Other", 10),
    ("Firearm", 1),
)
LOCATION_TYPES = (
    "Street or public place",
    "Home",
    "Licensed premises",
    "School",
    "Public transport",
    "Other",
)


def istv_csv(months: list[str], per_month: int, seed: int = 2026, site: str = "RVRAE") -> str:
    """An ISTV return for Riverside's emergency department: one line per assault."""
    rng = random.Random(seed + 6)
    points = map_points(seed)
    rows = []
    for month in months:
        year, mon = (int(p) for p in month.split("-"))
        start = dt.date(year, mon, 1)
        end = dt.date(year + (mon == 12), mon % 12 + 1, 1) - dt.timedelta(days=1)
        for _ in range(per_month):
            day = rng.randint(1, end.day)
            hour = rng.choices(range(24), [1] * 6 + [2] * 10 + [4] * 8)[0]
            assault = dt.datetime(year, mon, day, hour, rng.randint(0, 59))
            arrival = min(
                assault + dt.timedelta(minutes=rng.randint(20, 180)),
                dt.datetime.combine(end, dt.time(23, 59)),
            )
            method = rng.choices([m for m, _ in METHODS], [w for _, w in METHODS])[0]
            kind = rng.choice(LOCATION_TYPES)
            described = rng.random()
            if kind == "Home":
                description = ""
            elif described < 0.6:
                description = f"Outside the shops on {rng.choice(points).street}"
            elif described < 0.75:
                description = "Near the park"
            else:
                description = "Not given"
            rows.append(
                [
                    start.isoformat(),
                    end.isoformat(),
                    site,
                    arrival.strftime("%Y-%m-%dT%H:%M"),
                    assault.strftime("%Y-%m-%dT%H:%M"),
                    method,
                    "Bottle" if method == "Other" and rng.random() < 0.3 else "",
                    kind,
                    description,
                ]
            )
    return _csv(ISTV_HEADER, rows)


def _feature(index: int) -> dict[str, object]:
    lsoa = LSOAS[index]
    west, south, east, north = lsoa_box(index)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {
        "type": "Feature",
        "properties": {"LSOA21CD": lsoa.code, "LSOA21NM": lsoa.name},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]],
        },
    }


def boundaries_geojson() -> str:
    collection = {
        "type": "FeatureCollection",
        "name": "LSOA_2021_EW_BGC",
        "features": [_feature(i) for i in range(len(LSOAS))],
    }
    return json.dumps(collection, indent=1) + "\n"


def boundaries_geojsonl() -> str:
    return "".join(json.dumps(_feature(i)) + "\n" for i in range(len(LSOAS)))


# Riverside's invented electoral wards: each a block of two by two LSOAs on the grid.
WARD_NAMES = (
    "Wharfside", "Castle", "Canal Basin", "Victoria Park", "Mill Lane", "St Anne's",
    "Orchard Vale", "Ferry Fields", "Market Cross", "Holly Bank", "Kingsmead", "Station",
    "Rowan Heath", "Dockside", "Chapel End",
)  # fmt: skip
WARD_LOOKUP_HEADER = ["LSOA21CD", "LSOA21NM", "WD24CD", "WD24NM", "LAD24CD", "LAD24NM", "ObjectId"]


def ward_of(index: int) -> tuple[str, str]:
    """(code, name) of the ward Riverside's LSOA number ``index`` (0-based) best fits."""
    row, column = divmod(index, COLUMNS)
    ward = (row // 2) * (COLUMNS // 2) + column // 2
    return f"E05{990001 + ward:06d}", WARD_NAMES[ward]


def ward_lookup_csv() -> str:
    """ONS's LSOA (2021) to ward (2024) best-fit lookup, for Riverside, as the Open Geography
    Portal's CSV download lays it out."""
    rows = [
        [lsoa.code, lsoa.name, *ward_of(i), "E06990001", "Riverside", str(i + 1)]
        for i, lsoa in enumerate(LSOAS)
    ]
    return _csv(WARD_LOOKUP_HEADER, rows)


def write_demo_files(
    directory: Path, *, last_month: str, months: int = 24, seed: int = 2026
) -> list[tuple[str, Path]]:
    """Two years of each source up to ``last_month``: (format, path) for each file, in the order
    to import them (boundaries first, so points can be checked). The census has two tables:
    ethnic group (TS021) and age (TS007A), the denominators of disproportionality's rates."""
    directory.mkdir(parents=True, exist_ok=True)
    year, month = (int(p) for p in last_month.split("-"))
    first_index = year * 12 + month - 1 - (months - 1)
    span = months_between(f"{first_index // 12:04d}-{first_index % 12 + 1:02d}", months)
    files = [
        ("lsoa-boundaries", "riverside-lsoa-2021.geojson", boundaries_geojson()),
        ("lsoa-ward-lookup", "LSOA21_WD24_LAD24_EW_LU_riverside.csv", ward_lookup_csv()),
        ("ons-census", "TS021-ethnic-group-lsoa-riverside.csv", census_ts021_nomis(seed)),
        ("ons-census", "census2021-ts007a-lsoa.csv", census_ts007a_bulk(seed)),
        ("police-uk-street", "riverside-street.csv", street_csv(span, 900, seed)),
        ("police-uk-outcomes", "riverside-outcomes.csv", outcomes_csv(span, 900, seed)),
        (
            "police-uk-stop-and-search",
            "riverside-stop-and-search.csv",
            stop_search_csv(span, 120, seed, rise=True),
        ),
        (
            "dfe-exclusions",
            "riverside-exclusions.csv",
            exclusions_csv(sorted({int(m[:4]) - 1 for m in span}), seed),
        ),
        ("istv", "riverside-istv.csv", istv_csv(span, 60, seed)),
    ]
    written = []
    for code, name, text in files:
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append((code, path))
    return written
