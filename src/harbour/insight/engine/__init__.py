"""The insight engine: plain Python, without Django (a contract in pyproject.toml keeps it so),
so it can be tested and benchmarked alone and run on Spark. A small facade over its modules:

* ``FORMATS``: each public format Harbour reads, and ``read_file`` to read and check one file;
* ``store``: the Parquet store (``apply`` writes an import's files, ``sweep`` clears what an
  import that stopped left, ``read`` reads);
* ``queries``: the store's queries as Ibis expressions, on DuckDB or PySpark (``connect``).

The Django app (``harbour.insight``) keeps the catalogue, the audit and who may do what."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harbour.insight.engine import census, dfe, geo, istv, police, wards
from harbour.insight.engine.common import Parsed, Progress, no_progress, refuse_or_quarantine
from harbour.tabular import ImportRejected, LineError

__all__ = [
    "FORMATS",
    "Format",
    "ImportRejected",
    "LineError",
    "Parsed",
    "Progress",
    "read_file",
    "refuse_or_quarantine",
]


@dataclass(frozen=True)
class Format:
    code: str
    label: str
    table: str
    # What the file looks like, for the import page.
    hint: str
    read: Callable[[bytes, str, Progress], Parsed]
    # Whether its rows are points the LSOA boundaries can check or place.
    has_points: bool = False


FORMATS: dict[str, Format] = {
    f.code: f
    for f in (
        Format(
            "police-uk-street",
            "Street-level crime (police.uk)",
            "police_street",
            "A force's YYYY-MM-<force>-street.csv from data.police.uk, as downloaded",
            lambda content, name, progress: police.parse_street(content, progress=progress),
            has_points=True,
        ),
        Format(
            "police-uk-outcomes",
            "Outcomes (police.uk)",
            "police_outcomes",
            "A force's YYYY-MM-<force>-outcomes.csv from data.police.uk, as downloaded",
            lambda content, name, progress: police.parse_outcomes(content, progress=progress),
            has_points=True,
        ),
        Format(
            "police-uk-stop-and-search",
            "Stop and search (police.uk)",
            "police_stop_search",
            "A force's YYYY-MM-<force>-stop-and-search.csv from data.police.uk, as downloaded",
            lambda content, name, progress: police.parse_stop_and_search(
                content, progress=progress
            ),
            has_points=True,
        ),
        Format(
            "ons-census",
            "Census 2021 table by LSOA (Nomis)",
            "census_population",
            "TS021 (ethnic group), TS007A (age) or TS008 (sex) by 2021 LSOA, as Nomis gives it",
            lambda content, name, progress: census.parse_census(
                content, filename=name, progress=progress
            ),
        ),
        Format(
            "dfe-exclusions",
            "Suspensions and permanent exclusions (DfE)",
            "dfe_exclusions",
            "A data file of 'Suspensions and permanent exclusions in England' from Explore "
            "Education Statistics",
            lambda content, name, progress: dfe.parse_exclusions(content, progress=progress),
        ),
        Format(
            "istv",
            "Assaults seen by emergency departments (ISTV)",
            "istv_assaults",
            "An ISTV return (ISB 1594) as CSV: the data set's items as columns, no patient details",
            lambda content, name, progress: istv.parse_istv(content, progress=progress),
        ),
        Format(
            "lsoa-boundaries",
            "LSOA 2021 boundaries",
            "lsoa_boundaries",
            "GeoJSON or GeoJSON Lines with LSOA21CD and LSOA21NM, in longitude and latitude",
            lambda content, name, progress: geo.parse_boundaries(content, progress=progress),
        ),
        Format(
            "lsoa-ward-lookup",
            "LSOA 2021 to ward lookup (ONS)",
            "lsoa_wards",
            "ONS's best-fit lookup of 2021 LSOAs to electoral wards as CSV (LSOA21CD, LSOA21NM, "
            "WD24CD, WD24NM, LAD24CD, LAD24NM; any ward year)",
            lambda content, name, progress: wards.parse_ward_lookup(content, progress=progress),
        ),
    )
}


def read_file(
    format_code: str, content: bytes, *, filename: str = "", progress: Progress = no_progress
) -> Parsed:
    """Read and check a file in a format; ``ImportRejected`` if its shape is wrong. Row-level
    problems are in ``Parsed.errors`` (see ``refuse_or_quarantine``)."""
    if format_code not in FORMATS:
        raise ImportRejected(
            f"Harbour does not read the format {format_code!r}; it reads " + ", ".join(FORMATS)
        )
    return FORMATS[format_code].read(content, filename, progress)
