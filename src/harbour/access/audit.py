"""The audit log: ``audit_record`` appends one hash-chained event in the caller's transaction;
``audit_verify`` walks the chain. An event that cannot be written raises ``AuditWriteError`` and
the caller's transaction (and so the page) fails with it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from harbour.access.context import current_client_request_id, current_request_id
from harbour.access.inserts import insert_rows
from harbour.access.models import AuditChainHead, AuditEvent
from harbour.partnership.models import Staff

GENESIS_HASH = "0" * 64

HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "event",
    "outcome",
    "actor_id",
    "actor_username",
    "actor_role",
    "actor_agency",
    "child_id",
    "section",
    "purpose",
    "basis",
    "object_type",
    "object_id",
    "request_id",
    "detail",
    "prev_hash",
)


class AuditWriteError(Exception):
    """The access event could not be written, so the data must not be shown or changed."""


def _canonical(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def event_hash(fields: dict[str, Any]) -> str:
    """HMAC-SHA256 of the event's canonical JSON, keyed by ``HARBOUR_AUDIT_KEY``, which lives
    outside the database: someone who can write to the table cannot forge a valid chain."""
    payload = {name: _canonical(fields[name]) for name in HASHED_FIELDS}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    key = settings.HARBOUR_AUDIT_KEY.encode("utf-8")
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def audit_record(
    *,
    actor: Staff | AnonymousUser | None,
    event: str,
    child: Any = None,
    child_id: uuid.UUID | None = None,
    section: str = "",
    purpose: str = "",
    basis: str = "",
    subject: models.Model | None = None,
    outcome: str = "allowed",
    detail: dict[str, Any] | None = None,
    system_actor: str = "",
) -> AuditEvent:
    """Append one event. ``actor`` is a signed-in staff member; commands with no person behind
    them pass ``actor=None`` and name themselves in ``system_actor``."""
    if actor is None and not system_actor:
        raise AuditWriteError("An audit event needs an actor")
    if actor is not None and not isinstance(actor, Staff):
        raise AuditWriteError("Anonymous users cannot be audited as actors")
    staff = actor
    if child is not None:
        child_id = child.pk
    detail = dict(detail or {})
    client_request_id = current_client_request_id()
    if client_request_id:
        # The client's own id, for tracing its calls; the event's request id is always ours.
        detail.setdefault("client_request_id", client_request_id)
    try:
        with transaction.atomic():
            head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
            if head is None:
                head = _create_head()
            fields: dict[str, Any] = {
                "sequence": head.last_sequence + 1,
                # Truncated to microseconds in UTC so the hash survives every database round trip.
                "occurred_at": timezone.now().astimezone(dt.UTC),
                "event": event,
                "outcome": outcome,
                "actor_id": staff.pk if staff is not None else None,
                "actor_username": staff.get_username() if staff is not None else system_actor,
                "actor_role": staff.role if staff is not None else "",
                "actor_agency": staff.agency.code if staff is not None and staff.agency else "",
                "child_id": child_id,
                "section": section,
                "purpose": purpose,
                "basis": basis,
                "object_type": subject._meta.label if subject is not None else "",
                "object_id": str(subject.pk) if subject is not None else "",
                "request_id": current_request_id(),
                "detail": detail,
                "prev_hash": head.last_hash,
            }
            fields["hash"] = event_hash(fields)
            saved = AuditEvent.objects.create(**fields)
            AuditChainHead.objects.filter(pk=1).update(
                last_sequence=fields["sequence"], last_hash=fields["hash"]
            )
            return saved
    except DatabaseError as exc:
        raise AuditWriteError(str(exc)) from exc


@dataclass(frozen=True)
class Entry:
    """One event for ``audit_records``: what ``audit_record`` takes, for a system actor."""

    event: str
    system_actor: str
    child_id: uuid.UUID | None = None
    subject: models.Model | None = None
    detail: dict[str, Any] | None = None
    outcome: str = "allowed"
    #: The subject named without its object (a bulk write that has only its model and id).
    subject_type: str = ""
    subject_id: str = ""


def audit_records(entries: Sequence[Entry], *, batch_size: int = 2000) -> int:
    """Append many events by system actors, in order, in the caller's transaction: the chain's
    head is locked once and the events written in batches, each hashed and chained exactly as
    ``audit_record`` would (a bulk import's saves, ADR 0032). Returns how many were written."""
    if not entries:
        return 0
    if any(not e.system_actor for e in entries):
        raise AuditWriteError("An audit event needs an actor")
    request_id = current_request_id()
    client_request_id = current_client_request_id()
    try:
        with transaction.atomic():
            head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
            if head is None:
                head = _create_head()
            sequence, last_hash = head.last_sequence, head.last_hash
            for at in range(0, len(entries), batch_size):
                rows = []
                for entry in entries[at : at + batch_size]:
                    detail = dict(entry.detail or {})
                    if client_request_id:
                        detail.setdefault("client_request_id", client_request_id)
                    sequence += 1
                    subject = entry.subject
                    fields: dict[str, Any] = {
                        "sequence": sequence,
                        "occurred_at": timezone.now().astimezone(dt.UTC),
                        "event": entry.event,
                        "outcome": entry.outcome,
                        "actor_id": None,
                        "actor_username": entry.system_actor,
                        "actor_role": "",
                        "actor_agency": "",
                        "child_id": entry.child_id,
                        "section": "",
                        "purpose": "",
                        "basis": "",
                        "object_type": subject._meta.label
                        if subject is not None
                        else entry.subject_type,
                        "object_id": str(subject.pk) if subject is not None else entry.subject_id,
                        "request_id": request_id,
                        "detail": detail,
                        "prev_hash": last_hash,
                    }
                    fields["hash"] = last_hash = event_hash(fields)
                    rows.append(tuple(fields.values()))
                insert_rows(AuditEvent, list(fields), rows)
            AuditChainHead.objects.filter(pk=1).update(last_sequence=sequence, last_hash=last_hash)
            return len(entries)
    except DatabaseError as exc:
        raise AuditWriteError(str(exc)) from exc


def _create_head() -> AuditChainHead:
    """The head row is created by a migration, and again after a test flush empties the log. A
    missing head beside existing events means someone removed it: refuse to write (and so to show
    any child's data) rather than rebuild it from a log that may have lost its tail."""
    if AuditEvent.objects.exists():
        raise AuditWriteError("The audit chain's head is missing: run `harbour audit verify`")
    AuditChainHead.objects.get_or_create(pk=1)
    return AuditChainHead.objects.select_for_update().get(pk=1)


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    problem: str

    def __str__(self) -> str:
        return f"sequence {self.sequence}: {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _iter_events(*, up_to: int, batch: int = 5000) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        rows = list(
            AuditEvent.objects.filter(sequence__gt=last, sequence__lte=up_to)
            .order_by("sequence")
            .values(*HASHED_FIELDS, "hash")[:batch]
        )
        if not rows:
            return
        yield from rows
        last = rows[-1]["sequence"]


