"""Explainable cumulative-harm flags (issue 4, part 6).

Rules are data (``FlagRule``, versioned). ``evaluate`` is a pure function over one person's
events (``Ev``) and returns ``Match``es: the exact events that met the rule and the event that
completed the pattern (its anchor). ``raise_flags`` loads events from the person index, runs
every current rule that is in use (``FlagRule.in_use``: the partnership can switch any rule
off) and records one ``HarmFlag`` per rule version, person and anchor, so running it again
raises nothing new. There is no score and no ranking of children: a flag says which records met
which rule, nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.identity.models import (
    EXCLUSION_KINDS,
    HARM_CATEGORIES,
    AgencyEvent,
    EventCategory,
    EventKind,
    EventRole,
    FlagRule,
    FlagRuleKind,
    HarmFlag,
    Person,
    PersonRecord,
)
from harbour.identity.people import kept_id, merges
from harbour.partnership.models import AgencyType, Staff

SYSTEM_ACTOR = "identity-flags"
ASSAULT_CATEGORIES = frozenset({EventCategory.ASSAULT, EventCategory.VIOLENCE_WITH_INJURY})


@dataclass(frozen=True)
class Participant:
    person: int | None  # the participant's person in the index, if a record
    name: str = ""
    is_adult: bool = False
    poses_risk: bool = False
    role: str = ""  # their role in the event (``EventRole``)

    @property
    def key(self) -> str:
        return f"person:{self.person}" if self.person is not None else f"name:{self.name.lower()}"


@dataclass(frozen=True)
class Ev:
    """One agency event as the rules see it."""

    id: int
    person: int
    agency: int
    agency_type: str
    kind: str
    category: str
    occurred_on: dt.date
    severity: int = 1
    weapon: bool = False
    participants: tuple[Participant, ...] = ()
    role: str = ""  # the person's own role in the event (``EventRole``)


@dataclass(frozen=True)
class Alongside:
    """Another child in the same event who already has a flag, as a flag on this child shows
    them: their role and the rules that flagged them, never who they are."""

    role: str
    rules: tuple[str, ...]  # the titles of the rule versions that flagged them


@dataclass(frozen=True)
class Match:
    person: int
    events: tuple[Ev, ...]
    anchor: Ev
    explanation: str
    alongside: tuple[Alongside, ...] = ()  # co-involvement: the flagged children in the anchor


@dataclass(frozen=True)
class RuleSpec:
    kind: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Parameter:
    """One number a kind of rule takes: what it is called and explained to the people who set
    it (administrators, with the data protection officer and analysts), its default and the
    bounds it is checked against."""

    name: str
    label: str
    hint: str
    default: int
    minimum: int
    maximum: int
    noun: str = "the number of days"  # for error messages: "Enter the number of days"


def _days_parameter(label: str, hint: str, default: int, maximum: int) -> Parameter:
    return Parameter("days", label, hint, default, 1, maximum)


#: The numbers each kind of rule takes (``FlagRule.parameters``), with their defaults. The two
#: kinds in ``CATEGORY_KINDS`` also take ``categories``: which kinds of event count (violence and
#: exploitation, ``HARM_CATEGORIES``, unless given).
RULE_PARAMETERS: dict[str, tuple[Parameter, ...]] = {
    FlagRuleKind.INCIDENTS_IN_WINDOW: (
        Parameter(
            "count",
            "How many incidents raise a flag",
            "The least number of incidents of the kinds chosen below, for example 3",
            3,
            2,
            20,
            "the number of incidents",
        ),
        _days_parameter(
            "Within how many days",
            "The incidents must all fall within this many days of the latest, for example 90",
            90,
            730,
        ),
        Parameter(
            "agencies",
            "Recorded by at least how many agencies",
            "Different agencies' records, for example 2: what no one agency sees alone",
            2,
            1,
            10,
            "the number of agencies",
        ),
    ),
    FlagRuleKind.ESCALATING_SEVERITY: (
        Parameter(
            "steps",
            "How many events, each more serious than the one before",
            "Severity is on a scale of 1 to 4, so from 2 to 4 events",
            3,
            2,
            4,
            "the number of events",
        ),
        _days_parameter(
            "Within how many days",
            "From the first event of the chain to the last, for example 365",
            365,
            1095,
        ),
    ),
    FlagRuleKind.MISSING_WITH_NEW_ADULT: (
        _days_parameter(
            "How many days either side of a missing episode",
            "An adult who poses a risk, first named in the child's records within this many "
            "days of the missing episode, for example 30",
            30,
            180,
        ),
    ),
    FlagRuleKind.WEAPON_AFTER_EXCLUSION: (
        _days_parameter(
            "Within how many days after an exclusion",
            "A weapon-related event this many days or fewer after an exclusion or suspension, "
            "for example 180",
            180,
            730,
        ),
    ),
    FlagRuleKind.ED_ASSAULT_NOT_KNOWN_TO_POLICE: (
        _days_parameter(
            "How many days either side to look for a police record",
            "An emergency department attendance for an assault with no police record of an "
            "event within this many days, for example 7",
            7,
            60,
        ),
    ),
    FlagRuleKind.CO_INVOLVED_WITH_FLAGGED: (
        _days_parameter(
            "How far back, in days",
            "Events this many days or fewer before the child's latest event, for example 365",
            365,
            1095,
        ),
    ),
}


@dataclass(frozen=True)
class ChoiceParameter:
    """A set of values a kind of rule takes (the kinds of event, the roles), ticked by the people
    who set it, with its default. ``required`` is the error when none is ticked: a rule in use
    needs at least one (one switched off may have none)."""

    name: str
    label: str
    hint: str
    choices: tuple[tuple[str, str], ...]
    default: frozenset[str]
    required: str
    plural: str  # what the values are, for messages: "roles"


#: The roles in a shared event that suggest two children were exposed to the same harm or
#: exploitation together: suspected or arrested together, named as each other's associates,
#: missing together. Victims and witnesses are not among them (ADR 0015): a child harmed by, or
#: who saw, what another child did shared no exposure with them, and flagging them for it would
#: treat a victim or a witness as a concern because of someone else.
SHARED_EXPOSURE_ROLES = frozenset(
    {EventRole.SUSPECT, EventRole.ARRESTED, EventRole.ASSOCIATE, EventRole.MISSING_PERSON}
)

CATEGORIES = ChoiceParameter(
    "categories",
    "Which kinds of event count",
    "Events of the kinds ticked; the others are left out",
    tuple(EventCategory.choices),
    HARM_CATEGORIES,
    "Select at least one kind of event",
    "kinds of event",
)
ROLES = ChoiceParameter(
    "roles",
    "Which roles count, for both children",
    "The child and the flagged child must both be recorded in one of these roles in the same "
    "event. Victims and witnesses are left out unless ticked: a child who was hurt by, or saw, "
    "what a flagged child did has not shared their exposure, and would be flagged because of "
    "someone else",
    tuple(EventRole.choices),
    SHARED_EXPOSURE_ROLES,
    "Select at least one role, or switch the rule off instead",
    "roles",
)

#: The sets of values each kind of rule takes (``FlagRule.parameters``), beside its numbers.
CHOICE_PARAMETERS: dict[str, tuple[ChoiceParameter, ...]] = {
    FlagRuleKind.INCIDENTS_IN_WINDOW: (CATEGORIES,),
    FlagRuleKind.ESCALATING_SEVERITY: (CATEGORIES,),
    FlagRuleKind.CO_INVOLVED_WITH_FLAGGED: (ROLES,),
}
CATEGORY_KINDS = frozenset(k for k, specs in CHOICE_PARAMETERS.items() if CATEGORIES in specs)


def parameter(kind: str, p: dict[str, Any], name: str) -> int:
    """A rule's number, or the kind's default for it."""
    spec = next(x for x in RULE_PARAMETERS[kind] if x.name == name)
    return int(p.get(name, spec.default))


def values_chosen(kind: str, p: dict[str, Any], name: str) -> frozenset[str]:
    """A rule's set of values (kinds of event, roles), or the kind's default when the rule
    holds none; an empty list saved with a switched-off rule stays empty."""
    spec = next(x for x in CHOICE_PARAMETERS[kind] if x.name == name)
    value = p.get(name)
    return spec.default if value is None else frozenset(value)


def _ordered(events: Iterable[Ev]) -> list[Ev]:
    return sorted(events, key=lambda e: (e.occurred_on, e.id))


def incidents_in_window(person: int, events: Sequence[Ev], p: dict[str, Any]) -> list[Match]:
    """At least ``count`` events of ``categories`` within ``days`` days, recorded by at least
    ``agencies`` agencies. Windows do not overlap: after a match the next starts afresh."""
    kind = FlagRuleKind.INCIDENTS_IN_WINDOW
    count, days = parameter(kind, p, "count"), parameter(kind, p, "days")
    agencies, categories = parameter(kind, p, "agencies"), values_chosen(kind, p, "categories")
    chosen = [e for e in _ordered(events) if e.category in categories]
    matches: list[Match] = []
    start = 0
    for i, end in enumerate(chosen):
        window = [
            e for e in chosen[start : i + 1] if (end.occurred_on - e.occurred_on).days <= days
        ]
        if len(window) >= count and len({e.agency for e in window}) >= agencies:
            matches.append(
                Match(
                    person,
                    tuple(window),
                    end,
                    f"{len(window)} incidents of violence or exploitation in "
                    f"{(end.occurred_on - window[0].occurred_on).days + 1} days, recorded by "
                    f"{len({e.agency for e in window})} agencies (the rule: {count} or more in "
                    f"{days} days across {agencies} or more agencies)",
                )
            )
            start = i + 1
    return matches


def escalating_severity(person: int, events: Sequence[Ev], p: dict[str, Any]) -> list[Match]:
    """``steps`` events of ``categories`` (violence and exploitation unless given) within
    ``days`` days, each more serious than the one before it (events of no greater severity in
    between do not break the escalation). After a match the next starts afresh."""
    kind = FlagRuleKind.ESCALATING_SEVERITY
    steps, days = parameter(kind, p, "steps"), parameter(kind, p, "days")
    categories = values_chosen(kind, p, "categories")
    chosen = [e for e in _ordered(events) if e.category in categories]
    matches: list[Match] = []
    start = 0
    for i in range(len(chosen)):
        end = chosen[i]
        window = [
            j for j in range(start, i + 1) if (end.occurred_on - chosen[j].occurred_on).days <= days
        ]
        # The longest chain of rising severity ending at each event of the window.
        length: dict[int, int] = {}
        previous: dict[int, int | None] = {}
        for j in window:
            length[j], previous[j] = 1, None
            for k in window:
                if k >= j:
                    break
                if chosen[k].severity < chosen[j].severity and length[k] + 1 > length[j]:
                    length[j], previous[j] = length[k] + 1, k
        if length.get(i, 0) >= steps:
            chain: list[Ev] = []
            at: int | None = i
            while at is not None:
                chain.append(chosen[at])
                at = previous[at]
            chain.reverse()
            matches.append(
                Match(
                    person,
                    tuple(chain),
                    end,
                    f"{len(chain)} events of rising severity "
                    f"({' then '.join(str(x.severity) for x in chain)}) between "
                    f"{chain[0].occurred_on:%-d %B %Y} and {end.occurred_on:%-d %B %Y}",
                )
            )
            start = i + 1
    return matches


def missing_with_new_adult(person: int, events: Sequence[Ev], p: dict[str, Any]) -> list[Match]:
    """A missing episode and, within ``days`` days either side, an event naming an adult who
    poses a risk and who appears in none of the person's earlier events."""
    days = parameter(FlagRuleKind.MISSING_WITH_NEW_ADULT, p, "days")
    ordered = _ordered(events)
    first_seen: dict[str, dt.date] = {}
    for e in ordered:
        for part in e.participants:
            first_seen.setdefault(part.key, e.occurred_on)
    matches: list[Match] = []
    used: set[int] = set()
    for missing in (e for e in ordered if e.kind == EventKind.MISSING):
        if missing.id in used:
            continue
        for other in ordered:
            if abs((other.occurred_on - missing.occurred_on).days) > days:
                continue
            adults = [
                a
                for a in other.participants
                if a.is_adult
                and a.poses_risk
                and abs((first_seen[a.key] - missing.occurred_on).days) <= days
            ]
            if adults:
                names = ", ".join(a.name or "a person in the index" for a in adults)
                pair = tuple(_ordered({missing, other}))
                used.update(x.id for x in pair)
                matches.append(
                    Match(
                        person,
                        pair,
                        pair[-1],
                        f"Missing on {missing.occurred_on:%-d %B %Y}; a new adult associate who "
                        f"poses a risk ({names})"
                        f" named on {other.occurred_on:%-d %B %Y}, within {days} days",
                    )
                )
                break
    return matches


