"""The front door's reports: the numbers come from the referrals, and the CSV matches the page."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from harbour.access import policy
from harbour.frontdoor import reports, services
from harbour.frontdoor.codes import Concern, Outcome
from harbour.frontdoor.tests.factories import confirmed, sent
from harbour.partnership.models import Role
from harbour.testing import make_staff

pytestmark = pytest.mark.django_db


def _rows(report, key):
    return {row[0]: row[1:] for row in report.table(key).rows}


def test_completeness_voice_ethnicity_and_syv_by_agency(partnership):
    sent(partnership)
    sent(
        partnership,
        child_voice="",
        child_voice_absent_reason="In custody; not spoken to yet.",
        ethnicity="not_known",
        concerns=[Concern.MISSING],
    )
    leader = make_staff(partnership["csc"], Role.STRATEGIC_LEADER)
    report = reports.front_door_report(actor=leader)
    assert report.received == 2
    police = _rows(report, "completeness-by-agency")[partnership["police"].name]
    # referrals, mean completeness, own words, why not, ethnicity known, reason, needs not known
    assert police[0] == 2
    assert police[2:5] == ["50%", "50%", "50%"]
    syv = _rows(report, "syv-by-agency")[partnership["police"].name]
    assert syv == [2, 1, "50%", "50%"]
    concerns = _rows(report, "concerns")
    assert concerns["Missing from home, care or education"] == [1, "50%"]


def test_time_to_decision_and_within_the_service_level(partnership):
    referral = confirmed(partnership)
    services.referral_decide(
        actor=partnership["manager"],
        referral=referral,
        outcome=Outcome.EARLY_HELP,
        rationale="Family asking for help; early help have capacity this week.",
        feedback_to_referrer="Early help will call the family.",
    )
    decision = referral.decisions.get()
    decision.countersigned_at = referral.received_at + dt.timedelta(hours=6)
    decision.save()
    report = reports.front_door_report(actor=partnership["manager"])
    row = _rows(report, "time-to-decision")["Referral form"]
    assert row[:3] == [1, 1, "6.0"]
    assert row[4] == "100%"
    assert _rows(report, "outcomes")["Early help"] == [1, "100%"]


def test_old_referrals_fall_outside_the_period(partnership):
    old = sent(partnership)
    old.received_at = timezone.now() - dt.timedelta(days=200)
    old.save()
    sent(partnership)
    manager = partnership["manager"]
    assert reports.front_door_report(actor=manager, period="3").received == 1
    assert reports.front_door_report(actor=manager, period="12").received == 2


def test_a_referrer_cannot_read_the_report(partnership):
    with pytest.raises(policy.Forbidden):
        reports.front_door_report(actor=partnership["officer"])


def test_the_csv_holds_the_same_numbers_and_is_safe_in_a_spreadsheet(client, partnership):
    sent(partnership)
    partnership["police"].name = "=HYPERLINK(1)"
    partnership["police"].save()
    client.force_login(partnership["manager"])
    page = client.get(reverse("frontdoor:report"))
    assert page.status_code == 200
    assert "Completeness by referring agency" in page.content.decode()
    response = client.get(reverse("frontdoor:report-csv", args=["completeness-by-agency"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Agency"
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert rows[1][1] == "1"
    assert client.get(reverse("frontdoor:report-csv", args=["no-such-table"])).status_code == 404
