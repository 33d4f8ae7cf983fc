"""One chronology of everything recorded in Harbour about a child, newest first. Entries come
from the record's sections, so an entry is shown only where its section is. Other apps add the
entries they hold by registering a provider (``provide_entries``) when Django starts: the front
door its referrals, decisions and strategy meetings (``frontdoor.chronology``, part of the
involvement section), the person index other agencies' own records of events
(``identity.chronology``: each with its agency, one whose data category the viewer's decision does
not cover shown only as that the agency holds a record of an event that day, and whom to ask,
``policy.agency_event_shown``). This app sits below both (ADR 0020), so it does not import them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.access.models import WorkingRelationship
from harbour.children.codes import AssessmentStatus
from harbour.children.models import Child
from harbour.children.record import SECTION_CATEGORY
from harbour.children.selectors import child_find_for_actor


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


class EntryProvider(Protocol):
    """Entries another app holds about the child, for the viewer whose decision this is."""

    def __call__(self, child: Child, decision: policy.Decision) -> list[Entry]: ...


# Providers by the record section their entries belong to, in the order they were registered; under
# None, providers that decide entry by entry what the viewer may see (after every section).
_providers: dict[str | None, list[EntryProvider]] = {}


def provide_entries(provider: EntryProvider, *, section: str | None) -> None:
    """Add ``provider``'s entries to every chronology: after the ``section``'s own entries, and
    only where the viewer may see that section; with no section, after all of them, the provider
    deciding from the viewer's decision what each entry shows. Registering twice adds once."""
    if section is not None and section not in EntryType.SECTION.values():
        raise ValueError(f"The chronology has no section {section!r}")
    providers = _providers.setdefault(section, [])
    if provider not in providers:
        providers.append(provider)


def _provided(section: str | None, child: Child, decision: policy.Decision) -> list[Entry]:
    return [
        entry for provider in _providers.get(section, []) for entry in provider(child, decision)
    ]


def _entries(child: Child, shown: frozenset[str], decision: policy.Decision) -> list[Entry]:
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
        entries += _provided("involvement", child, decision)
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
        entries += _provided("needs", child, decision)
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
        entries += _provided("education", child, decision)
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
        entries += _provided("voice", child, decision)
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
        entries += _provided("plans", child, decision)
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
        entries += _provided("formulation", child, decision)
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
    everything = _entries(child, shown, decision) + _provided(None, child, decision)
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
