"""Places: LSOA 2021 boundaries (GeoJSON or GeoJSON Lines), the point-in-polygon check of
imported points, H3 cells, and placing ISTV's location descriptions.

Shapely 2 (GEOS, vectorised, an STRtree) does the geometry: DuckDB's spatial extension would
have to be downloaded at run time, which these machines cannot, and geopandas would bring
pyproj and a file-format stack for what is JSON in WGS 84 (ADR 0022)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

import h3  # type: ignore[import-untyped]  # no type information shipped
import numpy as np
import pandas as pd
import shapely  # type: ignore[import-untyped]  # no type information shipped
from shapely import STRtree

from harbour.insight.engine.common import LSOA_CODE, Parsed, Progress, finish, no_progress
from harbour.tabular import ImportRejected, LineError, decode

MAX_FEATURES = 40_000
H3_RESOLUTION = 9  # about 0.1 km² a cell: a street corner, not a doorway
FEATURE = "feature"


def _features(text: str) -> tuple[list[tuple[int, object]], str]:
    """(number, feature) pairs and what the number counts: lines of GeoJSON Lines, or the
    features of a FeatureCollection in order."""
    stripped = text.lstrip()
    if stripped.startswith("{") and '"FeatureCollection"' in stripped[:2000]:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise ImportRejected(
                f"The file is not valid GeoJSON: {error.msg} (line {error.lineno})"
            ) from None
        if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
            raise ImportRejected("The file must be a GeoJSON FeatureCollection or GeoJSON Lines")
        crs = json.dumps(document.get("crs") or {})
        if "27700" in crs:
            raise ImportRejected(
                "The boundaries are in British National Grid (EPSG:27700); Harbour needs them "
                "in longitude and latitude (WGS 84), as ONS's GeoJSON downloads give them"
            )
        features = document.get("features")
        if not isinstance(features, list):
            raise ImportRejected("The FeatureCollection has no list of features")
        return list(enumerate(features, start=1)), FEATURE
    found: list[tuple[int, object]] = []
    errors: list[LineError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            errors.append(LineError(number, None, f"is not a JSON feature ({error.msg})"))
    if errors:
        raise ImportRejected(
            f"{len(errors)} lines are not GeoJSON features; nothing was saved", errors
        )
    return found, "line"


def parse_boundaries(content: bytes, *, progress: Progress = no_progress) -> Parsed:
    progress("reading", 0, 0)
    features, unit = _features(decode(content))
    if not features:
        raise ImportRejected("The file holds no features")
    if len(features) > MAX_FEATURES:
        raise ImportRejected(f"A file may hold at most {MAX_FEATURES:,} features")
    lsoa = re.compile(LSOA_CODE)
    errors: list[LineError] = []
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for number, feature in features:

        def problem(column: str | None, detail: str, value: object = None) -> None:
            shown = None if value is None else str(value)[:60]
            errors.append(LineError(number, column, detail, shown, unit=unit))  # noqa: B023

        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problem(None, "is not a GeoJSON Feature")
            continue
        properties = feature.get("properties") or {}
        code, name = properties.get("LSOA21CD"), properties.get("LSOA21NM")
        if not isinstance(code, str) or not lsoa.match(code):
            problem("LSOA21CD", "must be a 2021 LSOA code like E01033619", code)
        elif code in seen:
            problem("LSOA21CD", f"repeats the LSOA of {unit} {seen[code]}", code)
        else:
            seen[code] = number
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            problem("LSOA21NM", "must be the LSOA's name, like 'Adur 001A'", name)
        try:
            shape = shapely.geometry.shape(feature.get("geometry") or {})
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):
            problem("geometry", "must be a GeoJSON Polygon or MultiPolygon")
            continue
        if shape.geom_type not in ("Polygon", "MultiPolygon") or shape.is_empty:
            problem("geometry", "must be a GeoJSON Polygon or MultiPolygon", shape.geom_type)
            continue
        minx, miny, maxx, maxy = shape.bounds
        if minx < -8.7 or maxx > 1.9 or miny < 49.8 or maxy > 60.9:
            problem(
                "geometry",
                "lies outside the country: coordinates must be longitude and latitude (WGS 84)",
            )
            continue
        if not shape.is_valid:
            problem("geometry", "is not a valid polygon (it crosses itself)")
            continue
        rows.append(
            {
                "month": "2021-12",  # the boundaries' vintage: LSOA 2021, December 2021
                "lsoa21cd": code,
                "lsoa21nm": name,
                "geometry_wkb": shapely.to_wkb(shape),
                "min_longitude": minx,
                "min_latitude": miny,
                "max_longitude": maxx,
                "max_latitude": maxy,
                "line": number,
            }
        )
    progress("checking", len(features), len(features))
    frame = pd.DataFrame(rows)
    lines = frame.pop("line").tolist() if len(frame) else []
    return finish("lsoa_boundaries", frame, lines, errors, key_columns=("lsoa21cd",))


@dataclass
class Boundaries:
    """LSOA polygons in an STRtree, for placing points."""

    codes: np.ndarray
    tree: STRtree

    @classmethod
    def from_rows(cls, codes: Iterable[str], wkb: Iterable[bytes]) -> Boundaries:
        shapes = shapely.from_wkb(np.asarray(list(wkb), dtype=object))
        return cls(codes=np.asarray(list(codes), dtype=object), tree=STRtree(shapes))

    def __len__(self) -> int:
        return len(self.codes)

    def lsoa_of(self, longitude: pd.Series, latitude: pd.Series) -> pd.Series:
        """The LSOA each point lies in (missing where none, or where the point is missing)."""
        out = pd.Series(None, index=longitude.index, dtype=object)
        known = longitude.notna() & latitude.notna()
        if not known.any() or len(self) == 0:
            return out
        points = shapely.points(longitude[known].to_numpy(), latitude[known].to_numpy())
        point_index, polygon_index = self.tree.query(points, predicate="within")
        # A point on a shared edge is within neither polygon; one within two keeps the first.
        found = pd.Series(self.codes[polygon_index], index=point_index)
        found = found[~found.index.duplicated()]
        values = np.full(len(points), None, dtype=object)
        values[found.index.to_numpy()] = found.to_numpy()
        out[known] = values
        return out


def check_points(parsed: Parsed, boundaries: Boundaries | None) -> None:
    """The point-in-polygon check of imported points: where the file names an LSOA, count the
    points that lie outside it; where it names none (stop and search, ISTV), place the point."""
    frame = parsed.frame
    if "longitude" not in frame or boundaries is None or len(boundaries) == 0:
        parsed.notes["points_not_checked"] = int(frame.get("longitude", pd.Series()).notna().sum())
        return
    found = boundaries.lsoa_of(frame["longitude"], frame["latitude"])
    located = frame["longitude"].notna()
    if "lsoa21cd" in frame and frame["lsoa21cd"].notna().any():
        named = frame["lsoa21cd"]
        known_lsoa = named.isin(set(boundaries.codes))
        checked = located & named.notna() & known_lsoa
        parsed.notes["points_checked"] = int(checked.sum())
        parsed.notes["points_outside_their_lsoa"] = int((checked & (found != named)).sum())
    else:
        frame["lsoa21cd"] = found
        parsed.notes["points_placed_in_an_lsoa"] = int(found.notna().sum())
        parsed.notes["points_in_no_lsoa"] = int((located & found.isna()).sum())


def h3_cells(
    longitude: pd.Series, latitude: pd.Series, resolution: int = H3_RESOLUTION
) -> pd.Series:
    out = pd.Series(None, index=longitude.index, dtype=object)
    known = longitude.notna() & latitude.notna()
    out[known] = [
        h3.latlng_to_cell(lat, lon, resolution)
        for lon, lat in zip(longitude[known], latitude[known], strict=True)
    ]
    return out


COORDINATES = re.compile(r"(-?\d{1,2}\.\d{3,})\s*,\s*(-?\d{1,2}\.\d{3,})")


@dataclass
class Gazetteer:
    """Street names from police.uk's map points ("On or near Station Road") with the LSOAs and
    points they fall in: a description that names a street found in one LSOA only is placed
    there, and at its point when the street has one map point."""

    places: dict[str, tuple[set[str], set[tuple[float, float]]]]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Gazetteer:
        places: dict[str, tuple[set[str], set[tuple[float, float]]]] = {}
        for location, lsoa, lon, lat in frame[
            ["location", "lsoa21cd", "longitude", "latitude"]
        ].itertuples(index=False):
            if not isinstance(location, str) or not isinstance(lsoa, str):
                continue
            name = location.removeprefix("On or near ").strip().lower()
            if len(name) < 4 or name in ("no location", "supermarket", "parking area"):
                continue
            lsoas, points = places.setdefault(name, (set(), set()))
            lsoas.add(lsoa)
            if pd.notna(lon) and pd.notna(lat):
                points.add((float(lon), float(lat)))
        return cls(places=places)

    def place(self, description: str | None) -> tuple[str | None, float | None, float | None]:
        """(LSOA, longitude, latitude) from a description, each missing where not known."""
        if not isinstance(description, str) or not description:
            return None, None, None
        text = description.lower()
        found = COORDINATES.search(text)
        if found:
            lat, lon = float(found.group(1)), float(found.group(2))
            return None, lon, lat
        code = re.search(r"\b[ew]01\d{6}\b", text)
        if code:
            return code.group(0).upper(), None, None
        best: tuple[str | None, float | None, float | None] = (None, None, None)
        best_length = 0
        for name, (lsoas, points) in self.places.items():
            if (
                len(name) > best_length
                and len(lsoas) == 1
                and re.search(rf"\b{re.escape(name)}\b", text)
            ):
                point = next(iter(points)) if len(points) == 1 else (None, None)
                best, best_length = (next(iter(lsoas)), point[0], point[1]), len(name)
        return best


def place_assaults(parsed: Parsed, gazetteer: Gazetteer, boundaries: Boundaries | None) -> None:
    """ISTV: an LSOA (and an H3 cell where a point is known) from each location description,
    where possible; the rest are counted as not placed, never guessed."""
    frame = parsed.frame
    placed = [gazetteer.place(d) for d in frame["location_description"]]
    frame["lsoa21cd"] = [p[0] for p in placed]
    frame["longitude"] = pd.array([p[1] for p in placed], dtype="Float64").astype("float64")
    frame["latitude"] = pd.array([p[2] for p in placed], dtype="Float64").astype("float64")
    if boundaries is not None and len(boundaries):
        found = boundaries.lsoa_of(frame["longitude"], frame["latitude"])
        frame["lsoa21cd"] = frame["lsoa21cd"].where(frame["lsoa21cd"].notna(), found)
    frame["h3_cell"] = h3_cells(frame["longitude"], frame["latitude"])
    parsed.notes["placed_in_an_lsoa"] = int(frame["lsoa21cd"].notna().sum())
    parsed.notes["not_placed"] = int(frame["lsoa21cd"].isna().sum())
