"""Real-time matching at the front door: the person index answers "who might this child be?"
with people and probabilities, kept current as records arrive."""

from __future__ import annotations

import datetime as dt

import pytest

from harbour.frontdoor import selectors as frontdoor_selectors
from harbour.frontdoor import services as frontdoor_services
from harbour.identity import linking, matching
from harbour.identity.models import SourceRecord
from harbour.identity.tests.conftest import load_records, store_model
from harbour.testing import hold_record, make_child

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_index():
    matching.forget()
    yield
    matching.forget()


def _details(record: SourceRecord, **changes):
    details = {
        "first_name": record.given_name,
        "surname": record.family_name,
        "dob": record.date_of_birth,
        "sex": record.sex,
        "postcode": record.postcode,
        "nhs_number": record.nhs_number,
    }
    details.update(changes)
    return details


def test_no_model_no_matches(synthetic_records):
    load_records(synthetic_records.head(20))
    assert matching.person_matches({"first_name": "Amy", "surname": "Jones"}) == []


def test_a_typo_still_finds_the_person_and_says_why(synthetic_records, trained_json):
    records = load_records(synthetic_records)
    store_model(trained_json)
    linking.link_run()
    record = next(
        r for r in records.values() if r.date_of_birth and len(r.given_name) > 4 and r.postcode
    )
    typo = record.given_name[:-1] + ("x" if record.given_name[-1] != "x" else "y")
    found = matching.person_matches(_details(record, first_name=typo))
    assert found, "the person was not found"
    best = found[0]
    record.refresh_from_db()
    assert record.person_link.person_id == best.person.pk
    assert 0 < best.match_probability <= 1
    assert best.reasons
    # In a front-door worker's words: no column names, no "(for)".
    names = (
        "First name",
        "Last name",
        "Date of birth",
        "Address and postcode",
        "NHS number",
        "Sex",
    )
    for reason in best.reasons:
        assert reason.startswith(names), reason
        assert reason.endswith(("which points to the same child", "which points to someone else"))
        assert "_" not in reason


def test_records_that_arrive_later_are_matched_without_a_rebuild(synthetic_records, trained_json):
    load_records(synthetic_records)
    store_model(trained_json)
    linking.link_run()
    index = matching.current_index()
    arriving = SourceRecord.objects.create(
        agency=SourceRecord.objects.earliest("pk").agency,
        source_system="late",
        source_id="L1",
        given_name="Zephyrine",
        family_name="Quillfeather",
        date_of_birth=dt.date(2011, 3, 9),
        sex="F",
        postcode="RV9 9ZZ",
        as_of=dt.date(2026, 11, 1),
    )
    assert matching.current_index() is index  # topped up, not rebuilt
    assert arriving.pk in index.candidates(
        {
            "unique_id": -1,
            "first_name": "Zephyrine",
            "surname": "Quillfeather",
            "dob": "2011-03-09",
            "postcode": "RV9 9ZZ",
        }
    )


def test_the_front_door_sees_the_match_with_its_probability(
    synthetic_records, trained_json, front_door
):
    child = make_child(
        front_door["police"],
        given_name="Oluwaseun",
        family_name="Adeyemi-Test",
        date_of_birth=dt.date(2010, 7, 21),
        postcode="RV2 7QT",
    )
    hold_record(child, front_door["police"])
    load_records(synthetic_records)
    store_model(trained_json)
    linking.link_run()
    officer = front_door["officer"]
    referral = frontdoor_services.referral_start(actor=officer)
    frontdoor_services.referral_answer(
        actor=officer,
        referral=referral,
        answers={
            "child_given_name": "Seun",  # what he is called, not his recorded name
            "child_family_name": "Adeyemi-Test",
            "child_date_of_birth": dt.date(2010, 7, 21),
            "child_postcode": "RV2 7QT",
        },
    )
    candidates = frontdoor_selectors.child_candidates(
        actor=front_door["practitioner"], referral=referral
    )
    matched = [c for c in candidates if c.match_probability is not None]
    assert matched and matched[0].child == child
    assert matched[0].reasons
    # The club shares nothing: its staff could never be shown the match.
    assert all(c.child.recorded_by != front_door["club"] for c in candidates)


def test_a_few_records_are_prepared_for_the_index_as_the_whole_table_is(synthetic_records):
    """Records topped up one at a time (``prepare_record``) enter the index with the values and
    the holds the table path (``prepare``) gives them."""
    records = load_records(synthetic_records.head(120))
    ids = sorted(r.pk for r in records.values())
    few = matching._usable(ids[: matching.FEW])
    table = matching._usable(ids[: matching.FEW + 1])
    assert isinstance(few, list) and not isinstance(table, list)
    as_table = [
        {k: (None if v is None or v != v else v) for k, v in row.items()}
        for row in table.to_dict("records")
    ]
    assert few == [r for r in as_table if r["unique_id"] in matching._ids(few)]
    assert matching._ids(few) == {u for u in matching._ids(table) if u in set(ids[: matching.FEW])}
