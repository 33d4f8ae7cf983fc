"""The linkage model: the record schema, its normalisation, the Splink 5 settings, EM training and
the versioned trained model.

Record schema (one row per agency's record of a person; `prepare` normalises it)

| column | type | notes |
|---|---|---|
| unique_id | int or str | the source record's id in Harbour; unique |
| source_agency | str | the agency holding the record |
| source_system | str | e.g. "Niche RMS" |
| source_id | str | the id in the source system |
| first_name | str or null | lower case, no accents, punctuation to spaces; "unknown" etc. null |
| surname | str or null | as first_name |
| dob | str or null | ISO `YYYY-MM-DD`; anything else (or a year outside 1900-2100) becomes null |
| sex | "M", "F" or null | "U", "9" and the like become null; "1"/"2" are read as M/F |
| postcode | str or null | upper case, one space before the inward code; invalid ones null |
| address | str or null | one line as written; compared through the derived columns below |
| nhs_number | str or null | 10 digits passing the modulus 11 check, otherwise null |
| school_urn, upn | str or null | optional; kept, not compared |

`prepare` adds the derived columns the comparisons and blocking rules use, so that every engine
(DuckDB, Spark, the real-time matcher) compares exactly the same values:

| derived | meaning |
|---|---|
| first_name_canonical | `names.CANONICAL_GIVEN_NAMES.get(first_name, first_name)` |
| dob_swapped | `YYYY-DD-MM` when that is another valid date (day 1-12, day != month), else null |
| postcode_sector | outward code, space, first digit of the inward code: `RV1 4` |
| postcode_district | outward code: `RV1` |
| first_name_sound, surname_sound | American Soundex of the name (blocking only): `s530` |
| address_tokens | the distinct tokens, sorted; UK postcode removed, abbreviations spelt out |
| address_words | those tokens without a digit: street and place |
| address_numbers | those with a digit: house and flat numbers |

Comparisons (levels in order; the first that holds decides; see `comparisons()`):

- first_name: null / exact (term-frequency adjusted) / same canonical name (nickname) /
  Jaro-Winkler >= 0.92 / Jaro-Winkler >= 0.80 / first name equals the other's surname (names
  swapped) / else
- surname: null / exact (term-frequency adjusted) / Jaro-Winkler >= 0.92 / Jaro-Winkler >= 0.80 /
  surname equals the other's first name (names swapped) / else
- dob: null / exact / day and month transposed / one character edit (Levenshtein <= 1 on the ISO
  string) / two of year, month and day equal / else
- place: null (no address and no postcode on a side) / same address tokens (term-frequency
  adjusted) / same postcode and house number / same number, street Jaro-Winkler >= 0.92 / same
  postcode / street >= 0.92, another number / same number, street >= 0.80 / same sector /
  street >= 0.80 / same district / same house number only / else (ADR 0012: one comparison,
  because postcode, street and number are one fact and as three they link siblings)
- nhs_number: null / exact / else (different NHS numbers are strong evidence against)
- sex: null / exact / else

Null levels carry no evidence (weight 0). Term-frequency adjustments use the frequency of the
exact value in the data being linked (Splink's `tf_first_name`, `tf_surname` columns).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from harbour.identity.linkage.names import CANONICAL_GIVEN_NAMES, PLACEHOLDER_NAMES

if TYPE_CHECKING:
    from splink import SettingsCreator

Engine = Literal["duckdb", "spark"]

# The model file's own format; bump when TrainedModel's JSON shape changes.
MODEL_FORMAT = "harbour-linkage-model/1"

SCHEMA_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "source_agency",
    "source_system",
    "source_id",
    "first_name",
    "surname",
    "dob",
    "sex",
    "postcode",
    "address",
    "nhs_number",
    "school_urn",
    "upn",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("unique_id",)
DERIVED_COLUMNS: tuple[str, ...] = (
    "first_name_canonical",
    "dob_swapped",
    "postcode_sector",
    "postcode_district",
    "first_name_sound",
    "surname_sound",
    "address_tokens",
    "address_words",
    "address_numbers",
)
PREPARED_COLUMNS: tuple[str, ...] = SCHEMA_COLUMNS + DERIVED_COLUMNS
# The columns the comparisons and blocking rules read: all a linkage engine is given.
MATCHING_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "first_name",
    "surname",
    "dob",
    "sex",
    "postcode",
    "nhs_number",
    "first_name_canonical",
    "dob_swapped",
    "postcode_sector",
    "postcode_district",
    "first_name_sound",
    "surname_sound",
    "address_tokens",
    "address_words",
    "address_numbers",
)
# Columns whose exact matches are term-frequency adjusted.
TF_COLUMNS: tuple[str, ...] = ("first_name", "surname", "address_tokens")

# Pairs at or above this match probability are linked into one person by a batch run.
DEFAULT_THRESHOLD = 0.95
# Pairs from this probability up to the threshold go to a person for review.
REVIEW_THRESHOLD = 0.50

JARO_WINKLER_HIGH = 0.92
JARO_WINKLER_LOW = 0.80

# Why a record is held for review rather than matched.
NO_NAME = "no usable name"
NO_DOB_OR_NHS = "no usable date of birth or NHS number, and not both names with an address"


# --- normalisation -----------------------------------------------------------------------------

_NON_LETTERS = re.compile(r"[^a-z]+")
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@functools.lru_cache(maxsize=200_000)
def normalise_name(value: str) -> str | None:
    """Lower case, accents removed, apostrophes dropped, anything else not a letter to one space;
    empty strings and placeholders ("unknown", "baby") to None."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    text = text.replace("'", "").replace("\u2019", "")
    text = _NON_LETTERS.sub(" ", text).strip()
    if not text or text in PLACEHOLDER_NAMES:
        return None
    return text


