"""Who a child has been involved with (issue 4, part 8): the children and adults named in the
same agency events as the child, how often, when and in which agency's records, with adults
known to pose a risk to children marked.

Co-involvement comes from three places: the people an event names (``EventParticipant``), the
events on other people's records that name one of this child's records, and other people's
records of the same event (same agency, same reference). Only events the viewer may see in full
count (``policy.agency_entry_shown``: their own agency's, or covered for their category by an
agreement between the two agencies); the agencies holding the others are listed, to ask. A child
the viewer may not see, or one known only by a name, is shown only as "another child" and whom
to ask. A small network picture is drawn with networkx as an inline SVG; the list is its accessible
equivalent."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import networkx as nx
from django.utils.html import escape

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.children.models import Child
from harbour.children.selectors import child_find_for_actor
from harbour.identity import events as agency_events
from harbour.identity.audit import audit_children
from harbour.identity.models import AgencyEvent, EventParticipant, PersonRecord, SourceRecord
from harbour.partnership.models import Staff

ADULT_AGE = 18


@dataclass(frozen=True)
class Involvement:
    on: dt.date
    agency: str
    what: str


@dataclass(eq=False)
class Associate:
    key: str
    label: str
    is_child: bool
    is_adult: bool
    poses_risk: bool = False
    child_id: uuid.UUID | None = None  # a Harbour child the viewer may open
    ask: str = ""  # whom to ask, for a child the viewer may not see
    age: int | None = None
    involvements: list[Involvement] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.involvements)

    @property
    def first(self) -> dt.date:
        return min(i.on for i in self.involvements)

    @property
    def last(self) -> dt.date:
        return max(i.on for i in self.involvements)

    @property
    def agencies(self) -> list[str]:
        return sorted({i.agency for i in self.involvements})

    @property
    def kind_label(self) -> str:
        if self.is_adult:
            return "Adult who poses a risk to children" if self.poses_risk else "Adult"
        return "Child" if self.is_child else "Not known"


@dataclass(frozen=True)
class Associates:
    child: Child
    associates: list[Associate]
    withheld: dict[str, int]  # agency name -> events the viewer may not see
    svg: str
    ask: str
    decision: policy.Decision  # what the page was shown by (and what is happening now is)

    @property
    def risky_adults(self) -> list[Associate]:
        return [a for a in self.associates if a.poses_risk]


def _age_on(dob: dt.date | None, on: dt.date) -> int | None:
    if dob is None:
        return None
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _what(event: AgencyEvent) -> str:
    return f"{event.get_kind_display()}: {event.get_category_display().lower()}"


class _Builder:
    def __init__(self, actor: Staff, child: Child, decision: policy.Decision) -> None:
        self.actor = actor
        self.child = child
        self.decision = decision
        self.by_key: dict[str, Associate] = {}
        self.withheld: dict[str, int] = {}
        self.own_ids = set(agency_events.source_record_ids_for_child(child))
        self.lead = agency_events.lead_practitioner_name(child)
        # Each record's person and that person's Harbour child, in one query.
        self.person_of: dict[int, tuple[int, uuid.UUID | None]] = {}

    def resolve(self, record_ids: set[int]) -> None:
        rows = PersonRecord.objects.filter(source_record_id__in=record_ids).values_list(
            "source_record_id", "person_id", "person__child_id"
        )
        for record_id, person_id, child_id in rows:
            self.person_of[record_id] = (person_id, child_id)

    def add_record(self, record: SourceRecord, event: AgencyEvent, visible: set[uuid.UUID]) -> None:
        if record.pk in self.own_ids:
            return
        person_id, child_id = self.person_of.get(record.pk, (None, None))
        if child_id == self.child.pk:
            return
        age = _age_on(record.date_of_birth, event.occurred_on)
        is_adult = age is not None and age >= ADULT_AGE and child_id is None
        agency = event.agency.name
        if child_id is not None:
            key = f"child:{child_id}"
        elif person_id is not None:
            key = f"person:{person_id}"
        else:
            key = f"record:{record.pk}"
        associate = self.by_key.get(key)
        if associate is None:
            if is_adult:
                associate = Associate(key, record.full_name, False, True, age=age)
            elif child_id is not None and child_id in visible:
                associate = Associate(key, record.full_name, True, False, child_id=child_id)
            else:
                associate = Associate(
                    key, "Another child", True, False, ask=agency_events.whom_to_ask(agency, "")
                )
            self.by_key[key] = associate
        associate.involvements.append(Involvement(event.occurred_on, agency, _what(event)))

    def add_named(self, participant: EventParticipant, event: AgencyEvent) -> None:
        key = f"name:{participant.name.strip().lower()}:{participant.is_adult}"
        associate = self.by_key.get(key)
        if associate is None:
            if participant.is_adult:
                associate = Associate(
                    key, participant.name, False, True, age=participant.approximate_age
                )
            else:
                # Someone named but not known to be an adult may be a child: never named here.
                associate = Associate(
                    key,
                    "Another child",
                    True,
                    False,
                    ask=agency_events.whom_to_ask(event.agency.name, ""),
                )
            self.by_key[key] = associate
        associate.poses_risk = associate.poses_risk or participant.poses_risk
        associate.involvements.append(
            Involvement(event.occurred_on, event.agency.name, _what(event))
        )

    def build(self) -> list[Associate]:
        own_events = agency_events.events_for_child(self.child)
        shown: list[AgencyEvent] = []
        for event in own_events:
            if policy.agency_entry_shown(self.decision, event.agency_id, event.data_category):
                shown.append(event)
            else:
                name = event.agency.name
                self.withheld[name] = self.withheld.get(name, 0) + 1
        # Records in the same events: named in this child's events, naming this child's records,
        # or the same event (agency and reference) on someone else's record.
        pairs: list[tuple[SourceRecord, AgencyEvent]] = []
        named: list[tuple[EventParticipant, AgencyEvent]] = []
        for event in shown:
            for participant in event.participants.all():
                if participant.source_record is not None:
                    pairs.append((participant.source_record, event))
                elif participant.name:
                    named.append((participant, event))
        naming_me = (
            EventParticipant.objects.filter(source_record_id__in=self.own_ids)
            .exclude(event__source_record_id__in=self.own_ids)
            .select_related("event__agency", "event__source_record")
        )
        for participant in naming_me:
            event = participant.event
            if policy.agency_entry_shown(self.decision, event.agency_id, event.data_category):
                pairs.append((event.source_record, event))
        references = {(e.agency_id, e.source_reference) for e in shown}
        if references:
            same = (
                AgencyEvent.objects.filter(
                    source_reference__in={ref for _, ref in references},
                    agency_id__in={a for a, _ in references},
                )
                .exclude(source_record_id__in=self.own_ids)
                .select_related("source_record")
            )
            mine = {(e.agency_id, e.source_reference): e for e in shown}
            for other in same:
                match = mine.get((other.agency_id, other.source_reference))
                if match is not None:
                    pairs.append((other.source_record, match))
        self.resolve({record.pk for record, _ in pairs})
        child_ids = {c for _, c in self.person_of.values() if c is not None}
        visible = set(
            policy.visible_children(self.actor, Child.objects.filter(pk__in=child_ids)).values_list(
                "pk", flat=True
            )
        )
        seen: set[tuple[str, int]] = set()
        for record, event in pairs:
            if (str(record.pk), event.pk) in seen:
                continue
            seen.add((str(record.pk), event.pk))
            self.add_record(record, event, visible)
        for participant, event in named:
            self.add_named(participant, event)
        # The same child can be reached twice through the same event (named, and their own record
        # of it): count each date and agency once.
        for associate in self.by_key.values():
            unique = {(i.on, i.agency, i.what): i for i in associate.involvements}
            associate.involvements = sorted(unique.values(), key=lambda i: i.on)
        return sorted(
            self.by_key.values(),
            key=lambda a: (not a.poses_risk, -a.count, a.label.lower(), a.key),
        )


def network_svg(child_name: str, associates: list[Associate]) -> str:
    """The child in the middle and each associate around them, joined by a line as thick as
    their co-involvement; adults who pose a risk are squares (not only a colour). The layout is
    networkx's, fixed by its seed, so the picture is the same each time."""
    graph = nx.Graph()
    graph.add_node("child")
    for associate in associates:
        graph.add_node(associate.key)
        graph.add_edge("child", associate.key, weight=associate.count)
    # Room either side for the labels, which sit beside the outer nodes.
    width, height, margin_x, margin_y = 720, 340, 190, 40
    if len(associates) <= 1:
        positions = {"child": (0.0, 0.0), **{a.key: (1.0, 0.0) for a in associates}}
    else:
        positions = nx.shell_layout(graph, nlist=[["child"], [a.key for a in associates]])
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0

    def point(key: str) -> tuple[float, float]:
        x, y = positions[key]
        return (
            margin_x + (x - min(xs)) / span_x * (width - 2 * margin_x),
            margin_y + (y - min(ys)) / span_y * (height - 2 * margin_y - 20),
        )

    cx, cy = point("child")
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        'role="img" aria-labelledby="associates-svg-title associates-svg-desc" '
        'class="app-associates-network" focusable="false" '
        "style=\"max-width: 100%; height: auto; font-family: 'GDS Transport', arial, sans-serif\">",
        f'<title id="associates-svg-title">Who {escape(child_name)} has been involved with</title>',
        f'<desc id="associates-svg-desc">{len(associates)} '
        f"{'person' if len(associates) == 1 else 'people'} named in the same events. "
        "The table below lists each of them, how often, when and in which records.</desc>",
    ]
    for associate in associates:
        x, y = point(associate.key)
        stroke = 1 + min(associate.count, 6)
        parts.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" '
            f'stroke="#505a5f" stroke-width="{stroke}"/>'
        )
    for associate in associates:
        x, y = point(associate.key)
        if associate.poses_risk:
            parts.append(
                f'<rect x="{x - 12:.1f}" y="{y - 12:.1f}" width="24" height="24" '
                'fill="#d4351c" stroke="#0b0c0c" stroke-width="2"/>'
            )
        elif associate.is_adult:
            parts.append(
                f'<rect x="{x - 10:.1f}" y="{y - 10:.1f}" width="20" height="20" '
                'fill="#ffffff" stroke="#0b0c0c" stroke-width="2"/>'
            )
        else:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="11" fill="#1d70b8" '
                'stroke="#0b0c0c" stroke-width="2"/>'
            )
        anchor = "start" if x >= cx else "end"
        dx = 16 if x >= cx else -16
        label = f"{associate.label} ({associate.count})"
        parts.append(
            f'<text x="{x + dx:.1f}" y="{y + 5:.1f}" text-anchor="{anchor}" '
            f'font-size="14" fill="#0b0c0c">{escape(label)}</text>'
        )
    radius = 18
    parts.append(
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" fill="#00703c" stroke="#0b0c0c" '
        'stroke-width="2"/>'
    )
    parts.append(
        f'<text x="{cx:.1f}" y="{cy + radius + 18:.1f}" text-anchor="middle" font-size="15" '
        f'font-weight="bold" fill="#0b0c0c">{escape(child_name)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _audit_named_children(actor: Staff, child: Child, associates: list[Associate]) -> None:
    """Each other child named on the page is a read of that child too: an access event of
    their own (so it is in their "who has viewed this record"), with the actor's basis for
    seeing them and the child they were reached through. Children shown only as "another child"
    are not named, so not read."""
    named = [a.child_id for a in associates if a.child_id is not None]
    bases = policy.relationship_bases(actor, named)
    by_basis: dict[str, list[uuid.UUID]] = {}
    for child_id in named:
        by_basis.setdefault(bases.get(child_id, ""), []).append(child_id)
    for basis, child_ids in sorted(by_basis.items()):
        audit_children(
            actor=actor,
            event="child.viewed",
            child_ids=child_ids,
            basis=basis,
            section="associate_of_another_child",
            detail={"via_child": str(child.pk)},
        )


def child_associates(*, actor: Staff, child_id: uuid.UUID) -> Associates | policy.Decision:
    """The child's associates for a viewer with the child visible (a casework role with a
    working relationship or break-glass grant); the policy's decision otherwise, as for the
    record. Audited as a view of the child's record."""
    child, decision = child_find_for_actor(
        actor=actor, child_id=child_id, action=policy.Action.CHILD_VIEW
    )
    if not decision.allowed:
        return decision
    builder = _Builder(actor, child, decision)
    associates = builder.build()
    lead = builder.lead
    audit_record(
        actor=actor,
        event="child.viewed",
        child=child,
        section="associates",
        purpose=policy.purpose_for(actor),
        basis=decision.basis,
        detail={
            "associates": len(associates),
            "children_shown": sorted(str(a.child_id) for a in associates if a.child_id),
            "withheld": builder.withheld,
        },
    )
    _audit_named_children(actor, child, associates)
    return Associates(
        child=child,
        associates=associates,
        withheld=builder.withheld,
        svg=network_svg(child.given_name, associates),
        ask=f"the lead practitioner, {lead}" if lead else "",
        decision=decision,
    )