def audit_verify() -> ChainReport:
    """Walk the chain from sequence 1 to the head (read first, so events appended while it runs
    wait for the next check) and name the first missing, altered or re-linked event."""
    head = AuditChainHead.objects.filter(pk=1).first()
    stray = AuditEvent.objects.filter(sequence__lt=1).order_by("sequence").first()
    if stray is not None:
        return _broken(0, stray.sequence, "outside the chain (sequence below 1)")
    if head is None:
        first = AuditEvent.objects.order_by("sequence").first()
        if first is None:
            return ChainReport(0, None)
        return _broken(0, first.sequence, "the chain's head is missing")
    expected_sequence = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for row in _iter_events(up_to=head.last_sequence):
        if row["sequence"] != expected_sequence:
            return _broken(checked, expected_sequence, "missing (deleted or never written)")
        if row["prev_hash"] != prev_hash:
            return _broken(
                checked, row["sequence"], "does not follow the previous event (chain broken)"
            )
        if not hmac.compare_digest(event_hash(row), row["hash"]):
            return _broken(checked, row["sequence"], "content does not match its hash (altered)")
        prev_hash = row["hash"]
        expected_sequence += 1
        checked += 1
    if checked < head.last_sequence:
        return _broken(checked, expected_sequence, "missing (deleted from the end of the log)")
    if prev_hash != head.last_hash:
        return _broken(checked, head.last_sequence, "does not match the chain's head")
    return ChainReport(checked, None)


def _broken(checked: int, sequence: int, problem: str) -> ChainReport:
    return ChainReport(checked, ChainProblem(sequence, problem))
