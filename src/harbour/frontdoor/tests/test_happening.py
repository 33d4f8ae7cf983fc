"""Beside a referral at the front door, what is happening now for the child, as the front-door
worker may see it (issue 12, part 2). And decisions with their evidence (part 3): the countersign
page shows what is being signed, and the decide form has the referral beside it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from harbour.frontdoor import services
from harbour.frontdoor.tests.factories import COMPLETE, confirmed, sent
from harbour.identity.models import EventParticipant, EventRole
from harbour.partnership.models import AgencyType
from harbour.testing import agency_event, linked_record, make_agency, make_agreement

STABBING = "Amari was stabbed in the thigh outside the youth club and taken to hospital."
ATTENDANCE = "Amari had a stab wound to the thigh cleaned and closed."
SUSPECT = "Darren Pike"
RATIONALE = "Escalating violence outside the home, no protective adult present."
DECISION = "Second stabbing risk in a month; the risk is outside the home, parents are partners."
FEEDBACK = "We are starting an assessment under the risk outside the home pathway today."


def _summary(html: str) -> str:
    found = re.search(r'<section class="harbour-happening.*?</section>', html, re.S)
    assert found, "no summary beside the referral"
    return found.group(0)


def _stabbed_yesterday(p: dict[str, Any], *, police_share_criminal: bool) -> Any:
    """A referral whose child the police recorded as stabbed yesterday, and the hospital as
    treated; the hospital has no agreement with the council's front door."""
    referral = confirmed(p)
    referral.refresh_from_db()
    child = referral.child
    hospital = make_agency("hospital", AgencyType.NHS_TRUST, name="Riverside Hospital")
    if police_share_criminal:
        make_agreement(p["csc"], p["police"], purposes=["safeguarding"], categories=["criminal"])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    stabbing = agency_event(
        linked_record(child, p["police"], "RVP-9"),
        yesterday,
        "OCC-9",
        category="violence_injury",
        severity=4,
        summary=STABBING,
    )
    EventParticipant.objects.create(
        event=stabbing,
        name=SUSPECT,
        approximate_age=31,
        is_adult=True,
        poses_risk=True,
        role=EventRole.SUSPECT,
    )
    agency_event(
        linked_record(child, hospital, "RVH-9"),
        yesterday,
        "ATT-9",
        kind="ed_attendance",
        category="violence_injury",
        role=EventRole.PATIENT,
        summary=ATTENDANCE,
    )
    return referral


@pytest.mark.parametrize("shared", [True, False])
def test_the_childs_history_says_what_is_happening_now(client, partnership, shared):
    referral = _stabbed_yesterday(partnership, police_share_criminal=shared)
    client.force_login(partnership["practitioner"])
    html = client.get(reverse("frontdoor:detail", args=[referral.pk])).content.decode()
    summary = _summary(html)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    day = f"{yesterday.day} {yesterday:%B %Y}"
    # The police's record of the stabbing: in full where the agreement covers criminal data.
    assert (STABBING in summary) is shared
    assert ("Incident: violence with injury" in summary) is shared
    assert (SUSPECT in summary) is shared
    assert (f"Agency police holds a record dated {day}" in summary) is not shared
    assert ("OCC-9" in summary) is False
    # The hospital shares nothing with the front door: held, dated, whom to ask.
    assert f"Riverside Hospital holds a record dated {day}" in summary
    assert "ask Riverside Hospital" in summary
    assert ATTENDANCE not in summary
    # Its heading sits under the panel's own heading.
    assert (
        '<h3 class="govuk-heading-s govuk-!-margin-bottom-0" id="happening-now-title">' in summary
    )


def test_before_the_child_is_confirmed_there_is_no_summary(client, partnership):
    referral = sent(partnership)
    client.force_login(partnership["practitioner"])
    html = client.get(reverse("frontdoor:detail", args=[referral.pk])).content.decode()
    assert "Confirm who the child is to see their history" in html
    assert "harbour-happening" not in html


def test_the_referrer_sees_no_summary(client, partnership):
    referral = _stabbed_yesterday(partnership, police_share_criminal=True)
    client.force_login(partnership["officer"])
    html = client.get(reverse("frontdoor:detail", args=[referral.pk])).content.decode()
    assert "harbour-happening" not in html
    assert STABBING not in html


def _decided(p: dict[str, Any]) -> Any:
    referral = confirmed(p)
    return services.referral_decide(
        actor=p["practitioner"],
        referral=referral,
        outcome="roth",
        rationale=DECISION,
        feedback_to_referrer=FEEDBACK,
        parents_as_partners="Mother is working with us on safe routes home.",
    )


def test_the_countersign_page_shows_what_is_being_signed(client, partnership):
    decision = _decided(partnership)
    referral = decision.referral
    referral.refresh_from_db()
    client.force_login(partnership["manager"])
    response = client.get(reverse("frontdoor:countersign", args=[decision.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    # The child.
    assert "Amari Okafor-Test</strong>, born 4 May 2010" in html
    assert reverse("children:summary", args=[referral.child_id]) in html
    # The referral: its text, who sent it, its urgency and when it arrived.
    for text in (COMPLETE["what_happened"], COMPLETE["reason"], COMPLETE["child_voice"]):
        assert escape(text) in html
    assert str(referral.referring_agency) in html
    assert referral.referrer_name and referral.referrer_name in html
    assert "Today: the front door should look at this within 24 hours" in html
    received = timezone.localtime(referral.received_at)
    assert f"{received:%A} {received.day} {received:%B %Y, %H:%M}" in html
    # The rating and its rationale, the decision and what the referrer will be told.
    assert "Amber: decide within the service level" in html
    assert RATIONALE in html
    assert "Risk outside the home (extra-familial harm) pathway" in html
    assert DECISION in html
    assert "Mother is working with us on safe routes home." in html
    assert FEEDBACK in html
    # ... and then the question.
    assert html.index(FEEDBACK) < html.index("Do you agree with this decision?")


def test_countersigning_still_works_from_the_page_of_evidence(client, partnership):
    decision = _decided(partnership)
    client.force_login(partnership["manager"])
    response = client.post(
        reverse("frontdoor:countersign", args=[decision.pk]), {"agree": "yes", "note": ""}
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.state == "countersigned"


def test_the_decide_form_has_the_referral_beside_it(client, partnership):
    referral = confirmed(partnership)
    client.force_login(partnership["practitioner"])
    html = client.get(reverse("frontdoor:decide", args=[referral.pk])).content.decode()
    aside = re.search(r'<aside class="app-referral-aside".*?</aside>', html, re.S)
    assert aside, "no referral beside the form"
    beside = aside.group(0)
    for text in (COMPLETE["what_happened"], COMPLETE["reason"], RATIONALE):
        assert escape(text) in beside
    assert "Today: the front door should look at this within 24 hours" in beside
    # Beside the form: the form comes first in the page, in the wider column.
    assert html.index('name="outcome"') < html.index("app-referral-aside")
