"""The review queue and people pages: who may use them, what they show, and that reading a pair
or a person (child data) is audited for each Harbour child it is known to be."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from harbour.access.models import AuditEvent
from harbour.identity import linking
from harbour.identity.models import (
    ChangeKind,
    Person,
    PersonChange,
    PersonRecord,
    ReviewPair,
    ReviewStatus,
    SourceRecord,
)
from harbour.identity.tests.conftest import load_records, store_model
from harbour.testing import make_child

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(front_door, synthetic_records, trained_json):
    load_records(synthetic_records, agency=front_door["csc"])
    store_model(trained_json)
    linking.link_run()
    return front_door


def pending(front_door) -> ReviewPair:
    return ReviewPair.objects.filter(status=ReviewStatus.PENDING).exclude(contributions=[])[0]


def test_the_queue_lists_pairs_by_agency_and_probability_without_names(client, linked):
    client.force_login(linked["practitioner"])
    response = client.get(reverse("identity:review-queue"))
    assert response.status_code == 200
    pairs = list(response.context["pairs"])
    assert pairs and [p.match_probability for p in pairs] == sorted(
        (p.match_probability for p in pairs), reverse=True
    )
    body = response.content.decode()
    first = pairs[0]
    assert first.record_l.agency.name in body
    assert first.record_l.family_name not in body  # no names on the list
    # Each pair says which evidence decided it (issue 14), in words, without values.
    assert "What decided it" in body
    explained = [p for p in pairs if p.contributions]
    assert explained and all(p.evidence.startswith(("For:", "Against:")) for p in explained)
    assert explained[0].evidence in body
    assert not AuditEvent.objects.filter(event="identity.pair_viewed").exists()


def test_roles_without_the_capability_are_refused(client, linked):
    for who in ("officer", "analyst"):
        client.force_login(linked[who])
        assert client.get(reverse("identity:review-queue")).status_code == 403
        assert (
            client.get(reverse("identity:review-pair", args=[pending(linked).pk])).status_code
            == 403
        )


def test_a_pair_shows_both_records_and_why_and_is_audited_for_its_child(client, linked):
    pair = pending(linked)
    child = make_child(linked["csc"], given_name="Known")
    person = Person.objects.get(records__source_record=pair.record_l)
    person.child = child
    person.save()
    client.force_login(linked["practitioner"])
    response = client.get(reverse("identity:review-pair", args=[pair.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert pair.record_l.source_id in body and pair.record_r.source_id in body
    assert "Each comparison&#x27;s contribution" in body or "Each comparison's contribution" in body
    spec = response.context["spec"]
    assert spec["layer"][0]["mark"]["type"] == "bar"
    assert 'id="waterfall-spec"' in body and "vendor/vega-embed.min.js" in body
    bars = response.context["bars"]
    assert bars[-1].weight == pytest.approx(pair.match_weight)
    viewed = AuditEvent.objects.filter(event="identity.pair_viewed")
    assert [e.child_id for e in viewed] == [child.pk]
    assert viewed[0].object_id == str(pair.pk)


def test_a_pair_from_an_agency_outside_the_agreements_is_404_and_the_attempt_audited(
    client, linked
):
    club_record = SourceRecord.objects.create(
        agency=linked["club"],
        source_system="x",
        source_id="1",
        given_name="Robin",
        family_name="Unreachable",
        date_of_birth=dt.date(2011, 1, 1),
        as_of=dt.date(2026, 1, 1),
    )
    ours = SourceRecord.objects.filter(agency=linked["csc"]).order_by("pk")[0]
    pair = ReviewPair.objects.create(record_l=ours, record_r=club_record)
    client.force_login(linked["practitioner"])
    response = client.get(reverse("identity:review-pair", args=[pair.pk]))
    assert response.status_code == 404
    assert "Unreachable" not in response.content.decode()
    assert AuditEvent.objects.get(event="identity.pair_access_denied").outcome == "denied"
    queue = client.get(reverse("identity:review-queue"))
    assert pair not in list(queue.context["pairs"])


def test_a_decision_is_recorded_with_its_reason_and_errors_are_govuk(client, linked):
    pair = pending(linked)
    client.force_login(linked["practitioner"])
    url = reverse("identity:review-pair", args=[pair.pk])
    response = client.post(url, {"decision": "different", "reason": ""})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    response = client.post(url, {"decision": "different", "reason": "Twins, per the school"})
    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == (ReviewStatus.REJECTED, linked["practitioner"])
    assert AuditEvent.objects.filter(event="identity.pair_decided").exists()


def test_an_nhs_conflict_needs_a_manager_and_a_reason_on_the_page(client, linked):
    pair = pending(linked)
    pair.needs_nhs_override = True
    pair.save()
    url = reverse("identity:review-pair", args=[pair.pk])
    client.force_login(linked["practitioner"])
    response = client.post(url, {"decision": "same", "reason": "Looks like the same child"})
    assert response.status_code == 400
    assert "only a front-door manager" in response.content.decode()
    client.force_login(linked["manager"])
    response = client.post(url, {"decision": "same", "reason": "Looks like the same child"})
    assert "give the reason for overriding" in response.content.decode()
    response = client.post(
        url,
        {
            "decision": "same",
            "reason": "Looks like the same child",
            "nhs_override_reason": "The ED record's number was mistyped",
        },
    )
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.CONFIRMED


def test_a_manager_merges_and_splits_people_on_their_pages(client, linked):
    one, two = Person.objects.filter(records__isnull=False).distinct().order_by("number")[:2]
    client.force_login(linked["practitioner"])
    assert client.get(reverse("identity:person", args=[one.number])).status_code == 200
    assert client.get(reverse("identity:person-merge", args=[one.number])).status_code == 403
    client.force_login(linked["manager"])
    response = client.post(
        reverse("identity:person-merge", args=[two.number]),
        {"other": one.display_id, "reason": "The same child, confirmed by the school"},
    )
    assert response.status_code == 302, response.content.decode()
    two.refresh_from_db()
    assert two.merged_into == one
    page = client.get(reverse("identity:person", args=[one.number]))
    assert "Merged" in page.content.decode()
    assert AuditEvent.objects.filter(event="identity.person_viewed").exists()

    record = PersonRecord.objects.filter(person=one).order_by("-source_record_id")[0]
    response = client.post(
        reverse("identity:person-split", args=[one.number]),
        {"records": [str(record.source_record_id)], "reason": "Not the same child after all"},
    )
    assert response.status_code == 302
    change = PersonChange.objects.filter(kind=ChangeKind.SPLIT).latest("pk")
    assert change.source_record_ids == [record.source_record_id]
    response = client.post(
        reverse("identity:person-merge", args=[one.number]),
        {"other": "P-999999", "reason": "The same child, confirmed by the school"},
    )
    assert "No person has that number" in response.content.decode()
