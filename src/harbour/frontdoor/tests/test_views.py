"""The front door's pages, beyond the journeys: what a page reads to answer."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from harbour.frontdoor import services
from harbour.frontdoor.codes import Status
from harbour.frontdoor.tests.factories import COMPLETE, draft, sent

pytestmark = pytest.mark.django_db


def _rules_read(queries: CaptureQueriesContext) -> int:
    return sum('"frontdoor_completenessrule"' in query["sql"] for query in queries)


def test_a_refused_send_assesses_the_referral_once(client, partnership):
    referral = draft(partnership, what_happened="Seen with older males at the station")
    client.force_login(partnership["officer"])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("frontdoor:check", args=[referral.pk]))
    assert response.status_code == 400
    assert _rules_read(queries) == 1
    body = response.content.decode()
    # The refusal names what is missing and the page shows the same assessment's score.
    assert "You cannot send this referral yet" in body
    assert reverse("frontdoor:question", args=[referral.pk, "reason"]) + "?from=check" in body
    assert f"This referral is {services.assess(referral).score}% complete" in body
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT


def test_checking_and_sending_each_assess_once(client, partnership):
    referral = draft(partnership, **COMPLETE)
    client.force_login(partnership["officer"])
    url = reverse("frontdoor:check", args=[referral.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert _rules_read(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url)
    assert response.status_code == 302
    assert _rules_read(queries) == 1
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED and referral.completeness_score == 100


def test_the_refusal_carries_its_assessment(partnership):
    referral = draft(partnership)
    with pytest.raises(services.ReferralIncomplete) as refused:
        services.referral_submit(actor=partnership["officer"], referral=referral)
    assessment = refused.value.assessment
    assert assessment == services.assess(referral)
    assert [e.code for e in refused.value.error_list] == [i.key for i in assessment.blocking]


CURRENT_TAB = re.compile(
    r'govuk-service-navigation__item--active">\s*<a class="govuk-service-navigation__link" '
    r'href="([^"]+)" aria-current="page"><strong[^>]*>([^<]+)</strong>'
)


def _current_tabs(response) -> list[tuple[str, str]]:
    return CURRENT_TAB.findall(response.content.decode())


@pytest.mark.parametrize(
    ("who", "tab"),
    [
        ("practitioner", ("/front-door/", "Front door")),
        ("manager", ("/front-door/", "Front door")),
        ("officer", ("/referrals/", "Referrals")),
    ],
)
def test_a_referrals_page_is_the_front_doors_tab_or_the_referrers(client, partnership, who, tab):
    referral = sent(partnership)
    client.force_login(partnership[who])
    response = client.get(reverse("frontdoor:detail", args=[referral.pk]))
    assert response.status_code == 200
    assert _current_tabs(response) == [tab]


def test_the_queue_links_to_the_lists_the_front_door_holds(client, partnership):
    client.force_login(partnership["practitioner"])
    body = client.get(reverse("frontdoor:queue")).content.decode()
    for name, label in (
        ("identity:review-queue", "records to review"),
        ("identity:flags", "flags"),
        ("identity:needs", "needs across agencies"),
    ):
        assert f'<a class="govuk-link" href="{reverse(name)}">{label}</a>' in body


def test_back_after_sending_shows_what_was_sent_not_a_404(client, partnership):
    """The browser's Back from the confirmation goes to check your answers (or a question) of a
    referral that is no longer a draft: its own page answers, saying it was sent."""
    referral = sent(partnership)
    client.force_login(partnership["officer"])
    for url in (
        reverse("frontdoor:check", args=[referral.pk]),
        reverse("frontdoor:find-child", args=[referral.pk]),
        reverse("frontdoor:question", args=[referral.pk, "reason"]),
    ):
        response = client.get(url, follow=True)
        assert response.redirect_chain == [(reverse("frontdoor:detail", args=[referral.pk]), 302)]
        body = response.content.decode()
        assert f"Referral {referral.reference} has been sent, so it cannot be changed" in body
    # Someone else's referral is still not found.
    client.force_login(partnership["other_officer"])
    assert client.get(reverse("frontdoor:check", args=[referral.pk])).status_code == 404
