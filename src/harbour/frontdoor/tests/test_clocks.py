"""Clocks by urgency (issue 12, part 1; ADR 0019): which clock times a referral and when each step
falls due, across an evening, a weekend, a bank holiday and the change of the clocks; the alert to
the front door the moment an immediate referral is past its clock, and not before; the managers
told once; escalation that follows the urgency; and the partnership's rules for all of it."""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from harbour.access import policy
from harbour.access.models import AuditEvent
from harbour.frontdoor import clocks, selectors, services
from harbour.frontdoor.codes import ServiceClock, Status, Step, Unit, Urgency
from harbour.frontdoor.models import BankHoliday, Notification, Referral, ServiceLevel
from harbour.frontdoor.presenters import ClockPresenter, duration_in_words
from harbour.frontdoor.tests.factories import sent
from harbour.frontdoor.working_time import WorkingTime
from harbour.partnership.models import AgencyType, Role, Team
from harbour.testing import make_agency, make_staff

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A moment on the clock on Riverside's wall."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


FRIDAY_EVENING = local(2026, 11, 20, 17, 30)
SATURDAY_NIGHT = local(2026, 11, 21, 2, 0)
TUESDAY_MORNING = local(2026, 11, 24, 10, 0)


def timed(urgency: str, received: dt.datetime) -> clocks.ReferralClock:
    """The clock the seeded levels, working hours and bank holidays give (migration 0007)."""
    return clocks.referral_clock(
        urgency=urgency,
        received=received,
        levels=clocks.service_levels(),
        working=clocks.working_time(),
    )


# Which clock, and when each step is due -------------------------------------------------------


def test_an_immediate_referral_at_half_past_five_on_a_friday_is_due_that_evening():
    clock = timed(Urgency.IMMEDIATE, FRIDAY_EVENING)
    assert clock.clock == ServiceClock.IMMEDIATE and clock.out_of_hours
    assert clock.rag_due_at == local(2026, 11, 20, 18, 30)  # not Monday
    assert clock.decision_due_at == local(2026, 11, 20, 21, 30)
    assert clock.escalation_from == local(2026, 11, 20, 18, 30)


def test_a_routine_referral_at_half_past_five_on_a_friday_counts_working_days():
    clock = timed(Urgency.ROUTINE, FRIDAY_EVENING)
    # Routine can wait for the next working day: it keeps its own clock, out of hours or not.
    assert clock.clock == ServiceClock.ROUTINE and clock.out_of_hours
    assert clock.rag_due_at == local(2026, 11, 21, 17, 30)  # 24 hours
    assert clock.decision_due_at == local(2026, 11, 23, 17, 30)  # 1 working day: Monday
    assert clock.escalation_from == local(2026, 11, 25, 17, 30)  # 3 working days: Wednesday


def test_a_referral_for_today_on_a_friday_evening_is_for_the_emergency_duty_team():
    clock = timed(Urgency.TODAY, FRIDAY_EVENING)
    assert clock.clock == ServiceClock.OUT_OF_HOURS
    assert clock.rag_due_at == local(2026, 11, 20, 19, 30)  # rated within 2 hours
    assert clock.decision_due_at == local(2026, 11, 23, 17, 30)


def test_a_referral_at_two_in_the_morning_on_a_saturday_is_on_the_out_of_hours_clock():
    for urgency in (Urgency.TODAY, ""):  # an automated feed may not say how urgent
        clock = timed(urgency, SATURDAY_NIGHT)
        assert clock.clock == ServiceClock.OUT_OF_HOURS and clock.out_of_hours
        assert clock.rag_due_at == local(2026, 11, 21, 4, 0)  # not left until Monday
        assert clock.decision_due_at == local(2026, 11, 23, 2, 0)


def test_in_working_hours_the_urgency_chooses_the_clock():
    assert timed(Urgency.TODAY, TUESDAY_MORNING).clock == ServiceClock.TODAY
    assert timed("", TUESDAY_MORNING).clock == ServiceClock.TODAY  # unstated: treated as today
    assert timed(Urgency.ROUTINE, TUESDAY_MORNING).clock == ServiceClock.ROUTINE
    assert timed(Urgency.IMMEDIATE, TUESDAY_MORNING).clock == ServiceClock.IMMEDIATE
    assert not timed(Urgency.TODAY, TUESDAY_MORNING).out_of_hours
    assert timed(Urgency.TODAY, TUESDAY_MORNING).rag_due_at == local(2026, 11, 25, 10, 0)


