"""The demo's serious incidents and the rapid responses to them (issue 3, part 9; ADR 0016).

Two serious incidents, dated back from the demo's "now" so that the front door's list of the last
30 days shows them:

- a week ago, a robbery at knifepoint: one child hurt, one child suspected, a police record on
  each; its rapid response met within the day, named a contact for every child and is closed;
- yesterday, a stabbing: a child stabbed (the police incident and the ambulance call-out), a child
  suspected, so that the links are all there to see: the other child involved, the suspect's
  brother or sister recorded in Harbour, and the child the victim was named with in earlier
  police incidents. Its rapid response is open, to meet today, and not every child yet has a
  named contact.

The incidents are planned with the rest of the demo (``plan_serious_incidents``) and arrive, as
every event does, in the police's and the ambulance service's files (``demo.event_files``); the
rapid responses need the person index, so ``open_rapid_responses`` runs after ``harbour link run``
and the files' import (``harbour demo rapid-responses``)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from harbour.children.codes import Relationship
from harbour.children.models import Child, FamilyMember
from harbour.demo.events import PlannedEvent, PlannedParticipant
from harbour.demo.models import DemoPattern, GroundTruth, Pattern
from harbour.demo.signins import FRONT_DOOR_MANAGER, FRONT_DOOR_PRACTITIONER
from harbour.frontdoor import rapid
from harbour.identity.models import (
    EventCategory,
    EventKind,
    EventRole,
    Severity,
    SourceRecord,
)
from harbour.partnership.models import Agency, AgencyType, Staff

SEED_OFFSET = 4_241
STABBING_DAYS_AGO = 1
ROBBERY_DAYS_AGO = 8


class _Picker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed + SEED_OFFSET)
        self.used: set[Any] = set()

    def record(self, child_id: Any, agency_type: str) -> SourceRecord | None:
        truths = (
            GroundTruth.objects.filter(
                child_id=child_id, source_record__agency__agency_type=agency_type
            )
            .select_related("source_record__agency")
            .order_by("source_record__source_id")
        )
        # A child's own record, not one of the duplicates the generator makes.
        return next((t.source_record for t in truths if "duplicate" not in t.errors), None)

    def police_children(self) -> list[Any]:
        ids = sorted(
            set(
                GroundTruth.objects.filter(
                    source_record__agency__agency_type=AgencyType.POLICE
                ).values_list("child_id", flat=True)
            ),
            key=str,
        )
        return [i for i in ids if i not in self.used]

    def take(self, child_id: Any) -> Any:
        self.used.add(child_id)
        return child_id

    @staticmethod
    def name(child_id: Any) -> str:
        return str(Child.objects.get(pk=child_id).given_name)


def _reference(rng: random.Random, prefix: str, day: dt.date) -> str:
    return f"{prefix}-{day:%y}-{rng.randint(900_000, 999_999):06d}"


def _event(
    record: SourceRecord,
    day: dt.date,
    reference: str,
    role: str,
    summary: str,
    *,
    kind: str = EventKind.INCIDENT,
    category: str = EventCategory.WEAPON,
    severity: int = Severity.VERY_SERIOUS,
    names: SourceRecord | None = None,
) -> PlannedEvent:
    """An event with a weapon on an agency's record, naming the other child involved."""
    other_role = EventRole.VICTIM if role == EventRole.SUSPECT else EventRole.SUSPECT
    return PlannedEvent(
        record=record,
        kind=kind,
        occurred_on=day,
        role=role,
        category=category,
        severity=severity,
        weapon=True,
        summary=summary,
        reference=reference,
        participants=[PlannedParticipant(role=other_role, record=names)] if names else [],
    )


def plan_serious_incidents(*, seed: int, now: dt.datetime) -> list[PlannedEvent]:
    """The two serious incidents (each agency's record of them) from the source records and
    families already in the database."""
    pick = _Picker(seed)
    today = timezone.localtime(now).date() if timezone.is_aware(now) else now.date()
    events: list[PlannedEvent] = []

    # The stabbing: the victim was named with another child in earlier police incidents.
    paired = DemoPattern.objects.filter(pattern=Pattern.CO_INVOLVED).order_by("child_id").first()
    # The suspect has a brother or sister known to Harbour.
    with_sibling = sorted(
        set(
            FamilyMember.objects.filter(
                relationship__in=(Relationship.SIBLING, Relationship.HALF_SIBLING),
                related_child__isnull=False,
            ).values_list("child_id", flat=True)
        ),
        key=str,
    )
    police = pick.police_children()
    victim = pick.take(paired.child_id if paired is not None else police[0])
    suspects = [
        c for c in with_sibling if c in set(pick.police_children())
    ] or pick.police_children()
    suspect = pick.take(suspects[pick.rng.randrange(len(suspects))])
    victim_record = pick.record(victim, AgencyType.POLICE)
    suspect_record = pick.record(suspect, AgencyType.POLICE)
    if victim_record is None or suspect_record is None:
        return []
    day = today - dt.timedelta(days=STABBING_DAYS_AGO)
    reference = _reference(pick.rng, "OCC", day)
    events.append(
        _event(
            victim_record,
            day,
            reference,
            EventRole.VICTIM,
            f"{pick.name(victim)} was stabbed twice in the back near the bus station in the early "
            "evening; taken to hospital by ambulance and in surgery overnight.",
            names=suspect_record,
        )
    )
    events.append(
        _event(
            suspect_record,
            day,
            reference,
            EventRole.SUSPECT,
            f"Witnesses named {pick.name(suspect)} as the young person who stabbed another child "
            "near the bus station; not yet found.",
            names=victim_record,
        )
    )
    ambulance_record = pick.record(victim, AgencyType.AMBULANCE)
    if ambulance_record is not None:
        events.append(
            _event(
                ambulance_record,
                day,
                _reference(pick.rng, "INC", day),
                EventRole.PATIENT,
                f"{pick.name(victim)} had two stab wounds to the back; conscious, taken to the "
                "emergency department under blue lights.",
                kind=EventKind.AMBULANCE,
                category=EventCategory.VIOLENCE_WITH_INJURY,
            )
        )

    # The robbery at knifepoint a week earlier.
    rest = pick.police_children()
    hurt = pick.take(rest[pick.rng.randrange(len(rest))])
    rest = pick.police_children()
    robber = pick.take(rest[pick.rng.randrange(len(rest))])
    hurt_record = pick.record(hurt, AgencyType.POLICE)
    robber_record = pick.record(robber, AgencyType.POLICE)
    if hurt_record is not None and robber_record is not None:
        day = today - dt.timedelta(days=ROBBERY_DAYS_AGO)
        events.append(
            _event(
                hurt_record,
                day,
                _reference(pick.rng, "OCC", day),
                EventRole.VICTIM,
                f"{pick.name(hurt)} was threatened with a knife and punched on the way home from "
                "school; phone and bike taken. Cut to the hand treated at the scene.",
                category=EventCategory.ROBBERY,
                severity=Severity.SERIOUS,
                names=robber_record,
            )
        )
    return events


