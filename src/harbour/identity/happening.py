"""The person index's part of a child's "what is happening now" (``children.happening``):
open cumulative-harm flags not yet acknowledged, adults who pose a risk to children named in the
child's events, and the latest incidents, arrests, missing episodes, emergency department
attendances and ambulance call-outs.

Each entry is shown as the pages that hold it show it, from the decision the page already made
for the child. An event goes through ``chronology.agency_event_entry``, as in the chronology. A
flag goes through ``alerts.flag_alerts``, as on the flags tab, and only where that tab opens for
the viewer (``HappeningNow.alerts_open``: never under break-glass). An adult is named only from
events the viewer may see in full, as the chronology's "Also named" names them.

A withheld event is listed among the latest whatever its kind. Listing only withheld incidents
would tell the viewer what kind of record it is."""

from __future__ import annotations

from django.utils import timezone

from harbour.access import policy
from harbour.children import happening as summary
from harbour.children.happening import FlagLine, HappeningNow, RiskyAdult
from harbour.identity import alerts
from harbour.identity import events as agency_events
from harbour.identity.chronology import AskAbout, agency_event_entry
from harbour.identity.models import AgencyEvent, AlertStatus, EventKind, HarmFlag

# The kinds of event the summary lists when the viewer may see them.
HAPPENING_KINDS = frozenset(
    {
        EventKind.INCIDENT,
        EventKind.ARREST,
        EventKind.MISSING,
        EventKind.ED_ATTENDANCE,
        EventKind.AMBULANCE,
    }
)


def register() -> None:
    summary.provide_happening(add_person_index)


def add_person_index(happening: HappeningNow) -> None:
    ask = AskAbout(happening.child)
    events = agency_events.events_for_child(happening.child)
    _add_events(happening, events, ask)
    _add_risky_adults(happening, events)
    if happening.alerts_open:
        _add_flags(happening, ask)


def _add_events(happening: HappeningNow, events: list[AgencyEvent], ask: AskAbout) -> None:
    decision = happening.decision
    latest = []
    for event in reversed(events):  # newest first
        shown = policy.agency_entry_shown(decision, event.agency_id, event.data_category)
        if shown and event.kind not in HAPPENING_KINDS:
            continue
        latest.append(agency_event_entry(event, decision, ask))
    happening.events = latest[: summary.LATEST]
    happening.events_more = max(0, len(latest) - summary.LATEST)


def _add_risky_adults(happening: HappeningNow, events: list[AgencyEvent]) -> None:
    """Adults named by name who pose a risk to children, from events the viewer may see in
    full. A person with a record of their own, or not known to be an adult, is never named
    here: the chronology calls them "another young person"."""
    found: dict[str, list[AgencyEvent]] = {}
    names: dict[str, str] = {}
    for event in events:
        if not policy.agency_entry_shown(happening.decision, event.agency_id, event.data_category):
            continue
        for p in event.participants.all():
            if p.source_record_id is not None or not p.is_adult or not p.poses_risk:
                continue
            key = " ".join(p.name.lower().split())
            names.setdefault(key, p.name.strip())
            found.setdefault(key, []).append(event)
    adults = [
        RiskyAdult(
            names[key],
            max(e.occurred_on for e in named),
            len(named),
            [
                f"{e.agency.name}: {e.get_kind_display().lower()}, {e.occurred_on:%-d %B %Y}"
                for e in sorted(named, key=lambda e: e.occurred_on, reverse=True)
            ],
        )
        for key, named in found.items()
    ]
    happening.risky_adults = sorted(adults, key=lambda a: (-a.latest.toordinal(), a.name))


def _add_flags(happening: HappeningNow, ask: AskAbout) -> None:
    flags = list(
        HarmFlag.objects.filter(child=happening.child, status=AlertStatus.OPEN)
        .select_related("rule")
        .order_by("-raised_at", "-pk")
    )
    lines = []
    for alert in alerts.flag_alerts(happening.decision, flags):
        flag = alert.item
        raised = timezone.localdate(flag.raised_at)
        if alert.complete:
            lines.append(FlagLine(raised, True, flag.rule.title, flag.explanation))
        else:
            holders = alert.withheld_agencies
            lines.append(
                FlagLine(
                    raised,
                    False,
                    "A cumulative-harm rule was met by records held by " + ", ".join(holders),
                    f"You may not see every record behind it: {ask(' or '.join(holders))}.",
                )
            )
    happening.flags = lines[: summary.FLAGS_SHOWN]
    happening.flags_more = max(0, len(lines) - summary.FLAGS_SHOWN)
