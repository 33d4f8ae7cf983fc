"""Person numbers back to the agencies (issue 14, part 6; ADR 0043): for every record an agency
has sent, Harbour's person number and where the record stands, so the agency can write the number
into its own system. The same rows through ``harbour identity export`` and ``GET
/api/person-numbers``; every export is audited, one event each, with its channel, its rows and the
range of records it covered (never the identifiers themselves)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.identity.models import HeldStatus, Person, SourceRecord, format_person_id
from harbour.partnership.models import Agency

EXPORTED = "identity.person_numbers_exported"
HEADER = ("source_system", "source_id", "person_number", "status")
PAGE_SIZE = 1000
MAX_PAGE_SIZE = 5000
BATCH = 5000


class Status:
    """Where an agency's record stands in the person index."""

    LINKED = "linked"  # part of a person: ``person_number`` is theirs
    HELD = "held"  # held for a person to decide: no number yet
    CLOSED = "closed"  # closed by a reviewer as not a record of a person
    PENDING = "pending"  # not yet through a linkage run


@dataclass(frozen=True)
class NumberRow:
    key: int  # the record's place in the agency's export order (a cursor, not shown)
    source_system: str
    source_id: str
    person_number: str
    status: str

    def as_tuple(self) -> tuple[str, str, str, str]:
        return (self.source_system, self.source_id, self.person_number, self.status)


def _surviving_numbers(person_ids: set[int]) -> dict[int, int]:
    """Each person's id to the number of the person it now is: merges are followed to the end."""
    merged_into: dict[int, int | None] = {}
    numbers: dict[int, int] = {}
    wanted = set(person_ids)
    while wanted:
        for pk, number, into in Person.objects.filter(pk__in=wanted).values_list(
            "pk", "number", "merged_into_id"
        ):
            merged_into[pk] = into
            numbers[pk] = number
        wanted = {into for into in merged_into.values() if into is not None} - merged_into.keys()
    surviving: dict[int, int] = {}
    for pk in person_ids:
        seen = {pk}
        current = pk
        while (target := merged_into.get(current)) is not None and target not in seen:
            seen.add(target)
            current = target
        surviving[pk] = numbers[current]
    return surviving


def _row(
    pk: int, system: str, source_id: str, person_number: int | None, held: str | None
) -> NumberRow:
    if person_number is not None:
        return NumberRow(pk, system, source_id, format_person_id(person_number), Status.LINKED)
    if held == HeldStatus.CLOSED:
        return NumberRow(pk, system, source_id, "", Status.CLOSED)
    return NumberRow(pk, system, source_id, "", Status.PENDING if held is None else Status.HELD)


def _rows(agency: Agency, *, after: int, limit: int | None) -> Iterator[NumberRow]:
    """The agency's records after the cursor, in the order they came, a batch at a time."""
    records = policy.agency_source_records(agency, SourceRecord.objects.all()).order_by("pk")
    left = limit
    while left is None or left > 0:
        size = BATCH if left is None else min(BATCH, left)
        batch = list(
            records.filter(pk__gt=after).values_list(
                "pk", "source_system", "source_id", "person_link__person_id", "held__status"
            )[:size]
        )
        if not batch:
            return
        surviving = _surviving_numbers({row[3] for row in batch if row[3] is not None})
        for pk, system, source_id, person_id, held in batch:
            number = surviving[person_id] if person_id is not None else None
            yield _row(pk, system, source_id, number, held)
        after = batch[-1][0]
        if left is not None:
            left -= len(batch)
        if len(batch) < size:
            return


def _audit(
    agency: Agency,
    *,
    channel: str,
    actor: str,
    rows: list[NumberRow] | int,
    first: int | None,
    last: int | None,
    recipient: str,
) -> None:
    count = rows if isinstance(rows, int) else len(rows)
    audit_record(
        actor=None,
        system_actor=actor,
        event=EXPORTED,
        purpose="safeguarding",
        basis=policy.OWN_SOURCE_RECORDS,
        detail={
            "agency": agency.code,
            "channel": channel,
            "rows": count,
            "first_record": first,
            "last_record": last,
            "recipient": recipient,
        },
    )


def export_all(agency: Agency, *, actor: str, recipient: str) -> Iterator[tuple[str, ...]]:
    """Every record the agency has sent, in the order it sent them, for a file: the export is
    audited when the last row has been produced (a failed export is audited as what it wrote)."""
    count = 0
    first: int | None = None
    last: int | None = None
    try:
        for row in _rows(agency, after=0, limit=None):
            count += 1
            first = row.key if first is None else first
            last = row.key
            yield row.as_tuple()
    finally:
        _audit(
            agency,
            channel="file",
            actor=actor,
            rows=count,
            first=first,
            last=last,
            recipient=recipient,
        )


@dataclass(frozen=True)
class Page:
    rows: list[NumberRow]
    next_after: int | None  # the cursor for the next page, or None at the end


def page(agency: Agency, *, after: int, size: int, actor: str) -> Page:
    """One page of the agency's records after the cursor, audited."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    rows = list(_rows(agency, after=after, limit=size + 1))
    more = len(rows) > size
    rows = rows[:size]
    _audit(
        agency,
        channel="api",
        actor=actor,
        rows=rows,
        first=rows[0].key if rows else None,
        last=rows[-1].key if rows else None,
        recipient=agency.code,
    )
    return Page(rows=rows, next_after=rows[-1].key if more and rows else None)
