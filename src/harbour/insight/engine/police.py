"""data.police.uk's three CSV files, as its archive gives them (``YYYY-MM/YYYY-MM-<force>-street
.csv``, ``-outcomes.csv``, ``-stop-and-search.csv``), headers exactly as published.

Traps handled here: ``Crime ID`` is empty for anti-social behaviour; a crime with no map point
has empty coordinates and ``Location`` "No Location"; a point more than 20 km from a map point has
its coordinates zeroed; the stop-and-search file has no LSOA column (the store places its points
with the LSOA boundaries). police.uk is aggregate context: nothing here names a person."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from harbour.insight.engine.common import (
    LSOA_CODE,
    MONTH,
    Parsed,
    Progress,
    check_header,
    coordinates_ok,
    finish,
    no_progress,
    numbers,
    row_errors,
    run_schema,
    text_ok,
)
from harbour.tabular import ArrowText, LineError, read_text_frame

MAX_ROWS = 2_000_000
GUIDE = "see docs/insight-import.md"

STREET_COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
OUTCOME_COLUMNS = (*STREET_COLUMNS[:9], "Outcome type")
STOP_SEARCH_COLUMNS = (
    "Type",
    "Date",
    "Part of a policing operation",
    "Policing operation",
    "Latitude",
    "Longitude",
    "Gender",
    "Age range",
    "Self-defined ethnicity",
    "Officer-defined ethnicity",
    "Legislation",
    "Object of search",
    "Outcome",
    "Outcome linked to object of search",
    "Removal of more than just outer clothing",
)

ANTI_SOCIAL_BEHAVIOUR = "Anti-social behaviour"
# The 14 published categories (13 crime categories and anti-social behaviour).
CRIME_TYPES = (
    ANTI_SOCIAL_BEHAVIOUR,
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)
SEARCH_TYPES = ("Person search", "Person and Vehicle search", "Vehicle search")
GENDERS = ("Male", "Female", "Other")
AGE_RANGES = ("under 10", "10-17", "18-24", "25-34", "over 34")
OFFICER_ETHNICITIES = ("White", "Black", "Asian", "Other", "Mixed")
TRUE_FALSE = ("True", "False")
# Self-defined ethnicity is "<group> - <category>"; the group is the ONS 2021 five-group level.
ETHNIC_GROUPS = {
    "White": "white",
    "Black/African/Caribbean/Black British": "black",
    "Asian/Asian British": "asian",
    "Mixed/Multiple ethnic groups": "mixed",
    "Other ethnic group": "other",
}
NOT_STATED = "Other ethnic group - Not stated"
CRIME_ID = r"^[0-9a-f]{64}$"
NO_LOCATION = "No Location"

MESSAGES = {
    "str_matches('^[0-9a-f]{64}$')": "must be police.uk's 64-character crime id",
    f"str_matches('{MONTH}')": "must be a month like 2024-03",
    f"str_matches('{LSOA_CODE}')": "must be a 2021 LSOA code like E01033619",
    "number": "must be a number",
    "text": "must be text of at most 200 characters without control characters",
    "isin": "is not one of police.uk's published values",
}


def _text(nullable: bool = True) -> object:
    return pa.Field(nullable=nullable)


class PlacedRows(pa.DataFrameModel):
    """Columns the street and outcomes files share."""

    month: Series[ArrowText] = pa.Field(alias="Month", str_matches=MONTH)
    reported_by: Series[ArrowText] = pa.Field(alias="Reported by", str_length={"min_value": 1})
    falls_within: Series[ArrowText] = pa.Field(alias="Falls within", str_length={"min_value": 1})
    longitude: Series[ArrowText] = pa.Field(alias="Longitude", nullable=True)
    latitude: Series[ArrowText] = pa.Field(alias="Latitude", nullable=True)
    location: Series[ArrowText] = pa.Field(alias="Location", nullable=True)
    lsoa_code: Series[ArrowText] = pa.Field(alias="LSOA code", nullable=True, str_matches=LSOA_CODE)
    lsoa_name: Series[ArrowText] = pa.Field(alias="LSOA name", nullable=True)

    @pa.check("Longitude", "Latitude", name="number")
    def check_number(cls, series: pd.Series) -> pd.Series:
        return series.isna() | numbers(series).notna()

    @pa.check("Reported by", "Falls within", "Location", "LSOA name", name="text")
    def check_text(cls, series: pd.Series) -> pd.Series:
        return text_ok(series)


class StreetFile(PlacedRows):
    crime_id: Series[ArrowText] = pa.Field(alias="Crime ID", nullable=True, str_matches=CRIME_ID)
    crime_type: Series[ArrowText] = pa.Field(alias="Crime type", isin=list(CRIME_TYPES))
    last_outcome: Series[ArrowText] = pa.Field(alias="Last outcome category", nullable=True)
    context: Series[ArrowText] = pa.Field(alias="Context", nullable=True)

    @pa.check("Last outcome category", "Context", name="text")
    def check_outcome_text(cls, series: pd.Series) -> pd.Series:
        return text_ok(series)


class OutcomesFile(PlacedRows):
    crime_id: Series[ArrowText] = pa.Field(alias="Crime ID", str_matches=CRIME_ID)
    outcome_type: Series[ArrowText] = pa.Field(alias="Outcome type", str_length={"min_value": 1})

    @pa.check("Outcome type", name="text")
    def check_outcome_text(cls, series: pd.Series) -> pd.Series:
        return text_ok(series)


class StopSearchFile(pa.DataFrameModel):
    search_type: Series[ArrowText] = pa.Field(alias="Type", isin=list(SEARCH_TYPES))
    date: Series[ArrowText] = pa.Field(alias="Date")
    operation: Series[ArrowText] = pa.Field(
        alias="Part of a policing operation", nullable=True, isin=list(TRUE_FALSE)
    )
    operation_name: Series[ArrowText] = pa.Field(alias="Policing operation", nullable=True)
    latitude: Series[ArrowText] = pa.Field(alias="Latitude", nullable=True)
    longitude: Series[ArrowText] = pa.Field(alias="Longitude", nullable=True)
    gender: Series[ArrowText] = pa.Field(alias="Gender", nullable=True, isin=list(GENDERS))
    age_range: Series[ArrowText] = pa.Field(alias="Age range", nullable=True, isin=list(AGE_RANGES))
    self_defined: Series[ArrowText] = pa.Field(alias="Self-defined ethnicity", nullable=True)
    officer_defined: Series[ArrowText] = pa.Field(
        alias="Officer-defined ethnicity", nullable=True, isin=list(OFFICER_ETHNICITIES)
    )
    legislation: Series[ArrowText] = pa.Field(alias="Legislation", nullable=True)
    object_of_search: Series[ArrowText] = pa.Field(alias="Object of search", nullable=True)
    outcome: Series[ArrowText] = pa.Field(alias="Outcome", nullable=True)
    outcome_linked: Series[ArrowText] = pa.Field(
        alias="Outcome linked to object of search", nullable=True, isin=list(TRUE_FALSE)
    )
    removal: Series[ArrowText] = pa.Field(
        alias="Removal of more than just outer clothing", nullable=True, isin=list(TRUE_FALSE)
    )

    @pa.check("Date", name="a date and time like 2024-03-01T09:58:14+00:00")
    def check_date(cls, series: pd.Series) -> pd.Series:
        return _timestamps(series).notna()

    @pa.check("Latitude", "Longitude", name="number")
    def check_number(cls, series: pd.Series) -> pd.Series:
        return series.isna() | numbers(series).notna()

    @pa.check("Self-defined ethnicity", name="ethnicity")
    def check_ethnicity(cls, series: pd.Series) -> pd.Series:
        return series.isna() | series.map(_ethnic_group, na_action="ignore").notna()

    @pa.check(
        "Policing operation",
        "Legislation",
        "Object of search",
        "Outcome",
        name="text",
    )
    def check_text(cls, series: pd.Series) -> pd.Series:
        return text_ok(series)


STOP_SEARCH_MESSAGES = {
    **MESSAGES,
    "a date and time": "must be a date and time like 2024-03-01T09:58:14+00:00",
    "ethnicity": (
        "must be one of police.uk's self-defined ethnicities, like 'White - Irish' "
        "or 'Other ethnic group - Not stated'"
    ),
}


def _timestamps(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce", utc=True, format="ISO8601")


def _ethnic_group(value: str) -> str | None:
    if value == NOT_STATED:
        return "not_stated"
    group, sep, rest = value.partition(" - ")
    return ETHNIC_GROUPS.get(group) if sep and rest else None


def _read(
    content: bytes, columns: tuple[str, ...], progress: Progress
) -> tuple[pd.DataFrame, list[int], int]:
    progress("reading", 0, 0)
    frame, lines, header_line = read_text_frame(content, max_rows=MAX_ROWS)
    check_header(list(frame.columns), columns, header_line=header_line, guide=GUIDE)
    progress("reading", len(frame), len(frame))
    return frame, lines, header_line


def _coordinate_errors(frame: pd.DataFrame, lines: list[int]) -> list[LineError]:
    shown = frame["Longitude"].fillna("") + ", " + frame["Latitude"].fillna("")
    return row_errors(
        ~coordinates_ok(frame, "Longitude", "Latitude"),
        lines,
        "Longitude",
        "with Latitude must be a point inside the country, both empty or both 0",
        shown,
    )


def _places(frame: pd.DataFrame, notes: dict[str, int]) -> pd.DataFrame:
    """Coordinates as numbers, with why a row has none: police.uk's 'No Location' rows, and
    points it zeroed because no map point was within 20 km."""
    lon, lat = numbers(frame["Longitude"]), numbers(frame["Latitude"])
    zeroed = (lon == 0) & (lat == 0)
    missing = lon.isna() | lat.isna()
    status = pd.Series("located", index=frame.index, dtype=object)
    status[missing] = "no_location"
    status[zeroed] = "zeroed"
    notes["no_location"] = int(missing.sum())
    notes["zeroed"] = int(zeroed.sum())
    return pd.DataFrame(
        {
            "longitude": lon.where(~zeroed),
            "latitude": lat.where(~zeroed),
            "location": frame["Location"],
            "location_status": status,
        }
    )


def _placed_rows(frame: pd.DataFrame, notes: dict[str, int], **rest: pd.Series) -> pd.DataFrame:
    """The columns the street and outcomes files share, as the store keeps them, then ``rest``."""
    shared = pd.DataFrame(
        {
            "crime_id": frame["Crime ID"],
            "month": frame["Month"],
            "reported_by": frame["Reported by"],
            "falls_within": frame["Falls within"],
        }
    )
    area = pd.DataFrame({"lsoa21cd": frame["LSOA code"], "lsoa21nm": frame["LSOA name"], **rest})
    return pd.concat([shared, _places(frame, notes), area], axis=1)


def parse_street(content: bytes, *, progress: Progress = no_progress) -> Parsed:
    frame, lines, header_line = _read(content, STREET_COLUMNS, progress)
    progress("checking", 0, len(frame))
    errors = run_schema(StreetFile, frame, lines, MESSAGES, header_line=header_line)
    errors += _coordinate_errors(frame, lines)
    crime_id = frame["Crime ID"]
    errors += row_errors(
        crime_id.isna() & (frame["Crime type"] != ANTI_SOCIAL_BEHAVIOUR),
        lines,
        "Crime ID",
        "is required for every crime but anti-social behaviour",
    )
    errors += row_errors(
        crime_id.notna() & crime_id.duplicated(),
        lines,
        "Crime ID",
        "repeats the Crime ID of an earlier line",
        crime_id,
    )
    notes: dict[str, int] = {"anti_social_behaviour": int(crime_id.isna().sum())}
    stored = _placed_rows(
        frame,
        notes,
        crime_type=frame["Crime type"],
        last_outcome_category=frame["Last outcome category"],
        context=frame["Context"],
    )
    progress("checking", len(frame), len(frame))
    # A crime is known by its id; anti-social behaviour has none, so by its whole row.
    return finish("police_street", stored, lines, errors, key_columns=("crime_id",), notes=notes)


def parse_outcomes(content: bytes, *, progress: Progress = no_progress) -> Parsed:
    frame, lines, header_line = _read(content, OUTCOME_COLUMNS, progress)
    progress("checking", 0, len(frame))
    errors = run_schema(OutcomesFile, frame, lines, MESSAGES, header_line=header_line)
    errors += _coordinate_errors(frame, lines)
    notes: dict[str, int] = {}
    stored = _placed_rows(frame, notes, outcome_type=frame["Outcome type"])
    progress("checking", len(frame), len(frame))
    # A crime may have several outcomes, one a month: the whole row is the key.
    return finish("police_outcomes", stored, lines, errors, notes=notes)


def parse_stop_and_search(content: bytes, *, progress: Progress = no_progress) -> Parsed:
    frame, lines, header_line = _read(content, STOP_SEARCH_COLUMNS, progress)
    progress("checking", 0, len(frame))
    errors: list[LineError] = run_schema(
        StopSearchFile, frame, lines, STOP_SEARCH_MESSAGES, header_line=header_line
    )
    errors += _coordinate_errors(frame, lines)
    when = _timestamps(frame["Date"])
    local = when.dt.tz_convert("Europe/London")
    notes: dict[str, int] = {}
    places = _places(frame.assign(Location=None), notes)

    def flag(column: str) -> pd.Series:
        return frame[column].map({"True": True, "False": False}).astype("boolean")

    stored = pd.DataFrame(
        {
            "month": local.dt.strftime("%Y-%m"),
            "searched_at": when.dt.tz_localize(None),
            "search_type": frame["Type"],
            "part_of_operation": flag("Part of a policing operation"),
            "policing_operation": frame["Policing operation"],
            "longitude": places["longitude"],
            "latitude": places["latitude"],
            "location_status": places["location_status"],
            "gender": frame["Gender"],
            "age_range": frame["Age range"],
            "self_defined_ethnicity": frame["Self-defined ethnicity"],
            "ethnic_group": frame["Self-defined ethnicity"].map(_ethnic_group, na_action="ignore"),
            "officer_defined_ethnicity": frame["Officer-defined ethnicity"],
            "legislation": frame["Legislation"],
            "object_of_search": frame["Object of search"],
            "outcome": frame["Outcome"],
            "outcome_linked": flag("Outcome linked to object of search"),
            "removal_of_clothing": flag("Removal of more than just outer clothing"),
        }
    )
    progress("checking", len(frame), len(frame))
    return finish("police_stop_search", stored, lines, errors, notes=notes, derived=("lsoa21cd",))