def weapon_after_exclusion(person: int, events: Sequence[Ev], p: dict[str, Any]) -> list[Match]:
    """A weapon-related event within ``days`` days after an exclusion."""
    days = parameter(FlagRuleKind.WEAPON_AFTER_EXCLUSION, p, "days")
    ordered = _ordered(events)
    matches: list[Match] = []
    for e in ordered:
        if not (e.weapon or e.category == EventCategory.WEAPON) or e.kind in EXCLUSION_KINDS:
            continue
        before = [
            x
            for x in ordered
            if x.kind in EXCLUSION_KINDS and 0 <= (e.occurred_on - x.occurred_on).days <= days
        ]
        if before:
            exclusion = before[-1]
            matches.append(
                Match(
                    person,
                    (exclusion, e),
                    e,
                    f"A weapon-related event on {e.occurred_on:%-d %B %Y}, "
                    f"{(e.occurred_on - exclusion.occurred_on).days} days after an exclusion on "
                    f"{exclusion.occurred_on:%-d %B %Y}",
                )
            )
    return matches


def ed_assault_not_known_to_police(
    person: int, events: Sequence[Ev], p: dict[str, Any]
) -> list[Match]:
    """An emergency department attendance for an assault, with no police event for the person
    within ``days`` days either side."""
    days = parameter(FlagRuleKind.ED_ASSAULT_NOT_KNOWN_TO_POLICE, p, "days")
    ordered = _ordered(events)
    police = [e for e in ordered if e.agency_type == AgencyType.POLICE]
    matches: list[Match] = []
    for e in ordered:
        if e.kind != EventKind.ED_ATTENDANCE or e.category not in ASSAULT_CATEGORIES:
            continue
        if any(abs((x.occurred_on - e.occurred_on).days) <= days for x in police):
            continue
        matches.append(
            Match(
                person,
                (e,),
                e,
                f"Attended the emergency department after an assault on "
                f"{e.occurred_on:%-d %B %Y}; no police record of an event within {days} days",
            )
        )
    return matches


