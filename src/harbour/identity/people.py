"""Following merges. A person found to be another points to it (``Person.merged_into``), and the
person kept may itself be merged later; whatever asks who a person is now follows the pointers
to the person kept, here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from harbour.identity.models import Person


def merges(person_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Merged person id -> the person it was merged into: for every merged person when
    ``person_ids`` is None, otherwise for those people and, onward, the people they point to
    (no query when there are none)."""
    if person_ids is None:
        return dict(
            Person.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into_id")
        )
    found: dict[int, int] = {}
    asked: set[int] = set()
    wanted = set(person_ids)
    while wanted:
        asked |= wanted
        step = dict(
            Person.objects.filter(pk__in=wanted, merged_into__isnull=False).values_list(
                "pk", "merged_into_id"
            )
        )
        found.update(step)
        wanted = set(step.values()) - asked
    return found


def kept_id(person_id: int, merged: Mapping[int, int]) -> int:
    """The person kept: ``person_id`` followed along ``merged`` (from ``merges``). Merging never
    makes a cycle; were there one, this stops where it repeats rather than loop."""
    seen: set[int] = set()
    while person_id in merged and person_id not in seen:
        seen.add(person_id)
        person_id = merged[person_id]
    return person_id


def person_kept(person: Person) -> Person:
    """The person this one is now: itself, or the person it was merged into, followed on."""
    if person.merged_into_id is None:
        return person
    return Person.objects.get(pk=kept_id(person.pk, merges([person.pk])))
