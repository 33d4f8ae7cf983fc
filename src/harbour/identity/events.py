"""Other agencies' events for a Harbour child: the person the index links to the child
(``Person.child``, following merges), that person's source records, and what each agency's
record says happened (``AgencyEvent``). No policy here: callers decide what the viewer may see
(``policy.agency_entry_shown``) and audit. Whom to ask about what a viewer may not see is the
children app's (``lead_practitioner_name``, ``whom_to_ask``)."""

from __future__ import annotations

from typing import Any

from harbour.children.selectors import lead_practitioner_name, whom_to_ask
from harbour.identity.models import AgencyEvent, Person, PersonRecord
from harbour.identity.people import person_kept


def person_for_child(child: Any) -> Person | None:
    """The person the index links to this child, following merges to the person kept."""
    person = Person.objects.filter(child_id=child.pk).first()
    return person_kept(person) if person is not None else None


def source_record_ids_for_child(child: Any) -> list[int]:
    person = person_for_child(child)
    if person is None:
        return []
    return list(
        PersonRecord.objects.filter(person=person).values_list("source_record_id", flat=True)
    )


def events_for_child(child: Any) -> list[AgencyEvent]:
    """Every agency event on the source records of the person linked to this child, oldest
    first, with their agency and participants."""
    ids = source_record_ids_for_child(child)
    if not ids:
        return []
    return list(
        AgencyEvent.objects.filter(source_record_id__in=ids)
        .select_related("agency")
        .prefetch_related("participants__source_record__agency", "wording_findings")
        .order_by("occurred_on", "pk")
    )


__all__ = [
    "events_for_child",
    "lead_practitioner_name",
    "person_for_child",
    "source_record_ids_for_child",
    "whom_to_ask",
]
