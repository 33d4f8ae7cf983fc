"""The demo's agency events: what the police, the emergency department, the ambulance service,
schools, youth justice and children's social care each recorded happening to or with the
children they hold a record of, over the year and a bit before the reference date.

Most children have few events or none, and at most one of violence or exploitation. A minority
are given a pattern (``demo.models.Pattern``) that a cumulative-harm flag should find, and which
child has which pattern is kept in ``DemoPattern``:

- ``violence_cluster``: three or four violence or exploitation events within 90 days, at two or
  more agencies;
- ``escalating``: four events of rising severity (1 to 4), about three months apart;
- ``missing_with_adults``: three missing episodes in four months, each with adults who pose a
  risk to children, the first of them new to the child, and an exploitation incident;
- ``weapon_after_exclusion``: a suspension or exclusion, then a knife incident weeks later;
- ``ed_assault_no_police``: an ED attendance after an assault with no police event within 60
  days either side;
- ``co_involved``: two children named together, both as suspects, in the same three police
  incidents; one of them is a child already given a pattern above (of violence or a weapon),
  so that the co-involvement rule, which counts suspects together, flags the other.

Everything is drawn from the seed and the source records in the database, in a fixed order, so
the same seed makes the same events. Nothing here writes an event: ``plan_agency_events`` returns
them (and saves the patterns given, the demo's ground truth), and ``demo.event_files`` writes
them as each agency's files for ``harbour events import``."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from faker import Faker

from harbour.access import policy
from harbour.access.models import WorkingRelationship
from harbour.children.models import Child
from harbour.demo.models import DemoPattern, GroundTruth, Pattern
from harbour.demo.signins import FRONT_DOOR_PRACTITIONER, LEAD_PRACTITIONER
from harbour.identity.models import (
    AgencyEvent,
    AssaultLocationType,
    AssaultMethod,
    EventCategory,
    EventKind,
    EventParticipant,
    EventRole,
    ExclusionReason,
    SourceRecord,
)
from harbour.partnership.models import AgencyType, Staff

SEED_OFFSET = 7_919
WINDOW_DAYS = 400
# At least this many children get each pattern, when enough children fit; otherwise about this
# share of the children.
PATTERN_MINIMUM = 2
PATTERN_SHARE = 0.012
NO_POLICE_DAYS = 60

EVENT_AGENCY_TYPES = frozenset(
    {
        AgencyType.POLICE,
        AgencyType.NHS_TRUST,
        AgencyType.AMBULANCE,
        AgencyType.SCHOOL,
        AgencyType.YOUTH_JUSTICE,
        AgencyType.CHILDRENS_SOCIAL_CARE,
    }
)
REFERENCE_PREFIX: dict[str, str] = {
    AgencyType.POLICE: "OCC",
    AgencyType.NHS_TRUST: "ATT",
    AgencyType.AMBULANCE: "INC",
    AgencyType.SCHOOL: "BEH",
    AgencyType.YOUTH_JUSTICE: "YJ",
    AgencyType.CHILDRENS_SOCIAL_CARE: "CON",
}


@dataclass(eq=False)
class _ChildRecords:
    child_id: uuid.UUID
    date_of_birth: dt.date
    given_name: str
    records: dict[str, SourceRecord] = field(default_factory=dict)  # agency type to record
    harm_events: int = 0
    patterned: bool = False

    def age_on(self, day: dt.date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def has(self, *agency_types: str) -> bool:
        return all(t in self.records for t in agency_types)


@dataclass
class PlannedParticipant:
    """Another person an event names: by name, or by the agency's record of them."""

    role: str
    name: str = ""
    approximate_age: int | None = None
    is_adult: bool = False
    poses_risk: bool = False
    record: SourceRecord | None = None


@dataclass
class PlannedEvent:
    """An event as the agency's file will carry it."""

    record: SourceRecord
    kind: str
    occurred_on: dt.date
    role: str
    category: str
    severity: int
    summary: str
    weapon: bool = False
    reference: str = ""
    participants: list[PlannedParticipant] = field(default_factory=list)
    exclusion_reason: str = ""  # a DfE code, for a suspension or permanent exclusion
    # ISTV's items, for an emergency department attendance after an assault
    assault_method: str = ""
    assault_location_type: str = ""