def canonical_first_name(first_name: str | None) -> str | None:
    if first_name is None:
        return None
    return CANONICAL_GIVEN_NAMES.get(first_name, first_name)


@functools.lru_cache(maxsize=100_000)
def normalise_dob(value: str) -> str | None:
    """An ISO date string, or None when the value is not a real date from 1900 to 2100."""
    text = value.strip()[:10]
    if not _ISO_DATE.match(text):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    if not 1900 <= day.year <= 2100:
        return None
    return day.isoformat()


def dob_swapped(dob: str | None) -> str | None:
    """The date with day and month exchanged, when that is a different valid date."""
    if dob is None:
        return None
    year, month, day = dob[:4], dob[5:7], dob[8:10]
    if int(day) > 12 or day == month:
        return None
    return f"{year}-{day}-{month}"


@functools.lru_cache(maxsize=200_000)
def normalise_postcode(value: str) -> str | None:
    """`RV14AB`, `rv1 4ab` -> `RV1 4AB`; anything not shaped like a UK postcode -> None."""
    text = re.sub(r"[^A-Z0-9]", "", value.upper())
    match = _POSTCODE.match(text)
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"


def postcode_sector(postcode: str | None) -> str | None:
    return None if postcode is None else postcode[:-2]


def postcode_district(postcode: str | None) -> str | None:
    return None if postcode is None else postcode.split(" ")[0]


_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


@functools.lru_cache(maxsize=200_000)
def soundex(name: str | None) -> str | None:
    """American Soundex of a normalised name (its letters, spaces ignored): the first letter and
    three digits for the consonant sounds that follow, so `smith`, `smyth` and `smithe` share
    `s530`. Used only to block (to find pairs worth scoring), never as evidence."""
    if name is None:
        return None
    letters = [c for c in name if "a" <= c <= "z"]
    if not letters:
        return None
    first = letters[0]
    digits: list[str] = []
    previous = _SOUNDEX_CODES.get(first, "")
    for c in letters[1:]:
        code = _SOUNDEX_CODES.get(c, "")
        if code and code != previous:
            digits.append(code)
            if len(digits) == 3:
                break
        if c not in "hw":  # h and w do not separate two letters with the same code
            previous = code
    return first + "".join(digits).ljust(3, "0")


