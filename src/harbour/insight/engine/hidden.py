"""Hidden harm (issue 13, part 6; ADR 0036): violence that health sees and the police do not, for
each area and group, and who each source sees against who is in the caseloads.

Two kinds of input, each queried here once as an Ibis expression:

* the store's anonymous tables: the emergency departments' ISTV returns against police.uk's
  street crime of the type "Violence and sexual offences", by LSOA (all ages; nothing links one
  to the other, so they are set side by side, never matched);
* an events table the Django side hands over as a frame of pseudonymous rows, one an agency's
  event of serious violence harm to a child: ``person`` (a number given for this query only,
  no identifier), ``seen_by`` (``health``, ``police``, ``youth_justice``, ``school``,
  ``social_care``), ``occurred_on``, ``lsoa21cd``, ``age_band``, ``sex``, ``ethnic_group``.
  For the same child, a health event is "known to the police" where the police have an event
  of serious violence harm within ``window_days`` either side of it.

Plain Python: no Django."""

from __future__ import annotations

import datetime as dt

import ibis  # type: ignore[import-untyped]  # no type information shipped
import ibis.expr.types as ir  # type: ignore[import-untyped]  # no type information shipped
import pandas as pd

from harbour.insight.engine.queries import _months

#: How far apart a health event and a police event of the same child may be and still be taken
#: for the police knowing of it.
WINDOW_DAYS = 14
POLICE_VIOLENCE = "Violence and sexual offences"

EVENT_COLUMNS = {
    "person": "int64",
    "seen_by": "string",
    "occurred_on": "date",
    "lsoa21cd": "string",
    "age_band": "string",
    "sex": "string",
    "ethnic_group": "string",
}
CASELOAD_COLUMNS = {"source": "string", "person": "int64", "sex": "string"}

#: Age bands at the time of the event.
AGE_BANDS = ("Under 10", "10 to 14", "15 to 17", "18 to 24", "25 and over", "Not known")


def age_band(born: dt.date | None, on: dt.date) -> str:
    if born is None:
        return "Not known"
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age < 10:
        return "Under 10"
    if age < 15:
        return "10 to 14"
    if age < 18:
        return "15 to 17"
    if age < 25:
        return "18 to 24"
    return "25 and over"


def events_table(rows: pd.DataFrame | None = None) -> ir.Table:
    """The events as a table Ibis can query (an empty one where there are none)."""
    schema = ibis.schema(EVENT_COLUMNS)
    frame = rows if rows is not None else pd.DataFrame(columns=list(EVENT_COLUMNS))
    frame = frame[list(EVENT_COLUMNS)].astype({"person": "int64"})
    frame = frame.assign(occurred_on=pd.to_datetime(frame["occurred_on"]).dt.date)
    return ibis.memtable(frame, schema=schema)


def caseload_table(rows: pd.DataFrame | None = None) -> ir.Table:
    frame = rows if rows is not None else pd.DataFrame(columns=list(CASELOAD_COLUMNS))
    frame = frame[list(CASELOAD_COLUMNS)].astype({"person": "int64"})
    return ibis.memtable(frame, schema=ibis.schema(CASELOAD_COLUMNS))


def health_events(events: ir.Table, *, window_days: int = WINDOW_DAYS) -> ir.Table:
    """Each health event (emergency department or ambulance) with ``police_knew``: whether the
    police have an event of the same child within ``window_days`` either side."""
    health = events.filter(events.seen_by == "health")
    police = events.filter(events.seen_by == "police").select(
        police_person=events.person, police_on=events.occurred_on
    )
    window = ibis.interval(days=window_days)
    near = [
        health.person == police.police_person,
        police.police_on >= health.occurred_on - window,
        police.police_on <= health.occurred_on + window,
    ]
    known = health.semi_join(police, near).mutate(police_knew=ibis.literal(True))
    unknown = health.anti_join(police, near).mutate(police_knew=ibis.literal(False))
    return known.union(unknown)


def hidden_harm_by(events: ir.Table, by: str, *, window_days: int = WINDOW_DAYS) -> ir.Table:
    """For each value of ``by`` (``lsoa21cd``, ``age_band``, ``sex``, ``ethnic_group``): the
    health events of violence, those the police knew of and those they did not, and the police's
    own events of violence. Groups with neither are left out; a missing value is ``""``."""
    events = events.mutate(**{by: events[by].fill_null("")})
    health = health_events(events, window_days=window_days)
    seen = health.group_by(by).aggregate(
        health=health.count(),
        police_knew=health.police_knew.cast("int64").sum(),
    )
    police_rows = events.filter(events.seen_by == "police")
    police = police_rows.group_by(by).aggregate(police=police_rows.count()).rename(key=by)
    joined = seen.outer_join(police, seen[by] == police.key)
    result = joined.select(
        **{by: ibis.coalesce(joined[by], joined.key)},
        health=joined.health.fill_null(0),
        police_knew=joined.police_knew.fill_null(0),
        police=joined.police.fill_null(0),
    )
    result = result.mutate(police_did_not=result.health - result.police_knew)
    return result.order_by(by)


def store_health_against_police(
    istv: ir.Table, street: ir.Table, *, months: tuple[str, str] | None = None
) -> ir.Table:
    """Each LSOA's assaults seen by emergency departments (ISTV, placed by their description)
    against police.uk's violence and sexual offences there; LSOAs with neither are left out."""
    istv = _months(istv, months)
    street = _months(street, months)
    ed = istv.filter(istv.lsoa21cd.notnull())
    ed = ed.group_by("lsoa21cd").aggregate(health=ed.count())
    violence = street.filter((street.crime_type == POLICE_VIOLENCE) & street.lsoa21cd.notnull())
    police = violence.group_by("lsoa21cd").aggregate(police=violence.count()).rename(key="lsoa21cd")
    joined = ed.outer_join(police, ed.lsoa21cd == police.key)
    return joined.select(
        lsoa21cd=ibis.coalesce(joined.lsoa21cd, joined.key),
        health=joined.health.fill_null(0),
        police=joined.police.fill_null(0),
    ).order_by("lsoa21cd")


def people_by_source_and_sex(table: ir.Table) -> ir.Table:
    """Different people (children) each source, or caseload, holds, by sex (a
    ``caseload_table``: ``source``, ``person``, ``sex``)."""
    return (
        table.group_by(["source", "sex"])
        .aggregate(children=table.person.nunique())
        .order_by(["source", "sex"])
    )
