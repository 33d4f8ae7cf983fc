"""What is happening now for a child (issue 12, part 2): the top of every one of the child's
pages, and the front door's panel beside a referral for the child.

Facts with dates and sources, never a score: open cumulative-harm flags not yet acknowledged,
adults who pose a risk to children named in the child's events, the latest incidents, arrests,
missing episodes, emergency department attendances and ambulance call-outs, open plans with
their next review (overdue said so), and whom to contact.

Nothing here decides what the viewer may see. The summary is built from the decision the page
already made, and audited, for the same child (ADR 0023). Each entry is shown as the chronology
shows it: Harbour's shared record through ``chronology.RecordEntries``. Other agencies' records
go through the presenters of the apps that hold them, which register a provider
(``provide_happening``) when Django starts. The person index's events, flags and the adults
named in them are ``identity.happening``. This app sits below that one, so it does not import
it (ADR 0020). An entry the viewer may not see says only which agency holds a record, dated
when, and whom to ask.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from django.utils import timezone

from harbour.access import policy
from harbour.access.models import RelationshipKind, WorkingRelationship
from harbour.children.chronology import Entry, RecordEntries
from harbour.children.models import Child
from harbour.children.record import TEAM_AROUND_CHILD, Contact, contacts_for
from harbour.partnership.models import Staff

# How many of the latest agency events the summary shows, and how many open flags (each flag
# takes several lines: the rest are on the flags tab).
LATEST = 5
FLAGS_SHOWN = 3
# The role ``record.contacts_for`` gives the lead practitioner.
LEAD_PRACTITIONER = "Lead practitioner"


@dataclass(frozen=True)
class FlagLine:
    """An open cumulative-harm flag. ``complete``: the viewer may see every record behind it,
    so its rule and explanation are shown; otherwise only which agencies hold those records."""

    raised_on: dt.date
    complete: bool
    title: str
    detail: str


@dataclass(frozen=True)
class RiskyAdult:
    """An adult known to pose a risk to children, named in events the viewer may see."""

    name: str
    latest: dt.date
    count: int
    sources: list[str]  # "<agency>: <kind>", for each record naming them


@dataclass(frozen=True)
class PlanLine:
    """An open plan and its next review, or (withheld) only whose it is, when and whom to ask."""

    started_on: dt.date
    title: str
    agency: str
    review_due: dt.date | None = None
    overdue_days: int = 0
    withheld: bool = False
    ask: str = ""

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


@dataclass
class HappeningNow:
    child: Child
    decision: policy.Decision
    # The child's flags open for this viewer (``policy.alerts_open``): never under break-glass.
    alerts_open: bool
    today: dt.date
    flags: list[FlagLine] = field(default_factory=list)
    flags_more: int = 0
    risky_adults: list[RiskyAdult] = field(default_factory=list)
    # The latest agency events, newest first, each shown or withheld as in the chronology.
    events: list[Entry] = field(default_factory=list)
    events_more: int = 0
    plans: list[PlanLine] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)

    @property
    def break_glass(self) -> bool:
        return policy.is_break_glass(self.decision.basis)

    @property
    def lead(self) -> Contact | None:
        return next((c for c in self.contacts if c.role == LEAD_PRACTITIONER), None)

    @property
    def team(self) -> list[Contact]:
        return [c for c in self.contacts if c.role == TEAM_AROUND_CHILD]

    @property
    def holders(self) -> list[Contact]:
        return [c for c in self.contacts if c.role not in (LEAD_PRACTITIONER, TEAM_AROUND_CHILD)]


class HappeningProvider(Protocol):
    """Adds to the summary what another app holds about the child, each entry as the viewer's
    decision allows it."""

    def __call__(self, happening: HappeningNow) -> None: ...


_providers: list[HappeningProvider] = []


def provide_happening(provider: HappeningProvider) -> None:
    """Add ``provider``'s part to every summary. Registering twice adds once."""
    if provider not in _providers:
        _providers.append(provider)


def _plans(happening: HappeningNow) -> list[PlanLine]:
    child = happening.child
    record = RecordEntries(child, happening.decision)
    lines: list[PlanLine] = []
    open_plans = child.plans.filter(closed_on__isnull=True).select_related("recorded_by_agency")
    for plan in open_plans.order_by("review_due", "-started_on", "pk"):
        agency = plan.recorded_by_agency
        if record.shown("plans", agency):
            due = plan.review_due
            lines.append(
                PlanLine(
                    plan.started_on,
                    plan.get_plan_type_display(),
                    record.whose(agency).name,
                    review_due=due,
                    overdue_days=(happening.today - due).days
                    if due and due < happening.today
                    else 0,
                )
            )
        else:
            held = record.withheld(plan.started_on, agency)
            lines.append(
                PlanLine(plan.started_on, held.title, held.agency, withheld=True, ask=held.headline)
            )
    return lines


def _contacts(happening: HappeningNow) -> list[Contact]:
    """The lead practitioner (whom every withheld entry already names to ask), then the people in
    the team around the child and each agency that holds a record of the child, where the viewer
    may see that agency's entry of "who is working with the child" (``RecordEntries.shown``):
    the record's involvement section withholds the others, so the summary does not name them
    either."""
    record = RecordEntries(happening.child, happening.decision)
    shown = {
        r.agency.name
        for r in WorkingRelationship.objects.current()
        .filter(child=happening.child, kind=RelationshipKind.AGENCY_RECORD, agency__isnull=False)
        .select_related("agency")
        if r.agency is not None and record.shown("involvement", r.agency)
    }
    return [
        c
        for c in contacts_for(happening.child, team=True)
        if c.role == LEAD_PRACTITIONER or c.agency in shown
    ]


def happening_now(*, actor: Staff, child: Child, decision: policy.Decision) -> HappeningNow:
    """The summary for a page that has already decided, and audited, that ``actor`` may see
    ``child`` (``decision``). Raises ``NotFound`` for a decision that does not allow it: the
    summary never opens a child by itself."""
    if not decision.allowed:
        raise policy.NotFound(child.pk)
    happening = HappeningNow(
        child=child,
        decision=decision,
        alerts_open=policy.alerts_open(actor, decision),
        today=timezone.localdate(),
    )
    happening.plans = _plans(happening)
    happening.contacts = _contacts(happening)
    for provider in _providers:
        provider(happening)
    return happening
