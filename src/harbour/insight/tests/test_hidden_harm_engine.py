"""Hidden harm's queries (Ibis on DuckDB): the events of children health saw, whether the police
knew, by group; the store's ISTV assaults against police.uk's violence by LSOA, against the same
figures worked out here with pandas from the fixture files."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from harbour.insight import services
from harbour.insight.engine import hidden, queries
from harbour.insight.selectors import store_tables
from harbour.insight.tests.conftest import FIXTURES, fixture_bytes
from harbour.insight.tests.test_assessment_queries import FILES

DAY = dt.date(2024, 5, 1)


def event(person, seen_by, days=0, lsoa="E01000001", age="15 to 17", sex="F", group="black"):
    return {
        "person": person,
        "seen_by": seen_by,
        "occurred_on": DAY + dt.timedelta(days=days),
        "lsoa21cd": lsoa,
        "age_band": age,
        "sex": sex,
        "ethnic_group": group,
    }


def by(frame, key):
    return {
        row[key]: (row["health"], row["police_knew"], row["police_did_not"], row["police"])
        for row in frame.to_dict("records")
    }


def test_the_police_knew_only_of_the_same_childs_violence_within_the_window():
    rows = [
        event(1, "health"),
        event(1, "police", days=hidden.WINDOW_DAYS),  # on the window's edge: known
        event(2, "health"),
        event(2, "police", days=-(hidden.WINDOW_DAYS + 1)),  # a day too early: not known
        event(3, "health", sex="M"),
        event(4, "police", days=0, sex="M"),  # another child's police event: not known
        event(5, "health", lsoa=None, group=None),
    ]
    table = hidden.events_table(pd.DataFrame(rows))
    sexes = by(queries.execute(hidden.hidden_harm_by(table, "sex")), "sex")
    assert sexes == {"F": (3, 1, 2, 2), "M": (1, 0, 1, 1)}
    areas = by(queries.execute(hidden.hidden_harm_by(table, "lsoa21cd")), "lsoa21cd")
    assert areas == {"E01000001": (3, 1, 2, 3), "": (1, 0, 1, 0)}
    groups = by(queries.execute(hidden.hidden_harm_by(table, "ethnic_group")), "ethnic_group")
    assert groups == {"black": (3, 1, 2, 3), "": (1, 0, 1, 0)}


def test_a_health_event_is_counted_once_however_many_police_events_are_near():
    rows = [event(1, "health"), event(1, "police"), event(1, "police", days=1)]
    table = hidden.events_table(pd.DataFrame(rows))
    assert by(queries.execute(hidden.hidden_harm_by(table, "age_band")), "age_band") == {
        "15 to 17": (1, 1, 0, 2)
    }


def test_no_events_give_no_rows():
    assert queries.execute(hidden.hidden_harm_by(hidden.events_table(), "sex")).empty


def test_different_children_by_source_and_sex():
    rows = pd.DataFrame(
        [("health", 1, "F"), ("health", 1, "F"), ("health", 2, "M"), ("plan", 1, "F")],
        columns=["source", "person", "sex"],
    )
    frame = queries.execute(hidden.people_by_source_and_sex(hidden.caseload_table(rows)))
    assert {(r.source, r.sex): r.children for r in frame.itertuples()} == {
        ("health", "F"): 1,
        ("health", "M"): 1,
        ("plan", "F"): 1,
    }


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (None, "Not known"),
        (dt.date(2015, 5, 2), "Under 10"),
        (dt.date(2014, 5, 1), "10 to 14"),
        (dt.date(2009, 5, 2), "10 to 14"),
        (dt.date(2009, 5, 1), "15 to 17"),
        (dt.date(2006, 5, 1), "18 to 24"),
        (dt.date(1999, 5, 1), "25 and over"),
    ],
)
def test_age_bands_at_the_time(born, band):
    assert hidden.age_band(born, DAY) == band


@pytest.mark.django_db
def test_the_stores_assaults_against_police_violence_by_lsoa(analyst):
    for name, format_code in FILES:
        run = services.import_file(
            actor=analyst, format_code=format_code, content=fixture_bytes(name), file_name=name
        )
        assert run.status == "imported", (name, run.errors)
    t = store_tables()
    found = queries.execute(
        hidden.store_health_against_police(t["istv_assaults"], t["police_street"])
    )
    street = pd.concat(
        pd.read_csv(FIXTURES / name, dtype=str)
        for name in ("2024-01-riverside-street.csv", "2024-02-riverside-street.csv")
    )
    violence = street[street["Crime type"] == "Violence and sexual offences"]
    police = violence.dropna(subset=["LSOA code"]).groupby("LSOA code").size().to_dict()
    # The ISTV file has no LSOA: the import places each assault from its description.
    istv = queries.execute(t["istv_assaults"])
    health = istv.dropna(subset=["lsoa21cd"]).groupby("lsoa21cd").size().to_dict()
    assert health, "the fixture places some assaults in an LSOA"
    expected = {code: (health.get(code, 0), police.get(code, 0)) for code in {*health, *police}}
    assert {r.lsoa21cd: (r.health, r.police) for r in found.itertuples()} == expected
