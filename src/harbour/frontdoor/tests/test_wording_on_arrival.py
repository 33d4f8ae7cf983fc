"""The language checker on referrals that arrive from other agencies' systems (issue 11 part 5,
ADR 0030): the API's and the bulk file's text checked on arrival, the findings kept with the
rule version and shown to the front door beside the answer, the answer never changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from harbour.frontdoor import forms, services
from harbour.frontdoor.models import Referral, ReferralWordingFinding
from harbour.frontdoor.tests.api_support import make_feeds, referral_body
from harbour.frontdoor.tests.test_bulk import csv_text, row
from harbour.language import selectors as language_selectors
from harbour.partnership.models import Role
from harbour.testing import make_staff
from harbour.web.wording import CheckedTextarea

pytestmark = pytest.mark.django_db

BLAMING = "He is putting himself at risk by going to parties with older males."


@pytest.fixture
def feeds(db):
    return make_feeds()


def test_the_checked_fields_are_the_ones_the_referral_form_checks():
    checked = {
        name
        for question in forms.QUESTIONS
        for name, field in question.form_class.base_fields.items()
        if isinstance(field.widget, CheckedTextarea)
    }
    assert set(services.CHECKED_TEXT_FIELDS) == checked


def test_an_api_referrals_text_is_checked_on_arrival_and_kept_as_sent(feeds):
    response = feeds["police"].post("custody", referral_body("CUST-9", reason=BLAMING))
    assert response.status_code == 201, response.content
    referral = Referral.objects.get()
    assert referral.reason == BLAMING
    (finding,) = ReferralWordingFinding.objects.filter(referral=referral).exclude(
        rule_id__startswith="model-"  # the sentence model (ADR 0044) is tested in language
    )
    assert (finding.field_name, finding.text) == ("reason", "putting himself at risk")
    assert BLAMING[finding.start : finding.end] == finding.text
    checker = language_selectors.partnership_checker()
    assert finding.rule_version == checker.rule_version(finding.rule_id)


def test_each_row_of_a_bulk_file_is_checked(feeds):
    rows = [
        row("INC-1", what_happened=BLAMING),
        row("INC-2"),
        row("INC-3", child_voice="I chose to go with them.", actions_taken=BLAMING),
    ]
    response = feeds["ambulance"].post_csv("ambulance", csv_text(rows))
    assert response.status_code == 201, response.content
    found = {
        r.source_id: sorted(
            r.wording_findings.exclude(rule_id__startswith="model-").values_list(
                "field_name", flat=True
            )
        )
        for r in Referral.objects.all()
    }
    # The child's own words, quoted as theirs, are not the writer's description.
    assert found == {"INC-1": ["what_happened"], "INC-2": [], "INC-3": ["actions_taken"]}


def test_a_refused_referral_keeps_no_findings(feeds):
    response = feeds["police"].post(
        "custody", referral_body("CUST-10", reason=BLAMING, child_sex="Q")
    )
    assert response.status_code == 422
    assert not ReferralWordingFinding.objects.exists()


def test_the_front_door_sees_the_findings_beside_the_answer(client, feeds):
    feeds["police"].post("custody", referral_body("CUST-11", what_happened=BLAMING))
    referral = Referral.objects.get()
    client.force_login(make_staff(feeds["csc"], Role.FRONT_DOOR_PRACTITIONER))
    body = client.get(reverse("frontdoor:detail", args=[referral.pk])).content.decode()
    assert "He is putting himself at risk by going to parties with older males." in body
    # The checked textarea's own words, and that the text is as it was sent.
    assert "1 suggestion for child-centred language" in body
    assert "Instead of <strong>‘putting himself at risk’</strong>, consider:" in body
    assert f"Checked when it arrived from {feeds['police'].agency}." in body
    assert "You can still save" not in body
