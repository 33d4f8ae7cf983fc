"""The language checker on agencies' events as they arrive (issue 11 part 5, ADR 0030): each new
or changed summary checked, what was found kept with the rule version and shown beside the
summary in the chronology, the summary never changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.urls import reverse

from harbour.access.models import RelationshipKind
from harbour.identity import intake, matching
from harbour.identity.models import AgencyEvent, EventWordingFinding
from harbour.identity.tests.test_intake import event, person
from harbour.identity.wording import event_wording_check
from harbour.language import selectors as language_selectors
from harbour.partnership.models import AgencyType, Role
from harbour.testing import (
    agency_event,
    hold_record,
    linked_record,
    make_agency,
    make_agreement,
    make_child,
    make_staff,
    relate,
)

pytestmark = pytest.mark.django_db

BLAMING = "Jordan is putting himself at risk by going to the park with older males."
PLAIN = "Jordan was punched by an older boy outside the shop."


def by_rules():
    """The rules' stored findings: these tests are about the channel (stored, replaced, kept),
    and the sentence model (ADR 0044) also flags some of the plain summaries here."""
    return EventWordingFinding.objects.exclude(rule_id__startswith="model-")


@pytest.fixture(autouse=True)
def fresh_index():
    matching.forget()
    yield
    matching.forget()


@pytest.fixture
def police():
    return make_agency("police", AgencyType.POLICE, name="Riverside Police")


def test_a_summary_is_checked_when_it_arrives_and_kept_as_sent(police):
    received = intake.receive_events(agency=police, events=[event(summary=BLAMING)])
    saved = AgencyEvent.objects.get(pk=received.ids[0])
    assert saved.summary == BLAMING  # never altered
    (finding,) = by_rules().filter(event=saved)
    assert finding.field_name == "summary"
    assert finding.text == "putting himself at risk"
    assert BLAMING[finding.start : finding.end] == finding.text
    checker = language_selectors.partnership_checker()
    assert finding.rule_version == checker.rule_version(finding.rule_id)
    assert len(finding.rule_version) == 12
    assert "him" in finding.suggestion


def test_a_changed_summary_replaces_its_findings_and_an_unchanged_one_keeps_them(police):
    intake.receive_events(agency=police, events=[event(summary=BLAMING)])
    first = by_rules().get()
    again = intake.receive_events(agency=police, events=[event(summary=BLAMING)])
    assert again.unchanged == 1
    assert by_rules().get().pk == first.pk  # not checked again
    intake.receive_events(agency=police, events=[event(summary=PLAIN)])
    assert not by_rules().exists()
    intake.receive_events(agency=police, events=[event(summary=BLAMING)])
    assert by_rules().count() == 1


def test_every_event_of_a_sending_is_checked_alone(police):
    events = [
        event(summary=BLAMING),
        event(reference="OCC-26-000102", summary=PLAIN),
        event(
            reference="OCC-26-000103",
            person=person(source_id="RVP0002", given_name="Amari"),
            summary="She chose to go with them; it was a lifestyle choice.",
        ),
    ]
    received = intake.receive_events(agency=police, events=events)
    by_event = {
        pk: list(by_rules().filter(event_id=pk).values_list("text", flat=True))
        for pk in received.ids
    }
    assert by_event[received.ids[0]] == ["putting himself at risk"]
    assert by_event[received.ids[1]] == []
    assert by_event[received.ids[2]]  # the lifestyle choice


def test_a_rejected_sending_keeps_no_findings(police):
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    with pytest.raises(intake.Rejected):
        intake.receive_events(
            agency=police, events=[event(summary=BLAMING), replace(event(), occurred_at=future)]
        )
    assert not by_rules().exists()


@pytest.fixture
def chronology_area():
    council = make_agency("council", AgencyType.CHILDRENS_SOCIAL_CARE, name="Riverside Council")
    police = make_agency("police", AgencyType.POLICE, name="Riverside Police")
    hospital = make_agency("hospital", AgencyType.NHS_TRUST, name="Riverside Hospital")
    make_agreement(police, council, purposes=["safeguarding"], categories=["identity", "criminal"])
    lead = make_staff(council, role=Role.LEAD_PRACTITIONER)
    child = make_child(council, given_name="Tyrese", family_name="Campbell")
    hold_record(child, council)
    relate(child, lead, kind=RelationshipKind.LEAD_PRACTITIONER)
    shown = agency_event(
        linked_record(child, police, "RVP1"),
        dt.date(2026, 3, 1),
        "OCC-26-000101",
        summary="Tyrese is putting himself at risk by carrying for older males.",
    )
    withheld = agency_event(
        linked_record(child, hospital, "RVH1"),
        dt.date(2026, 3, 5),
        "ATT-26-000777",
        kind="ed_attendance",
        role="patient",
        summary="Tyrese made a lifestyle choice to go to the party.",
    )
    event_wording_check(new=[shown, withheld], changed=[])
    return {"lead": lead, "child": child}


def test_the_chronology_shows_the_findings_beside_a_summary_the_viewer_may_see(
    client, chronology_area
):
    client.force_login(chronology_area["lead"])
    body = client.get(
        reverse("children:chronology", args=[chronology_area["child"].pk])
    ).content.decode()
    assert "Tyrese is putting himself at risk by carrying for older males." in body
    # The same words the checked textarea shows, and where the text came from.
    assert "1 suggestion for child-centred language" in body
    assert "Instead of <strong>‘putting himself at risk’</strong>, consider:" in body
    assert "Checked when it arrived from Riverside Police." in body
    assert "You can still save" not in body
    # The hospital's summary is withheld, and so is what was found in it.
    assert "lifestyle choice" not in body
