"""The audit log: ``audit_record`` appends one hash-chained event in the caller's transaction;
``audit_verify`` walks the chain. An event that cannot be written raises ``AuditWriteError`` and
the caller's transaction (and so the page) fails with it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from harbour.access import anchor
from harbour.access.context import current_client_request_id, current_request_id
from harbour.access.inserts import insert_rows
from harbour.access.models import AuditChainHead, AuditEvent
from harbour.partnership.models import Staff

GENESIS_HASH = "0" * 64
logger = logging.getLogger("harbour.audit")

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
        raise _write_error(exc) from exc


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
        raise _write_error(exc) from exc


def _write_error(exc: DatabaseError) -> AuditWriteError:
    """Why an event could not be written. A row already past the chain's head (put there behind
    the application's back) takes the next sequence: refuse every write, and so every page with
    a child's data, rather than chain onto a row no one wrote through Harbour; say so loudly in
    the log, and ``harbour audit verify`` names the row (ADR 0041)."""
    try:
        past = rows_past_head()
    except DatabaseError:
        past = None
    if past:
        message = (
            f"The audit log holds {past.count} event(s) past the chain's head (from sequence "
            f"{past.first}): the log has been written to outside Harbour. Every access is refused "
            "until an administrator has run `harbour audit verify` and resolved it."
        )
        logger.critical(message)
        return AuditWriteError(message)
    return AuditWriteError(str(exc))


def _create_head() -> AuditChainHead:
    """The head row is created by a migration, and again after a test flush empties the log. A
    missing head beside existing events means someone removed it: refuse to write (and so to show
    any child's data) rather than rebuild it from a log that may have lost its tail."""
    if AuditEvent.objects.exists():
        raise AuditWriteError("The audit chain's head is missing: run `harbour audit verify`")
    latest = anchor.read_anchors().latest
    if latest is not None and latest.sequence > 0:
        # An empty log that was anchored at sequence N: every event has been deleted. Starting
        # again at sequence 1 would bury that; refuse instead (ADR 0041).
        message = (
            f"The audit log is empty but was anchored at sequence {latest.sequence} on "
            f"{latest.at:%Y-%m-%d %H:%M} UTC: run `harbour audit verify`"
        )
        logger.critical(message)
        raise AuditWriteError(message)
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
    # Not proof of tampering, but something an administrator should know (no recent anchor).
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is None


def _iter_events(*, up_to: int, after: int = 0, batch: int = 5000) -> Iterator[dict[str, Any]]:
    last = after
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


@dataclass(frozen=True)
class PastHead:
    count: int
    first: int


def rows_past_head() -> PastHead | None:
    """Events with a sequence beyond the head's, in one statement (so an append committing
    meanwhile, which moves the head and its event together, is never counted)."""
    head = AuditChainHead.objects.filter(pk=1).values("last_sequence")[:1]
    past = AuditEvent.objects.filter(sequence__gt=models.Subquery(head))
    found = past.aggregate(count=models.Count("pk"), first=models.Min("sequence"))
    if not found["count"]:
        return None
    return PastHead(found["count"], found["first"])


def audit_verify(*, now: dt.datetime | None = None, since_anchor: bool = False) -> ChainReport:
    """Walk the chain from sequence 1 to the head (read first, so events appended while it runs
    wait for the next check) and name the first missing, altered or re-linked event; then any
    event past the head; then compare the chain with the anchors kept outside the database,
    which is what finds a log cut short with its head moved back, a log emptied, and a log
    rewritten with every hash recomputed (ADR 0041)."""
    after, after_hash = 0, GENESIS_HASH
    if since_anchor:
        # The timer's quick check: from the latest anchor on (``_compare_with_anchors`` checks
        # that event still has the anchored hash); the full walk is ``harbour audit verify``.
        head = AuditChainHead.objects.filter(pk=1).first()
        latest = anchor.read_anchors().latest
        if latest is not None and head is not None and 0 < latest.sequence <= head.last_sequence:
            after, after_hash = latest.sequence, latest.hash
    report = _walk_chain(after=after, after_hash=after_hash)
    if not report.ok:
        return report
    past = rows_past_head()
    if past is not None:
        return _broken(
            report.events_checked,
            past.first,
            f"past the chain's head ({past.count} event(s) written outside Harbour; "
            "Harbour refuses to record, and so to show, anything until this is resolved)",
        )
    return _compare_with_anchors(report, now=now or timezone.now())


def _compare_with_anchors(report: ChainReport, *, now: dt.datetime) -> ChainReport:
    log = anchor.read_anchors()
    if log.problem:
        return _broken(report.events_checked, 0, f"the anchors cannot be trusted: {log.problem}")
    latest = log.latest
    head = AuditChainHead.objects.filter(pk=1).first()
    head_sequence = head.last_sequence if head is not None else 0
    if latest is None:
        warning = (
            "the chain has never been anchored outside the database: run `harbour audit anchor` "
            "from a timer every 15 minutes"
        )
        return ChainReport(report.events_checked, None, (warning,))
    when = f"{latest.at:%Y-%m-%d %H:%M} UTC"
    if latest.sequence > head_sequence:
        if head_sequence == 0:
            problem = (
                f"the log is empty but was anchored at sequence {latest.sequence} on {when}: "
                "every event has been deleted"
            )
        else:
            problem = (
                f"the log ends at sequence {head_sequence} but was anchored at sequence "
                f"{latest.sequence} on {when}: events {head_sequence + 1} to {latest.sequence} "
                "have been deleted and the head moved back"
            )
        return _broken(report.events_checked, head_sequence + 1, problem)
    if latest.sequence > 0:
        stored = (
            AuditEvent.objects.filter(sequence=latest.sequence)
            .values_list("hash", flat=True)
            .first()
        )
        if stored is None or not hmac.compare_digest(stored, latest.hash):
            return _broken(
                report.events_checked,
                latest.sequence,
                f"does not match the anchor written on {when} (the log has been rewritten)",
            )
    warnings: tuple[str, ...] = ()
    max_age = dt.timedelta(minutes=settings.HARBOUR_AUDIT_ANCHOR_MAX_AGE_MINUTES)
    if now - latest.at > max_age and head_sequence > latest.sequence:
        warnings = (
            f"the last anchor was written on {when}, more than {max_age.seconds // 60} minutes "
            "ago: is the anchoring timer running?",
        )
    return ChainReport(report.events_checked, None, warnings)


def _walk_chain(*, after: int = 0, after_hash: str = GENESIS_HASH) -> ChainReport:
    """Walk from the event after ``after`` (whose hash is ``after_hash``) to the head."""
    head = AuditChainHead.objects.filter(pk=1).first()
    stray = AuditEvent.objects.filter(sequence__lt=1).order_by("sequence").first()
    if stray is not None:
        return _broken(0, stray.sequence, "outside the chain (sequence below 1)")
    if head is None:
        first = AuditEvent.objects.order_by("sequence").first()
        if first is None:
            return ChainReport(0, None)
        return _broken(0, first.sequence, "the chain's head is missing")
    expected_sequence = after + 1
    prev_hash = after_hash
    checked = 0
    for row in _iter_events(after=after, up_to=head.last_sequence):
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
    if after + checked < head.last_sequence:
        return _broken(checked, expected_sequence, "missing (deleted from the end of the log)")
    if prev_hash != head.last_hash:
        return _broken(checked, head.last_sequence, "does not match the chain's head")
    return ChainReport(checked, None)


def _broken(checked: int, sequence: int, problem: str) -> ChainReport:
    return ChainReport(checked, ChainProblem(sequence, problem))


@dataclass(frozen=True)
class AnchorResult:
    anchor: anchor.Anchor | None
    report: ChainReport


def anchor_chain(*, now: dt.datetime | None = None) -> AnchorResult:
    """Check the chain against the anchors, then append the head as a new anchor. A broken
    chain is not anchored (that would vouch for it): the result carries the problem instead.
    Walks only the events since the latest anchor, so it stays quick as the log grows."""
    now = now or timezone.now()
    # The head is read before the walk, so every event the anchor vouches for has been checked.
    head = AuditChainHead.objects.filter(pk=1).first()
    report = audit_verify(now=now, since_anchor=True)
    if not report.ok:
        return AnchorResult(None, report)
    sequence = head.last_sequence if head is not None else 0
    last_hash = head.last_hash if head is not None else GENESIS_HASH
    written = anchor.append_anchor(sequence=sequence, last_hash=last_hash, at=now)
    return AnchorResult(written, report)
