"""One chronology of everything recorded in Harbour about a child, newest first, each entry
shown as the policy allows it (ADR 0017): in full where it is the viewer's own agency's or an
agreement in force between the two agencies covers its data category for the viewer's purpose;
otherwise only that the agency holds a record dated that day, and whom to ask
(``policy.record_entry_shown``, ``policy.agency_entry_shown``).

Entries come from the record's sections and from the other apps that hold records about the
child, which register a provider (``provide_entries``) when Django starts: the front door its
referrals, decisions and strategy meetings (``frontdoor.chronology``), the person index other
agencies' own records of events (``identity.chronology``). This app sits below both (ADR 0020),
so it does not import them."""

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
from harbour.children.sections import SECTION_CATEGORY
from harbour.children.selectors import child_find_for_actor, lead_practitioner_name, whom_to_ask
from harbour.partnership.models import Staff


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
    WITHHELD = "withheld"

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
        WITHHELD: "Entries in Harbour you may not see",
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
    # What the language checker found in the entry's text when it arrived from another system
    # (ADR 0030): shown beside it, the text unchanged. Each has text, suggestion and reason.
    findings: tuple[Any, ...] = ()

    @property
    def type_label(self) -> str:
        return EntryType.LABELS[self.entry_type]

    @property
    def headline(self) -> str:
        """The description's first line: what happened, or whom to ask about a withheld entry."""
        return self.description.split("\n", 1)[0]


@dataclass(frozen=True)
class Chronology:
    child: Child
    entries: list[Entry]
    agencies: list[str]
    alerts_open: bool  # the child's flags and needs across agencies open for the viewer
    decision: policy.Decision  # what the page was shown by (and what is happening now is)


class EntryProvider(Protocol):
    """Entries another app holds about the child, each shown or withheld as the viewer's decision
    allows it (``RecordEntries`` for entries of Harbour's shared record)."""

    def __call__(self, child: Child, decision: policy.Decision) -> list[Entry]: ...


# In the order they were registered.
_providers: list[EntryProvider] = []


def provide_entries(provider: EntryProvider) -> None:
    """Add ``provider``'s entries to every chronology. Registering twice adds once."""
    if provider not in _providers:
        _providers.append(provider)


class RecordEntries:
    """Entries from Harbour's shared record, each shown as the policy allows it
    (``policy.record_entry_shown``): the rest say only which agency holds a record that day."""

    def __init__(self, child: Child, decision: policy.Decision) -> None:
        self.child = child
        self.decision = decision
        self.entries: list[Entry] = []
        self._lead: str | None = None

    def ask(self, agency: str) -> str:
        if self._lead is None:
            self._lead = lead_practitioner_name(self.child)
        return whom_to_ask(agency, self._lead)

    def add(
        self,
        section: str,
        on: dt.date,
        entry_type: str,
        title: str,
        description: str,
        agency: Any,
        label: str | None = None,
    ) -> None:
        """``agency`` is the agency that recorded it (None: the agency that recorded the child);
        ``label`` the agency's name as the entry shows it, if not the agency's own."""
        whose = self.whose(agency)
        name = label if label is not None else (whose.name if whose is not None else "")
        if self.shown(section, agency):
            self.entries.append(Entry(on, entry_type, title, description, name))
            return
        self.entries.append(self.withheld(on, agency))

    def whose(self, agency: Any) -> Any:
        """The agency whose entry it is: the one that recorded it, else the child's."""
        return agency if agency is not None else self.child.recorded_by

    def shown(self, section: str, agency: Any) -> bool:
        """Whether an entry of this record section recorded by ``agency`` is shown in full."""
        return policy.record_entry_shown(
            self.decision, self.whose(agency).pk, SECTION_CATEGORY[section]
        )

    def withheld(self, on: dt.date, agency: Any) -> Entry:
        """An entry the viewer may not see: which agency holds it, when, and whom to ask."""
        whose = self.whose(agency)
        return Entry(
            on,
            EntryType.WITHHELD,
            f"{whose.name} holds a record dated {_day(on)}",
            f"You may not see its details: {self.ask(whose.name)}.",
            whose.name,
            withheld=True,
        )


