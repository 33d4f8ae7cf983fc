"""One chronology of everything recorded in Harbour about a child, newest first. Entries come
from the record's sections, so an entry is shown only where its section is. Other agencies' own
records of events (the person index's ``AgencyEvent``s for the person linked to the child) are
added too, each with its agency: one whose data category the viewer's decision does not cover
shows only that the agency holds a record of an event that day, and whom to ask
(``policy.agency_event_shown``)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.access.models import WorkingRelationship
from harbour.children.codes import AssessmentStatus
from harbour.children.models import Child
from harbour.children.record import SECTION_CATEGORY
from harbour.children.selectors import child_find_for_actor
from harbour.frontdoor.selectors import referral_entries
from harbour.identity import events as agency_events


class EntryType:
    INVOLVEMENT = "involvement"
    NEED = "need"
    ASSESSMENT = "assessment"
    EDUCATION = "education"
    VOICE = "voice"
    PLAN = "plan"
    FORMULATION = "formulation"
    REFERRAL = "referral"
    AGENCY_EVENT = "agency_event"

    LABELS = {
        INVOLVEMENT: "Involvement and referrals",
        NEED: "Needs",
        ASSESSMENT: "Assessments",
        EDUCATION: "Education",
        VOICE: "The child's words",
        PLAN: "Plans and reviews",
        FORMULATION: "Formulation meetings",
        REFERRAL: "Referrals, decisions and strategy meetings",
        AGENCY_EVENT: "Agencies' own records of events",
    }
    SECTION = {
        INVOLVEMENT: "involvement",
        NEED: "needs",
        ASSESSMENT: "needs",
        EDUCATION: "education",
        VOICE: "voice",
        PLAN: "plans",
        FORMULATION: "formulation",
        REFERRAL: "involvement",
    }


@dataclass(frozen=True)
class Entry:
    on: dt.date
    entry_type: str
    title: str
    description: str
    agency: str
    # An agency event the viewer may not see: only that it exists, and whom to ask.
    withheld: bool = False

    @property
    def type_label(self) -> str:
        return EntryType.LABELS[self.entry_type]


@dataclass(frozen=True)
class Chronology:
    child: Child
    entries: list[Entry]
    agencies: list[str]
    hidden_types: list[str]


def _entries(child: Child, shown: frozenset[str]) -> list[Entry]:
    entries: list[Entry] = []

    def agency_of(obj: Any) -> str:
        agency = getattr(obj, "recorded_by_agency", None)
        return agency.name if agency else "Not recorded"

    if "involvement" in shown:
        for r in WorkingRelationship.objects.filter(child=child).select_related(
            "agency", "staff__agency"
        ):
            agency = r.agency or (r.staff.agency if r.staff else None)
            who = f"{r.staff}: " if r.staff else ""
            entries.append(
                Entry(
                    r.started_on,
                    EntryType.INVOLVEMENT,
                    f"{who}{r.get_kind_display()}",
                    r.note,
                    agency.name if agency else "",
                )
            )
            if r.ended_on:
                entries.append(
                    Entry(
                        r.ended_on,
                        EntryType.INVOLVEMENT,
                        f"Ended: {who}{r.get_kind_display()}",
                        "",
                        agency.name if agency else "",
                    )
                )
        for on, title, description, source in referral_entries(child.pk):
            entries.append(Entry(on, EntryType.REFERRAL, title, description, source))
    if "needs" in shown:
        for need in child.needs.select_related("recorded_by_agency"):
            if need.start_date:
                entries.append(
                    Entry(
                        need.start_date,
                        EntryType.NEED,
                        need.get_kind_display(),
                        need.description,
                        agency_of(need),
                    )
                )
            if need.end_date:
                entries.append(
                    Entry(
                        need.end_date,
                        EntryType.NEED,
                        f"Ended: {need.get_kind_display()}",
                        need.description,
                        agency_of(need),
                    )
                )
        for a in child.assessments.select_related("recorded_by_agency"):
            entries.append(
                Entry(
                    a.referred_on,
                    EntryType.ASSESSMENT,
                    f"Referred for {a.get_kind_display()}",
                    a.provider,
                    agency_of(a),
                )
            )
            if a.completed_on:
                entries.append(
                    Entry(
                        a.completed_on,
                        EntryType.ASSESSMENT,
                        f"{a.get_kind_display()} "
                        + ("withdrawn" if a.status == AssessmentStatus.WITHDRAWN else "completed"),
                        a.outcome,
                        agency_of(a),
                    )
                )
    if "education" in shown:
        for e in child.education.select_related("setting", "recorded_by_agency"):
            setting = e.setting.name if e.setting else e.setting_name
            entries.append(
                Entry(
                    e.start_date,
                    EntryType.EDUCATION,
                    e.get_status_display(),
                    setting,
                    e.setting.name if e.setting else agency_of(e),
                )
            )
    if "voice" in shown:
        for v in child.voice.select_related("recorded_by_agency"):
            entries.append(
                Entry(
                    v.said_on,
                    EntryType.VOICE,
                    v.setting or "In their words",
                    f"“{v.words}”",
                    agency_of(v),
                )
            )
    if "plans" in shown:
        for plan in child.plans.select_related("recorded_by_agency").prefetch_related("reviews"):
            entries.append(
                Entry(
                    plan.started_on,
                    EntryType.PLAN,
                    f"{plan.get_plan_type_display()} started",
                    plan.outcomes,
                    agency_of(plan),
                )
            )
            for review in plan.reviews.all():
                entries.append(
                    Entry(
                        review.held_on,
                        EntryType.PLAN,
                        f"{plan.get_plan_type_display()} reviewed",
                        review.summary,
                        agency_of(plan),
                    )
                )
            if plan.closed_on:
                entries.append(
                    Entry(
                        plan.closed_on,
                        EntryType.PLAN,
                        f"{plan.get_plan_type_display()} closed",
                        "",
                        agency_of(plan),
                    )
                )
    if "formulation" in shown:
        for meeting in child.formulations.select_related("recorded_by_agency"):
            entries.append(
                Entry(
                    meeting.held_on,
                    EntryType.FORMULATION,
                    "Formulation meeting",
                    meeting.summary,
                    agency_of(meeting),
                )
            )
    return entries


def _day(on: dt.date) -> str:
    return f"{on.day} {on:%B %Y}"


def _also_named(event: Any) -> str:
    """Who else the event names: adults and others by name (an adult who poses a risk to
    children said so), another child's record only as "another young person" (the associates
    page decides whether the viewer may see who)."""
    names: list[str] = []
    for p in event.participants.all():
        if p.source_record_id is not None:
            names.append("another young person")
        elif p.poses_risk:
            names.append(f"{p.name} (an adult who poses a risk to children)")
        else:
            names.append(f"{p.name} ({'adult' if p.is_adult else 'not known'})")
    return ", ".join(names)


def _agency_event_entries(child: Child, decision: policy.Decision) -> list[Entry]:
    entries: list[Entry] = []
    lead = ""
    for event in agency_events.events_for_child(child):
        agency = event.agency.name
        if policy.agency_event_shown(decision, event.data_category):
            details = [event.summary]
            facts = [
                f"Role: {event.get_role_display().lower()}",
                f"severity {event.get_severity_display().lower()}",
            ]
            if event.weapon:
                facts.append("a weapon was involved")
            details.append("; ".join(facts) + f". Reference {event.source_reference}.")
            named = _also_named(event)
            if named:
                details.append(f"Also named: {named}.")
            title = event.get_kind_display()
            if event.category != event.kind:
                title += f": {event.get_category_display().lower()}"
            entries.append(
                Entry(
                    event.occurred_on,
                    EntryType.AGENCY_EVENT,
                    title,
                    "\n".join(details),
                    agency,
                )
            )
        else:
            if not lead:
                lead = agency_events.lead_practitioner_name(child) or "-"
            ask = agency_events.whom_to_ask(agency, "" if lead == "-" else lead)
            entries.append(
                Entry(
                    event.occurred_on,
                    EntryType.AGENCY_EVENT,
                    f"{agency} holds a record of an event on {_day(event.occurred_on)}",
                    f"You may not see its details: {ask}.",
                    agency,
                    withheld=True,
                )
            )
    return entries


def child_chronology(
    *, actor: Any, child_id: uuid.UUID, agency: str = "", types: list[str] | None = None
) -> Chronology | policy.Decision:
    child, decision = child_find_for_actor(
        actor=actor, child_id=child_id, action=policy.Action.CHILD_VIEW
    )
    if not decision.allowed:
        return decision
    shown = frozenset(
        s for s, category in SECTION_CATEGORY.items() if category in decision.sections
    )
    everything = _entries(child, shown) + _agency_event_entries(child, decision)
    entries = [
        e
        for e in everything
        if (not agency or e.agency == agency) and (not types or e.entry_type in types)
    ]
    entries.sort(key=lambda e: e.on, reverse=True)
    hidden = [
        label
        for t, label in EntryType.LABELS.items()
        if t in EntryType.SECTION and EntryType.SECTION[t] not in shown
    ]
    audit_record(
        actor=actor,
        event="child.viewed",
        child=child,
        section="chronology",
        purpose=policy.purpose_for(actor),
        basis=decision.basis,
        detail={
            "filters": {"agency": agency, "types": types or []},
            "agency_events": sum(e.entry_type == EntryType.AGENCY_EVENT for e in entries),
            "agency_events_withheld": sum(e.withheld for e in entries),
        },
    )
    return Chronology(child, entries, sorted({e.agency for e in everything if e.agency}), hidden)