def _role_label(role: str) -> str:
    label = EventRole(role).label if role in EventRole.values else (role or "not recorded")
    return label[:1].lower() + label[1:]


def _kind_phrase(kind: str) -> str:
    label = EventKind(kind).label.lower() if kind in EventKind.values else "an event"
    return f"{'an' if label[:1] in 'aeiou' else 'a'} {label}"


def _quoted(titles: Sequence[str]) -> str:
    quoted = [f"“{t}”" for t in titles]
    words = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"
    return f"{'the rule' if len(quoted) == 1 else 'the rules'} {words}"


def co_involvement_explanation(event: Ev, alongside: Sequence[Alongside]) -> str:
    """What a co-involvement flag says: the child's role in the shared event, and each flagged
    child's role and the rules that flagged them. The other children are never named: the
    person reading the flag may not be allowed to see them."""
    opening = (
        f"Recorded as {_role_label(event.role)} in {_kind_phrase(event.kind)} on "
        f"{event.occurred_on:%-d %B %Y}, alongside"
    )
    if len(alongside) == 1:
        (other,) = alongside
        return (
            f"{opening} another child recorded as {_role_label(other.role)}, already flagged "
            f"by {_quoted(other.rules)}"
        )
    each = "; ".join(
        f"one recorded as {_role_label(o.role)}, flagged by {_quoted(o.rules)}" for o in alongside
    )
    return f"{opening} {len(alongside)} other children already flagged: {each}"