def _entries(child: Child, decision: policy.Decision) -> list[Entry]:
    record = RecordEntries(child, decision)
    add = record.add

    for r in WorkingRelationship.objects.filter(child=child).select_related(
        "agency", "staff__agency"
    ):
        agency = r.agency or (r.staff.agency if r.staff else None)
        who = f"{r.staff}: " if r.staff else ""
        add(
            "involvement",
            r.started_on,
            EntryType.INVOLVEMENT,
            f"{who}{r.get_kind_display()}",
            r.note,
            agency,
        )
        if r.ended_on:
            add(
                "involvement",
                r.ended_on,
                EntryType.INVOLVEMENT,
                f"Ended: {who}{r.get_kind_display()}",
                "",
                agency,
            )
    for need in child.needs.select_related("recorded_by_agency"):
        if need.start_date:
            add(
                "needs",
                need.start_date,
                EntryType.NEED,
                need.get_kind_display(),
                need.description,
                need.recorded_by_agency,
            )
        if need.end_date:
            add(
                "needs",
                need.end_date,
                EntryType.NEED,
                f"Ended: {need.get_kind_display()}",
                need.description,
                need.recorded_by_agency,
            )
    for a in child.assessments.select_related("recorded_by_agency"):
        add(
            "needs",
            a.referred_on,
            EntryType.ASSESSMENT,
            f"Referred for {a.get_kind_display()}",
            a.provider,
            a.recorded_by_agency,
        )
        if a.completed_on:
            add(
                "needs",
                a.completed_on,
                EntryType.ASSESSMENT,
                f"{a.get_kind_display()} "
                + ("withdrawn" if a.status == AssessmentStatus.WITHDRAWN else "completed"),
                a.outcome,
                a.recorded_by_agency,
            )
    for e in child.education.select_related("setting", "recorded_by_agency"):
        setting = e.setting.name if e.setting else e.setting_name
        add(
            "education",
            e.start_date,
            EntryType.EDUCATION,
            e.get_status_display(),
            setting,
            e.recorded_by_agency,
            label=e.setting.name if e.setting else None,
        )
    for v in child.voice.select_related("recorded_by_agency"):
        add(
            "voice",
            v.said_on,
            EntryType.VOICE,
            v.setting or "In their words",
            f"“{v.words}”",
            v.recorded_by_agency,
        )
    for plan in child.plans.select_related("recorded_by_agency").prefetch_related("reviews"):
        name = plan.get_plan_type_display()
        add(
            "plans",
            plan.started_on,
            EntryType.PLAN,
            f"{name} started",
            plan.outcomes,
            plan.recorded_by_agency,
        )
        for review in plan.reviews.all():
            add(
                "plans",
                review.held_on,
                EntryType.PLAN,
                f"{name} reviewed",
                review.summary,
                plan.recorded_by_agency,
            )
        if plan.closed_on:
            add(
                "plans",
                plan.closed_on,
                EntryType.PLAN,
                f"{name} closed",
                "",
                plan.recorded_by_agency,
            )
    for meeting in child.formulations.select_related("recorded_by_agency"):
        add(
            "formulation",
            meeting.held_on,
            EntryType.FORMULATION,
            "Formulation meeting",
            meeting.summary,
            meeting.recorded_by_agency,
        )
    return record.entries


def _day(on: dt.date) -> str:
    return f"{on.day} {on:%B %Y}"


def child_chronology(
    *, actor: Staff, child_id: uuid.UUID, agency: str = "", types: list[str] | None = None
) -> Chronology | policy.Decision:
    child, decision = child_find_for_actor(
        actor=actor, child_id=child_id, action=policy.Action.CHILD_VIEW
    )
    if not decision.allowed:
        return decision
    everything = _entries(child, decision) + [
        entry for provider in _providers for entry in provider(child, decision)
    ]
    entries = [
        e
        for e in everything
        if (not agency or e.agency == agency) and (not types or e.entry_type in types)
    ]
    entries.sort(key=lambda e: e.on, reverse=True)
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
            "agency_events_withheld": sum(
                e.withheld and e.entry_type == EntryType.AGENCY_EVENT for e in entries
            ),
            "record_entries_withheld": sum(e.entry_type == EntryType.WITHHELD for e in entries),
        },
    )
    return Chronology(
        child,
        entries,
        sorted({e.agency for e in everything if e.agency}),
        policy.alerts_open(actor, decision),
        decision,
    )
