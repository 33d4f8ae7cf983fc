"""Seeded synthetic person records from many agencies, with the ground truth, at any scale.

`generate(n_records, seed=...)` returns one row per source record in the linkage schema (see
`model`) plus the truth: `person_id` (the synthetic person the record describes) and `errors`
(a bit mask of `ERRORS`, named by `error_names`). The same seed and size always give the same
frame; 1,000,000 records take a few seconds (numpy for every column, Python only for the few
thousand rows an error touches).

The population: households of one to four children sharing a surname (most of the time), an
address and a postcode, some with twins; each child has a sex, a given name drawn by sex from a
skewed (Zipf-like) pool, a date of birth aged 0 to 17, an NHS number (valid, modulus 11) and a
UPN. Each child is known to one or more agencies (police, children's social care, the emergency
department, the ambulance service, youth justice, schools, voluntary groups), each record written
by that agency with the errors real records have: nicknames (`names.NICKNAMES`), typos in either
name, first name and surname recorded the wrong way round, day and month transposed, a wrong digit
in the date of birth, a missing date of birth, an old postcode, a missing or differently formatted
postcode, a missing NHS number (how often depends on the agency: health records nearly always have
one, schools almost never), a mistyped NHS number, a changed surname, a missing or wrong sex,
upper-case names, and now and then an "Unknown" name with no date of birth (which linkage must
hold for review).

Harbour's Django demo (`src/harbour/demo/`, `harbour demo generate`) has its own generator for the
synthetic partnership's source records, with their truth in `demo.GroundTruth`; this module is the
engine's own, for tests and benchmarks at scales the demo database does not hold, and imports
nothing from the rest of Harbour.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from harbour.identity.linkage.names import NICKNAMES

# --- errors ------------------------------------------------------------------------------------

NICKNAME = 1 << 0
FIRST_NAME_TYPO = 1 << 1
SURNAME_TYPO = 1 << 2
NAMES_SWAPPED = 1 << 3
DOB_TRANSPOSED = 1 << 4
DOB_TYPO = 1 << 5
DOB_MISSING = 1 << 6
OLD_POSTCODE = 1 << 7
POSTCODE_MISSING = 1 << 8
NHS_MISSING = 1 << 9
NHS_TYPO = 1 << 10
SURNAME_CHANGED = 1 << 11
SEX_MISSING = 1 << 12
UNIDENTIFIED = 1 << 13
SEX_WRONG = 1 << 14

ERRORS: dict[int, str] = {
    NICKNAME: "nickname",
    FIRST_NAME_TYPO: "first_name_typo",
    SURNAME_TYPO: "surname_typo",
    NAMES_SWAPPED: "names_swapped",
    DOB_TRANSPOSED: "dob_transposed",
    DOB_TYPO: "dob_typo",
    DOB_MISSING: "dob_missing",
    OLD_POSTCODE: "old_postcode",
    POSTCODE_MISSING: "postcode_missing",
    NHS_MISSING: "nhs_missing",
    NHS_TYPO: "nhs_typo",
    SURNAME_CHANGED: "surname_changed",
    SEX_MISSING: "sex_missing",
    UNIDENTIFIED: "unidentified",
    SEX_WRONG: "sex_wrong",
}


def error_names(mask: int) -> list[str]:
    return [name for bit, name in ERRORS.items() if mask & bit]


@dataclass(frozen=True)
class ErrorRates:
    """Share of records with each error (nicknames and transposed dates are only possible for
    some records; their rate among those is raised so the overall share is as given)."""

    nickname: float = 0.06
    first_name_typo: float = 0.04
    surname_typo: float = 0.04
    names_swapped: float = 0.015
    dob_transposed: float = 0.02
    dob_typo: float = 0.015
    dob_missing: float = 0.01
    old_postcode: float = 0.10
    postcode_missing: float = 0.04
    nhs_typo: float = 0.003
    surname_changed: float = 0.01
    sex_missing: float = 0.03
    sex_wrong: float = 0.005
    upper_case: float = 0.2
    unidentified: float = 0.001


@dataclass(frozen=True)
class AgencyKind:
    code: str
    source_system: str
    share: float  # of all records
    nhs_number_rate: float  # share of its records that carry the NHS number


AGENCIES: tuple[AgencyKind, ...] = (
    AgencyKind("police", "Niche RMS", 0.25, 0.10),
    AgencyKind("csc", "Liquidlogic LCS", 0.20, 0.75),
    AgencyKind("ed", "Symphony ED", 0.15, 0.92),
    AgencyKind("ambulance", "Cleric CAD", 0.08, 0.65),
    AgencyKind("yjs", "ChildView", 0.07, 0.45),
    AgencyKind("school", "SIMS", 0.18, 0.03),
    AgencyKind("vcs", "Views", 0.07, 0.02),
)

HOUSEHOLD_SIZES = (0.45, 0.33, 0.15, 0.07)  # 1, 2, 3, 4 children
TWIN_RATE = 0.015
HALF_SIBLING_SURNAME_RATE = 0.10
RECORDS_PER_PERSON_EXTRA = 1.6  # records per person = 1 + Poisson(this), at most 12
HOUSEHOLDS_PER_POSTCODE = 12
POSTCODE_AREAS = ("RV", "RW", "RX", "RY")
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
SCHOOL_URNS = tuple(str(990200 + i) for i in range(1, 61))

_LATIN_LOCALES = (
    "en_GB", "en_US", "en_IE", "en_IN", "en_NG", "en_PK", "en_KE", "ga_IE", "yo_NG", "ig_NG",
    "ha_NG", "tw_GH", "zu_ZA", "pl_PL", "ro_RO", "pt_PT", "es_ES", "it_IT", "fr_FR", "de_DE",
    "tr_TR", "nl_NL", "lt_LT", "sk_SK", "cs_CZ", "hr_HR",
)  # fmt: skip
_STREETS = (
    "Mill", "Church", "Station", "Victoria", "Park", "High", "London", "Albert", "Queen",
    "King", "Grange", "Manor", "River", "Bridge", "Chapel", "Forge", "Orchard", "Meadow",
    "Willow", "Cedar", "Elm", "Oak", "Ash", "Beech", "Hawthorn", "Riverside", "Wharf",
    "Canal", "Foundry", "Market", "Castle", "Abbey", "North", "South", "West", "East",
)  # fmt: skip
_STREET_SUFFIXES = ("Street", "Road", "Lane", "Close", "Way", "Avenue", "Court", "Gardens")


def _ascii_title(name: str) -> str | None:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = text.strip()
    if not text or not text.replace("-", "").replace("'", "").replace(" ", "").isalpha():
        return None
    return text


@functools.lru_cache(maxsize=1)
def name_pools() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(male given names, female given names, surnames): Faker's name lists for many locales,
    folded to ASCII, with every name that has nicknames in the table first. Deterministic."""
    male: dict[str, None] = {}
    female: dict[str, None] = {}
    surnames: dict[str, None] = {}
    # The canonical names with nicknames lead the pools, so they are among the commoner names.
    feminine = {
        "abigail", "alexandra", "catherine", "charlotte", "christina", "deborah", "eleanor",
        "elizabeth", "emily", "gabriella", "isabella", "jennifer", "jessica", "margaret",
        "olivia", "rebecca", "samantha", "sophia", "susan", "victoria",
    }  # fmt: skip
    for canonical in NICKNAMES:
        (female if canonical in feminine else male)[canonical.title()] = None
    for locale in _LATIN_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except (ImportError, AttributeError):
            continue
        for attribute, target in (
            ("first_names_male", male),
            ("first_names_female", female),
            ("last_names", surnames),
        ):
            for raw in getattr(provider, attribute, ()) or ():
                name = _ascii_title(str(raw))
                if name is not None:
                    target.setdefault(name, None)
    return tuple(male), tuple(female), tuple(surnames)