# Address words as agencies abbreviate them, to one spelling (Royal Mail's and Ordnance
# Survey's usual long forms), so `12 High St.` and `12 high street` have the same tokens.
ADDRESS_ABBREVIATIONS: dict[str, str] = {
    "st": "street",
    "str": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "dr": "drive",
    "cl": "close",
    "ct": "court",
    "crt": "court",
    "cres": "crescent",
    "cresc": "crescent",
    "pl": "place",
    "sq": "square",
    "gdns": "gardens",
    "gdn": "garden",
    "gr": "grove",
    "gro": "grove",
    "ter": "terrace",
    "terr": "terrace",
    "tce": "terrace",
    "pde": "parade",
    "hse": "house",
    "ho": "house",
    "blvd": "boulevard",
    "hwy": "highway",
    "mt": "mount",
    "apt": "flat",
    "apartment": "flat",
    "flt": "flat",
    "bldg": "building",
    "bldgs": "buildings",
    "ctr": "centre",
    "center": "centre",
    "est": "estate",
    "wy": "way",
    "cottages": "cottage",
    "cotts": "cottage",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
}
# Words that say nothing about where (and "no fixed abode" in its forms): dropped.
ADDRESS_NOISE = frozenset({"the", "of", "and", "flat", "unit", "nfa", "no", "fixed", "abode"})
_UK_POSTCODE_IN_TEXT = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=200_000)
def normalise_address(value: str) -> tuple[str, str] | None:
    """(tokens, numbers) of an address: lower case without accents or punctuation, any UK
    postcode in it removed (it is compared as the postcode), abbreviations spelt out
    (`ADDRESS_ABBREVIATIONS`), words that carry no place dropped (`ADDRESS_NOISE`), then the
    distinct tokens in sorted order (so the order they were written in does not matter) and,
    apart, the distinct tokens holding a digit (house and flat numbers), also sorted. None for
    an address with no tokens left; numbers '' when it has none. Following the Ministry of
    Justice's `uk_address_matcher`, numbers are compared on their own: a different house
    number on the same street is a different home."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    text = _UK_POSTCODE_IN_TEXT.sub(" ", text.upper()).lower().replace("'", "")
    words = [ADDRESS_ABBREVIATIONS.get(w, w) for w in _NOT_ALNUM.sub(" ", text).split()]
    words = [w for w in words if w not in ADDRESS_NOISE]
    if not words:
        return None
    numbers = " ".join(sorted({w for w in words if any(c.isdigit() for c in w)}))
    return " ".join(sorted(set(words))), numbers


def address_tokens(address: str | None) -> str | None:
    found = None if address is None else normalise_address(address)
    return None if found is None else found[0]


def address_words(address: str | None) -> str | None:
    """The address's tokens without the numbers (street, locality), sorted."""
    found = None if address is None else normalise_address(address)
    if found is None:
        return None
    words = [w for w in found[0].split(" ") if not any(c.isdigit() for c in w)]
    return " ".join(words) or None


def address_numbers(address: str | None) -> str | None:
    found = None if address is None else normalise_address(address)
    return None if found is None or not found[1] else found[1]


def nhs_number_is_valid(digits: str) -> bool:
    """Modulus 11 check of a 10-digit NHS number; one repeated digit is not a number."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


@functools.lru_cache(maxsize=200_000)
def normalise_nhs_number(value: str) -> str | None:
    digits = re.sub(r"[\s-]", "", value)
    return digits if nhs_number_is_valid(digits) else None


_SEX = {"M": "M", "MALE": "M", "1": "M", "F": "F", "FEMALE": "F", "2": "F"}


def normalise_sex(value: str) -> str | None:
    return _SEX.get(value.strip().upper())


def _text(value: object) -> str | None:
    if _is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _optional(value: object, normalise: Callable[[str], str | None]) -> str | None:
    text = _text(value)
    return None if text is None else normalise(text)


def prepare_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """One record normalised exactly as `prepare` normalises a table, with the derived columns.
    The real-time matcher uses this so a record arriving at the front door is compared on the
    same values as the batch."""
    first_name = _optional(record.get("first_name"), normalise_name)
    dob = _optional(record.get("dob"), normalise_dob)
    postcode = _optional(record.get("postcode"), normalise_postcode)
    surname = _optional(record.get("surname"), normalise_name)
    address = _text(record.get("address"))
    return {
        "unique_id": record["unique_id"],
        "source_agency": _text(record.get("source_agency")),
        "source_system": _text(record.get("source_system")),
        "source_id": _text(record.get("source_id")),
        "first_name": first_name,
        "surname": surname,
        "dob": dob,
        "sex": _optional(record.get("sex"), normalise_sex),
        "postcode": postcode,
        "address": address,
        "nhs_number": _optional(record.get("nhs_number"), normalise_nhs_number),
        "school_urn": _text(record.get("school_urn")),
        "upn": _text(record.get("upn")),
        "first_name_canonical": canonical_first_name(first_name),
        "dob_swapped": dob_swapped(dob),
        "postcode_sector": postcode_sector(postcode),
        "postcode_district": postcode_district(postcode),
        "first_name_sound": soundex(first_name),
        "surname_sound": soundex(surname),
        "address_tokens": address_tokens(address),
        "address_words": address_words(address),
        "address_numbers": address_numbers(address),
    }


def _map_unique(series: pd.Series, function: Callable[[Any], str | None]) -> pd.Series:
    """Apply a scalar function once per distinct value: names, dates and postcodes repeat a
    great deal, so 1M rows need only tens of thousands of calls."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = pa.array([*(function(u) for u in uniques), None], type=pa.string())
    # The last entry (null) stands for a missing value, whose code is -1.
    taken = mapped.take(pa.array(np.where(codes < 0, len(uniques), codes)))
    return pd.Series(pd.arrays.ArrowStringArray(taken), index=series.index)