def test_the_office_opens_at_nine_and_closes_at_five():
    working = clocks.working_time()
    assert working.out_of_hours(local(2026, 11, 24, 8, 59))
    assert not working.out_of_hours(local(2026, 11, 24, 9, 0))
    assert not working.out_of_hours(local(2026, 11, 24, 16, 59))
    assert working.out_of_hours(local(2026, 11, 24, 17, 0))
    assert working.out_of_hours(local(2026, 11, 22, 12, 0))  # Sunday


def test_bank_holidays_are_not_working_days_and_are_out_of_hours():
    working = clocks.working_time()
    christmas_eve = local(2026, 12, 24, 10, 0)
    # Christmas Day is a Friday, Boxing Day a Saturday (Monday 28th is its substitute day).
    assert timed(Urgency.ROUTINE, christmas_eve).decision_due_at == local(2026, 12, 29, 10, 0)
    assert working.out_of_hours(local(2026, 12, 28, 11, 0))
    assert timed(Urgency.TODAY, local(2026, 12, 28, 11, 0)).clock == ServiceClock.OUT_OF_HOURS
    # Without the list, only weekends are skipped.
    assert WorkingTime().add_working_days(christmas_eve, 1) == local(2026, 12, 25, 10, 0)


def test_a_working_day_keeps_the_time_on_the_wall_when_the_clocks_go_back():
    friday = local(2026, 10, 23, 16, 0)  # British Summer Time; the clocks go back on Sunday
    monday = timed(Urgency.ROUTINE, friday).decision_due_at
    assert monday == local(2026, 10, 26, 16, 0)
    assert monday is not None
    assert monday.astimezone(dt.UTC) - friday.astimezone(dt.UTC) == dt.timedelta(days=3, hours=1)
    # An hours clock counts hours that pass, not the clock on the wall.
    saturday = local(2026, 10, 24, 12, 0)
    assert WorkingTime().due(24, Unit.HOURS, saturday) == local(2026, 10, 25, 11, 0)


def test_a_step_without_a_level_on_its_clock_falls_back_to_todays():
    ServiceLevel.objects.filter(clock=ServiceClock.ROUTINE, step=Step.DECISION).delete()
    assert timed(Urgency.ROUTINE, TUESDAY_MORNING).decision_due_at == local(2026, 11, 25, 10, 0)


def test_the_services_put_a_referral_on_its_clock_when_it_arrives(partnership, clock_at):
    clock_at(FRIDAY_EVENING)
    referral = sent(partnership, urgency=Urgency.IMMEDIATE)
    assert referral.received_at == FRIDAY_EVENING
    assert referral.service_clock == ServiceClock.IMMEDIATE
    assert referral.received_out_of_hours
    assert referral.rag_due_at == local(2026, 11, 20, 18, 30)
    clock_at(SATURDAY_NIGHT)
    automated, _ = services.referral_receive_automated(
        agency=partnership["police"],
        source="api",
        feed="custody",
        source_system="NICHE",
        source_id="C-1",
        answers={"child_given_name": "Jay", "child_family_name": "Night"},
    )
    assert automated.service_clock == ServiceClock.OUT_OF_HOURS
    assert automated.rag_due_at == local(2026, 11, 21, 4, 0)


def test_a_reopened_referral_gets_a_new_clock_from_when_it_is_reopened(partnership, clock_at):
    clock_at(TUESDAY_MORNING)
    referral = sent(partnership, urgency=Urgency.TODAY)
    services.referral_confirm_child(
        actor=partnership["practitioner"], referral=referral, create=True
    )
    services.referral_decide(
        actor=partnership["manager"],
        referral=referral,
        outcome="nfa",
        rationale="Advice given to the referrer; no role for children's services.",
        feedback_to_referrer="No further action.",
    )
    escalation_from = Referral.objects.get(pk=referral.pk).escalation_from
    clock_at(SATURDAY_NIGHT + dt.timedelta(days=7))
    services.referral_reopen(
        actor=partnership["manager"],
        referral=referral,
        reason="The police report a second stabbing in the same park.",
    )
    referral.refresh_from_db()
    assert referral.service_clock == ServiceClock.OUT_OF_HOURS
    assert referral.rag_due_at == local(2026, 11, 28, 4, 0)
    assert referral.escalation_from == escalation_from


