"""What happens when agencies' events and needs arrive (issue 11, part 4; ADR 0028).

``react`` is the body of the one background task. For the events and needs that arrived (new
or changed), for each person their records are linked to:

* the cumulative-harm flags are re-evaluated for that person only (``flags.raise_person_flags``);
* for needs, that child's needs are reconciled (``needs.reconcile`` on the child's records);
* an event that is a serious incident by the partnership's rule opens a rapid response
  (``rapid.rapid_response_open_by_rule``, which finds one already open);
* each member of the team around the child is told (``notify``): one ``Notice`` per event and
  recipient, saying only what the policy lets them see, audited; then the notices of those who
  want it at once are emailed (``email_waiting``), each by the transaction that claims it.

Every step is idempotent (flags are unique per rule, person and anchor; discrepancies per child,
kind and agency lacking; one rapid response per incident), so running the task twice does
nothing more. A step that fails is logged and the others still run."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.frontdoor import rapid
from harbour.identity import flags, needs
from harbour.identity.models import (
    EVENT_KIND_CATEGORY,
    AgencyEvent,
    EventCategory,
    EventKind,
    EventRole,
    Person,
    PersonRecord,
    SourceNeed,
)
from harbour.identity.people import kept_id, merges
from harbour.notices.models import Delivery, Notice, NoticePreference
from harbour.partnership.models import Staff

logger = logging.getLogger(__name__)


@dataclass
class Reaction:
    people: int = 0
    flags_raised: int = 0
    needs_reconciled: int = 0
    rapid_responses: int = 0
    notices: int = 0
    emails: int = 0
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def people_of_records(record_ids: Iterable[int]) -> dict[int, int]:
    """Each source record -> the person it is linked to now (the person kept after merges);
    records not linked are left out."""
    linked = dict(
        PersonRecord.objects.filter(source_record_id__in=list(record_ids)).values_list(
            "source_record_id", "person_id"
        )
    )
    merged = merges(set(linked.values()))
    return {record: kept_id(person, merged) for record, person in linked.items()}


def _step(reaction: Reaction, name: str, work: Callable[[], None]) -> None:
    try:
        with transaction.atomic():
            work()
    except Exception:  # the rest of the reaction still runs; the nightly runs catch up
        logger.exception("Reacting to an arrival: %s failed", name)
        reaction.failed.append(name)


def react(*, event_ids: Iterable[int], need_ids: Iterable[int]) -> Reaction:
    """React to the events and needs that arrived (see the module docstring)."""
    reaction = Reaction()
    events = list(
        AgencyEvent.objects.filter(pk__in=list(event_ids)).values_list("pk", "source_record_id")
    )
    need_records = set(
        SourceNeed.objects.filter(pk__in=list(need_ids)).values_list("source_record_id", flat=True)
    )
    person_of = people_of_records({r for _, r in events} | need_records)
    event_people = sorted({person_of[r] for _, r in events if r in person_of})
    need_people = sorted({person_of[r] for r in need_records if r in person_of})
    reaction.people = len(set(event_people) | set(need_people))

    for person in event_people:

        def raise_for(person: int = person) -> None:
            reaction.flags_raised += flags.raise_person_flags(person=person).raised

        _step(reaction, f"flags for person {person}", raise_for)
    for person in need_people:

        def reconcile_for(person: int = person) -> None:
            needs.reconcile(person_of=flags.records_of_person(person))
            reaction.needs_reconciled += 1

        _step(reaction, f"needs for person {person}", reconcile_for)
    for event_id, _record in events:

        def open_for(event_id: int = event_id) -> None:
            if rapid.rapid_response_open_by_rule(event_id=event_id) is not None:
                reaction.rapid_responses += 1

        _step(reaction, f"rapid response for event {event_id}", open_for)
    made: list[Notice] = []
    for event_id, _record in events:

        def notify_for(event_id: int = event_id) -> None:
            made.extend(notify(event_id=event_id))

        _step(reaction, f"notices for event {event_id}", notify_for)
    reaction.notices = len(made)
    # Every notice of these events not yet emailed, not only those made now: a run that died
    # between making a notice and emailing it is finished by the next.
    reaction.emails = email_waiting(event_ids=[e for e, _ in events])
    return reaction


# Notices --------------------------------------------------------------------------------------

SYSTEM_ACTOR = "notices"


def child_of_event(event: AgencyEvent) -> Any:
    """The Harbour child the event's record is linked to now (after merges), or None."""
    person_id = (
        PersonRecord.objects.filter(source_record_id=event.source_record_id)
        .values_list("person_id", flat=True)
        .first()
    )
    if person_id is None:
        return None
    kept = kept_id(person_id, merges([person_id]))
    return Person.objects.filter(pk=kept).values_list("child_id", flat=True).first()


