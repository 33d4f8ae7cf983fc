"""What happens when agencies' events and needs arrive (issue 11, part 4; ADR 0028).

``react`` is the body of the one background task. For the events and needs that arrived (new
or changed), for each person their records are linked to:

* the cumulative-harm flags are re-evaluated for that person only (``flags.raise_person_flags``);
* for needs, that child's needs are reconciled (``needs.reconcile`` on the child's records);
* an event that is a serious incident by the partnership's rule opens a rapid response
  (``rapid.rapid_response_open_by_rule``, which finds one already open).

Every step is idempotent (flags are unique per rule, person and anchor; discrepancies per child,
kind and agency lacking; one rapid response per incident), so running the task twice does
nothing more. A step that fails is logged and the others still run."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from harbour.frontdoor import rapid
from harbour.identity import flags, needs
from harbour.identity.models import AgencyEvent, PersonRecord, SourceNeed
from harbour.identity.people import kept_id, merges

logger = logging.getLogger(__name__)


@dataclass
class Reaction:
    people: int = 0
    flags_raised: int = 0
    needs_reconciled: int = 0
    rapid_responses: int = 0
    notices: int = 0
    emails: int = 0
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def people_of_records(record_ids: Iterable[int]) -> dict[int, int]:
    """Each source record -> the person it is linked to now (the person kept after merges);
    records not linked are left out."""
    linked = dict(
        PersonRecord.objects.filter(source_record_id__in=list(record_ids)).values_list(
            "source_record_id", "person_id"
        )
    )
    merged = merges(set(linked.values()))
    return {record: kept_id(person, merged) for record, person in linked.items()}


def _step(reaction: Reaction, name: str, work: Callable[[], None]) -> None:
    try:
        with transaction.atomic():
            work()
    except Exception:  # the rest of the reaction still runs; the nightly runs catch up
        logger.exception("Reacting to an arrival: %s failed", name)
        reaction.failed.append(name)


def react(*, event_ids: Iterable[int], need_ids: Iterable[int]) -> Reaction:
    """React to the events and needs that arrived (see the module docstring)."""
    reaction = Reaction()
    events = list(
        AgencyEvent.objects.filter(pk__in=list(event_ids)).values_list("pk", "source_record_id")
    )
    need_records = set(
        SourceNeed.objects.filter(pk__in=list(need_ids)).values_list("source_record_id", flat=True)
    )
    person_of = people_of_records({r for _, r in events} | need_records)
    event_people = sorted({person_of[r] for _, r in events if r in person_of})
    need_people = sorted({person_of[r] for r in need_records if r in person_of})
    reaction.people = len(set(event_people) | set(need_people))

    for person in event_people:

        def raise_for(person: int = person) -> None:
            reaction.flags_raised += flags.raise_person_flags(person=person).raised

        _step(reaction, f"flags for person {person}", raise_for)
    for person in need_people:

        def reconcile_for(person: int = person) -> None:
            needs.reconcile(person_of=flags.records_of_person(person))
            reaction.needs_reconciled += 1

        _step(reaction, f"needs for person {person}", reconcile_for)
    for event_id, _record in events:

        def open_for(event_id: int = event_id) -> None:
            if rapid.rapid_response_open_by_rule(event_id=event_id) is not None:
                reaction.rapid_responses += 1

        _step(reaction, f"rapid response for event {event_id}", open_for)
    return reaction