def _staff(email: str) -> Staff:
    return Staff.objects.get(email=email)


def _contacts(actor: Staff) -> list[Staff]:
    """People a front door would name first: social care, youth justice and the police."""
    ordered = {
        AgencyType.CHILDRENS_SOCIAL_CARE: 0,
        AgencyType.YOUTH_JUSTICE: 1,
        AgencyType.POLICE: 2,
    }
    people = [
        p
        for p in rapid.contact_choices(actor)
        if p.agency is not None and p.agency.agency_type in ordered
    ]
    people.sort(key=lambda p: (ordered[p.agency.agency_type], p.last_name, p.pk))
    return people


@transaction.atomic
def open_rapid_responses(*, now: dt.datetime | None = None) -> int:
    """The demo's rapid responses, opened as the partnership's rule opens one when a serious
    incident arrives (``rapid.rapid_response_open_by_rule``, the front door's own service, which
    finds one already open): the robbery's then met and closed, the stabbing's left open with
    one contact named. Does nothing to a response that already has a contact named."""
    now = now or timezone.now()
    manager = _staff(FRONT_DOOR_MANAGER.email)
    practitioner = _staff(FRONT_DOOR_PRACTITIONER.email)
    incidents = [
        i
        for i in rapid.serious_incidents(practitioner, today=timezone.localtime(now).date())
        if i.event.kind == EventKind.INCIDENT and i.event.role == EventRole.VICTIM
    ]
    incidents.sort(key=lambda i: i.event.occurred_on)
    opened = 0
    for incident in incidents:
        days_ago = (timezone.localtime(now).date() - incident.event.occurred_on).days
        if days_ago not in (ROBBERY_DAYS_AGO, STABBING_DAYS_AGO):
            continue
        existing = rapid.response_to(incident.event)
        if existing is not None and existing.children.filter(contact__isnull=False).exists():
            continue
        if days_ago == ROBBERY_DAYS_AGO:
            at = now - dt.timedelta(days=days_ago - 1, hours=20)
            response = rapid.rapid_response_open_by_rule(event_id=incident.event.pk, at=at)
            if response is None:
                continue
            people = _contacts(manager)
            view = rapid.response_for_actor(manager, response.pk)
            for n, shown in enumerate(view.without_contact):
                assert shown.row is not None
                rapid.rapid_response_name_contact(
                    actor=manager, response=response, row=shown.row, contact=people[n % len(people)]
                )
            agencies = list(
                Agency.objects.filter(
                    agency_type__in=(
                        AgencyType.POLICE,
                        AgencyType.CHILDRENS_SOCIAL_CARE,
                        AgencyType.NHS_TRUST,
                        AgencyType.YOUTH_JUSTICE,
                    )
                )
            )
            rapid.rapid_response_record(
                actor=manager,
                response=response,
                convened_at=at + dt.timedelta(hours=18),
                agencies=agencies,
                decisions="Police to visit both families today. Youth justice to see the child "
                "suspected with their family. A safety plan for the journey to and from school "
                "for the child who was robbed.",
            )
            rapid.rapid_response_close(
                actor=manager, response=response, at=at + dt.timedelta(hours=20)
            )
            opened += 1
        else:
            response = rapid.rapid_response_open_by_rule(
                event_id=incident.event.pk, at=now - dt.timedelta(hours=3)
            )
            if response is None:
                continue
            # The child harmed already has a contact; the others are still to be named.
            view = rapid.response_for_actor(practitioner, response.pk)
            first = view.without_contact[:1]
            for shown in first:
                assert shown.row is not None
                rapid.rapid_response_name_contact(
                    actor=practitioner,
                    response=response,
                    row=shown.row,
                    contact=_contacts(practitioner)[0],
                )
            opened += 1
    return opened
