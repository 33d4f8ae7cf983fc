"""The front door's reports: the numbers come from the referrals, and the CSV matches the page."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from harbour.access import policy
from harbour.frontdoor import completeness, reports, services
from harbour.frontdoor.codes import (
    Concern,
    Feed,
    KnownNeed,
    MeetingRole,
    MeetingStatus,
    Outcome,
    Source,
)
from harbour.frontdoor.models import Escalation, MeetingAgency, StrategyMeeting
from harbour.frontdoor.tests.factories import confirmed, draft, sent
from harbour.partnership.models import AgencyType, Role, Team
from harbour.testing import make_agency, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def nothing_suppressed(settings):
    """The arithmetic below is checked on a handful of referrals, with no count suppressed;
    suppression is tested on its own (test_report_suppression.py)."""
    settings.HARBOUR_DISCLOSURE_THRESHOLD = 1


def _rows(report, key):
    """Each row as the page shows it, by its first cell."""
    return {row[0]: [str(cell) for cell in row[1:]] for row in report.table(key).rows}


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
    assert report.received.value == 2
    police = _rows(report, "completeness-by-agency")[partnership["police"].name]
    # referrals, mean completeness, own words, why not, ethnicity known, reason, needs not known
    assert police[0] == "2"
    assert police[2:5] == ["50%", "50%", "50%"]
    syv = _rows(report, "syv-by-agency")[partnership["police"].name]
    assert syv == ["2", "1", "50%", "50%"]
    concerns = _rows(report, "concerns")
    assert concerns["Missing from home, care or education"] == ["1", "50%"]


def test_a_form_referral_from_someone_with_no_team_is_not_called_automated(partnership):
    sent(partnership)  # the officer belongs to no team
    leader = make_staff(partnership["csc"], Role.STRATEGIC_LEADER)
    teams = _rows(reports.front_door_report(actor=leader), "completeness-by-team")
    assert list(teams) == [f"No team, {partnership['police'].name}"]


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
    assert row[:3] == ["1", "1", "6.0"]
    assert row[4] == "100%"
    assert _rows(report, "outcomes")["Early help"] == ["1", "100%"]


def test_old_referrals_fall_outside_the_period(partnership):
    old = sent(partnership)
    old.received_at = timezone.now() - dt.timedelta(days=200)
    old.save()
    sent(partnership)
    manager = partnership["manager"]
    assert reports.front_door_report(actor=manager, period="3").received.value == 1
    assert reports.front_door_report(actor=manager, period="12").received.value == 2


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


# Each table's CSV, computed alone --------------------------------------------------------------


@pytest.fixture
def every_kind(partnership):
    """Referrals, a decision, meetings and escalations that give every table rows: two form
    referrals from a police team and one ambulance feed referral, this month."""
    p = partnership
    p["officer"].team = Team.objects.create(agency=p["police"], name="Response")
    p["officer"].save()
    decided = confirmed(p)
    services.referral_decide(
        actor=p["manager"],
        referral=decided,
        outcome=Outcome.EARLY_HELP,
        rationale="Family asking for help; early help have capacity this week.",
        feedback_to_referrer="Early help will call the family.",
    )
    decision = decided.decisions.get()
    decision.countersigned_at = decided.received_at + dt.timedelta(hours=6)
    decision.save()
    escalated = sent(
        p,
        child_voice="",
        child_voice_absent_reason="In custody; not spoken to yet.",
        ethnicity="not_known",
        concerns=[Concern.MISSING],
        known_needs=[KnownNeed.NOT_KNOWN],
    )
    ambulance = make_agency("ambulance", AgencyType.AMBULANCE)
    fed, _ = services.referral_receive_automated(
        agency=ambulance,
        source=Source.API,
        feed=Feed.AMBULANCE,
        source_system="cad",
        source_id="INC-1",
        answers={
            "child_given_name": "Bea",
            "child_family_name": "Test",
            "child_date_of_birth": dt.date(2011, 2, 3),
            "what_happened": "Found injured at the bus station.",
            "concerns": [Concern.SERIOUS_YOUTH_VIOLENCE],
        },
    )
    draft(p)  # never counted
    now = timezone.now()
    held = StrategyMeeting.objects.create(
        referral=decided,
        child=decided.child,
        convened_by=p["manager"],
        convened_at=now - dt.timedelta(days=2),
        scheduled_for=now - dt.timedelta(days=1),
        due_by=now - dt.timedelta(days=1, hours=2),
        status=MeetingStatus.HELD,
        held_at=now - dt.timedelta(days=1),
    )
    MeetingAgency.objects.create(
        meeting=held, role=MeetingRole.POLICE, agency=p["police"], attended=True
    )
    MeetingAgency.objects.create(
        meeting=held, role=MeetingRole.HEALTH, agency=ambulance, attended=False
    )
    StrategyMeeting.objects.create(
        referral=decided,
        child=decided.child,
        convened_by=p["manager"],
        convened_at=now - dt.timedelta(days=1),
        scheduled_for=now + dt.timedelta(days=1),
        due_by=now - dt.timedelta(hours=1),
    )
    Escalation.objects.create(
        referral=escalated,
        raised_by=p["officer"],
        raised_at=now - dt.timedelta(hours=5),
        resolved_at=now - dt.timedelta(hours=2),
        resolved_by=p["manager"],
        resolution="Decision made and the referrer called.",
    )
    Escalation.objects.create(referral=escalated, raised_by=p["officer"], raised_at=now)
    return {"fed": fed}


def _expected_tables(fed) -> dict[str, list[list[str]]]:
    """Every table as its CSV should hold it, header first, worked out by hand from
    ``every_kind``. The feed referral meets 7 of the 23 weighted points (its child's identity,
    what happened, the concerns): 30%."""
    month = timezone.localtime().strftime("%Y-%m")
    concerns: dict[str, str] = {
        Concern.SERIOUS_YOUTH_VIOLENCE: "2",
        Concern.KNIFE_CRIME: "1",
        Concern.MISSING: "1",
    }
    share = {"2": "67%", "1": "33%", "0": "0%"}
    missing = {
        "reason",
        "child_voice",
        "ethnicity",
        "cultural_heritage",
        "known_needs",
        "education_setting",
        "parents",
        "actions_taken",
        "urgency",
    }
    assert fed.completeness_score == 30
    assert set(fed.completeness_missing) == missing
    columns = list(reports.COMPLETENESS_COLUMNS)
    return {
        "completeness-by-agency": [
            ["Agency", *columns],
            ["Agency ambulance", "1", "30", "0%", "0%", "0%", "0%", "100%"],
            ["Agency police", "2", "100", "50%", "50%", "50%", "100%", "50%"],
        ],
        "completeness-by-team": [
            ["Team", *columns],
            [
                "No team (automated feed), Agency ambulance",
                "1",
                "30",
                "0%",
                "0%",
                "0%",
                "0%",
                "100%",
            ],
            ["Response, Agency police", "2", "100", "50%", "50%", "50%", "100%", "50%"],
        ],
        "missing-items": [
            ["Item", "Referrals missing it", "Share"],
            *(
                [item.label, "1", "33%"] if item.key in missing else [item.label, "0", "0%"]
                for item in completeness.ITEMS
            ),
        ],
        "completeness-by-month": [
            ["Month", *columns],
            [month, "3", "77", "33%", "33%", "33%", "67%", "67%"],
        ],
        "completeness-by-agency-and-month": [
            ["Agency", month],
            ["Agency ambulance", "30"],
            ["Agency police", "100"],
        ],
        "time-to-decision": [
            [
                "Source",
                "Referrals",
                "Decided",
                "Median (hours)",
                "90th percentile (hours)",
                "Within the service level",
            ],
            ["Automated feed (API)", "1", "0", "–", "–", "–"],
            ["Referral form", "2", "1", "6.0", "6.0", "100%"],
        ],
        "concerns": [
            ["Concern", "Referrals naming it", "Share of referrals"],
            *(
                [label, concerns.get(code, "0"), share[concerns.get(code, "0")]]
                for code, label in Concern.choices
            ),
        ],
        "syv-by-agency": [
            [
                "Agency",
                "Referrals",
                "Naming serious youth violence",
                "Share",
                "Any harm outside the home",
            ],
            ["Agency ambulance", "1", "1", "100%", "100%"],
            ["Agency police", "2", "1", "50%", "50%"],
        ],
        "sources": [
            ["Source", "Referrals", "Mean completeness (%)"],
            [
                "Automated feed (API): Ambulance dispatch to a possible serious youth violence "
                "incident",
                "1",
                "30",
            ],
            ["Referral form", "2", "100"],
        ],
        "outcomes": [["Decision", "Referrals", "Share of decisions"], ["Early help", "1", "100%"]],
        "strategy-meetings": [
            ["Measure", "Meetings"],
            ["Convened", "2"],
            ["Held", "1"],
            ["Held late (after the service level)", "1"],
            ["Held out of hours", "0"],
            ["Held without police", "0"],
            ["Held without health", "1"],
            ["Planned and past their due time, not yet held", "1"],
        ],
        "escalations": [
            ["Referring agency", "Raised", "Resolved", "Open", "Median hours to resolve"],
            ["Agency police", "2", "1", "1", "3.0"],
        ],
    }


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_each_tables_csv_holds_exactly_its_rows(client, partnership, every_kind):
    expected = _expected_tables(every_kind["fed"])
    assert list(expected) == list(reports.TABLES)
    page = reports.front_door_report(actor=partnership["manager"])
    assert [t.key for t in page.tables] == list(reports.TABLES)
    client.force_login(partnership["manager"])
    today = timezone.localdate()
    for key, rows in expected.items():
        response = client.get(reverse("frontdoor:report-csv", args=[key]), {"period": "3"})
        assert response.status_code == 200, key
        assert _csv(response) == rows, key
        # The same numbers as the page shows.
        table = page.table(key)
        assert [table.columns, *([str(cell) for cell in row] for row in table.rows)] == rows, key
        since = (today.replace(day=1) - dt.timedelta(days=62)).replace(day=1)
        assert response["Content-Disposition"] == (
            f'attachment; filename="front-door-{key}-{since:%Y-%m}-to-{today:%Y-%m-%d}.csv"'
        )


def _tables_read(client, key: str) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("frontdoor:report-csv", args=[key]))
    assert response.status_code == 200
    names = {
        "frontdoor_referral",
        "frontdoor_referraldecision",
        "frontdoor_strategymeeting",
        "frontdoor_escalation",
    }
    return {name for name in names for q in queries if f'"{name}"' in q["sql"]}


def test_a_csv_reads_only_what_its_table_is_made_from(client, partnership, every_kind):
    client.force_login(partnership["manager"])
    assert _tables_read(client, "strategy-meetings") == {"frontdoor_strategymeeting"}
    assert _tables_read(client, "concerns") == {"frontdoor_referral"}
    assert _tables_read(client, "outcomes") == {"frontdoor_referral", "frontdoor_referraldecision"}
    assert _tables_read(client, "escalations") == {"frontdoor_escalation", "frontdoor_referral"}


def test_only_report_readers_download_and_an_unknown_table_is_404(client, partnership):
    client.force_login(partnership["officer"])
    assert client.get(reverse("frontdoor:report-csv", args=["concerns"])).status_code == 403
    assert client.get(reverse("frontdoor:report-csv", args=["no-such-table"])).status_code == 403
    assert reports.front_door_table(actor=partnership["manager"], key="no-such-table") is None
    with pytest.raises(policy.Forbidden):
        reports.front_door_table(actor=partnership["officer"], key="concerns")