def co_involved_with_flagged(
    person: int,
    events: Sequence[Ev],
    p: dict[str, Any],
    flagged: Mapping[int, Sequence[str]] | None = None,
) -> list[Match]:
    """An event within the last ``days`` days that names another child who already has a flag
    (from a rule of another kind), where both children were recorded in one of ``roles`` (the
    roles that suggest shared exposure unless changed): a victim or witness beside a flagged
    child is not flagged, nor is a child beside a flagged victim or witness. ``flagged`` gives,
    for each flagged person, the titles of the rules that flagged them."""
    kind = FlagRuleKind.CO_INVOLVED_WITH_FLAGGED
    days, roles = parameter(kind, p, "days"), values_chosen(kind, p, "roles")
    flagged = flagged or {}
    ordered = _ordered(events)
    if not ordered:
        return []
    latest = ordered[-1].occurred_on
    matches: list[Match] = []
    for e in ordered:
        if (latest - e.occurred_on).days > days or e.role not in roles:
            continue
        alongside = tuple(
            Alongside(x.role, tuple(sorted(set(flagged[x.person]))))
            for x in e.participants
            if x.person is not None
            and x.person != person
            and flagged.get(x.person)
            and not x.is_adult
            and x.role in roles
        )
        if alongside:
            matches.append(
                Match(person, (e,), e, co_involvement_explanation(e, alongside), alongside)
            )
    return matches