def _when(event: AgencyEvent) -> str:
    if event.occurred_at is not None:
        local = timezone.localtime(event.occurred_at)
        return f"{local:%-d %B %Y} at {local:%H:%M}"
    return f"{event.occurred_on:%-d %B %Y}"


def notice_text(event: AgencyEvent, *, detailed: bool) -> str:
    """What the notice says: the event's kind, category, the child's role and when, only where
    the policy lets the recipient see that kind of event from that agency; otherwise that the
    agency recorded a new event. Never the child's name or the agency's summary."""
    agency = event.agency.name
    if not detailed:
        return f"{agency} has recorded a new event about a child you work with; open the record"
    kind = EventKind(event.kind).label
    category = EventCategory(event.category).label.lower()
    role = EventRole(event.role).label.lower()
    return (
        f"{agency} has recorded a new {kind[0].lower() + kind[1:]} about a child you work with "
        f"({category}; the child's role: {role}) on {_when(event)}; open the record"
    )


def notify(*, event_id: int) -> list[Notice]:
    """Tell each member of the team around the event's child (``policy.notice_recipients``),
    once: a notice per event and recipient, whatever runs this again or at the same moment
    (the database refuses a second). Each notice made is audited. Returns those made now."""
    event = AgencyEvent.objects.select_related("agency").filter(pk=event_id).first()
    if event is None:
        return []
    child_id = child_of_event(event)
    if child_id is None:  # no one works with a person Harbour does not know as a child
        return []
    category = EVENT_KIND_CATEGORY[event.kind]
    told = set(Notice.objects.filter(event=event).values_list("recipient_id", flat=True))
    made: list[Notice] = []
    recipients = policy.notice_recipients(child_id, Staff.objects.select_related("agency"))
    for recipient in recipients:
        if recipient.pk in told:
            continue
        detailed = policy.notice_shows_event(recipient, event.agency_id, category)
        try:
            with transaction.atomic():
                notice = Notice.objects.create(
                    recipient=recipient,
                    event=event,
                    child_id=child_id,
                    text=notice_text(event, detailed=detailed),
                    detailed=detailed,
                )
                audit_record(
                    actor=None,
                    system_actor=SYSTEM_ACTOR,
                    event="notices.notice_sent",
                    child_id=child_id,
                    subject=notice,
                    section=category if detailed else "",
                    purpose=policy.purpose_for(recipient),
                    basis="notice:team_around_child",
                    detail={
                        "recipient": recipient.pk,
                        "recipient_name": recipient.get_full_name(),
                        "event": event.pk,
                        "agency": event.agency.code,
                        "detailed": detailed,
                    },
                )
        except IntegrityError:  # another run told them at the same moment
            continue
        made.append(notice)
    return made


def delivery_of(staff_ids: Iterable[int]) -> dict[int, str]:
    """Each person's choice (at once unless they chose the digest)."""
    chosen = dict(
        NoticePreference.objects.filter(staff_id__in=list(staff_ids)).values_list(
            "staff_id", "delivery"
        )
    )
    return {pk: chosen.get(pk, Delivery.AT_ONCE) for pk in staff_ids}


def tell(
    *, recipients: Iterable[Staff], text: str, title: str, link: str, basis: str
) -> list[Notice]:
    """Tell each of ``recipients`` of something that is not an event about a child (an
    emerging-pattern alert, ADR 0034): a notice each, opening ``link``, audited; emailed as each
    person chose (at once by ``email_waiting``, or in the day's digest). The caller decides who
    (through the policy) and says nothing about a child."""
    made = []
    for recipient in recipients:
        notice = Notice.objects.create(recipient=recipient, text=text, title=title, link=link)
        audit_record(
            actor=None,
            system_actor=SYSTEM_ACTOR,
            event="notices.notice_sent",
            subject=notice,
            purpose=policy.purpose_for(recipient),
            basis=basis,
            detail={"recipient": recipient.pk, "recipient_name": recipient.get_full_name()},
        )
        made.append(notice)
    return made


def _link(notice: Notice) -> str:
    return settings.HARBOUR_SITE_URL.rstrip("/") + reverse("notices:open", args=[notice.pk])


def _claim(query: Any) -> list[Notice]:
    """Lock the notices not yet emailed (skipping those another worker holds); on SQLite the
    transaction's write lock (IMMEDIATE) already serialises the workers."""
    return list(
        query.filter(emailed_at__isnull=True)
        .select_for_update(skip_locked=True)
        .select_related("recipient")
    )


