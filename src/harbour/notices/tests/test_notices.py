"""Notices to the team around the child (issue 11, part 4; ADR 0028): who is told, what the
policy lets each recipient see, once per event and recipient, audited, emailed at once or in a
daily digest, never twice, even when the worker dies between the commit and the send; and the
notification centre's pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from harbour.access import policy
from harbour.access.models import AuditEvent, RelationshipKind
from harbour.identity import intake
from harbour.identity.models import Person
from harbour.notices import services
from harbour.notices.models import Delivery, Notice, NoticePreference
from harbour.notices.tasks import react_to_arrival
from harbour.partnership.models import AgencyType, Role
from harbour.testing import (
    hold_record,
    linked_record,
    make_agency,
    make_agreement,
    make_child,
    make_staff,
    relate,
)

GENERIC = "Riverside Police has recorded a new event about a child you work with; open the record"


def build() -> dict[str, Any]:
    """Jordan's team: Grace, his lead practitioner at the council (which police share criminal
    records with), and Nia, a school nurse at the hospital (no agreement with the police) on
    the team around him. Sam, at the council, only through the council's own record (agency
    wide); Lee, on the team but no longer active."""
    council = make_agency("council", AgencyType.CHILDRENS_SOCIAL_CARE, name="Riverside Council")
    police = make_agency("police", AgencyType.POLICE, name="Riverside Police")
    hospital = make_agency("hospital", AgencyType.NHS_TRUST, name="Riverside Hospital")
    make_agreement(police, council, purposes=["safeguarding"], categories=["identity", "criminal"])
    jordan = make_child(council, given_name="Jordan", family_name="Baker")
    hold_record(jordan, council)
    grace = make_staff(
        council, Role.LEAD_PRACTITIONER, first_name="Grace", last_name="Lead", email="g@x.test"
    )
    nia = make_staff(hospital, Role.REFERRER, first_name="Nia", last_name="Nurse", email="n@x.test")
    sam = make_staff(council, Role.FRONT_DOOR_PRACTITIONER, email="s@x.test")
    lee = make_staff(council, Role.REFERRER, email="l@x.test", is_active=False)
    relate(jordan, grace, kind=RelationshipKind.LEAD_PRACTITIONER)
    relate(jordan, nia, kind=RelationshipKind.TEAM_AROUND_CHILD)
    relate(jordan, lee, kind=RelationshipKind.TEAM_AROUND_CHILD)
    linked_record(jordan, council, "C-1")
    return {
        "council": council,
        "police": police,
        "hospital": hospital,
        "jordan": jordan,
        "grace": grace,
        "nia": nia,
        "sam": sam,
        "lee": lee,
    }


def an_event(world: dict[str, Any], reference: str = "OCC-1", **changes: Any) -> intake.EventIn:
    values: dict[str, Any] = {
        "reference": reference,
        "kind": "incident",
        "person": intake.PersonIn(
            source_system="Niche RMS",
            source_id="RVP-1",
            given_name="Jordan",
            family_name="Baker",
            date_of_birth=world["jordan"].date_of_birth,
        ),
        "role": "victim",
        "category": "assault",
        "summary": "Jordan Baker was punched outside the shop by an older boy.",
        "occurred_at": timezone.now() - dt.timedelta(hours=2),
        "severity": 2,
        "person_id": Person.objects.get(child=world["jordan"]).display_id,
    }
    values.update(changes)
    return intake.EventIn(**values)


def arrive(world: dict[str, Any], **changes: Any) -> list[int]:
    received = intake.receive_events(agency=world["police"], events=[an_event(world, **changes)])
    intake.link_arrivals(received)
    return received.ids


# Who is told, and what --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_team_around_the_child_is_told_what_each_may_see():
    world = build()
    (event_id,) = arrive(world)
    made = services.notify(event_id=event_id)
    by = {n.recipient_id: n for n in made}
    assert set(by) == {world["grace"].pk, world["nia"].pk}  # not Sam (agency-wide), not Lee
    grace, nia = by[world["grace"].pk], by[world["nia"].pk]
    assert grace.detailed and grace.text.startswith(
        "Riverside Police has recorded a new incident about a child you work with (assault; "
        "the child's role: victim) on "
    )
    # The hospital has no agreement with the police covering criminal records.
    assert not nia.detailed and nia.text == GENERIC
    for notice in made:
        assert "Jordan" not in notice.text and "punched" not in notice.text


@pytest.mark.django_db
def test_the_policy_decides_what_a_notice_shows():
    world = build()
    assert policy.notice_shows_event(world["grace"], world["police"].pk, "criminal")
    assert not policy.notice_shows_event(world["grace"], world["police"].pk, "health")
    assert not policy.notice_shows_event(world["nia"], world["police"].pk, "criminal")
    assert policy.notice_shows_event(world["nia"], world["hospital"].pk, "health")  # her own
    recipients = policy.notice_recipients(world["jordan"], type(world["grace"]).objects.all())
    assert list(recipients) == [world["grace"], world["nia"]]


@pytest.mark.django_db
def test_one_notice_per_event_and_recipient_each_audited():
    world = build()
    (event_id,) = arrive(world)
    assert len(services.notify(event_id=event_id)) == 2
    assert services.notify(event_id=event_id) == []  # again: nothing more
    assert Notice.objects.count() == 2
    sent = AuditEvent.objects.filter(event="notices.notice_sent")
    assert sent.count() == 2
    assert {a.child_id for a in sent} == {world["jordan"].pk}
    assert {a.detail["recipient"] for a in sent} == {world["grace"].pk, world["nia"].pk}
    assert {a.section for a in sent} == {"criminal", ""}


@pytest.mark.django_db
def test_a_person_not_known_as_a_child_tells_no_one():
    world = build()
    received = intake.receive_events(
        agency=world["police"], events=[an_event(world, person_id="")]
    )  # not linked: no model, no person named
    assert services.notify(event_id=received.ids[0]) == []


# Email: at once or a daily digest, never twice --------------------------------------------------


@pytest.mark.django_db
def test_at_once_emails_each_notice_once(mailoutbox):
    world = build()
    (event_id,) = arrive(world)
    reaction = services.react(event_ids=[event_id], need_ids=[])
    assert (reaction.notices, reaction.emails) == (2, 2)
    assert sorted(m.to[0] for m in mailoutbox) == ["g@x.test", "n@x.test"]
    email = next(m for m in mailoutbox if m.to == ["n@x.test"])
    assert GENERIC in email.body and "Jordan" not in email.body + email.subject
    notice = Notice.objects.get(recipient=world["nia"])
    assert reverse("notices:open", args=[notice.pk]) in email.body
    assert services.react(event_ids=[event_id], need_ids=[]).emails == 0
    assert len(mailoutbox) == 2
    assert AuditEvent.objects.filter(event="notices.notice_emailed").count() == 2


@pytest.mark.django_db
def test_a_daily_digest_instead(mailoutbox):
    world = build()
    NoticePreference.objects.create(staff=world["grace"], delivery=Delivery.DAILY_DIGEST)
    (first,) = arrive(world)
    (second,) = arrive(world, reference="OCC-2")
    services.react(event_ids=[first, second], need_ids=[])
    assert [m.to for m in mailoutbox] == [["n@x.test"], ["n@x.test"]]  # Nia: at once
    call_command("notices", "digest")
    assert [m.to for m in mailoutbox[2:]] == [["g@x.test"]]
    assert "2 new events" in mailoutbox[2].subject and mailoutbox[2].body.count("open the") == 2
    call_command("notices", "digest")
    assert len(mailoutbox) == 3
    assert not Notice.objects.filter(emailed_at__isnull=True).exists()


@pytest.mark.django_db
def test_an_at_once_notice_left_waiting_is_sent_by_the_command(mailoutbox):
    world = build()
    (event_id,) = arrive(world)
    services.notify(event_id=event_id)  # the worker died before emailing
    call_command("notices", "send")
    assert mailoutbox == []  # not yet: its own worker may still be about to send it
    Notice.objects.update(created_at=timezone.now() - dt.timedelta(minutes=10))
    call_command("notices", "send")
    assert len(mailoutbox) == 2
    call_command("notices", "send")
    assert len(mailoutbox) == 2


@pytest.mark.django_db(transaction=True)
def test_exactly_one_notice_and_one_email_when_the_worker_dies(mailoutbox):
    """The database backend, for real: the event commits and its task is enqueued (after the
    commit); the worker dies before running it; a worker runs it; the worker dies before it
    could mark the task done, so it is run again; and once more by hand. One notice and one
    email per recipient, whatever happened."""
    world = build()
    arrive(world)
    (queued,) = DBTaskResult.objects.all()
    assert queued.status == TaskResultStatus.READY
    assert not Notice.objects.exists() and mailoutbox == []

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert Notice.objects.count() == 2 and len(mailoutbox) == 2

    DBTaskResult.objects.update(status=TaskResultStatus.READY, finished_at=None)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    react_to_arrival.call(event_ids=queued.args_kwargs["kwargs"]["event_ids"], need_ids=[])
    assert Notice.objects.count() == 2 and len(mailoutbox) == 2
    assert AuditEvent.objects.filter(event="notices.notice_sent").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_dies_between_the_notice_and_the_email_is_finished_by_the_next(
    mailoutbox,
):
    world = build()
    (event_id,) = arrive(world)
    services.notify(event_id=event_id)  # committed; then the worker died
    assert mailoutbox == []
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert Notice.objects.count() == 2 and len(mailoutbox) == 2


# The notification centre -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_centre_lists_counts_opens_and_marks_read(client):
    world = build()
    (event_id,) = arrive(world)
    services.notify(event_id=event_id)
    client.force_login(world["grace"])
    home = client.get(reverse("pages:home")).content.decode()
    assert 'class="harbour-count">1<span class="govuk-visually-hidden"> unread' in home
    page = client.get(reverse("notices:list")).content.decode()
    assert "Unread" in page and "a new incident about a child you work with" in page
    notice = Notice.objects.get(recipient=world["grace"])
    opened = client.get(reverse("notices:open", args=[notice.pk]))
    assert opened.status_code == 302
    assert opened.url == reverse("children:summary", args=[world["jordan"].pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert "harbour-count" not in client.get(reverse("pages:home")).content.decode()
    # Someone else's notice does not exist for her.
    other = Notice.objects.get(recipient=world["nia"])
    assert client.get(reverse("notices:open", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


@pytest.mark.django_db
def test_mark_all_as_read(client):
    world = build()
    (event_id,) = arrive(world)
    services.notify(event_id=event_id)
    client.force_login(world["nia"])
    assert client.post(reverse("notices:list")).status_code == 302
    assert not Notice.objects.filter(recipient=world["nia"], read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=world["grace"], read_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_settings_page_chooses_the_digest(client):
    world = build()
    client.force_login(world["grace"])
    empty = client.post(reverse("notices:settings"), {})
    assert empty.status_code == 400 and b"govuk-error-summary" in empty.content
    saved = client.post(reverse("notices:settings"), {"delivery": "daily_digest"})
    assert saved.status_code == 302
    assert NoticePreference.objects.get(staff=world["grace"]).delivery == Delivery.DAILY_DIGEST
    assert AuditEvent.objects.filter(event="notices.preference_changed").count() == 1
    assert b"daily_digest" in client.get(reverse("notices:settings")).content


@pytest.mark.django_db
def test_the_unread_count_is_one_query(client, django_assert_num_queries):
    from django.test import RequestFactory

    from harbour.notices.context_processors import unread_notices

    world = build()
    request = RequestFactory().get("/")
    request.user = type(world["grace"]).objects.select_related("agency").get(pk=world["grace"].pk)
    with django_assert_num_queries(1):
        assert unread_notices(request)["unread_notices"] == 0
        assert unread_notices(request)["unread_notices"] == 0