EVALUATORS: dict[str, Callable[[int, Sequence[Ev], dict[str, Any]], list[Match]]] = {
    FlagRuleKind.INCIDENTS_IN_WINDOW: incidents_in_window,
    FlagRuleKind.ESCALATING_SEVERITY: escalating_severity,
    FlagRuleKind.MISSING_WITH_NEW_ADULT: missing_with_new_adult,
    FlagRuleKind.WEAPON_AFTER_EXCLUSION: weapon_after_exclusion,
    FlagRuleKind.ED_ASSAULT_NOT_KNOWN_TO_POLICE: ed_assault_not_known_to_police,
}


def evaluate(
    rule: RuleSpec,
    person: int,
    events: Sequence[Ev],
    flagged: Mapping[int, Sequence[str]] | None = None,
) -> list[Match]:
    """The matches of one rule on one person's events (pure). ``flagged`` is for co-involvement:
    the people already flagged, with the titles of the rules that flagged them."""
    if rule.kind == FlagRuleKind.CO_INVOLVED_WITH_FLAGGED:
        return co_involved_with_flagged(person, events, rule.parameters, flagged)
    return EVALUATORS[rule.kind](person, events, rule.parameters)


# The six example rules (seeded by migration 0006, the co-involvement rule as 0009 leaves it) --

EXAMPLE_HARM = ["violence_injury", "assault", "robbery", "weapon", "exploitation", "sexual_offence"]
#: The co-involvement rule in a new installation (migration 0009 says the same): switched off,
#: because it flags a child for another child's flag, which the partnership should agree to.
CO_INVOLVED_TITLE = (
    "Suspected, arrested, missing or named as an associate with a child already flagged"
)
SHIPPED = "Harbour, as installed"
CO_INVOLVED_SHIPPED_OFF = (
    "Switched off when Harbour was installed: this rule flags a child because another child "
    "is flagged. Switch it on once the partnership has agreed which roles count and its data "
    "protection impact assessment covers flagging children by co-involvement."
)

EXAMPLE_RULES: list[dict[str, Any]] = [
    {
        "code": "violence-cluster",
        "kind": "incidents_in_window",
        "title": "Three or more incidents of violence or exploitation in 90 days across two or "
        "more agencies",
        "parameters": {"count": 3, "days": 90, "agencies": 2, "categories": EXAMPLE_HARM},
    },
    {
        "code": "escalating-severity",
        "kind": "escalating_severity",
        "title": "Three successive events of rising severity within a year",
        "parameters": {"steps": 3, "days": 365},
    },
    {
        "code": "missing-new-adult",
        "kind": "missing_with_new_adult",
        "title": "Missing episodes alongside a new adult associate who poses a risk",
        "parameters": {"days": 30},
    },
    {
        "code": "weapon-after-exclusion",
        "kind": "weapon_after_exclusion",
        "title": "A weapon-related incident within six months of an exclusion",
        "parameters": {"days": 180},
    },
    {
        "code": "ed-assault-no-police",
        "kind": "ed_assault_not_known_to_police",
        "title": "An emergency department attendance for assault not known to police",
        "parameters": {"days": 7},
    },
    {
        "code": "co-involved-flagged",
        "kind": "co_involved_with_flagged",
        "title": CO_INVOLVED_TITLE,
        "parameters": {"days": 365, "roles": sorted(SHARED_EXPOSURE_ROLES)},
        "in_use": False,
        "in_use_changed_by_system": SHIPPED,
        "in_use_reason": CO_INVOLVED_SHIPPED_OFF,
    },
]