def test_open_immediate_referrals_move_onto_the_immediate_clock_on_upgrade(partnership):
    """Migration 0007: an immediate referral already waiting on the old 24 hours is timed from
    when it arrived by the immediate clock; others keep their due times."""
    migration = importlib.import_module("harbour.frontdoor.migrations.0007_clocks_by_urgency")
    immediate = sent(partnership, urgency=Urgency.IMMEDIATE)
    routine = sent(partnership, urgency=Urgency.ROUTINE)
    assert immediate.received_at is not None
    old = immediate.received_at + dt.timedelta(hours=24)
    Referral.objects.filter(pk__in=[immediate.pk, routine.pk]).update(
        service_clock="", rag_due_at=old
    )
    migration.clock_open_referrals(django_apps, None)
    immediate.refresh_from_db()
    routine.refresh_from_db()
    assert immediate.service_clock == ServiceClock.IMMEDIATE
    assert immediate.rag_due_at == immediate.received_at + dt.timedelta(hours=1)
    assert routine.service_clock == ServiceClock.ROUTINE and routine.rag_due_at == old


def test_which_clock_and_why_in_words():
    sat = ClockPresenter(ServiceClock.OUT_OF_HOURS, True, Urgency.TODAY, SATURDAY_NIGHT)
    assert sat.name == "Out-of-hours clock"
    assert "Received Saturday 21 November at 02:00" in sat.reason("Monday to Friday")
    assert "emergency duty team" in sat.summary
    routine = ClockPresenter(ServiceClock.ROUTINE, True, Urgency.ROUTINE, FRIDAY_EVENING)
    assert "waits for the next working day" in routine.summary
    unstated = ClockPresenter(ServiceClock.TODAY, False, "", TUESDAY_MORNING)
    assert "does not say how urgent" in unstated.reason()
    assert ClockPresenter("", False, Urgency.IMMEDIATE, None).name == "Standard clock"
    assert duration_in_words(dt.timedelta(hours=1)) == "1 hour"
    assert duration_in_words(dt.timedelta(hours=2, minutes=14)) == "2 hours 14 minutes"
    assert duration_in_words(dt.timedelta(hours=31, minutes=5)) == "1 day 7 hours"
    assert duration_in_words(dt.timedelta(seconds=20)) == "less than a minute"


# The alert the moment an immediate referral is past its clock -------------------------------


@pytest.fixture
def late(partnership, clock_at):
    """An immediate referral received at 17:30 on a Friday: its rating is due at 18:30."""
    clock_at(FRIDAY_EVENING)
    return sent(partnership, urgency=Urgency.IMMEDIATE)


def test_the_alert_comes_exactly_when_the_clock_has_passed_and_not_before(partnership, late):
    due = local(2026, 11, 20, 18, 30)
    for who in ("manager", "practitioner"):
        actor = partnership[who]
        assert selectors.clock_alerts(actor=actor, now=due - dt.timedelta(minutes=5)) == []
        assert selectors.clock_alerts(actor=actor, now=due) == []  # due, not yet past
        (alert,) = selectors.clock_alerts(actor=actor, now=due + dt.timedelta(seconds=1))
        assert (alert.referral_id, alert.reference) == (late.pk, late.reference)
        assert alert.allowed == "1 hour"
        (alert,) = selectors.clock_alerts(actor=actor, now=due + dt.timedelta(minutes=75))
        assert alert.overdue_by == "1 hour 15 minutes"
    # The referrer, and another front door, are not alerted.
    assert (
        selectors.clock_alerts(actor=partnership["officer"], now=due + dt.timedelta(hours=1)) == []
    )
    other = make_agency("other-csc", AgencyType.CHILDRENS_SOCIAL_CARE)
    Team.objects.create(agency=other, name="Other MASH", is_front_door=True)
    elsewhere = make_staff(other, Role.FRONT_DOOR_MANAGER)
    assert selectors.clock_alerts(actor=elsewhere, now=due + dt.timedelta(hours=1)) == []


