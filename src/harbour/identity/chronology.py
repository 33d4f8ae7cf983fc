"""Other agencies' own records of events in a child's chronology: the person index's
``AgencyEvent``s for the person linked to the child, each with its agency. One that is neither
the viewer's own agency's nor covered, for its data category, by an agreement in force between
the two agencies shows only that the agency holds a record dated that day, and whom to ask
(``policy.agency_entry_shown``, ADR 0017). The children app's chronology asks for them
through the provider registered here when Django starts (``IdentityConfig.ready``): it sits below
this app (ADR 0020), so it cannot import it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from harbour.access import policy
from harbour.children import chronology
from harbour.children.chronology import Entry, EntryType
from harbour.children.models import Child
from harbour.identity import events as agency_events


def register() -> None:
    """Add other agencies' events to every child's chronology, after the record's own entries;
    each entry is shown or withheld by the viewer's decision."""
    chronology.provide_entries(_agency_event_entries)


def _day(on: dt.date) -> str:
    return f"{on.day} {on:%B %Y}"


def _also_named(event: Any) -> str:
    """Who else the event names: adults by name (an adult who poses a risk to children said so);
    anyone else — another child's record, or someone named who is not known to be an adult —
    only as "another young person" (the associates page decides whether the viewer may see
    who, and a child known only by a name is never named)."""
    names: list[str] = []
    for p in event.participants.all():
        if p.source_record_id is not None or not p.is_adult:
            names.append("another young person")
        elif p.poses_risk:
            names.append(f"{p.name} (an adult who poses a risk to children)")
        else:
            names.append(f"{p.name} (adult)")
    return ", ".join(names)


def agency_event_entry(event: Any, decision: policy.Decision, ask: Callable[[str], str]) -> Entry:
    """One agency event as the viewer may see it: in full (its kind, what happened, the child's
    role, severity, reference and who else was named), or only that its agency holds a record
    dated that day and whom to ask (``ask(agency name)``). The chronology and the child's "what
    is happening now" both show an event this way. A shown event carries what the language
    checker found in its summary when it arrived (ADR 0030)."""
    agency = event.agency.name
    if policy.agency_entry_shown(decision, event.agency_id, event.data_category):
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
        return Entry(
            event.occurred_on,
            EntryType.AGENCY_EVENT,
            title,
            "\n".join(details),
            agency,
            findings=tuple(event.wording_findings.all()),
        )
    return Entry(
        event.occurred_on,
        EntryType.AGENCY_EVENT,
        f"{agency} holds a record dated {_day(event.occurred_on)}",
        f"You may not see its details: {ask(agency)}.",
        agency,
        withheld=True,
    )


class AskAbout:
    """Whom to ask about a record the viewer may not see: the agency, or the child's lead
    practitioner (looked up once, and only when something is withheld)."""

    def __init__(self, child: Child) -> None:
        self.child = child
        self._lead: str | None = None

    def __call__(self, agency: str) -> str:
        if self._lead is None:
            self._lead = agency_events.lead_practitioner_name(self.child)
        return agency_events.whom_to_ask(agency, self._lead)


def _agency_event_entries(child: Child, decision: policy.Decision) -> list[Entry]:
    ask = AskAbout(child)
    return [
        agency_event_entry(event, decision, ask) for event in agency_events.events_for_child(child)
    ]
