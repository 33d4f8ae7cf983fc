"""Leaders' and caseworkers' lists: transitions, education beyond limits, long waits."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from harbour.access.models import AuditEvent, RelationshipKind
from harbour.children.attention import Count, eighteenth_birthday_window
from harbour.children.models import Assessment, EducationEpisode, EducationLimit, TransitionPlan
from harbour.partnership.models import AgencyType, Role
from harbour.testing import hold_record, make_agency, make_agreement, make_child, make_staff, relate

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def area():
    yjs = make_agency("yjs", AgencyType.YOUTH_JUSTICE)
    school = make_agency("school", AgencyType.SCHOOL)
    worker = make_staff(yjs, role=Role.LEAD_PRACTITIONER)
    leader = make_staff(yjs, role=Role.STRATEGIC_LEADER)
    EducationLimit.objects.update_or_create(status="reduced_timetable", defaults={"max_days": 42})
    nearly_adult = make_child(
        yjs, given_name="Leon", date_of_birth=TODAY - dt.timedelta(days=17 * 365 + 200)
    )
    planned = make_child(
        yjs, given_name="Nadia", date_of_birth=TODAY - dt.timedelta(days=17 * 365 + 100)
    )
    TransitionPlan.objects.create(child=planned, agreed_on=TODAY, adult_services="Referred")
    part_time = make_child(yjs, given_name="Kofi", date_of_birth=dt.date(2011, 1, 1))
    EducationEpisode.objects.create(
        child=part_time, status="reduced_timetable", start_date=TODAY - dt.timedelta(days=100)
    )
    waiting = make_child(yjs, given_name="Maya", date_of_birth=dt.date(2012, 1, 1))
    Assessment.objects.create(
        child=waiting, kind="neurodevelopmental", referred_on=TODAY - dt.timedelta(days=900)
    )
    elsewhere = make_child(school, given_name="Unseen", date_of_birth=dt.date(2011, 1, 1))
    EducationEpisode.objects.create(
        child=elsewhere, status="reduced_timetable", start_date=TODAY - dt.timedelta(days=100)
    )
    hold_record(elsewhere, school)
    for child in (nearly_adult, planned, part_time, waiting):
        hold_record(child, yjs)
    relate(part_time, worker, kind=RelationshipKind.LEAD_PRACTITIONER)
    return {"worker": worker, "leader": leader}


def test_a_caseworker_sees_the_named_children_they_may_see_with_reasons(client, area):
    client.force_login(area["worker"])
    before = AuditEvent.objects.count()
    body = client.get(reverse("children:attention")).content.decode()
    assert "Leon" in body
    assert "Turns 18 within a year with no transition plan" in body
    assert "Nadia" not in body  # has a transition plan
    assert "Part-time or reduced timetable for 14 weeks" in body
    assert "Waiting 29 months for Neurodevelopmental (autism or ADHD)" in body
    assert "Unseen" not in body  # known only to a school the worker has no relationship with
    listed = AuditEvent.objects.filter(sequence__gt=before, section="attention_list")
    assert listed.count() == 3


def test_leaders_see_counts_never_names_and_small_numbers_are_suppressed(client, area):
    client.force_login(area["leader"])
    response = client.get(reverse("children:cohort-report"))
    body = response.content.decode()
    assert response.status_code == 200
    for name in ("Leon", "Nadia", "Kofi", "Maya", "Unseen"):
        assert name not in body
    assert "[c]" in body
    assert client.get(reverse("children:attention")).status_code == 403


def test_a_caseworker_cannot_open_the_leaders_report(client, area):
    client.force_login(area["worker"])
    assert client.get(reverse("children:cohort-report")).status_code == 403


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (1, "[c]"), (4, "[c]"), (5, "5"), (1234, "1,234")],
)
def test_counts_suppress_one_to_four(value, shown):
    assert Count("x", value).shown == shown


def test_the_eighteenth_birthday_window():
    low, high = eighteenth_birthday_window(dt.date(2026, 11, 25))
    assert low == dt.date(2008, 11, 26)  # turned 18 today is not "within a year"
    assert high == dt.date(2009, 11, 25)


def test_a_reason_comes_only_from_an_entry_the_caseworker_may_see(client, area):
    """The hospital recorded Sade's assessment wait, and the youth justice service has no
    agreement with it: the wait is not a reason on the youth justice worker's list (it would
    tell them the hospital's health record) until an agreement covers health."""
    hospital = make_agency("hospital", AgencyType.NHS_TRUST, name="Riverside Hospital")
    yjs = area["worker"].agency
    sade = make_child(yjs, given_name="Sade", date_of_birth=dt.date(2012, 5, 1))
    hold_record(sade, yjs)
    Assessment.objects.create(
        child=sade,
        kind="camhs",
        referred_on=TODAY - dt.timedelta(days=900),
        recorded_by_agency=hospital,
    )
    client.force_login(area["worker"])
    body = client.get(reverse("children:attention")).content.decode()
    assert "Sade" not in body
    make_agreement(yjs, hospital, purposes=["safeguarding"], categories=["health"])
    body = client.get(reverse("children:attention")).content.decode()
    assert "Sade" in body and "Waiting 29 months for Child and adolescent mental health" in body
