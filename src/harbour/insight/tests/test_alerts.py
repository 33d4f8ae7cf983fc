"""Emerging-pattern alerts (ADR 0034): the monthly check as a command over a store holding a rise
(imported through the real import), the leaders it tells, the measures' settings as data, and
the pages: who sees them, the figures shown, and a leader's record of what was done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from harbour.access.models import AuditEvent
from harbour.demo import insight_files
from harbour.insight import alerts as alert_checks
from harbour.insight import services
from harbour.insight.engine.alerts import METHODS
from harbour.insight.models import Alert, AlertAction, AlertCheck, AlertMeasure
from harbour.notices.models import Notice
from harbour.partnership.models import Role
from harbour.testing import make_staff

pytestmark = pytest.mark.django_db

SPAN = insight_files.months_between("2025-01", 14)
LAST = SPAN[-1]


@pytest.fixture
def rising(analyst):
    """Fourteen months of stop and search, the last with the demo's rise in searches of Black
    children, imported as an analyst would."""
    content = insight_files.stop_search_csv(SPAN, 120, rise=True).encode()
    run = services.import_file(
        actor=analyst,
        format_code="police-uk-stop-and-search",
        content=content,
        file_name="riverside-stop-and-search.csv",
    )
    assert run.status == "imported", run.errors
    return analyst


@pytest.fixture
def leader(analyst):
    return make_staff(analyst.agency, Role.STRATEGIC_LEADER, first_name="Lena", last_name="Lead")


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("insight", "alerts", *args, stdout=out)
    return out.getvalue()


def test_the_check_finds_the_rise_and_tells_the_named_leader(
    rising, leader, mailoutbox, django_capture_on_commit_callbacks
):
    other = make_staff(leader.agency, Role.STRATEGIC_LEADER)
    run("measure", "children_searched_share", "--leaders", leader.username)
    with django_capture_on_commit_callbacks(execute=True):
        output = run("check")
    assert f"Checked {dt.date(2026, 2, 1):%B %Y}" in output
    assert "1 alert raised" in output
    alert = Alert.objects.get()
    assert (alert.measure.series, alert.key, alert.month) == (
        "children_searched_share",
        "black",
        LAST,
    )
    assert alert.observed > 2 * alert.expected
    assert alert.probability < alert.threshold == 0.001
    assert alert.total is not None and alert.baseline_share is not None
    assert len(alert.baseline) == 12 and alert.series[-1]["month"] == LAST
    assert AuditEvent.objects.filter(event="insight.alert_raised").count() == 1
    # Told to the leader the measure names, not to every leader; emailed at once.
    notice = Notice.objects.get()
    assert notice.recipient == leader and other.notices.count() == 0
    assert notice.link == reverse("insight:alert", args=[alert.pk]) and notice.child is None
    assert "emerging pattern" in notice.text and "Black" in notice.text
    assert [m.to for m in mailoutbox] == [[leader.email]]
    assert "emerging pattern" in mailoutbox[0].subject
    # Checking the month again raises nothing twice.
    assert "0 alerts raised" in run("check", "--month", LAST)
    assert Alert.objects.count() == 1 and AlertCheck.objects.count() == 2


def test_a_month_before_the_rise_raises_nothing(rising, leader):
    assert "0 alerts raised" in run("check", "--month", SPAN[-2])
    assert not Alert.objects.exists() and not Notice.objects.exists()


def test_with_no_leader_named_every_leader_is_told(rising, leader):
    second = make_staff(leader.agency, Role.STRATEGIC_LEADER)
    run("check")
    assert sorted(Notice.objects.values_list("recipient_id", flat=True)) == sorted(
        [leader.pk, second.pk]
    )


def test_a_named_leader_who_has_left_is_not_told_and_every_leader_is(rising, leader):
    named = make_staff(leader.agency, Role.STRATEGIC_LEADER)
    run("measure", "children_searched_share", "--leaders", named.username)
    named.is_active = False
    named.save(update_fields=["is_active"])
    run("check")
    assert list(Notice.objects.values_list("recipient_id", flat=True)) == [leader.pk]


def test_the_settings_are_data_a_leader_changes(rising, leader):
    # A threshold far stricter than the rise: nothing raised.
    run("measure", "children_searched_share", "--threshold", "0.0000001")
    assert AlertMeasure.objects.get(series="children_searched_share").threshold == 1e-7
    assert "0 alerts raised" in run("check")
    assert AuditEvent.objects.filter(event="insight.alert_measure_changed").exists()
    # Turned off, it is not checked at all.
    run("measure", "children_searched_share", "--off", "--threshold", "0.001")
    assert "0 alerts raised" in run("check")
    run("measure", "children_searched_share", "--on")
    assert "1 alert raised" in run("check")
    listing = run("measures")
    assert "children_searched_share" in listing and "threshold 0.001" in listing


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--month", "2026-13"],
        ["measure", "no_such_measure"],
        ["measure", "children_searched_share", "--look-back", "3"],
        ["measure", "children_searched_share", "--leaders", "nobody-here"],
    ],
)
def test_bad_input_is_refused(rising, args):
    with pytest.raises((SystemExit, CommandError)):
        call_command("insight", "alerts", *args)
    share = next(m for m in alert_checks.measures() if m.series == "children_searched_share")
    assert share.look_back == 12


def test_a_practitioner_cannot_be_named(rising, analyst):
    practitioner = make_staff(analyst.agency, Role.FRONT_DOOR_PRACTITIONER)
    with pytest.raises((SystemExit, CommandError)):
        call_command(
            "insight",
            "alerts",
            "measure",
            "children_searched_share",
            "--leaders",
            practitioner.username,
        )
    share = next(m for m in alert_checks.measures() if m.series == "children_searched_share")
    assert not share.leaders.exists()


# The pages --------------------------------------------------------------------------------------


@pytest.fixture
def raised(rising, leader):
    run("check")
    return Alert.objects.get()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.STRATEGIC_LEADER])
def test_analysts_and_leaders_see_the_alert(client, raised, analyst, role):
    client.force_login(make_staff(analyst.agency, role))
    listing = client.get(reverse("insight:alerts"))
    assert listing.status_code == 200
    assert "Black, Black British" in listing.content.decode()
    assert "No action recorded yet" in listing.content.decode()
    page = client.get(reverse("insight:alert", args=[raised.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for shown in (
        METHODS[raised.method],
        "Expected",
        "Observed",
        "Dispersion",
        "Baseline",
        f"{raised.expected:.1f}",
    ):
        assert shown in html, shown
    section = page.context["section"]
    assert len(section.rows) == len(SPAN) and section.spec is not None
    # Every count in the table is protected: a month's 1 to 4 searches of the group is [c].
    small = [p for p in raised.series if 0 < p["count"] < 5]
    assert small, "the fixture has small months"
    by_month = {row.label: row.cells for row in section.rows}
    for point in small:
        label = dt.date.fromisoformat(point["month"] + "-01").strftime("%B %Y")
        assert by_month[label][0] == "[c]" and by_month[label][2] == "[c]"
    drawn = {d["month"] for d in section.spec["datasets"][next(iter(section.spec["datasets"]))]}
    assert not drawn & {p["month"] for p in small}
    assert ("Record what was done" in html) == (role == Role.STRATEGIC_LEADER)


@pytest.mark.parametrize("role", [Role.FRONT_DOOR_PRACTITIONER, Role.REFERRER, Role.ADMINISTRATOR])
def test_others_are_refused(client, raised, analyst, role):
    client.force_login(make_staff(analyst.agency, role))
    assert client.get(reverse("insight:alerts")).status_code == 403
    assert client.get(reverse("insight:alert", args=[raised.pk])).status_code == 403


def test_an_alert_that_does_not_exist_is_not_found(client, raised, leader):
    client.force_login(leader)
    assert client.get(reverse("insight:alert", args=[raised.pk + 99])).status_code == 404


def _action(**extra: str) -> dict[str, str]:
    today = dt.date.today()
    return {
        "action": "Asked the police why searches of Black children rose; reply due in a week",
        "taken_on_day": str(today.day),
        "taken_on_month": str(today.month),
        "taken_on_year": str(today.year),
        "taken_by": "",
        **extra,
    }


def test_a_leader_records_what_was_done(client, raised, leader):
    client.force_login(leader)
    url = reverse("insight:alert", args=[raised.pk])
    response = client.post(url, _action())
    assert response.status_code == 302 and response["Location"] == url
    action = AlertAction.objects.get()
    assert action.recorded_by == leader and action.taken_by == "Lena Lead"
    assert action.taken_on == dt.date.today()
    assert AuditEvent.objects.filter(
        event="insight.alert_action_recorded", actor_username=leader.username
    ).exists()
    page = client.get(url).content.decode()
    assert "Asked the police" in page and "Recorded by Lena Lead" in page
    assert "Action recorded" in client.get(reverse("insight:alerts")).content.decode()
    acted = client.get(reverse("insight:alerts"), {"state": "open"}).content.decode()
    assert "No alerts match these filters" in acted


def test_an_action_with_problems_is_refused_with_an_error_summary(client, raised, leader):
    client.force_login(leader)
    url = reverse("insight:alert", args=[raised.pk])
    future = dt.date.today() + dt.timedelta(days=3)
    response = client.post(
        url,
        _action(
            action="",
            taken_on_day=str(future.day),
            taken_on_month=str(future.month),
            taken_on_year=str(future.year),
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter what was done about the alert" in html
    assert "The date it was done must be today or in the past" in html
    assert not AlertAction.objects.exists()


def test_an_analyst_may_not_record_an_action(client, raised, analyst):
    client.force_login(analyst)
    response = client.post(reverse("insight:alert", args=[raised.pk]), _action())
    assert response.status_code == 403
    assert not AlertAction.objects.exists()


def test_the_notice_opens_the_alert(client, raised, leader):
    client.force_login(leader)
    notice = Notice.objects.get(recipient=leader)
    response = client.get(reverse("notices:open", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("insight:alert", args=[raised.pk])
    listing = client.get(reverse("notices:list")).content.decode()
    assert "Open the alert" in listing


# What the check watches, from the page (the command's settings, for leaders) ---------------------


def test_readers_see_the_settings_and_only_leaders_may_change_them(client, analyst, leader):
    client.force_login(analyst)
    page = client.get(reverse("insight:alert-measures"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Rows a month from each source" in body and "Every strategic leader" in body
    assert reverse("insight:alert-measure", args=["source_volume"]) not in body
    url = reverse("insight:alert-measure", args=["source_volume"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"active": "no"}).status_code == 403
    assert AlertMeasure.objects.get(series="source_volume").active
    client.force_login(leader)
    assert url in client.get(reverse("insight:alert-measures")).content.decode()
    assert client.get(reverse("insight:alert-measure", args=["no_such"])).status_code == 404


def test_a_leader_changes_a_measure_from_the_page_and_it_is_audited(client, leader):
    client.force_login(leader)
    url = reverse("insight:alert-measure", args=["violent_crime_by_area"])
    form = client.get(url)
    assert form.status_code == 200 and "Lena Lead" in form.content.decode()
    answer = client.post(
        url,
        {
            "active": "no",
            "look_back": "24",
            "threshold": "0.0001",
            "min_count": "8",
            "leaders": [leader.get_username()],
        },
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("insight:alert-measures")
    measure = AlertMeasure.objects.get(series="violent_crime_by_area")
    assert (measure.active, measure.look_back, measure.threshold, measure.min_count) == (
        False,
        24,
        0.0001,
        8,
    )
    assert list(measure.leaders.all()) == [leader]
    event = AuditEvent.objects.filter(event="insight.alert_measure_changed").latest("sequence")
    assert event.actor_id == leader.pk and event.detail["look_back"] == 24


def test_bad_settings_are_shown_as_errors_and_nothing_changes(client, leader):
    client.force_login(leader)
    url = reverse("insight:alert-measure", args=["assaults_by_area"])
    before = AlertMeasure.objects.get_or_create(series="assaults_by_area")[0]
    answer = client.post(
        url, {"active": "yes", "look_back": "3", "threshold": "1.5", "min_count": "0"}
    )
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "govuk-error-summary" in body
    assert "Months of baseline must be 6 or more" in body
    assert "must be more than 0 and less than 1" in body
    assert "The smallest count must be 1 or more" in body
    after = AlertMeasure.objects.get(series="assaults_by_area")
    assert (after.look_back, after.threshold, after.min_count) == (
        before.look_back,
        before.threshold,
        before.min_count,
    )