def test_the_alert_ends_when_the_referral_is_rated(partnership, late, clock_at):
    after = clock_at(local(2026, 11, 20, 19, 0))
    assert selectors.clock_alerts(actor=partnership["manager"], now=after)
    services.referral_rate(
        actor=partnership["practitioner"],
        referral=late,
        rag="red",
        rationale="Threats to stab him tonight; police are with him now.",
    )
    assert selectors.clock_alerts(actor=partnership["manager"], now=after) == []


def test_only_immediate_referrals_raise_the_alert(partnership, clock_at):
    clock_at(TUESDAY_MORNING)
    today = sent(partnership, urgency=Urgency.TODAY)
    assert today.rag_due_at is not None
    later = today.rag_due_at + dt.timedelta(hours=5)
    assert selectors.clock_for(today, later).overdue  # overdue on the queue, but no alert
    assert selectors.clock_alerts(actor=partnership["manager"], now=later) == []


def test_the_managers_are_told_once(partnership, late, clock_at):
    due = local(2026, 11, 20, 18, 30)
    second_manager = make_staff(partnership["csc"], Role.FRONT_DOOR_MANAGER)
    assert services.clock_alerts_notify(now=due) == 0  # not yet past
    assert services.clock_alerts_notify(now=due + dt.timedelta(minutes=1)) == 1
    assert services.clock_alerts_notify(now=due + dt.timedelta(minutes=2)) == 0
    clock_at(local(2026, 11, 21, 9, 0))
    call_command("frontdoor", "clocks")  # the next morning: still nothing new
    told = Notification.objects.filter(referral=late)
    assert sorted(n.recipient_id for n in told) == sorted(
        [partnership["manager"].pk, second_manager.pk]
    )
    assert told[0].message == (
        f"Immediate referral {late.reference} was not rated within 1 hour: it was due at 18:30 "
        "on Friday 20 November"
    )
    assert not Notification.objects.filter(recipient=partnership["practitioner"]).exists()
    event = AuditEvent.objects.get(event="referral.rating_overdue")
    assert event.actor_username == "frontdoor:clocks"