def seed_example_rules() -> int:
    """Add the example rules, at version 1, for any code with no rule yet; returns how many.
    They are as the migrations leave a new installation: the co-involvement rule switched off."""
    added = 0
    for rule in EXAMPLE_RULES:
        if not FlagRule.objects.filter(code=rule["code"]).exists():
            changed_at = None if rule.get("in_use", True) else timezone.now()
            FlagRule.objects.create(
                version=1, is_current=True, in_use_changed_at=changed_at, **rule
            )
            added += 1
    return added


# Loading events and raising flags ----------------------------------------------------------------


def person_of_records() -> dict[int, int]:
    """Source record id -> the person it belongs to now (following merges)."""
    merged = merges()
    return {
        r: kept_id(p, merged)
        for r, p in PersonRecord.objects.values_list("source_record_id", "person_id")
    }


def load_events(
    person_of: dict[int, int] | None = None, *, event_ids: Collection[int] | None = None
) -> dict[int, list[Ev]]:
    """Every agency event of every person in the index (or only ``event_ids``), as ``Ev``s, by
    person."""
    person_of = person_of if person_of is not None else person_of_records()
    participants: dict[int, list[Participant]] = defaultdict(list)
    from harbour.identity.models import EventParticipant

    named = EventParticipant.objects.all()
    events = AgencyEvent.objects.all()
    if event_ids is not None:
        named = named.filter(event_id__in=list(event_ids))
        events = events.filter(pk__in=list(event_ids))
    for event_id, record_id, name, is_adult, risk, role in named.values_list(
        "event_id", "source_record_id", "name", "is_adult", "poses_risk", "role"
    ):
        participants[event_id].append(
            Participant(
                person_of.get(record_id) if record_id is not None else None,
                name=name,
                is_adult=is_adult,
                poses_risk=risk,
                role=role,
            )
        )
    by_person: dict[int, list[Ev]] = defaultdict(list)
    for row in events.values(
        "pk",
        "source_record_id",
        "agency_id",
        "agency__agency_type",
        "kind",
        "category",
        "occurred_on",
        "severity",
        "weapon",
        "role",
    ):
        person = person_of.get(row["source_record_id"])
        if person is None:
            continue
        by_person[person].append(
            Ev(
                id=row["pk"],
                person=person,
                agency=row["agency_id"],
                agency_type=row["agency__agency_type"],
                kind=row["kind"],
                category=row["category"],
                occurred_on=row["occurred_on"],
                severity=row["severity"],
                weapon=row["weapon"],
                participants=tuple(participants.get(row["pk"], ())),
                role=row["role"],
            )
        )
    return by_person


def people_merged_into(person: int) -> set[int]:
    """The person and everyone merged into them, however far back."""
    found, step = {person}, {person}
    while step:
        step = (
            set(Person.objects.filter(merged_into_id__in=step).values_list("pk", flat=True)) - found
        )
        found |= step
    return found


def records_of_person(person: int) -> dict[int, int]:
    """The person's own source records (theirs and those of the people merged into them) ->
    the person: ``person_of`` for one person, for ``needs.reconcile`` and the flags."""
    return dict.fromkeys(
        PersonRecord.objects.filter(person_id__in=people_merged_into(person)).values_list(
            "source_record_id", flat=True
        ),
        person,
    )


def load_person_events(person: int) -> list[Ev]:
    """One person's events, the others they name resolved to people, in a handful of queries
    however large the index (for the flags re-evaluated when an event arrives)."""
    own = records_of_person(person)
    event_ids = list(
        AgencyEvent.objects.filter(source_record_id__in=list(own)).values_list("pk", flat=True)
    )
    from harbour.identity.models import EventParticipant

    named = set(
        EventParticipant.objects.filter(event_id__in=event_ids, source_record__isnull=False)
        .values_list("source_record_id", flat=True)
        .distinct()
    ) - set(own)
    others = dict(
        PersonRecord.objects.filter(source_record_id__in=list(named)).values_list(
            "source_record_id", "person_id"
        )
    )
    merged = merges(set(others.values()))
    person_of = {r: kept_id(p, merged) for r, p in others.items()} | own
    return load_events(person_of, event_ids=event_ids).get(person, [])


@dataclass
class RaiseSummary:
    raised: int = 0
    existing: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)