def email_waiting(
    *,
    event_ids: Sequence[int] | None = None,
    older_than: dt.timedelta | None = None,
    notice_ids: Sequence[int] | None = None,
) -> int:
    """Email each notice not yet emailed to a person who wants them at once, one email a notice,
    each sent by the transaction that sets its ``emailed_at`` (so never twice; ADR 0028 on the
    one window SMTP leaves). ``event_ids``: only those events' notices; ``older_than``: only
    notices at least that old (the digest command's catch-up)."""
    query = Notice.objects.all()
    if event_ids is not None:
        query = query.filter(event_id__in=list(event_ids))
    if notice_ids is not None:
        query = query.filter(pk__in=list(notice_ids))
    if older_than is not None:
        query = query.filter(created_at__lte=timezone.now() - older_than)
    candidates = list(query.filter(emailed_at__isnull=True).values_list("pk", "recipient_id"))
    wanted = delivery_of({r for _, r in candidates})
    sent = 0
    for pk, recipient_id in candidates:
        if wanted[recipient_id] != Delivery.AT_ONCE:
            continue
        with transaction.atomic():
            for notice in _claim(Notice.objects.filter(pk=pk)):
                if not notice.recipient.email or not notice.recipient.is_active:
                    continue
                send_mail(
                    subject=f"Harbour: {notice.title}"
                    if notice.title
                    else "Harbour: a new event about a child you work with",
                    message=f"{notice.text}:\n\n{_link(notice)}\n\n"
                    "Sign in to Harbour to read it. Change how you are emailed on the Notices "
                    "page.",
                    from_email=None,
                    recipient_list=[notice.recipient.email],
                )
                notice.emailed_at = timezone.now()
                notice.save(update_fields=["emailed_at"])
                _audit_emailed(notice, digest=False)
                sent += 1
    return sent


def _audit_emailed(notice: Notice, *, digest: bool) -> None:
    audit_record(
        actor=None,
        system_actor=SYSTEM_ACTOR,
        event="notices.notice_emailed",
        child_id=notice.child_id,
        subject=notice,
        basis="notice:team_around_child",
        detail={"recipient": notice.recipient_id, "digest": digest, "detailed": notice.detailed},
    )


def send_digests() -> int:
    """One email to each person who chose the daily digest, listing their notices not yet
    emailed (``harbour notices digest``, from cron once a day). Each person's notices are
    claimed, sent and marked in one transaction. Returns the number of emails sent."""
    waiting = set(
        Notice.objects.filter(emailed_at__isnull=True).values_list("recipient_id", flat=True)
    )
    wanted = delivery_of(waiting)
    sent = 0
    for recipient_id in sorted(waiting):
        if wanted[recipient_id] != Delivery.DAILY_DIGEST:
            continue
        with transaction.atomic():
            notices = _claim(Notice.objects.filter(recipient_id=recipient_id).order_by("pk"))
            if not notices or not notices[0].recipient.email:
                continue
            lines = "\n\n".join(f"- {n.text}:\n  {_link(n)}" for n in notices)
            send_mail(
                subject=f"Harbour: {len(notices)} new "
                + (
                    f"event{'s' if len(notices) != 1 else ''} about children you work with"
                    if all(n.event_id for n in notices)
                    else f"notice{'s' if len(notices) != 1 else ''}"
                ),
                message=f"Since your last digest:\n\n{lines}\n\nSign in to Harbour to read them.",
                from_email=None,
                recipient_list=[notices[0].recipient.email],
            )
            now = timezone.now()
            for notice in notices:
                notice.emailed_at = now
                notice.save(update_fields=["emailed_at"])
                _audit_emailed(notice, digest=True)
            sent += 1
    return sent


# The notification centre ------------------------------------------------------------------------


@transaction.atomic
def notice_open(*, actor: Staff, notice_id: int) -> Notice:
    """The actor's own notice (``policy.NotFound`` for anyone else's), marked as read."""
    notice = policy.own_notices(actor, Notice.objects.all()).filter(pk=notice_id).first()
    if notice is None:
        raise policy.NotFound(notice_id)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


@transaction.atomic
def notices_mark_all_read(*, actor: Staff) -> int:
    return (
        policy.own_notices(actor, Notice.objects.all())
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )


@transaction.atomic
def notice_preference_set(*, actor: Staff, delivery: str) -> NoticePreference:
    """The actor's own choice of at once or a daily digest."""
    if not policy.is_active_actor(actor):
        raise policy.Forbidden("notice preference")
    found = policy.own_notice_preference(
        actor, NoticePreference.objects.select_for_update()
    ).first() or NoticePreference(staff_id=actor.pk)
    found.delivery = Delivery(delivery)
    found.save()
    audit_record(
        actor=actor, event="notices.preference_changed", detail={"delivery": found.delivery}
    )
    return found