def _plain_text(series: pd.Series) -> pd.Series:
    """Text kept as it is but trimmed, with empty strings as nulls (vectorised: these columns
    are mostly distinct per record)."""
    import pyarrow.compute as pc

    first = series.dropna().head(1).tolist()
    if pd.api.types.is_datetime64_any_dtype(series) or (first and not isinstance(first[0], str)):
        return _map_unique(series, _text)
    array = pa.array(series.astype("string[pyarrow]"), type=pa.string())
    trimmed = pc.utf8_trim_whitespace(array)
    cleaned = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    return pd.Series(pd.arrays.ArrowStringArray(cleaned), index=series.index)


def _nhs_numbers(series: pd.Series) -> pd.Series:
    """`normalise_nhs_number` for a whole column, with the modulus 11 check in numpy (NHS
    numbers are mostly distinct, so one Python call each would be slow at 1M rows)."""
    import pyarrow.compute as pc

    text = _plain_text(series.astype("string[pyarrow]") if series.dtype == object else series)
    array = pc.replace_substring_regex(pa.array(text, type=pa.string()), r"[\s-]", "")
    shaped = pc.fill_null(pc.match_substring_regex(array, r"^[0-9]{10}$"), False)
    valid = np.asarray(shaped.to_numpy(zero_copy_only=False), dtype=bool)
    candidates = pc.filter(array, shaped)
    if len(candidates):
        raw = np.frombuffer("".join(candidates.to_pylist()).encode("ascii"), dtype=np.uint8)
        digits = (raw - ord("0")).reshape(-1, 10).astype(np.int64)
        check = 11 - (digits[:, :9] * np.arange(10, 1, -1)).sum(axis=1) % 11
        check = np.where(check == 11, 0, check)
        same = (digits == digits[:, :1]).all(axis=1)
        ok = (check != 10) & (check == digits[:, 9]) & ~same
        valid[np.flatnonzero(valid)] = ok
    cleaned = pc.if_else(pa.array(valid), array, pa.scalar(None, pa.string()))
    return pd.Series(pd.arrays.ArrowStringArray(cleaned), index=series.index)


def prepare(df: pd.DataFrame) -> pd.DataFrame:
    """The records normalised (see the module docstring), with the derived columns, as a new
    frame whose string columns are Arrow-backed (`string[pyarrow]`, compact, and read by DuckDB
    without copying) with nulls for missing values."""
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"records lack the column(s) {', '.join(missing)}")
    if df["unique_id"].duplicated().any():
        raise ValueError("unique_id must be unique")
    out = pd.DataFrame(index=df.index)
    out["unique_id"] = df["unique_id"]

    def column(name: str) -> pd.Series:
        if name in df.columns:
            return df[name]
        return pd.Series([None] * len(df), index=df.index, dtype="object")

    for name in ("source_agency", "source_system", "source_id", "address", "school_urn", "upn"):
        out[name] = _plain_text(column(name))
    out["first_name"] = _map_unique(column("first_name"), lambda v: _optional(v, normalise_name))
    out["surname"] = _map_unique(column("surname"), lambda v: _optional(v, normalise_name))
    out["dob"] = _map_unique(column("dob"), lambda v: _optional(v, normalise_dob))
    out["sex"] = _map_unique(column("sex"), lambda v: _optional(v, normalise_sex))
    out["postcode"] = _map_unique(column("postcode"), lambda v: _optional(v, normalise_postcode))
    out["nhs_number"] = _nhs_numbers(column("nhs_number"))
    out["first_name_canonical"] = _map_unique(out["first_name"], canonical_first_name)
    out["dob_swapped"] = _map_unique(out["dob"], dob_swapped)
    out["postcode_sector"] = _map_unique(out["postcode"], postcode_sector)
    out["postcode_district"] = _map_unique(out["postcode"], postcode_district)
    out["first_name_sound"] = _map_unique(out["first_name"], soundex)
    out["surname_sound"] = _map_unique(out["surname"], soundex)
    out["address_tokens"] = _map_unique(out["address"], address_tokens)
    out["address_words"] = _map_unique(out["address"], address_words)
    out["address_numbers"] = _map_unique(out["address"], address_numbers)
    return out.reset_index(drop=True)[list(PREPARED_COLUMNS)]