def _evidence(events: Iterable[AgencyEvent], match: Match) -> list[dict[str, Any]]:
    """The events as they are when the flag is raised, with the child's role in each; for
    co-involvement, the anchor also says who was alongside: each flagged child's role and the
    rules that flagged them (never who they are)."""
    rows = []
    for e in events:
        row: dict[str, Any] = {
            "event": e.pk,
            "kind": e.get_kind_display(),
            "category": e.get_category_display(),
            "occurred_on": e.occurred_on.isoformat(),
            "date": f"{e.occurred_on:%-d %B %Y}",
            "severity": e.severity,
            "weapon": e.weapon,
            "role": e.get_role_display(),
            "agency": e.agency.name,
            "source_record": e.source_record_id,
            "record_reference": f"{e.source_record.source_system} {e.source_record.source_id}",
            "event_reference": e.source_reference,
        }
        if match.alongside and e.pk == match.anchor.id:
            row["alongside"] = [
                {"role": _role_label(o.role), "flagged_by": list(o.rules)} for o in match.alongside
            ]
        rows.append(row)
    return rows


def _flagged_by() -> dict[int, tuple[str, ...]]:
    """The people already flagged by a rule of another kind than co-involvement, with the
    titles of the rule versions that flagged them, following merges to the person kept. Flags
    of a rule the partnership has switched off do not count: a switched-off rule raises
    nothing, not even through another child."""
    switched_off = set(
        FlagRule.objects.filter(is_current=True, in_use=False).values_list("code", flat=True)
    )
    merged = merges()
    titles: dict[int, set[str]] = defaultdict(set)
    for person, code, title in (
        HarmFlag.objects.exclude(rule__kind=FlagRuleKind.CO_INVOLVED_WITH_FLAGGED)
        .values_list("person_id", "rule__code", "rule__title")
        .distinct()
    ):
        if code not in switched_off:
            titles[kept_id(person, merged)].add(title)
    return {person: tuple(sorted(found)) for person, found in titles.items()}


def raise_flags(*, person_of: dict[int, int] | None = None) -> RaiseSummary:
    """Run every current rule that is in use over every person's events; record new flags
    (idempotent). A rule switched off raises nothing. Rules of co-involvement run last, against
    the people flagged by the others."""
    return _raise(load_events(person_of))


def raise_person_flags(*, person: int) -> RaiseSummary:
    """The same rules over one person's events only: when an event about them arrives
    (``notices``), not the whole partnership. The person is the one kept after merges."""
    return _raise({person: load_person_events(person)})


def _raise(by_person: Mapping[int, Sequence[Ev]]) -> RaiseSummary:
    children = dict(Person.objects.filter(pk__in=list(by_person)).values_list("pk", "child_id"))
    rules = list(FlagRule.objects.filter(is_current=True, in_use=True))
    rules.sort(key=lambda r: r.kind == FlagRuleKind.CO_INVOLVED_WITH_FLAGGED)
    summary = RaiseSummary()
    with transaction.atomic():
        for rule in rules:
            # Only co-involvement needs the people already flagged (by the other rules, which
            # run first).
            flagged = _flagged_by() if rule.kind == FlagRuleKind.CO_INVOLVED_WITH_FLAGGED else {}
            spec = RuleSpec(rule.kind, rule.parameters)
            held = HarmFlag.objects.filter(rule=rule)
            if len(by_person) == 1:
                held = held.filter(person_id__in=list(by_person))
            existing = set(held.values_list("person_id", "anchor_id"))
            for person, events in by_person.items():
                for match in evaluate(spec, person, events, flagged):
                    if (person, match.anchor.id) in existing:
                        summary.existing += 1
                        continue
                    rows = list(
                        AgencyEvent.objects.filter(pk__in=[e.id for e in match.events])
                        .select_related("agency", "source_record")
                        .order_by("occurred_on", "pk")
                    )
                    existing.add((person, match.anchor.id))
                    try:
                        # Two arrivals about one person, reacted to at once by two workers:
                        # the second to insert finds the first's flag (unique per rule,
                        # person and anchor) and counts it as there, not as a failure.
                        with transaction.atomic():
                            flag = HarmFlag.objects.create(
                                rule=rule,
                                person_id=person,
                                child_id=children.get(person),
                                anchor_id=match.anchor.id,
                                evidence=_evidence(rows, match),
                                explanation=match.explanation,
                            )
                            flag.events.set(rows)
                    except IntegrityError:
                        summary.existing += 1
                        continue
                    summary.raised += 1
                    summary.by_rule[rule.code] = summary.by_rule.get(rule.code, 0) + 1
        if summary.raised:
            audit_record(
                actor=None,
                system_actor=SYSTEM_ACTOR,
                event="identity.flags.raised",
                detail={"raised": summary.raised, "by_rule": summary.by_rule},
            )
    return summary