def _istv(kind: str, method: str, location_type: str) -> dict[str, str]:
    """ISTV's items, for an emergency department attendance (nothing for another kind)."""
    if kind != EventKind.ED_ATTENDANCE:
        return {}
    return {"assault_method": method, "assault_location_type": location_type}


class _EventPhase:
    def __init__(self, *, seed: int, reference_date: dt.date) -> None:
        self.rng = random.Random(seed + SEED_OFFSET)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed + SEED_OFFSET)
        self.reference_date = reference_date
        self.start = reference_date - dt.timedelta(days=WINDOW_DAYS)
        self.events: list[PlannedEvent] = []
        self.patterns: list[DemoPattern] = []
        self.serials: dict[str, int] = {}
        self.children: list[_ChildRecords] = []

    # -- helpers ------------------------------------------------------------------------------

    def day(self, earliest: dt.date, latest: dt.date) -> dt.date:
        earliest, latest = max(earliest, self.start), min(latest, self.reference_date)
        if latest <= earliest:
            return earliest
        return earliest + dt.timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def reference(self, agency_type: str, day: dt.date) -> str:
        prefix = REFERENCE_PREFIX[agency_type]
        self.serials[prefix] = self.serials.get(prefix, self.rng.randint(1000, 9000)) + (
            self.rng.randint(1, 30)
        )
        return f"{prefix}-{day:%y}-{self.serials[prefix]:06d}"

    def add(self, child: _ChildRecords, agency_type: str, **kwargs: object) -> PlannedEvent:
        record = child.records[agency_type]
        event = PlannedEvent(record=record, **kwargs)  # type: ignore[arg-type]
        event.reference = self.reference(agency_type, event.occurred_on)
        self.events.append(event)
        return event

    def adult(self, role: str, *, poses_risk: bool) -> PlannedParticipant:
        return PlannedParticipant(
            name=f"{self.fake.first_name_male()} {self.fake.last_name()}",
            approximate_age=self.rng.randint(19, 34),
            is_adult=True,
            poses_risk=poses_risk,
            role=role,
        )

    def pattern(
        self, child: _ChildRecords, pattern: str, events: list[PlannedEvent], **extra: object
    ) -> None:
        child.patterned = True
        days = [e.occurred_on for e in events]
        self.patterns.append(
            DemoPattern(
                child_id=child.child_id,
                pattern=pattern,
                detail={
                    "start": min(days).isoformat(),
                    "end": max(days).isoformat(),
                    "event_refs": [e.reference for e in events],
                    **extra,
                },
            )
        )

    # -- loading ------------------------------------------------------------------------------

    def load(self) -> None:
        children = {
            c.id: _ChildRecords(c.id, c.date_of_birth, c.given_name)
            for c in Child.objects.order_by("id").only("id", "date_of_birth", "given_name")
        }
        truths = (
            GroundTruth.objects.filter(source_record__agency__agency_type__in=EVENT_AGENCY_TYPES)
            .select_related("source_record__agency")
            .order_by("child_id", "source_record__agency__code", "source_record__source_id")
        )
        for truth in truths:
            child = children.get(truth.child_id)
            if child is None or "duplicate" in truth.errors:
                continue
            agency_type = truth.source_record.agency.agency_type
            child.records.setdefault(agency_type, truth.source_record)
        self.children = [c for c in children.values() if c.records]

    def caseload_first(self, candidates: list[_ChildRecords]) -> list[_ChildRecords]:
        """The lead practitioner's children first, so that the demo sign-in sees the patterns."""
        caseload = set(
            WorkingRelationship.objects.filter(staff__email=LEAD_PRACTITIONER.email).values_list(
                "child_id", flat=True
            )
        )
        shuffled = list(candidates)
        self.rng.shuffle(shuffled)
        return sorted(shuffled, key=lambda c: c.child_id not in caseload)

    # -- background ---------------------------------------------------------------------------

    def background(self) -> None:
        for child in self.children:
            for agency_type in sorted(child.records):
                make = BACKGROUND.get(agency_type)
                if make is not None:
                    make(self, child)

    def police_background(self, child: _ChildRecords) -> None:
        for _ in range(self.rng.choice((0, 0, 1, 1, 2))):
            day = self.day(self.start, self.reference_date)
            if child.age_on(day) < 10:
                continue
            kind = self.rng.random()
            if kind < 0.4:
                self.add(
                    child,
                    AgencyType.POLICE,
                    kind=EventKind.INCIDENT,
                    occurred_on=day,
                    role=EventRole.WITNESS,
                    category=EventCategory.OTHER,
                    severity=1,
                    summary=f"{child.given_name} saw a dispute between neighbours and gave an "
                    "account to officers.",
                )
            elif kind < 0.7:
                self.add(
                    child,
                    AgencyType.POLICE,
                    kind=EventKind.INCIDENT,
                    occurred_on=day,
                    role=EventRole.SUSPECT,
                    category=EventCategory.DRUGS,
                    severity=2,
                    summary=f"{child.given_name} was found with a small amount of cannabis; "
                    "a community resolution was agreed.",
                )
            elif child.harm_events == 0:
                child.harm_events += 1
                self.add(
                    child,
                    AgencyType.POLICE,
                    kind=EventKind.INCIDENT,
                    occurred_on=day,
                    role=EventRole.VICTIM,
                    category=EventCategory.ASSAULT,
                    severity=2,
                    summary=f"{child.given_name} was pushed and punched by another young person "
                    "after school; no lasting injury.",
                )

    def ed_background(self, child: _ChildRecords) -> None:
        for _ in range(self.rng.choice((0, 1, 1, 2))):
            day = self.day(self.start, self.reference_date)
            if child.age_on(day) >= 11 and self.rng.random() < 0.15:
                self.add(
                    child,
                    AgencyType.NHS_TRUST,
                    kind=EventKind.ED_ATTENDANCE,
                    occurred_on=day,
                    role=EventRole.PATIENT,
                    category=EventCategory.SELF_HARM,
                    severity=3,
                    summary=f"{child.given_name} came in after self-harm; seen by the CAMHS "
                    "liaison team before going home.",
                )
            else:
                self.add(
                    child,
                    AgencyType.NHS_TRUST,
                    kind=EventKind.ED_ATTENDANCE,
                    occurred_on=day,
                    role=EventRole.PATIENT,
                    category=EventCategory.ACCIDENT,
                    severity=1,
                    summary=f"{child.given_name} was treated for a sprain after a fall and "
                    "went home the same day.",
                )

    def ambulance_background(self, child: _ChildRecords) -> None:
        if self.rng.random() < 0.6:
            self.add(
                child,
                AgencyType.AMBULANCE,
                kind=EventKind.AMBULANCE,
                occurred_on=self.day(self.start, self.reference_date),
                role=EventRole.PATIENT,
                category=EventCategory.ACCIDENT,
                severity=2,
                summary=f"A crew attended {child.given_name} at home with breathing "
                "difficulties and took them to hospital.",
            )

    def school_background(self, child: _ChildRecords) -> None:
        day = self.day(self.start, self.reference_date)
        if child.age_on(day) >= 11 and self.rng.random() < 0.2:
            self.add(
                child,
                AgencyType.SCHOOL,
                kind=EventKind.SUSPENSION,
                occurred_on=day,
                role=EventRole.PUPIL,
                category=EventCategory.BEHAVIOUR,
                severity=1,
                exclusion_reason=ExclusionReason.PERSISTENT_DISRUPTION,
                summary=f"{child.given_name} had a one-day suspension for persistent "
                "disruption in lessons.",
            )

    def csc_background(self, child: _ChildRecords) -> None:
        for _ in range(self.rng.choice((0, 1, 1, 2))):
            category, summary = self.rng.choice(
                (
                    (EventCategory.NEGLECT, "worries about home conditions"),
                    (EventCategory.DOMESTIC_ABUSE, "a domestic incident at home"),
                    (EventCategory.OTHER, "a request for early help for the family"),
                )
            )
            self.add(
                child,
                AgencyType.CHILDRENS_SOCIAL_CARE,
                kind=EventKind.CONTACT,
                occurred_on=self.day(self.start, self.reference_date),
                role=EventRole.SUBJECT,
                category=category,
                severity=2,
                summary=f"A contact about {child.given_name}: {summary}.",
            )

    def yjs_background(self, child: _ChildRecords) -> None:
        if self.rng.random() < 0.7:
            self.add(
                child,
                AgencyType.YOUTH_JUSTICE,
                kind=EventKind.CONTACT,
                occurred_on=self.day(self.start, self.reference_date),
                role=EventRole.SUBJECT,
                category=EventCategory.OTHER,
                severity=1,
                summary=f"{child.given_name} was referred for an out-of-court disposal assessment.",
            )

    # -- patterns -----------------------------------------------------------------------------

    def how_many(self) -> int:
        return max(PATTERN_MINIMUM, round(len(self.children) * PATTERN_SHARE))

    def candidates(self, *agency_types: str, min_age: int = 12) -> list[_ChildRecords]:
        return self.caseload_first(
            [
                c
                for c in self.children
                if not c.patterned and c.has(*agency_types) and c.age_on(self.start) >= min_age
            ]
        )

    def violence_cluster(self) -> None:
        harm_agencies = (AgencyType.NHS_TRUST, AgencyType.AMBULANCE, AgencyType.SCHOOL)
        pool = [
            c
            for c in self.candidates(AgencyType.POLICE)
            if any(t in c.records for t in harm_agencies)
        ]
        for child in pool[: self.how_many()]:
            start = self.day(
                self.start + dt.timedelta(days=30), self.reference_date - dt.timedelta(100)
            )
            other = next(t for t in harm_agencies if t in child.records)
            days = sorted(start + dt.timedelta(days=self.rng.randint(0, 85)) for _ in range(3))
            events = [
                self.add(
                    child,
                    AgencyType.POLICE,
                    kind=EventKind.INCIDENT,
                    occurred_on=days[0],
                    role=EventRole.VICTIM,
                    category=EventCategory.ROBBERY,
                    severity=2,
                    summary=f"{child.given_name} had a phone and trainers taken by older "
                    "youths who threatened them.",
                ),
                self.add_other_agency_harm(child, other, days[1]),
                self.add(
                    child,
                    AgencyType.POLICE,
                    kind=EventKind.INCIDENT,
                    occurred_on=days[2],
                    role=EventRole.VICTIM,
                    category=EventCategory.EXPLOITATION,
                    severity=3,
                    summary=f"{child.given_name} was found in another town holding cash and "
                    "drugs packages; treated as a victim of criminal exploitation.",
                ),
            ]
            events[2].participants.append(self.adult(EventRole.SUSPECT, poses_risk=True))
            self.pattern(
                child,
                Pattern.VIOLENCE_CLUSTER,
                events,
                agencies=sorted({e.record.agency.code for e in events}),
            )

    def add_other_agency_harm(
        self, child: _ChildRecords, agency_type: str, day: dt.date
    ) -> PlannedEvent:
        if agency_type == AgencyType.SCHOOL:
            return self.add(
                child,
                agency_type,
                kind=EventKind.SUSPENSION,
                occurred_on=day,
                role=EventRole.PUPIL,
                category=EventCategory.ASSAULT,
                severity=2,
                exclusion_reason=ExclusionReason.PHYSICAL_ASSAULT_PUPIL,
                summary=f"{child.given_name} was suspended for five days after a fight in "
                "which they were hurt.",
            )
        kind = (
            EventKind.ED_ATTENDANCE
            if agency_type == AgencyType.NHS_TRUST
            else (EventKind.AMBULANCE)
        )
        return self.add(
            child,
            agency_type,
            kind=kind,
            occurred_on=day,
            role=EventRole.PATIENT,
            category=EventCategory.VIOLENCE_WITH_INJURY,
            severity=3,
            summary=f"{child.given_name} had a cut to the head after an assault in the park; "
            "wound glued.",
            **_istv(kind, AssaultMethod.NOT_KNOWN, AssaultLocationType.STREET),
        )

    def escalating(self) -> None:
        for child in self.candidates(AgencyType.POLICE)[: self.how_many()]:
            first = self.day(self.start, self.start + dt.timedelta(days=60))
            days = [first + dt.timedelta(days=95 * i + self.rng.randint(0, 10)) for i in range(4)]
            other = next(
                (t for t in (AgencyType.NHS_TRUST, AgencyType.AMBULANCE) if t in child.records),
                AgencyType.POLICE,
            )
            steps = (
                (
                    AgencyType.POLICE,
                    EventKind.INCIDENT,
                    EventRole.SUSPECT,
                    EventCategory.ASSAULT,
                    f"{child.given_name} was involved in pushing and shoving outside a shop.",
                ),
                (
                    AgencyType.POLICE,
                    EventKind.INCIDENT,
                    EventRole.VICTIM,
                    EventCategory.ASSAULT,
                    f"{child.given_name} was punched by a group of older boys.",
                ),
                (
                    other,
                    EventKind.ED_ATTENDANCE
                    if other == AgencyType.NHS_TRUST
                    else (
                        EventKind.AMBULANCE if other == AgencyType.AMBULANCE else EventKind.INCIDENT
                    ),
                    EventRole.PATIENT if other != AgencyType.POLICE else EventRole.VICTIM,
                    EventCategory.VIOLENCE_WITH_INJURY,
                    f"{child.given_name} had a broken nose and a cut lip after being attacked.",
                ),
                (
                    AgencyType.POLICE,
                    EventKind.INCIDENT,
                    EventRole.VICTIM,
                    EventCategory.WEAPON,
                    f"{child.given_name} was stabbed in the leg; taken to hospital for surgery.",
                ),
            )
            events = [
                self.add(
                    child,
                    agency_type,
                    kind=kind,
                    occurred_on=day,
                    role=role,
                    category=category,
                    severity=severity,
                    summary=summary,
                    weapon=severity == 4,
                )
                for severity, day, (agency_type, kind, role, category, summary) in zip(
                    (1, 2, 3, 4), days, steps, strict=True
                )
            ]
            for key, value in _istv(
                events[2].kind, AssaultMethod.BODY_PART, AssaultLocationType.STREET
            ).items():
                setattr(events[2], key, value)
            self.pattern(child, Pattern.ESCALATING, events, severities=[1, 2, 3, 4])

    def missing_with_adults(self) -> None:
        with_csc = self.candidates(AgencyType.POLICE, AgencyType.CHILDRENS_SOCIAL_CARE)
        others = [c for c in self.candidates(AgencyType.POLICE) if c not in with_csc]
        for child in [*with_csc, *others][: self.how_many()]:
            start = self.day(
                self.start + dt.timedelta(days=30), self.reference_date - dt.timedelta(130)
            )
            days = sorted(start + dt.timedelta(days=self.rng.randint(0, 120)) for _ in range(3))
            first_adult = self.adult(EventRole.ASSOCIATE, poses_risk=True)
            second_adult = self.adult(EventRole.ASSOCIATE, poses_risk=True)
            events: list[PlannedEvent] = []
            for i, day in enumerate(days):
                event = self.add(
                    child,
                    AgencyType.POLICE,
                    kind=EventKind.MISSING,
                    occurred_on=day,
                    role=EventRole.MISSING_PERSON,
                    category=EventCategory.MISSING,
                    severity=2 + (i == 2),
                    summary=f"{child.given_name} was reported missing overnight and found the "
                    f"next day in a flat with adults not known to the family.",
                )
                event.participants.append(self.copy(first_adult))
                if i > 0:
                    event.participants.append(self.copy(second_adult))
                events.append(event)
            csc = AgencyType.CHILDRENS_SOCIAL_CARE in child.records
            exploitation = self.add(
                child,
                AgencyType.CHILDRENS_SOCIAL_CARE if csc else AgencyType.POLICE,
                kind=EventKind.CONTACT if csc else EventKind.INCIDENT,
                occurred_on=min(days[-1] + dt.timedelta(days=3), self.reference_date),
                role=EventRole.SUBJECT if csc else EventRole.VICTIM,
                category=EventCategory.EXPLOITATION,
                severity=3,
                summary=f"The police asked for a strategy discussion: {child.given_name} may "
                "be being sexually exploited by adults met while missing.",
            )
            suspect = self.copy(first_adult)
            suspect.role = EventRole.SUSPECT
            exploitation.participants.append(suspect)
            events.append(exploitation)
            self.pattern(
                child,
                Pattern.MISSING_WITH_ADULTS,
                events,
                adults=[first_adult.name, second_adult.name],
            )

    @staticmethod
    def copy(participant: PlannedParticipant) -> PlannedParticipant:
        return replace(participant)

    def weapon_after_exclusion(self) -> None:
        for child in self.candidates(AgencyType.POLICE, AgencyType.SCHOOL)[: self.how_many()]:
            excluded = self.day(
                self.start + dt.timedelta(days=20), self.reference_date - dt.timedelta(70)
            )
            incident = excluded + dt.timedelta(days=self.rng.randint(14, 56))
            events = [
                self.add(
                    child,
                    AgencyType.SCHOOL,
                    kind=EventKind.PERMANENT_EXCLUSION,
                    exclusion_reason=ExclusionReason.PHYSICAL_ASSAULT_PUPIL,
                    occurred_on=excluded,
                    role=EventRole.PUPIL,
                    category=EventCategory.BEHAVIOUR,
                    severity=2,
                    summary=f"{child.given_name} was permanently excluded after repeated "
                    "fights; a place at the pupil referral unit is awaited.",
                ),
                self.add(
                    child,
                    AgencyType.POLICE,
                    kind=EventKind.ARREST,
                    occurred_on=incident,
                    role=EventRole.ARRESTED,
                    category=EventCategory.WEAPON,
                    severity=3,
                    weapon=True,
                    summary=f"{child.given_name} was stopped in the town centre during school "
                    "hours carrying a kitchen knife and was arrested.",
                ),
            ]
            self.pattern(child, Pattern.WEAPON_AFTER_EXCLUSION, events)

    def ed_assault_no_police(self) -> None:
        for child in self.candidates(AgencyType.NHS_TRUST, min_age=11)[: self.how_many()]:
            day = self.day(
                self.start + dt.timedelta(days=60), self.reference_date - dt.timedelta(60)
            )
            # No police event near it: drop any the background gave.
            self.events = [
                e
                for e in self.events
                if not (
                    e.record == child.records.get(AgencyType.POLICE)
                    and abs((e.occurred_on - day).days) <= NO_POLICE_DAYS
                )
            ]
            event = self.add(
                child,
                AgencyType.NHS_TRUST,
                kind=EventKind.ED_ATTENDANCE,
                occurred_on=day,
                role=EventRole.PATIENT,
                category=EventCategory.ASSAULT,
                severity=3,
                summary=f"{child.given_name} came in with bruising to the face and ribs, said "
                "they had been beaten up and did not want the police told.",
                assault_method=AssaultMethod.BODY_PART,
                assault_location_type=AssaultLocationType.NOT_KNOWN,
            )
            self.pattern(child, Pattern.ED_ASSAULT_NO_POLICE, [event])

    def co_involved(self) -> None:
        # One of each pair is a child another rule flags (for violence or a weapon), so that the
        # co-involvement rule flags the other. The other is one the front door's agency works
        # with where one fits (so that the demo's front door and lead practitioner see that
        # flag), with no pattern of their own where one fits; never a child given the ED
        # attendance with no police record, which these police incidents would undo.
        n = max(1, self.how_many() // 2)
        flagged_patterns = {Pattern.VIOLENCE_CLUSTER, Pattern.WEAPON_AFTER_EXCLUSION}
        given = {p.child_id for p in self.patterns if p.pattern in flagged_patterns}
        firsts = sorted(
            (c for c in self.children if c.child_id in given and c.has(AgencyType.POLICE)),
            key=lambda c: str(c.child_id),
        )[:n]
        unpoliced = {p.child_id for p in self.patterns if p.pattern == Pattern.ED_ASSAULT_NO_POLICE}
        front_door = Staff.objects.filter(email=FRONT_DOOR_PRACTITIONER.email).first()
        on_list = set(
            policy.alert_children(front_door, Child.objects.all()).values_list("pk", flat=True)
            if front_door is not None
            else ()
        )
        pool = self.caseload_first(
            [
                c
                for c in self.children
                if c.has(AgencyType.POLICE)
                and c.age_on(self.start) >= 12
                and c.child_id not in unpoliced
                and c not in firsts
            ]
        )
        pool.sort(key=lambda c: (c.child_id not in on_list, c.patterned))
        for first, second in zip(firsts, pool, strict=False):
            # Within the last 280 days, so within the rule's year of each child's latest event.
            start = self.day(
                self.start + dt.timedelta(days=120), self.reference_date - dt.timedelta(150)
            )
            days = sorted(start + dt.timedelta(days=self.rng.randint(0, 140)) for _ in range(3))
            by_child: dict[uuid.UUID, list[PlannedEvent]] = defaultdict(list)
            for day, category, summary in zip(
                days,
                (EventCategory.ROBBERY, EventCategory.DRUGS, EventCategory.WEAPON),
                (
                    "were stopped together after a robbery of a younger boy",
                    "were found together in a car with drugs packages and two phones",
                    "were together when a knife was found in a bag in a stairwell",
                ),
                strict=True,
            ):
                reference = self.reference(AgencyType.POLICE, day)
                for child, other in ((first, second), (second, first)):
                    event = PlannedEvent(
                        record=child.records[AgencyType.POLICE],
                        kind=EventKind.INCIDENT,
                        occurred_on=day,
                        role=EventRole.SUSPECT,
                        category=category,
                        severity=3,
                        weapon=category == EventCategory.WEAPON,
                        summary=f"{child.given_name} and another young person {summary}.",
                        reference=reference,
                        participants=[
                            PlannedParticipant(
                                record=other.records[AgencyType.POLICE], role=EventRole.SUSPECT
                            )
                        ],
                    )
                    self.events.append(event)
                    by_child[child.child_id].append(event)
            for child, other in ((first, second), (second, first)):
                self.pattern(
                    child,
                    Pattern.CO_INVOLVED,
                    by_child[child.child_id],
                    other_child_id=str(other.child_id),
                )

    # -- planning -----------------------------------------------------------------------------

    def run(self) -> list[PlannedEvent]:
        self.load()
        self.background()
        self.violence_cluster()
        self.escalating()
        self.missing_with_adults()
        self.weapon_after_exclusion()
        self.ed_assault_no_police()
        self.co_involved()
        self.events.sort(key=lambda e: (e.occurred_on, e.reference, e.record.pk))
        DemoPattern.objects.bulk_create(self.patterns)
        return self.events


BACKGROUND: dict[str, Callable[[_EventPhase, _ChildRecords], None]] = {
    AgencyType.POLICE: _EventPhase.police_background,
    AgencyType.NHS_TRUST: _EventPhase.ed_background,
    AgencyType.AMBULANCE: _EventPhase.ambulance_background,
    AgencyType.SCHOOL: _EventPhase.school_background,
    AgencyType.CHILDRENS_SOCIAL_CARE: _EventPhase.csc_background,
    AgencyType.YOUTH_JUSTICE: _EventPhase.yjs_background,
}


def plan_agency_events(*, seed: int, reference_date: dt.date) -> list[PlannedEvent]:
    """The demo's agency events, with the other people they name, from the source records
    already in the database; the patterns given are saved (``DemoPattern``, ground truth)."""
    return _EventPhase(seed=seed, reference_date=reference_date).run()


def delete_agency_events() -> None:
    DemoPattern.objects.all().delete()
    EventParticipant.objects.all().delete()
    AgencyEvent.objects.all().delete()