def unusable_reasons(prepared: pd.DataFrame) -> pd.Series:
    """Why each prepared record cannot be matched safely (empty string when it can).

    A record needs a name (first name or surname) and enough to tell two people of that name
    apart: a date of birth, an NHS number, or both names with a place (a usable postcode or an
    address). A record with both names and an address but no date of birth is matched when the
    model finds the evidence strong enough (the same threshold as any pair), and is otherwise
    left as a person of its own. Records that cannot be matched are held for review instead of
    being silently matched or left as a person of their own."""
    no_name = prepared["first_name"].isna() & prepared["surname"].isna()
    placed = (
        prepared["first_name"].notna()
        & prepared["surname"].notna()
        & (prepared["postcode"].notna() | prepared["address_tokens"].notna())
    )
    no_dob = prepared["dob"].isna() & prepared["nhs_number"].isna() & ~placed
    reasons = pd.Series("", index=prepared.index, dtype="object")
    reasons = reasons.mask(no_dob, NO_DOB_OR_NHS)
    reasons = reasons.mask(no_name, NO_NAME)
    reasons = reasons.mask(no_name & no_dob, f"{NO_NAME}; {NO_DOB_OR_NHS}")
    return reasons


def unusable_reason(record: Mapping[str, Any]) -> str:
    """``unusable_reasons`` for one record prepared by ``prepare_record`` (the real-time path,
    one record at a time, without a table)."""
    no_name = _missing(record.get("first_name")) and _missing(record.get("surname"))
    placed = (
        not _missing(record.get("first_name"))
        and not _missing(record.get("surname"))
        and not (_missing(record.get("postcode")) and _missing(record.get("address_tokens")))
    )
    no_dob = _missing(record.get("dob")) and _missing(record.get("nhs_number")) and not placed
    if no_name and no_dob:
        return f"{NO_NAME}; {NO_DOB_OR_NHS}"
    if no_name:
        return NO_NAME
    return NO_DOB_OR_NHS if no_dob else ""


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


# --- the Splink settings ---------------------------------------------------------------------