def test_the_banner_is_on_every_page_of_the_front_door_once_the_clock_passes(client, partnership):
    referral = sent(partnership, urgency=Urgency.IMMEDIATE)
    Referral.objects.filter(pk=referral.pk).update(
        rag_due_at=timezone.now() + dt.timedelta(minutes=5)
    )
    client.force_login(partnership["manager"])
    assert "data-clock-alerts" not in client.get(reverse("frontdoor:queue")).content.decode()
    assert not Notification.objects.filter(referral=referral).exists()
    Referral.objects.filter(pk=referral.pk).update(
        rag_due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    for url in (reverse("frontdoor:queue"), reverse("pages:home"), reverse("children:search")):
        body = client.get(url).content.decode()
        assert "data-clock-alerts" in body
        assert "An immediate referral has not been rated in time" in body
        assert (
            f'href="{reverse("frontdoor:detail", args=[referral.pk])}">{referral.reference}' in body
        )
    # The first page drawn told the managers, once, in its transaction.
    assert Notification.objects.filter(referral=referral).count() == 1
    client.force_login(partnership["practitioner"])
    assert "data-clock-alerts" in client.get(reverse("pages:home")).content.decode()
    client.force_login(partnership["officer"])
    assert "data-clock-alerts" not in client.get(reverse("pages:home")).content.decode()
    assert Notification.objects.filter(referral=referral).count() == 1


def test_oversight_lists_immediate_referrals_not_rated_in_time(partnership, late, clock_at):
    clock_at(local(2026, 11, 20, 19, 0))
    oversight = selectors.oversight(actor=partnership["manager"])
    assert [row.referral for row in oversight.immediate_not_rated] == [late]
    assert late not in [row.referral for row in oversight.against_the_clock]
    assert AuditEvent.objects.filter(
        event="referral.viewed", section="oversight_clock_alerts"
    ).exists()


def test_the_referral_page_says_which_clock_and_why(client, partnership, late, clock_at):
    clock_at(local(2026, 11, 20, 18, 0))
    client.force_login(partnership["practitioner"])
    body = client.get(reverse("frontdoor:detail", args=[late.pk])).content.decode()
    assert "Immediate clock" in body
    assert "may be at risk of significant harm now" in body
    assert "Rating due Friday 20 November, 18:30" in body
    queue = client.get(reverse("frontdoor:queue")).content.decode()
    assert "Immediate clock: the child may be at risk of significant harm now" in queue


# Escalation that follows the urgency ---------------------------------------------------------


def test_the_referrer_of_an_immediate_referral_may_escalate_after_an_hour(partnership, clock_at):
    clock_at(TUESDAY_MORNING)
    immediate = sent(partnership, urgency=Urgency.IMMEDIATE)
    routine = sent(partnership, urgency=Urgency.ROUTINE)
    hour = TUESDAY_MORNING + dt.timedelta(hours=1)
    assert not services.may_escalate(immediate, hour - dt.timedelta(minutes=1))
    assert services.may_escalate(immediate, hour)
    assert not services.may_escalate(routine, hour)
    assert not services.may_escalate(routine, local(2026, 11, 27, 9, 59))
    assert services.may_escalate(routine, local(2026, 11, 27, 10, 0))  # 3 working days
    clock_at(hour + dt.timedelta(minutes=5))
    services.referral_escalate(actor=partnership["officer"], referral=immediate)
    with pytest.raises(ValidationError):
        services.referral_escalate(actor=partnership["officer"], referral=routine)


# The partnership's rules ---------------------------------------------------------------------


@pytest.fixture
def admin(partnership):
    return make_staff(partnership["csc"], Role.ADMINISTRATOR)


def test_the_rules_page_shows_every_clock(client, admin):
    client.force_login(admin)
    body = client.get(reverse("frontdoor:rules")).content.decode()
    for heading in ("Immediate clock", "Out-of-hours clock", "Today clock", "Routine clock"):
        assert heading in body
    assert reverse("frontdoor:clock-level-edit", args=["immediate", "rag"]) in body
    assert "Monday to Friday, 09:00 to 17:00, except bank holidays" in body


def test_an_administrator_changes_an_immediate_level(client, admin):
    client.force_login(admin)
    url = reverse("frontdoor:clock-level-edit", args=["immediate", "rag"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"amount": "2", "unit": "hours"})
    assert response.status_code == 302
    level = ServiceLevel.objects.get(step=Step.RAG, clock=ServiceClock.IMMEDIATE)
    assert (level.amount, level.unit) == (2, Unit.HOURS)
    event = AuditEvent.objects.get(event="frontdoor.service_level_changed")
    assert event.detail["clock"] == "immediate"


@pytest.mark.parametrize(
    ("clock", "step", "data", "error"),
    [
        (
            "immediate",
            "rag",
            {"amount": "1", "unit": "working_days"},
            "The immediate clock runs in hours, through evenings and weekends",
        ),
        (
            "out_of_hours",
            "rag",
            {"amount": "1", "unit": "working_days"},
            "clock runs in hours",
        ),
        ("immediate", "rag", {"amount": "0", "unit": "hours"}, "Time allowed must be at least 1"),
        ("immediate", "rag", {"amount": "one", "unit": "hours"}, "must be a whole number"),
        ("immediate", "rag", {"amount": "", "unit": "hours"}, "Enter the time allowed"),
        ("immediate", "rag", {"amount": "2"}, "Select hours or working days"),
        ("today", "rag", {"amount": "200", "unit": "hours"}, "168 (a week) or less"),
        ("routine", "decision", {"amount": "30", "unit": "working_days"}, "20 (four weeks)"),
        (
            "immediate",
            "rag",
            {"amount": "5", "unit": "hours"},
            "The rating must be due no later than the decision",
        ),
    ],
)
def test_a_level_that_cannot_be_is_refused_with_a_govuk_error(
    client, admin, clock, step, data, error
):
    client.force_login(admin)
    before = ServiceLevel.objects.get(step=step, clock=clock)
    response = client.post(reverse("frontdoor:clock-level-edit", args=[clock, step]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and error in body
    after = ServiceLevel.objects.get(step=step, clock=clock)
    assert (after.amount, after.unit) == (before.amount, before.unit)


def test_a_decision_may_be_due_when_the_rating_is(client, admin):
    client.force_login(admin)
    url = reverse("frontdoor:clock-level-edit", args=["immediate", "decision"])
    assert client.post(url, {"amount": "1", "unit": "hours"}).status_code == 302


def test_only_an_administrator_changes_the_clocks(partnership):
    level = ServiceLevel.objects.get(step=Step.RAG, clock=ServiceClock.IMMEDIATE)
    with pytest.raises(policy.Forbidden):
        services.service_level_update(
            actor=partnership["manager"], level=level, amount=3, unit=Unit.HOURS
        )
    with pytest.raises(policy.Forbidden):
        services.bank_holiday_add(actor=partnership["manager"], day=dt.date(2028, 1, 3), name="x")


def test_working_hours_are_changed_with_govuk_errors(client, admin):
    client.force_login(admin)
    url = reverse("frontdoor:working-hours-edit")
    assert 'value="09:00"' in client.get(url).content.decode()
    body = client.post(url, {"opens_at": "17:00", "closes_at": "08:00"}).content.decode()
    assert "The office must close later in the day than it opens" in body
    body = client.post(url, {"opens_at": "25:00", "closes_at": "17:00"}).content.decode()
    assert "Enter a real time on the 24-hour clock" in body
    assert client.post(url, {"opens_at": "08:30", "closes_at": "18:00"}).status_code == 302
    working = clocks.working_time()
    assert (working.opens, working.closes) == (dt.time(8, 30), dt.time(18, 0))
    assert not working.out_of_hours(local(2026, 11, 24, 17, 30))


def test_bank_holidays_are_added_and_removed_with_govuk_errors(client, admin):
    client.force_login(admin)
    url = reverse("frontdoor:bank-holiday-add")
    data = {
        "day_day": "3",
        "day_month": "1",
        "day_year": "2028",
        "name": "New Year's Day (substitute)",
    }
    assert client.post(url, data).status_code == 302
    holiday = BankHoliday.objects.get(day=dt.date(2028, 1, 3))
    assert dt.date(2028, 1, 3) in clocks.working_time().bank_holidays
    body = client.post(url, data).content.decode()
    assert "3 January 2028 is already in the list" in body
    body = client.post(url, {**data, "day_day": "1"}).content.decode()
    assert "is a Saturday: weekends are never working days" in body
    body = client.post(url, {**data, "day_day": "31", "day_month": "2"}).content.decode()
    assert "Date must be a real date" in body
    empty = {"day_day": "", "day_month": "", "day_year": "", "name": ""}
    body = client.post(url, empty).content.decode()
    assert "Enter the date of the bank holiday" in body and "Enter the bank holiday" in body
    remove = reverse("frontdoor:bank-holiday-remove", args=[holiday.pk])
    assert "Remove New Year" in client.get(remove).content.decode()
    assert client.post(remove).status_code == 302
    assert not BankHoliday.objects.filter(pk=holiday.pk).exists()
    assert AuditEvent.objects.filter(event="frontdoor.bank_holiday_removed").exists()


def test_the_rules_page_warns_when_the_bank_holidays_run_out(client, admin, clock_at):
    clock_at(TUESDAY_MORNING)  # the seeded list runs to December 2027
    client.force_login(admin)
    assert "No bank holidays are listed a year or more from today" not in (
        client.get(reverse("frontdoor:rules")).content.decode()
    )
    clock_at(local(2027, 6, 1, 10, 0))
    client.force_login(admin)  # a session does not last six months
    assert "No bank holidays are listed a year or more from today" in (
        client.get(reverse("frontdoor:rules")).content.decode()
    )


def test_a_referral_already_received_keeps_its_clock_when_the_levels_change(partnership, clock_at):
    clock_at(TUESDAY_MORNING)
    referral = sent(partnership, urgency=Urgency.IMMEDIATE)
    ServiceLevel.objects.filter(step=Step.RAG, clock=ServiceClock.IMMEDIATE).update(amount=3)
    referral.refresh_from_db()
    assert referral.rag_due_at == TUESDAY_MORNING + dt.timedelta(hours=1)
    assert Referral.objects.filter(status=Status.RECEIVED).count() == 1
