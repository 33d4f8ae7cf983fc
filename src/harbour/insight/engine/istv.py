"""Emergency departments' ISTV returns (Information Sharing to Tackle Violence Minimum Data Set,
ISB 1594) as CSV: one line per assault, each carrying the submission header's items, the
columns named as the data dictionary names the items.

ISTV is anonymous by design: the data set has no patient identifiers, and a file with any column
beyond the ISB 1594 items is refused rather than stored (a column such as "NHS NUMBER" must never
reach the store). Nothing here is linked to a person or fed to record linkage. ASSAULT METHOD and
ASSAULT LOCATION TYPE are the department's own text (the standard gives them no national codes):
the text is kept, and a weapon category for analysis is derived from it."""

from __future__ import annotations

import re

import pandas as pd

from harbour.insight.engine.common import (
    Parsed,
    Progress,
    check_header,
    finish,
    matches,
    no_progress,
    row_errors,
    text_ok,
)
from harbour.tabular import LineError, read_text_frame

MAX_ROWS = 500_000
START = "REPORTING PERIOD START DATE"
END = "REPORTING PERIOD END DATE"
SITE = "SITE CODE (OF TREATMENT)"
ARRIVAL = "ARRIVAL DATE AND TIME AT ACCIDENT AND EMERGENCY DEPARTMENT"
ASSAULT = "ASSAULT DATE AND TIME"
METHOD = "ASSAULT METHOD"
METHOD_OTHER = "ASSAULT METHOD OTHER DESCRIPTION"
LOCATION_TYPE = "ASSAULT LOCATION TYPE"
LOCATION = "ASSAULT LOCATION DESCRIPTION"
COLUMNS = (START, END, SITE, ARRIVAL, ASSAULT, METHOD, METHOD_OTHER, LOCATION_TYPE, LOCATION)

DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
DATE_TIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?"
# Words in the department's ASSAULT METHOD text -> the weapon category analysis uses.
WEAPONS = (
    ("knife_or_sharp", r"knife|blade|sharp|stab|machete|glass|bottle"),
    ("firearm", r"firearm|gun|shot|pistol|rifle"),
    ("blunt_object", r"blunt|bat\b|club|hammer|stick|bar\b|brick"),
    ("bodily_force", r"bod(y|ily)|fist|feet|foot|kick|punch|head ?butt|hands?\b"),
)
WEAPON_LABELS = {
    "knife_or_sharp": "Knife or sharp object",
    "firearm": "Firearm",
    "blunt_object": "Blunt object",
    "bodily_force": "Bodily force",
    "other": "Other or not known",
}


def weapon(method: str | None) -> str:
    text = method.lower() if isinstance(method, str) else ""
    for category, pattern in WEAPONS:
        if re.search(pattern, text):
            return category
    return "other"


def _dates(series: pd.Series) -> pd.Series:
    good = matches(series, DATE)
    return pd.to_datetime(series.where(good), errors="coerce", format="%Y-%m-%d")


def _date_times(series: pd.Series) -> pd.Series:
    good = matches(series, DATE_TIME)
    return pd.to_datetime(
        series.where(good).str.replace(" ", "T"), errors="coerce", format="ISO8601"
    )


def parse_istv(content: bytes, *, progress: Progress = no_progress) -> Parsed:
    progress("reading", 0, 0)
    frame, lines, header_line = read_text_frame(
        content, max_rows=MAX_ROWS, normalise_header=lambda n: n.strip().upper()
    )
    check_header(
        list(frame.columns),
        COLUMNS,
        header_line=header_line,
        guide="ISTV is anonymous: Harbour takes only the ISB 1594 items",
    )
    progress("checking", 0, len(frame))
    start, end = _dates(frame[START]), _dates(frame[END])
    arrival, assault = _date_times(frame[ARRIVAL]), _date_times(frame[ASSAULT])
    errors: list[LineError] = []
    for name, parsed, form in (
        (START, start, "a date like 2024-03-01"),
        (END, end, "a date like 2024-03-31"),
        (ASSAULT, assault, "a date and time like 2024-03-09T22:40"),
    ):
        errors += row_errors(parsed.isna(), lines, name, f"must be {form}", frame[name])
    errors += row_errors(
        frame[ARRIVAL].notna() & arrival.isna(),
        lines,
        ARRIVAL,
        "must be a date and time like 2024-03-09T23:15",
        frame[ARRIVAL],
    )
    errors += row_errors(end < start, lines, END, "is before the start of the period", frame[END])
    day = arrival.dt.normalize()
    errors += row_errors(
        arrival.notna() & start.notna() & end.notna() & ((day < start) | (day > end)),
        lines,
        ARRIVAL,
        "is outside the reporting period",
        frame[ARRIVAL],
    )
    errors += row_errors(
        arrival.notna() & assault.notna() & (assault > arrival),
        lines,
        ASSAULT,
        "is after the arrival at the department",
        frame[ASSAULT],
    )
    site = frame[SITE]
    errors += row_errors(
        ~matches(site, r"[A-Z0-9]{3,12}"),
        lines,
        SITE,
        "must be an ODS site code of 3 to 12 letters and digits",
        site,
    )
    for name, required in (
        (METHOD, True),
        (LOCATION_TYPE, True),
        (METHOD_OTHER, False),
        (LOCATION, False),
    ):
        if required:
            errors += row_errors(frame[name].isna(), lines, name, "is required")
        errors += row_errors(
            ~text_ok(frame[name]),
            lines,
            name,
            "must be text of at most 200 characters without control characters",
            frame[name],
        )
    stored = pd.DataFrame(
        {
            "month": assault.dt.strftime("%Y-%m"),
            "period_start": start,
            "period_end": end,
            "site_code": site,
            "arrived_at": arrival,
            "assaulted_at": assault,
            "assault_hour": assault.dt.hour.astype("Int64"),
            "assault_weekday": assault.dt.dayofweek.astype("Int64"),
            "assault_method": frame[METHOD],
            "assault_method_other": frame[METHOD_OTHER],
            "weapon": frame[METHOD].map(weapon, na_action="ignore"),
            "location_type": frame[LOCATION_TYPE],
            "location_description": frame[LOCATION],
        }
    )
    progress("checking", len(frame), len(frame))
    return finish(
        "istv_assaults",
        stored,
        lines,
        errors,
        derived=("lsoa21cd", "longitude", "latitude", "h3_cell"),
    )