def comparisons() -> list[Any]:
    """The comparisons, as dialect-neutral Splink creators (see the module docstring)."""
    import splink.comparison_level_library as cll
    from splink.comparison_library import CustomComparison

    first_name = CustomComparison(
        output_column_name="first_name",
        comparison_description="first name",
        comparison_levels=[
            cll.NullLevel("first_name"),
            cll.ExactMatchLevel("first_name", term_frequency_adjustments=True),
            cll.CustomLevel(
                "first_name_canonical_l = first_name_canonical_r",
                label_for_charts="Same name or nickname",
                base_dialect_str="duckdb",
            ),
            cll.JaroWinklerLevel("first_name", JARO_WINKLER_HIGH),
            cll.JaroWinklerLevel("first_name", JARO_WINKLER_LOW),
            cll.CustomLevel(
                "first_name_l = surname_r",
                label_for_charts="First name is the other's surname",
                base_dialect_str="duckdb",
            ),
            cll.ElseLevel(),
        ],
    )
    surname = CustomComparison(
        output_column_name="surname",
        comparison_description="surname",
        comparison_levels=[
            cll.NullLevel("surname"),
            cll.ExactMatchLevel("surname", term_frequency_adjustments=True),
            cll.JaroWinklerLevel("surname", JARO_WINKLER_HIGH),
            cll.JaroWinklerLevel("surname", JARO_WINKLER_LOW),
            cll.CustomLevel(
                "surname_l = first_name_r",
                label_for_charts="Surname is the other's first name",
                base_dialect_str="duckdb",
            ),
            cll.ElseLevel(),
        ],
    )
    dob = CustomComparison(
        output_column_name="dob",
        comparison_description="date of birth",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel(
                "dob_l = dob_swapped_r",
                label_for_charts="Day and month transposed",
                base_dialect_str="duckdb",
            ),
            cll.LevenshteinLevel("dob", 1).configure(label_for_charts="One character different"),
            cll.CustomLevel(
                "(CASE WHEN substr(dob_l, 1, 4) = substr(dob_r, 1, 4) THEN 1 ELSE 0 END"
                " + CASE WHEN substr(dob_l, 6, 2) = substr(dob_r, 6, 2) THEN 1 ELSE 0 END"
                " + CASE WHEN substr(dob_l, 9, 2) = substr(dob_r, 9, 2) THEN 1 ELSE 0 END) >= 2",
                label_for_charts="Two of year, month and day equal",
                base_dialect_str="duckdb",
            ),
            cll.ElseLevel(),
        ],
    )

    # Where they live, as one comparison: the postcode, the address's words (street and place)
    # and its house numbers all say "the same household", so three comparisons would count
    # one fact three times and link siblings (measured: precision 0.986 on 50k synthetic
    # records, nearly every wrong link a sibling at the same address).
    # Levels built from Splink's level library (not SQL text), so that each engine gets its own
    # dialect's Jaro-Winkler (DuckDB's function, Splink's UDF on Spark).
    def same_number() -> Any:
        return cll.ExactMatchLevel("address_numbers")

    def words(threshold: float) -> Any:
        return cll.JaroWinklerLevel("address_words", threshold)

    place = CustomComparison(
        output_column_name="place",
        comparison_description="where they live: address and postcode",
        comparison_levels=[
            cll.CustomLevel(
                "(postcode_l IS NULL AND address_tokens_l IS NULL)"
                " OR (postcode_r IS NULL AND address_tokens_r IS NULL)",
                label_for_charts="No address or postcode in one or both records",
                base_dialect_str="duckdb",
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("address_tokens", term_frequency_adjustments=True).configure(
                label_for_charts="Same address"
            ),
            cll.And(cll.ExactMatchLevel("postcode"), same_number()).configure(
                label_for_charts="Same postcode and house number"
            ),
            cll.And(same_number(), words(JARO_WINKLER_HIGH)).configure(
                label_for_charts="Same house number, street written a little differently"
            ),
            cll.ExactMatchLevel("postcode").configure(label_for_charts="Same postcode"),
            words(JARO_WINKLER_HIGH).configure(
                label_for_charts="Same street and place, another house number"
            ),
            cll.And(same_number(), words(JARO_WINKLER_LOW)).configure(
                label_for_charts="Same house number, street partly the same"
            ),
            cll.ExactMatchLevel("postcode_sector").configure(
                label_for_charts="Same postcode sector"
            ),
            words(JARO_WINKLER_LOW).configure(
                label_for_charts="Street and place partly the same, another house number"
            ),
            cll.ExactMatchLevel("postcode_district").configure(
                label_for_charts="Same postcode district"
            ),
            same_number().configure(label_for_charts="Same house number only"),
            cll.ElseLevel(),
        ],
    )
    nhs_number = CustomComparison(
        output_column_name="nhs_number",
        comparison_description="NHS number",
        comparison_levels=[
            cll.NullLevel("nhs_number"),
            cll.ExactMatchLevel("nhs_number"),
            cll.ElseLevel(),
        ],
    )
    sex = CustomComparison(
        output_column_name="sex",
        comparison_description="sex",
        comparison_levels=[cll.NullLevel("sex"), cll.ExactMatchLevel("sex"), cll.ElseLevel()],
    )
    return [first_name, surname, dob, place, nhs_number, sex]


def blocking_rules() -> list[Any]:
    """Rules that generate the candidate pairs to score (a pair is scored once, whichever rules
    admit it). Each is an equi-join, so none is a cartesian product; together they catch every
    kind of error the model tolerates, each rule covering the errors the others miss."""
    from splink import block_on
    from splink.blocking_rule_library import CustomRule

    return [
        # The NHS number alone: catches any spelling of the names and any date.
        block_on("nhs_number"),
        # Both names exact with the year of birth: catches a wrong day or month and a move;
        # with the postcode district: a wrong year. (Both names alone would be 59% of all
        # comparisons at 1M records, for a tenth of a percent of recall.)
        block_on("first_name", "surname", "substr(dob, 1, 4)"),
        block_on("first_name", "surname", "postcode_district"),
        # Date of birth with the canonical first name: a surname typo or change.
        block_on("dob", "first_name_canonical"),
        # Date of birth with the surname: a nickname or first-name typo.
        block_on("dob", "surname"),
        # Date of birth in the same postcode district: a changed surname with a nickname.
        block_on("dob", "postcode_district"),
        # Day and month transposed, with the canonical first name or the surname.
        CustomRule(
            "l.dob = r.dob_swapped and l.first_name_canonical = r.first_name_canonical",
            sql_dialect="duckdb",
        ),
        CustomRule("l.dob = r.dob_swapped and l.surname = r.surname", sql_dialect="duckdb"),
        # Names recorded the other way round.
        CustomRule("l.first_name = r.surname and l.surname = r.first_name", sql_dialect="duckdb"),
        # Same postcode and canonical first name: a date of birth and a surname both wrong.
        block_on("postcode", "first_name_canonical"),
        # Added for issue 14 (ADR 0012, "Blocking rules"), each chosen by the true pairs it
        # adds and the comparisons it costs on FEBRL4 and the synthetic records:
        # both names by sound (Soundex) with the year of birth: a typo in each name and a
        # wrong day or month;
        block_on("first_name_sound", "surname_sound", "substr(dob, 1, 4)"),
        # a name by sound with the exact date of birth: the other name changed or mistyped;
        block_on("surname_sound", "dob"),
        block_on("first_name_sound", "dob"),
        # both names by sound at the same house number: no date of birth, or a wrong one;
        block_on("first_name_sound", "surname_sound", "address_numbers"),
        # the same address with the first name by sound: a changed surname and a wrong date;
        block_on("address_tokens", "first_name_sound"),
        # the date of birth at the same house number: both names mistyped or changed;
        block_on("dob", "address_numbers"),
        # names the other way round and mistyped, with the date of birth (both orientations,
        # since a pair is taken as l < r);
        CustomRule("l.dob = r.dob and l.surname_sound = r.first_name_sound", sql_dialect="duckdb"),
        CustomRule("l.dob = r.dob and l.first_name_sound = r.surname_sound", sql_dialect="duckdb"),
        # the same street and place with the first two letters of both names: no date of
        # birth (or a wrong one), a typo in each name and a different house number;
        block_on("address_words", "substr(first_name, 1, 2)", "substr(surname, 1, 2)"),
        # both names exact where a date of birth is missing on either side.
        CustomRule(
            "l.first_name = r.first_name and l.surname = r.surname"
            " and (l.dob is null or r.dob is null)",
            sql_dialect="duckdb",
        ),
    ]


def training_blocking_rules() -> list[Any]:
    """EM sessions: each comparison is estimated in at least one of them (a session cannot
    estimate the comparisons its own blocking rule uses).

    Pairs sharing an NHS number are nearly all the same child, so the names, date of birth,
    postcode and sex are estimated from how real duplicates differ, not from pairs of twins or
    siblings that share a surname, a date of birth and an address (which EM blocked on the date
    of birth alone takes for matches, making a different first name look like a common error).
    The NHS number itself is estimated on pairs with the same names and date of birth."""
    from splink import block_on

    return [block_on("nhs_number"), block_on("first_name", "surname", "dob")]


def fallback_training_blocking_rules() -> list[Any]:
    """Used instead when the data has too few shared NHS numbers (under `MIN_EM_PAIRS` pairs)."""
    from splink import block_on

    return [block_on("first_name", "surname"), block_on("dob")]


MIN_EM_PAIRS = 1_000


def deterministic_rules() -> list[Any]:
    """Rules with almost no false positives, used to estimate the prior probability that two
    records match (Splink's lambda), with `DETERMINISTIC_RECALL`."""
    return [
        "l.nhs_number = r.nhs_number",
        "l.first_name = r.first_name and l.surname = r.surname and l.dob = r.dob",
    ]


DETERMINISTIC_RECALL = 0.7


def settings(
    *, link_type: Literal["link_only", "link_and_dedupe", "dedupe_only"] = "dedupe_only"
) -> SettingsCreator:
    """The untrained model: comparisons, blocking rules and columns to keep."""
    from splink import SettingsCreator

    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules(),
        # Predictions carry ids, gammas and weights only: Harbour reads the records themselves
        # from its own database, and the engine's tables stay small.
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=[],
        em_convergence=0.0001,
        max_iterations=25,
    )