def _zipf_weights(n: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


# --- NHS numbers ---------------------------------------------------------------------------------


def _nhs_numbers(rng: np.random.Generator, count: int) -> np.ndarray:
    """`count` distinct valid NHS numbers (modulus 11), as strings."""
    weights = np.arange(10, 1, -1)
    numbers: list[np.ndarray] = []
    seen: set[str] = set()
    have = 0
    while have < count:
        need = int((count - have) * 1.15) + 16
        prefixes = rng.integers(100_000_000, 999_999_999, size=need, dtype=np.int64)
        digits = (prefixes[:, None] // 10 ** np.arange(8, -1, -1)) % 10
        check = 11 - (digits * weights).sum(axis=1) % 11
        check = np.where(check == 11, 0, check)
        ok = check != 10
        values = (prefixes[ok] * 10 + check[ok]).astype(str)
        values = np.array([v for v in dict.fromkeys(values) if v not in seen], dtype=object)
        values = values[: count - have]
        seen.update(values.tolist())
        numbers.append(values)
        have += len(values)
    return np.concatenate(numbers)


# --- typos -------------------------------------------------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _typo(name: str, draw: np.ndarray) -> str:
    """One keyboard-style error: substitute, delete, insert or transpose (never the first letter
    unless the name is very short), from four random numbers in [0, 1)."""
    if len(name) < 3:
        return name + _LETTERS[int(draw[2] * 26)]
    kind = int(draw[0] * 4)
    pos = 1 + int(draw[1] * (len(name) - 1))
    letter = _LETTERS[int(draw[2] * 26)]
    if name[pos - 1].isupper() and pos == 0:
        letter = letter.upper()
    if kind == 0:  # substitute
        new = name[:pos] + letter + name[pos + 1 :]
    elif kind == 1 and len(name) > 3:  # delete
        new = name[:pos] + name[pos + 1 :]
    elif kind == 2:  # insert
        new = name[:pos] + letter + name[pos:]
    else:  # transpose with the next letter (or the previous one at the end)
        i = min(pos, len(name) - 2)
        new = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return new if new.lower() != name.lower() else name + letter


def _dob_typo(dob: str, draw: np.ndarray) -> str:
    """One digit of the day, the month or the year's last digit changed, keeping a real date."""
    year, month, day = int(dob[:4]), int(dob[5:7]), int(dob[8:10])
    for attempt in range(4):
        which = int((draw[0] + attempt * 0.37) % 1 * 3)
        digit = int(draw[1] * 9) + 1
        try:
            if which == 0:
                day = (day // 10) * 10 + (day % 10 + digit) % 10 or 10
                candidate = dt.date(year, month, day)
            elif which == 1:
                candidate = dt.date(year, (month + digit - 1) % 12 + 1, day)
            else:
                candidate = dt.date((year // 10) * 10 + (year % 10 + digit) % 10, month, day)
        except ValueError:
            continue
        if candidate.isoformat() != dob:
            return candidate.isoformat()
    return dob


def _apply(
    values: np.ndarray,
    rows: np.ndarray,
    function: Callable[[object, np.ndarray], object],
    rng: np.random.Generator,
) -> None:
    draws = rng.random((len(rows), 4))
    for row, draw in zip(rows, draws, strict=True):
        values[row] = function(values[row], draw)


# --- the generator -----------------------------------------------------------------------------


def generate(
    n_records: int,
    *,
    seed: int = 2026,
    rates: ErrorRates | None = None,
    reference_date: dt.date = dt.date(2026, 1, 1),
    id_offset: int = 0,
) -> pd.DataFrame:
    """`n_records` synthetic source records (see the module docstring), deterministic in `seed`.
    `unique_id` runs from `id_offset + 1`; `person_id` is the ground truth."""
    rates = rates or ErrorRates()
    rng = np.random.default_rng(seed)
    male_pool, female_pool, surname_pool = (np.array(p, dtype=object) for p in name_pools())

    # People, each known to 1 + Poisson(1.6) agencies, until there are n_records records.
    estimate = int(n_records / (1 + RECORDS_PER_PERSON_EXTRA) * 1.1) + 10
    per_person = np.minimum(1 + rng.poisson(RECORDS_PER_PERSON_EXTRA, estimate), 12)
    while per_person.sum() < n_records:
        per_person = np.concatenate([per_person, 1 + rng.poisson(1.6, estimate)])
    ends = np.cumsum(per_person)
    n_people = int(np.searchsorted(ends, n_records) + 1)
    per_person = per_person[:n_people].copy()
    per_person[-1] -= int(ends[n_people - 1] - n_records)

    # Households of 1 to 4 children.
    sizes = rng.choice(np.arange(1, 5), size=n_people, p=HOUSEHOLD_SIZES)
    household = np.repeat(np.arange(n_people), sizes)[:n_people]
    n_households = int(household[-1]) + 1
    first_in_household = np.r_[True, household[1:] != household[:-1]]

    household_surname = rng.choice(
        len(surname_pool), size=n_households, p=_zipf_weights(len(surname_pool), 0.75)
    )
    n_postcodes = max(20, n_households // HOUSEHOLDS_PER_POSTCODE)
    postcodes = _postcodes(rng, n_postcodes)
    household_postcode = rng.integers(0, n_postcodes, n_households)
    household_old_postcode = rng.integers(0, n_postcodes, n_households)
    streets = np.array([f"{s} {x}" for s in _STREETS for x in _STREET_SUFFIXES], dtype=object)
    household_street = rng.integers(0, len(streets), n_households)
    household_number = rng.integers(1, 200, n_households)
    household_school = rng.integers(0, len(SCHOOL_URNS), n_households)

    # People.
    sex = np.where(rng.random(n_people) < 0.5, "F", "M").astype(object)
    male_names = male_pool[
        rng.choice(len(male_pool), n_people, p=_zipf_weights(len(male_pool), 0.9))
    ]
    female_names = female_pool[
        rng.choice(len(female_pool), n_people, p=_zipf_weights(len(female_pool), 0.9))
    ]
    given = np.where(sex == "F", female_names, male_names)
    surname = surname_pool[household_surname[household]]
    half = rng.random(n_people) < HALF_SIBLING_SURNAME_RATE
    surname[half] = surname_pool[rng.integers(0, len(surname_pool), int(half.sum()))]
    age_days = rng.integers(0, 18 * 365, n_people)
    twin = (~first_in_household) & (rng.random(n_people) < TWIN_RATE)
    twin_rows = np.flatnonzero(twin)
    age_days[twin_rows] = age_days[twin_rows - 1]
    dob_dates = np.datetime64(reference_date.isoformat(), "D") - age_days.astype("timedelta64[D]")
    dob = np.datetime_as_string(dob_dates, unit="D").astype(object)
    nhs = _nhs_numbers(rng, n_people)
    upn = np.array(
        [f"{chr(65 + a)}{b:012d}" for a, b in zip(
            rng.integers(0, 26, n_people), rng.integers(0, 10**12, n_people), strict=True
        )],
        dtype=object,
    )  # fmt: skip

    # Records: each row a person known to an agency, in shuffled order.
    person = np.repeat(np.arange(n_people), per_person)
    person = person[rng.permutation(n_records)]
    hh = household[person]
    agency_index = rng.choice(len(AGENCIES), n_records, p=[a.share for a in AGENCIES])
    agency_codes = np.array([a.code for a in AGENCIES], dtype=object)[agency_index]
    systems = np.array([a.source_system for a in AGENCIES], dtype=object)[agency_index]
    errors = np.zeros(n_records, dtype=np.int32)

    first_name = given[person].copy()
    last_name = surname[person].copy()
    record_dob = dob[person].copy()
    record_sex = sex[person].copy()
    postcode = postcodes[household_postcode[hh]].copy()
    address = np.char.add(
        np.char.add(household_number[hh].astype(str), " "),
        streets[household_street[hh]].astype(str),
    ).astype(object)

    def pick(rate: float, eligible: np.ndarray | None = None) -> np.ndarray:
        if eligible is None:
            return np.flatnonzero(rng.random(n_records) < rate)
        share = eligible.mean() if len(eligible) else 0.0
        boosted = min(1.0, rate / share) if share else 0.0
        return np.flatnonzero(eligible & (rng.random(n_records) < boosted))

    # Nicknames.
    has_nickname = np.array([n.lower() in NICKNAMES and bool(NICKNAMES[n.lower()]) for n in given])
    rows = pick(rates.nickname, has_nickname[person])
    choice = rng.random(len(rows))
    for row, c in zip(rows, choice, strict=True):
        options = NICKNAMES[first_name[row].lower()]
        first_name[row] = options[int(c * len(options))].title()
    errors[rows] |= NICKNAME

    rows = pick(rates.first_name_typo)
    _apply(first_name, rows, lambda v, d: _typo(str(v), d), rng)
    errors[rows] |= FIRST_NAME_TYPO
    rows = pick(rates.surname_changed)
    last_name[rows] = surname_pool[rng.integers(0, len(surname_pool), len(rows))]
    errors[rows] |= SURNAME_CHANGED
    rows = pick(rates.surname_typo)
    _apply(last_name, rows, lambda v, d: _typo(str(v), d), rng)
    errors[rows] |= SURNAME_TYPO
    rows = pick(rates.names_swapped)
    first_name[rows], last_name[rows] = last_name[rows].copy(), first_name[rows].copy()
    errors[rows] |= NAMES_SWAPPED

    # Dates of birth.
    day = np.array([int(d[8:10]) for d in dob], dtype=np.int8)[person]
    month = np.array([int(d[5:7]) for d in dob], dtype=np.int8)[person]
    rows = pick(rates.dob_transposed, (day <= 12) & (day != month))
    for row in rows:
        d = record_dob[row]
        record_dob[row] = f"{d[:4]}-{d[8:10]}-{d[5:7]}"
    errors[rows] |= DOB_TRANSPOSED
    rows = pick(rates.dob_typo)
    _apply(record_dob, rows, lambda v, d: _dob_typo(str(v), d), rng)
    errors[rows] |= DOB_TYPO
    rows = pick(rates.dob_missing)
    record_dob[rows] = None
    errors[rows] |= DOB_MISSING

    # Postcodes.
    rows = pick(rates.old_postcode)
    postcode[rows] = postcodes[household_old_postcode[hh[rows]]]
    errors[rows] |= OLD_POSTCODE
    rows = pick(rates.postcode_missing)
    postcode[rows] = None
    errors[rows] |= POSTCODE_MISSING
    rows = pick(0.1)
    postcode[rows] = [None if p is None else p.replace(" ", "").lower() for p in postcode[rows]]

    # NHS numbers, by agency.
    nhs_rate = np.array([a.nhs_number_rate for a in AGENCIES])[agency_index]
    has_nhs = rng.random(n_records) < nhs_rate
    nhs_number = np.where(has_nhs, nhs[person], np.array(None, dtype=object))
    errors[~has_nhs] |= NHS_MISSING
    rows = pick(rates.nhs_typo, has_nhs)
    draws = rng.integers(0, 10, (len(rows), 2))
    for row, (pos, digit) in zip(rows, draws, strict=True):
        value = nhs_number[row]
        new = value[:pos] + str((int(value[pos]) + 1 + digit % 9) % 10) + value[pos + 1 :]
        nhs_number[row] = new
    errors[rows] |= NHS_TYPO

    rows = pick(rates.sex_wrong)
    record_sex[rows] = np.where(record_sex[rows] == "F", "M", "F")
    errors[rows] |= SEX_WRONG
    rows = pick(rates.sex_missing)
    record_sex[rows] = None
    errors[rows] |= SEX_MISSING

    rows = pick(rates.upper_case)
    first_name[rows] = [None if v is None else v.upper() for v in first_name[rows]]
    last_name[rows] = [None if v is None else v.upper() for v in last_name[rows]]

    # Now and then a record of an unidentified child: "Unknown", no date of birth or NHS number.
    rows = pick(rates.unidentified)
    first_name[rows] = "Unknown"
    last_name[rows] = "Unknown"
    record_dob[rows] = None
    nhs_number[rows] = None
    errors[rows] |= UNIDENTIFIED

    is_school = agency_codes == "school"
    urns = np.array(SCHOOL_URNS, dtype=object)[household_school[hh]]
    school_urn = np.where(is_school, urns, np.array(None, dtype=object))
    record_upn = np.where(is_school, upn[person], np.array(None, dtype=object))
    unique_id = np.arange(id_offset + 1, id_offset + n_records + 1, dtype=np.int64)

    frame = pd.DataFrame(
        {
            "unique_id": unique_id,
            "source_agency": agency_codes,
            "source_system": systems,
            "source_id": np.char.add("S", unique_id.astype(str)).astype(object),
            "first_name": first_name,
            "surname": last_name,
            "dob": record_dob,
            "sex": record_sex,
            "postcode": postcode,
            "address": address,
            "nhs_number": nhs_number,
            "school_urn": school_urn,
            "upn": record_upn,
            "person_id": person.astype(np.int64) + 1,
            "errors": errors,
        }
    )
    return frame


def _postcodes(rng: np.random.Generator, count: int) -> np.ndarray:
    """`count` distinct postcodes shaped like UK ones (`RV12 3AB`), in fictional areas."""
    letters = np.array(list(POSTCODE_UNIT_LETTERS))
    n_letters = len(letters)
    space = len(POSTCODE_AREAS) * 30 * 10 * n_letters * n_letters
    codes = rng.choice(space, size=min(count, space), replace=False)
    codes, units = np.divmod(codes, n_letters * n_letters)
    codes, sector = np.divmod(codes, 10)
    area, district = np.divmod(codes, 30)
    areas = np.array(POSTCODE_AREAS, dtype=object)[area]
    return np.array(
        [
            f"{a}{d + 1} {s}{letters[u // n_letters]}{letters[u % n_letters]}"
            for a, d, s, u in zip(areas, district, sector, units, strict=True)
        ],
        dtype=object,
    )


def split_for_incremental(
    frame: pd.DataFrame, n_new: int, *, seed: int = 7
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(existing, new): `n_new` records chosen at random to arrive later, the rest already
    linked. New records belong to people already in the index as well as to new people."""
    rng = np.random.default_rng(seed)
    new_rows = np.zeros(len(frame), dtype=bool)
    new_rows[rng.choice(len(frame), n_new, replace=False)] = True
    return frame[~new_rows].reset_index(drop=True), frame[new_rows].reset_index(drop=True)