def new_rule_version(
    *, actor: Staff, rule: FlagRule, title: str, description: str, parameters: dict[str, Any]
) -> FlagRule:
    """A change to a rule is a new version; flags keep the version that raised them. The new
    version keeps whether the rule is in use (and who decided, when and why): changing a
    switched-off rule's numbers does not switch it on. Only the partnership's administrators
    change rules (the policy is asked here, whatever calls it)."""
    policy.require_capability(actor, policy.Action.FLAG_RULES_MANAGE)
    with transaction.atomic():
        FlagRule.objects.filter(code=rule.code, is_current=True).update(is_current=False)
        latest = FlagRule.objects.filter(code=rule.code).order_by("-version").first()
        made = FlagRule.objects.create(
            code=rule.code,
            version=(latest.version if latest else 0) + 1,
            kind=rule.kind,
            title=title,
            description=description,
            parameters=parameters,
            is_current=True,
            created_by=actor,
            in_use=rule.in_use,
            in_use_changed_at=rule.in_use_changed_at,
            in_use_changed_by=rule.in_use_changed_by,
            in_use_changed_by_system=rule.in_use_changed_by_system,
            in_use_reason=rule.in_use_reason,
        )
        audit_record(
            actor=actor,
            event="identity.flag_rule.changed",
            subject=made,
            detail={
                "code": made.code,
                "version": made.version,
                "parameters": parameters,
                "in_use": made.in_use,
            },
        )
    return made


def missing_choices(rule: FlagRule) -> list[ChoiceParameter]:
    """The sets of values the rule must have at least one of to be in use, and has none of."""
    return [
        spec
        for spec in CHOICE_PARAMETERS.get(rule.kind, ())
        if not values_chosen(rule.kind, rule.parameters, spec.name)
    ]


def flag_rule_switch(
    *,
    actor: Staff | None,
    rule: FlagRule,
    in_use: bool,
    reason: str,
    system_actor: str = "",
) -> FlagRule:
    """Switch the current version of a rule on or off, with why; audited. Switched off, it
    raises no new flags and flags already raised stay as they are, with their evidence;
    switched on again, the next run raises what it finds. ``actor`` is the member of staff (the
    policy decides who may); a command with no person behind it passes ``system_actor``."""
    if actor is not None:
        policy.require_capability(actor, policy.Action.FLAG_RULES_MANAGE)
    elif not system_actor:
        raise ValueError("Switching a rule needs a member of staff or a system actor")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the rule is being switched " + _onoff(in_use)})
    with transaction.atomic():
        current = FlagRule.objects.select_for_update().filter(pk=rule.pk).first()
        if current is None or not current.is_current:
            raise ValidationError(
                "This version of the rule has been replaced: go back to the rules and open it again"
            )
        if current.in_use == in_use:
            raise ValidationError(
                f"This rule is already {'in use' if in_use else 'switched off'}: someone may "
                "have changed it since you opened this page"
            )
        if in_use and (missing := missing_choices(current)):
            raise ValidationError(
                f"The rule counts no {missing[0].plural}: change it to tick at least one before "
                "switching it on"
            )
        current.in_use = in_use
        current.in_use_changed_at = timezone.now()
        current.in_use_changed_by = actor
        current.in_use_changed_by_system = "" if actor is not None else system_actor
        current.in_use_reason = reason
        current.save(
            update_fields=[
                "in_use",
                "in_use_changed_at",
                "in_use_changed_by",
                "in_use_changed_by_system",
                "in_use_reason",
            ]
        )
        audit_record(
            actor=actor,
            system_actor="" if actor is not None else system_actor,
            event=f"identity.flag_rule.switched_{_onoff(in_use)}",
            subject=current,
            detail={"code": current.code, "version": current.version, "reason": reason},
        )
    return current


def _onoff(in_use: bool) -> str:
    return "on" if in_use else "off"