# --- the trained model --------------------------------------------------------------------


def _canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


@dataclass(frozen=True)
class TrainedModel:
    """A trained Splink model with what Harbour needs to keep it: the version, when it was
    trained, on how many records, and the SHA-256 of Splink's model JSON (checked on load)."""

    splink_model: dict[str, Any]
    version: int
    trained_at: str
    record_count: int
    seed: int
    sha256: str = ""
    notes: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        digest = model_sha256(self.splink_model)
        if not self.sha256:
            object.__setattr__(self, "sha256", digest)
        elif self.sha256 != digest:
            raise ValueError("the model's SHA-256 does not match its parameters")

    @property
    def probability_two_random_records_match(self) -> float:
        return float(self.splink_model["probability_two_random_records_match"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "version": self.version,
            "trained_at": self.trained_at,
            "record_count": self.record_count,
            "seed": self.seed,
            "sha256": self.sha256,
            "notes": self.notes,
            "splink_model": self.splink_model,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainedModel:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a {MODEL_FORMAT} model: {data.get('format')!r}")
        return cls(
            splink_model=dict(data["splink_model"]),
            version=int(data["version"]),
            trained_at=str(data["trained_at"]),
            record_count=int(data["record_count"]),
            seed=int(data["seed"]),
            sha256=str(data["sha256"]),
            notes=dict(data.get("notes", {})),
        )

    @classmethod
    def from_json(cls, text: str) -> TrainedModel:
        return cls.from_dict(json.loads(text))

    def save(self, path: str | Path) -> Path:
        target = Path(path)
        target.write_text(self.to_json() + "\n", encoding="utf-8")
        return target

    @classmethod
    def load(cls, path: str | Path) -> TrainedModel:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    def settings_for(self, engine: Engine) -> dict[str, Any]:
        """Splink settings with the trained parameters for an engine. DuckDB takes Splink's
        model JSON as saved; other engines get the same comparisons built for their SQL dialect
        with the trained m and u probabilities and lambda put back in, level by level."""
        if engine == "duckdb":
            return json.loads(json.dumps(self.splink_model))
        creator = settings()
        trained = {c["output_column_name"]: c for c in self.splink_model["comparisons"]}
        for comparison in creator.comparisons:
            assert not isinstance(comparison, dict)
            name = comparison.create_output_column_name()
            levels = [
                lv for lv in trained[name]["comparison_levels"] if not lv.get("is_null_level")
            ]
            comparison.configure(
                m_probabilities=[lv.get("m_probability") for lv in levels],
                u_probabilities=[lv.get("u_probability") for lv in levels],
            )
        creator.probability_two_random_records_match = self.probability_two_random_records_match
        dialect = "spark" if engine == "spark" else engine
        return creator.create_settings_dict(dialect)


def model_sha256(splink_model: Mapping[str, Any]) -> str:
    return hashlib.sha256(_canonical_json(splink_model).encode("utf-8")).hexdigest()


def _clean_splink_model(model: dict[str, Any]) -> dict[str, Any]:
    """Splink's model JSON without what differs between identical trainings (the linker's random
    id), so the same data and seed give the same file and hash."""
    cleaned = json.loads(json.dumps(model))
    cleaned.pop("linker_uid", None)
    return cleaned


def train(
    df: pd.DataFrame,
    *,
    seed: int = 2026,
    version: int = 1,
    u_max_pairs: float = 5e6,
    em_max_pairs: float = 2e6,
    trained_at: dt.datetime | None = None,
    prepared: bool = False,
    threads: int = 1,
) -> TrainedModel:
    """Train the model on the partnership's records (unsupervised, on DuckDB).

    1. lambda, the prior that two random records match, from `deterministic_rules()` assuming
       they find `DETERMINISTIC_RECALL` of the true matches;
    2. u probabilities from `u_max_pairs` random pairs (seeded, so repeatable);
    3. m probabilities by expectation maximisation, one session per `training_blocking_rules()`
       rule (or `fallback_training_blocking_rules()` when few records share an NHS number),
       each limited to about `em_max_pairs` pairs by Splink's deterministic sampling.

    Records that cannot be matched (`unusable_reasons`) are left out of training. With the same
    records and seed the model is the same to the last bit (and so is its SHA-256).
    """
    from splink import Linker

    from harbour.identity.linkage.engines import duckdb_api

    records = df if prepared else prepare(df)
    records = records[unusable_reasons(records) == ""]
    # One thread: DuckDB's parallel sums add in a varying order, which moves the last bits of
    # the m probabilities between runs; the seed alone then makes training repeatable.
    db_api = duckdb_api(threads=threads)
    table = db_api.register(records, dataset_display_name="records")
    linker = Linker(table, settings(), log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        deterministic_rules(), recall=DETERMINISTIC_RECALL
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=u_max_pairs, seed=seed, min_count_per_level=None
    )
    rules = training_blocking_rules()
    counts = linker.blocking_analysis.count_comparisons_from_blocking_rules(
        rules[:1], record_sample_proportion=1.0
    )
    if counts[0]["marginal_comparison_count"] < MIN_EM_PAIRS:
        rules = fallback_training_blocking_rules()
    for rule in rules:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=em_max_pairs
        )
    splink_model = _clean_splink_model(linker.misc.save_model_to_json())
    when = trained_at or dt.datetime.now(dt.UTC)
    dialect = linker._db_api.sql_dialect.sql_dialect_str
    return TrainedModel(
        splink_model=splink_model,
        version=version,
        trained_at=when.isoformat(timespec="seconds"),
        record_count=len(records),
        seed=seed,
        notes={
            "splink": _splink_version(),
            "em_blocking_rules": [r.get_blocking_rule(dialect).blocking_rule_sql for r in rules],
            "deterministic_rules": deterministic_rules(),
            "deterministic_recall": DETERMINISTIC_RECALL,
            "u_max_pairs": u_max_pairs,
            "em_max_pairs": em_max_pairs,
        },
    )


def _splink_version() -> str:
    import splink

    return str(splink.__version__)


def level_labels(model: TrainedModel) -> dict[str, list[str]]:
    """Each comparison's level labels in order (null level first), for explanations."""
    return {
        c["output_column_name"]: [lv.get("label_for_charts", "") for lv in c["comparison_levels"]]
        for c in model.splink_model["comparisons"]
    }


def iter_comparison_names(model: TrainedModel) -> Iterable[str]:
    return (c["output_column_name"] for c in model.splink_model["comparisons"])
