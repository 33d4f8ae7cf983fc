"""Held records: a source record with no usable name, or with neither a date of birth nor an NHS
number, is held back from matching until a person attaches it to someone in the index (with the
NHS-number rule a merge uses), keeps it held with a note, or closes it as not a record of a
person. Each decision is recorded with who and why, audited, and stands at the next run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from harbour.access import policy
from harbour.access.models import AuditEvent
from harbour.identity import linking, presenters, selectors, services
from harbour.identity.linkage import model as linkage_model
from harbour.identity.models import (
    HARBOUR_SOURCE_SYSTEM,
    ChangeKind,
    HeldDecisionKind,
    HeldRecord,
    HeldRecordDecision,
    HeldStatus,
    LinkMethod,
    Person,
    PersonChange,
    PersonRecord,
    ReviewPair,
    ReviewStatus,
    SourceRecord,
)
from harbour.identity.tests.conftest import load_records, store_model, valid_nhs_number
from harbour.testing import make_child

pytestmark = pytest.mark.django_db

NHS_AVA = valid_nhs_number(401_023_117)
NHS_OTHER = valid_nhs_number(401_023_999)


def record(agency: Any, source_id: str, **values: Any) -> SourceRecord:
    return SourceRecord.objects.create(
        agency=agency,
        source_system="Niche RMS",
        source_id=source_id,
        as_of=dt.date(2026, 1, 1),
        **values,
    )


def person(number: int, *records: SourceRecord, child: Any = None) -> Person:
    made = Person.objects.create(number=number, child=child)
    for each in records:
        PersonRecord.objects.create(source_record=each, person=made, method=LinkMethod.BATCH)
    return made


def hold(source: SourceRecord, reason: str = linkage_model.NO_NAME) -> HeldRecord:
    return HeldRecord.objects.create(source_record=source, reason=reason)


@pytest.fixture
def index(front_door: dict[str, Any]) -> dict[str, Any]:
    """Two people from the front door's own agency and its police partner, and held records:
    one nameless with Ava's NHS number, one with a name but no date of birth or NHS number, and
    one from the voluntary group that shares nothing (never shown to the front door)."""
    csc, police = front_door["csc"], front_door["police"]
    child = make_child(csc, given_name="Ava", family_name="Stone")
    ava = person(
        1,
        record(
            csc,
            "A1",
            given_name="Ava",
            family_name="Stone",
            date_of_birth=dt.date(2011, 3, 27),
            nhs_number=NHS_AVA,
        ),
        record(
            police, "A2", given_name="Ava", family_name="Stone", date_of_birth=dt.date(2011, 3, 27)
        ),
        child=child,
    )
    leo = person(
        2,
        record(
            police,
            "L1",
            given_name="Leo",
            family_name="Marsh",
            date_of_birth=dt.date(2012, 1, 5),
            nhs_number=NHS_OTHER,
        ),
    )
    nameless = hold(
        record(police, "H1", given_name="Unknown", nhs_number=NHS_AVA, postcode="RV1 2AB")
    )
    dateless = hold(
        record(csc, "H2", given_name="Kai", family_name="Ostrowski"), linkage_model.NO_DOB_OR_NHS
    )
    elsewhere = hold(record(front_door["club"], "H3", family_name="Unreachable"))
    return {
        **front_door,
        "child": child,
        "ava": ava,
        "leo": leo,
        "nameless": nameless,
        "dateless": dateless,
        "elsewhere": elsewhere,
    }


# The list --------------------------------------------------------------------------------------


def test_the_list_holds_waiting_records_from_agencies_the_actor_may_read(index):
    listed = list(selectors.held_records(actor=index["practitioner"]))
    assert listed == [index["nameless"], index["dateless"]]  # longest held first
    assert selectors.held_count(actor=index["practitioner"]) == 2
    services.held_record_keep(
        actor=index["practitioner"], held=index["nameless"], note="Asked the police for details"
    )
    assert selectors.held_count(actor=index["practitioner"]) == 2  # kept held: still waiting
    services.held_record_close(
        actor=index["practitioner"], held=index["dateless"], reason="A test record in Mosaic"
    )
    assert list(selectors.held_records(actor=index["practitioner"])) == [index["nameless"]]
    for who in ("officer", "analyst"):
        with pytest.raises(policy.Forbidden):
            selectors.held_records(actor=index[who])


def test_the_presenter_says_what_is_there_and_why_without_values(index):
    shown = presenters.HeldRecordPresenter(index["nameless"])
    assert shown.reference == "Niche RMS H1"
    assert shown.present == "First name (not usable: a placeholder), NHS number, Postcode"
    assert shown.why == "No usable name"
    both = HeldRecord(
        source_record=SourceRecord(source_system="x", source_id="1"),
        reason=(f"{linkage_model.NO_NAME}; {linkage_model.NO_DOB_OR_NHS}"),
    )
    both_shown = presenters.HeldRecordPresenter(both)
    assert both_shown.why == (
        "No usable name; and no usable date of birth or NHS number, and not both names with an "
        "address"
    )
    assert both_shown.present == "Only the agency's reference"
    mistyped = SourceRecord(source_system="x", source_id="2", nhs_number="1234567890")
    assert presenters.details_present(mistyped) == ["NHS number (fails its check digit)"]
    kept = SourceRecord(
        source_system="x", source_id="3", date_of_birth_given="2011-03", postcode="NFA"
    )
    assert presenters.details_present(kept) == [
        "Date of birth as given (not a whole, real date: not used for matching)",
        "Postcode (not a UK postcode)",
    ]


# Attaching -------------------------------------------------------------------------------------


def test_attaching_links_the_record_records_who_and_why_and_labels_it(index):
    held, ava = index["dateless"], index["ava"]
    decision = services.held_record_attach(
        actor=index["practitioner"],
        held=held,
        person=ava,
        reason="Social care confirmed Kai is Ava's recorded alias",
    )
    held.refresh_from_db()
    assert (held.status, held.decided_by) == (HeldStatus.ATTACHED, index["practitioner"])
    assert held.note == "Social care confirmed Kai is Ava's recorded alias"
    assert decision.kind == HeldDecisionKind.ATTACH and decision.person == ava
    link = PersonRecord.objects.get(source_record=held.source_record)
    assert (link.person, link.method) == (ava, LinkMethod.MANUAL)
    change = PersonChange.objects.get(kind=ChangeKind.LINK)
    assert (change.person, change.actor, change.source_record_ids) == (
        ava,
        index["practitioner"],
        [held.source_record_id],
    )
    assert not change.nhs_override
    label = ReviewPair.objects.get(record_r=held.source_record)
    assert label.status == ReviewStatus.CONFIRMED  # stands at the next run
    event = AuditEvent.objects.get(event="identity.held_record_attach")
    assert (event.child_id, event.object_id) == (index["child"].pk, str(held.pk))
    assert selectors.held_count(actor=index["practitioner"]) == 1
    with pytest.raises(ValidationError, match="no longer waiting"):
        services.held_record_keep(actor=index["practitioner"], held=held, note="Changed my mind")


def test_a_different_nhs_number_needs_a_manager_and_a_reason(index):
    held, leo = index["nameless"], index["leo"]  # Ava's NHS number; Leo has another
    reason = "The ED nurse recorded the wrong child's number"
    with pytest.raises(ValidationError) as refused:
        services.held_record_attach(
            actor=index["practitioner"], held=held, person=leo, reason=reason
        )
    assert refused.value.message_dict == {"person": [services.OVERRIDE_MANAGER_ONLY]}
    with pytest.raises(ValidationError) as refused:
        services.held_record_attach(actor=index["manager"], held=held, person=leo, reason=reason)
    assert refused.value.message_dict == {"nhs_override_reason": [services.OVERRIDE_NEEDED]}
    assert not PersonRecord.objects.filter(source_record=held.source_record).exists()

    decision = services.held_record_attach(
        actor=index["manager"],
        held=held,
        person=leo,
        reason=reason,
        nhs_override_reason="Police confirmed this is Leo; the NHS number was copied in error",
    )
    assert decision.nhs_override
    change = PersonChange.objects.get(kind=ChangeKind.LINK)
    assert change.nhs_override and "copied in error" in change.nhs_override_reason
    assert ReviewPair.objects.get(record_r=held.source_record).nhs_override_reason
    # The same number as the person's is no conflict, for anyone who may review.
    services.held_record_attach(
        actor=index["practitioner"],
        held=hold(record(index["police"], "H9", nhs_number=NHS_AVA)),
        person=index["ava"],
        reason="The same NHS number as Ava's records",
    )


def test_a_merged_person_or_one_out_of_reach_cannot_be_chosen(index):
    leo, ava = index["leo"], index["ava"]
    leo.merged_into = ava
    leo.save()
    with pytest.raises(ValidationError, match="P-000002 has been merged into P-000001"):
        services.held_record_attach(
            actor=index["practitioner"],
            held=index["dateless"],
            person=leo,
            reason="Same child per the school",
        )
    hidden = person(3, record(index["club"], "C1", given_name="Robin", family_name="Hidden"))
    with pytest.raises(ValidationError, match="No person has that number"):
        selectors.person_to_join(
            actor=index["practitioner"],
            text=hidden.display_id,
            action=policy.Action.IDENTITY_REVIEW,
        )
    assert AuditEvent.objects.get(event="identity.person_access_denied").outcome == "denied"
    with pytest.raises(policy.NotFound):
        services.held_record_attach(
            actor=index["practitioner"],
            held=index["dateless"],
            person=hidden,
            reason="Guessing here",
        )
    with pytest.raises(policy.NotFound):
        services.held_record_keep(
            actor=index["practitioner"], held=index["elsewhere"], note="Not ours to decide"
        )


def test_a_record_that_belonged_to_someone_moves_and_is_kept_apart_from_them(index):
    leo = index["leo"]
    moving = record(index["police"], "L2", given_name="Unknown", date_of_birth=dt.date(2012, 1, 5))
    PersonRecord.objects.create(source_record=moving, person=leo, method=LinkMethod.BATCH)
    held = hold(moving)
    services.held_record_attach(
        actor=index["manager"], held=held, person=index["ava"], reason="Police corrected it: Ava"
    )
    assert PersonRecord.objects.get(source_record=moving).person == index["ava"]
    unlink = PersonChange.objects.get(kind=ChangeKind.UNLINK)
    assert (unlink.person, unlink.other) == (leo, index["ava"])
    left = PersonRecord.objects.get(person=leo).source_record_id
    pair = ReviewPair.objects.get(
        record_l_id=min(left, moving.pk), record_r_id=max(left, moving.pk)
    )
    assert pair.status == ReviewStatus.REJECTED

    only = record(index["police"], "L3", given_name="Unknown", date_of_birth=dt.date(2013, 2, 2))
    alone = person(4, only)
    with pytest.raises(ValidationError, match="only record of P-000004: merge"):
        services.held_record_attach(
            actor=index["manager"], held=hold(only), person=index["ava"], reason="Police say Ava"
        )
    assert PersonRecord.objects.get(source_record=only).person == alone


def test_harbours_own_record_of_a_child_names_the_child_and_is_never_closed(index):
    other_child = make_child(index["csc"], given_name="", family_name="")
    own = SourceRecord.objects.create(
        agency=index["csc"],
        source_system=HARBOUR_SOURCE_SYSTEM,
        source_id=str(other_child.pk),
        date_of_birth=other_child.date_of_birth,
        as_of=dt.date(2026, 1, 1),
    )
    held = hold(own)
    with pytest.raises(ValidationError, match="Harbour's own record of a child"):
        services.held_record_close(actor=index["practitioner"], held=held, reason="Not a person?")
    with pytest.raises(ValidationError, match="another child recorded in Harbour"):
        services.held_record_attach(
            actor=index["practitioner"], held=held, person=index["ava"], reason="Is this Ava?"
        )
    services.held_record_attach(
        actor=index["practitioner"], held=held, person=index["leo"], reason="Leo's own record"
    )
    index["leo"].refresh_from_db()
    assert index["leo"].child == other_child


# Keeping and closing ---------------------------------------------------------------------------


def test_keeping_adds_a_note_to_the_history_and_closing_unlinks(index):
    held = index["nameless"]
    services.held_record_keep(actor=index["practitioner"], held=held, note="Asked the police")
    services.held_record_keep(actor=index["manager"], held=held, note="Police have not replied")
    held.refresh_from_db()
    assert (held.status, held.note) == (HeldStatus.HELD, "Police have not replied")
    history = list(HeldRecordDecision.objects.filter(held=held).values_list("kind", "reason"))
    assert history == [
        (HeldDecisionKind.KEEP, "Police have not replied"),
        (HeldDecisionKind.KEEP, "Asked the police"),
    ]
    assert AuditEvent.objects.filter(event="identity.held_record_keep").count() == 2
    with pytest.raises(ValidationError, match="at least 10 characters"):
        services.held_record_keep(actor=index["manager"], held=held, note="ok")

    linked = record(index["police"], "T1", family_name="Test", date_of_birth=dt.date(2011, 3, 27))
    PersonRecord.objects.create(source_record=linked, person=index["ava"], method="batch")
    closing = hold(linked)
    services.held_record_close(
        actor=index["practitioner"], held=closing, reason="A training record in Niche, not a child"
    )
    closing.refresh_from_db()
    assert closing.status == HeldStatus.CLOSED
    assert not PersonRecord.objects.filter(source_record=linked).exists()
    unlink = PersonChange.objects.get(kind=ChangeKind.UNLINK)
    assert (unlink.person, unlink.source_record_ids) == (index["ava"], [linked.pk])
    closed = AuditEvent.objects.get(event="identity.held_record_close")
    assert closed.child_id == index["child"].pk  # the child it was linked to


# Linkage runs never undo a decision --------------------------------------------------------------


def test_a_run_keeps_a_decision_and_the_label_keeps_the_record_with_its_person(
    front_door, synthetic_records, trained_json
):
    records = load_records(synthetic_records, agency=front_door["csc"])
    store_model(trained_json)
    linking.link_run()
    anchor = (
        SourceRecord.objects.filter(
            pk__in=[r.pk for r in records.values()], person_link__isnull=False
        )
        .exclude(given_name="")
        .exclude(family_name="")
        .exclude(date_of_birth=None)
        .order_by("pk")
        .first()
    )
    assert anchor is not None
    target = Person.objects.get(records__source_record=anchor)
    nameless = SourceRecord.objects.create(
        agency=front_door["csc"],
        source_system="Mosaic",
        source_id="held-1",
        given_name="Unknown",
        date_of_birth=anchor.date_of_birth,
        postcode=anchor.postcode,
        as_of=dt.date(2026, 1, 1),
    )
    closing = SourceRecord.objects.create(
        agency=front_door["csc"],
        source_system="Mosaic",
        source_id="held-2",
        as_of=dt.date(2026, 1, 1),
    )
    linking.link_run()
    held = HeldRecord.objects.get(source_record=nameless)
    services.held_record_attach(
        actor=front_door["practitioner"],
        held=held,
        person=target,
        reason="Social care confirmed the record is this child",
    )
    services.held_record_close(
        actor=front_door["practitioner"],
        held=HeldRecord.objects.get(source_record=closing),
        reason="An empty record made in error",
    )
    linking.link_run()
    held.refresh_from_db()
    assert held.status == HeldStatus.ATTACHED and held.released_at is None
    assert HeldRecord.objects.get(source_record=closing).status == HeldStatus.CLOSED
    assert PersonRecord.objects.get(source_record=nameless).person == target

    nameless.given_name, nameless.family_name = anchor.given_name, anchor.family_name
    nameless.save()
    linking.link_run()
    held.refresh_from_db()
    assert held.released_at is not None  # usable now: matched, with the person chosen
    assert PersonRecord.objects.get(source_record=nameless).person == target


# Pages -----------------------------------------------------------------------------------------


def test_the_list_page_pages_and_names_no_one(client, index):
    for n in range(55):
        hold(record(index["police"], f"P{n:02d}", given_name="Unknown", family_name="Nobody"))
    client.force_login(index["practitioner"])
    response = client.get(reverse("identity:held"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Niche RMS H1" in body and "Agency police" in body
    assert "Nobody" not in body and "Ostrowski" not in body
    assert "govuk-pagination" in body and "Showing 1 to 25 of 57 records waiting" in body
    assert len(response.context["rows"]) == 25
    last = client.get(reverse("identity:held"), {"page": 3})
    assert len(last.context["rows"]) == 7
    assert not AuditEvent.objects.filter(event__startswith="identity.held_record").exists()
    queue = client.get(reverse("identity:review-queue")).content.decode()
    assert reverse("identity:held") in queue and "57 records" in queue


def test_a_held_record_page_shows_the_record_and_is_audited(client, index):
    client.force_login(index["practitioner"])
    url = reverse("identity:held-record", args=[index["dateless"].pk])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ostrowski" in body and "No usable date of birth or NHS number" in body
    viewed = AuditEvent.objects.get(event="identity.held_record_viewed")
    assert viewed.object_id == str(index["dateless"].pk) and viewed.child_id is None

    response = client.get(reverse("identity:held-record", args=[index["elsewhere"].pk]))
    assert response.status_code == 404
    assert "Unreachable" not in response.content.decode()
    assert AuditEvent.objects.get(event="identity.held_record_access_denied").outcome == "denied"
    client.force_login(index["officer"])
    assert client.get(url).status_code == 403


def test_deciding_on_the_page_shows_govuk_errors_then_records_the_decision(client, index):
    client.force_login(index["practitioner"])
    url = reverse("identity:held-record", args=[index["nameless"].pk])
    response = client.post(url, {})
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Select what should happen to this record" in body
    response = client.post(url, {"decision": "attach", "reason": "The police confirmed it"})
    assert 'href="#id_person"' in response.content.decode()
    assert "Enter the person number" in response.content.decode()
    response = client.post(
        url, {"decision": "attach", "person": "P-000999", "reason": "The police confirmed it"}
    )
    assert "No person has that number" in response.content.decode()
    response = client.post(
        url, {"decision": "attach", "person": "P-000002", "reason": "The police confirmed it"}
    )
    assert response.status_code == 400
    assert "only a front-door manager" in response.content.decode()
    response = client.post(
        url, {"decision": "attach", "person": "p1", "reason": "The same NHS number as Ava's"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("identity:held")
    assert (
        PersonRecord.objects.get(source_record=index["nameless"].source_record).person
        == (index["ava"])
    )
    page = client.get(url).content.decode()
    assert "Attached to a person" in page and "Record decision" not in page
