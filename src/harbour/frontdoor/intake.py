"""Referrals from other agencies' systems: idempotent receipt and the sender's view of what
became of them. The API (``frontdoor.api``) and bulk files (``frontdoor.bulk``) call these; the
referral itself is made by ``services.referral_receive_automated``, which audits it.

Idempotency (ADR 0011). The first request with an ``Idempotency-Key`` claims the key by inserting
its ``IdempotencyRecord`` before anything else, inside a savepoint, and fills in the answer when
done. A second request with the same key either finds the finished record (and replays it) or,
on PostgreSQL, waits on the unique index until the first commits and then finds it; if the first
failed, its claim rolled back and the second proceeds. Only successful answers are kept: an error
saves nothing, so the sender may correct the request and send it again under the same key."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.frontdoor import completeness, selectors, services
from harbour.frontdoor.codes import Feed, Source, Status
from harbour.frontdoor.models import DecisionState, IdempotencyRecord, Referral
from harbour.frontdoor.problems import Problem
from harbour.partnership.models import Agency

# 1 to 255 printable ASCII characters, no space at either end (the OpenAPI document's pattern).
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$"
IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN.removesuffix("$") + r"\Z")
REFERENCE_PATTERN = r"^[A-Z]{2}-[0-9]{4}-[0-9]{1,12}$"
REFERENCE = re.compile(REFERENCE_PATTERN.removesuffix("$") + r"\Z")


def system_actor(agency: Agency, source: str = "api") -> str:
    return f"{source}:{agency.code}"


# Idempotency ------------------------------------------------------------------------------------


def idempotency_key(raw: str | None) -> str:
    """The key from the header: 1 to 255 printable ASCII characters with no space at either end.
    A structured-field string's quotes (the IETF draft's form) are dropped: ``"k1"`` is ``k1``."""
    if raw is None or raw == "":
        raise Problem(
            "idempotency-key-missing", "Send an Idempotency-Key header with every POST request"
        )
    if not IDEMPOTENCY_KEY.match(raw):
        raise Problem(
            "idempotency-key-missing",
            "The Idempotency-Key must be 1 to 255 printable ASCII characters, with no space at "
            "either end",
        )
    inner = raw[1:-1] if len(raw) >= 3 and raw[0] == raw[-1] == '"' else ""
    return inner if IDEMPOTENCY_KEY.match(inner) else raw


def body_hash(endpoint: str, body: Any) -> str:
    """SHA-256 over the endpoint and the body: parsed JSON in a canonical form (so key order and
    whitespace do not matter), or the bytes of a file."""
    if isinstance(body, bytes):
        content = body
    else:
        content = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("ascii")
    digest = hashlib.sha256(endpoint.encode("ascii", "backslashreplace") + b"\n")
    digest.update(content)
    return digest.hexdigest()


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    referral: Referral | None = None
    replayed: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def _replay(record: IdempotencyRecord, endpoint: str, request_hash: str) -> Answer:
    if record.endpoint != endpoint or record.request_hash != request_hash:
        raise Problem(
            "idempotency-key-reused",
            "This Idempotency-Key was used for a different request "
            f"({record.endpoint}); send a new key for a new request",
        )
    headers = {"Idempotent-Replayed": "true"}
    reference = record.response_body.get("reference")
    if reference:
        headers["Location"] = f"/api/referrals/{reference}"
    return Answer(record.status_code, record.response_body, replayed=True, headers=headers)


def idempotent(
    *,
    agency: Agency,
    key: str,
    endpoint: str,
    request_hash: str,
    work: Callable[[], Answer],
) -> Answer:
    """Do ``work`` once for this agency and key; replay its answer to every retry."""
    existing = IdempotencyRecord.objects.filter(agency=agency, key=key).first()
    if existing is not None:
        return _replay(existing, endpoint, request_hash)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    agency=agency,
                    key=key,
                    endpoint=endpoint,
                    request_hash=request_hash,
                    status_code=0,
                    response_body={},
                )
        except IntegrityError:
            # A request with the same key committed while this one waited for it.
            existing = IdempotencyRecord.objects.filter(agency=agency, key=key).first()
            if existing is None:
                raise
            return _replay(existing, endpoint, request_hash)
        answer = work()  # a Problem raised here rolls the claim back with everything else
        record.status_code = answer.status
        record.response_body = answer.body
        record.referral = answer.referral
        record.save(update_fields=["status_code", "response_body", "referral"])
        return answer


# One referral -----------------------------------------------------------------------------------


def require_feed(agency: Agency, feed: str) -> None:
    if feed not in Feed.values:
        raise Problem("unknown-feed", f"There is no feed called {feed[:40]!r}")
    if not policy.may_send_feed(agency, feed):
        raise Problem(
            "feed-not-allowed",
            f"{agency.name} may not send the {feed} feed: it comes from "
            f"{policy.FEED_AGENCY_TYPES[feed].replace('_', ' ')} agencies",
        )


def missing_items(keys: list[str]) -> list[dict[str, str]]:
    return [
        {"key": key, "label": completeness.ITEMS_BY_KEY[key].label}
        for key in keys
        if key in completeness.ITEMS_BY_KEY
    ]


def existing_referral(agency: Agency, source_system: str, source_id: str) -> Referral | None:
    return (
        Referral.objects.filter(
            referring_agency=agency, source_system=source_system, source_id=source_id
        )
        .exclude(source_id="")
        .first()
    )


EXISTING_CHUNK = 500  # source ids per query, well under SQLite's limit on parameters


def existing_referrals(
    agency: Agency, events: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Referral]:
    """The agency's referrals for these events (source system, source id), by event: a query
    for every 500 source ids rather than one for each event."""
    wanted = set(events)
    source_ids = sorted({source_id for _, source_id in wanted if source_id})
    found: dict[tuple[str, str], Referral] = {}
    for start in range(0, len(source_ids), EXISTING_CHUNK):
        for referral in Referral.objects.filter(
            referring_agency=agency, source_id__in=source_ids[start : start + EXISTING_CHUNK]
        ):
            event = (referral.source_system, referral.source_id)
            if event in wanted:
                found[event] = referral
    return found


def _duplicate(referral: Referral) -> Problem:
    return Problem(
        "duplicate-source-id",
        f"Your agency already sent {referral.source_system} event {referral.source_id}: it is "
        f"referral {referral.reference}",
        existing_reference=referral.reference,
    )


def error_messages(error: ValidationError) -> list[tuple[str | None, str]]:
    """(field or None, message) for each message of a model's ValidationError."""
    if hasattr(error, "error_dict"):
        return [
            (None if name == "__all__" else name, message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [(None, message) for message in error.messages]


def validation_problem(error: ValidationError) -> Problem:
    """A model rule the schema did not catch, as field errors."""
    errors = [
        {"pointer": f"#/{name}" if name else None, "location": "body", "detail": message}
        for name, message in error_messages(error)
    ]
    return Problem("validation-error", "The referral is not valid", errors=errors)


def require_front_door() -> None:
    if services.front_door_agency() is None:
        raise Problem(
            "unavailable",
            "The partnership has not set up a front door to receive referrals yet",
        )


def received_body(referral: Referral) -> dict[str, Any]:
    return {
        "reference": referral.reference,
        "status": referral.status,
        "feed": referral.feed,
        "source_system": referral.source_system,
        "source_id": referral.source_id,
        "received_at": referral.received_at.isoformat() if referral.received_at else None,
        "completeness_score": referral.completeness_score,
        "missing": missing_items(referral.completeness_missing),
    }


def referral_receive(
    *, agency: Agency, feed: str, source_system: str, source_id: str, answers: dict[str, Any]
) -> Answer:
    """One referral from the API: 201 with its reference, or a problem. A second referral for
    the same event (agency, source system, source id) is refused with 409, naming the first."""
    require_front_door()
    earlier = existing_referral(agency, source_system, source_id)
    if earlier is not None:
        raise _duplicate(earlier)
    try:
        with transaction.atomic():
            referral, _ = services.referral_receive_automated(
                agency=agency,
                source=Source.API,
                feed=feed,
                source_system=source_system,
                source_id=source_id,
                answers=answers,
            )
    except IntegrityError:
        # The same event arrived under another key at the same moment, and won.
        earlier = existing_referral(agency, source_system, source_id)
        if earlier is None:
            raise
        raise _duplicate(earlier) from None
    except ValidationError as error:
        raise validation_problem(error) from None
    return Answer(
        201,
        received_body(referral),
        referral=referral,
        headers={"Location": f"/api/referrals/{referral.reference}"},
    )


# What the sender may see ------------------------------------------------------------------------


def referral_for_source(*, agency: Agency, reference: str) -> Referral:
    """The sending system's own automated referral, audited as read by it; anything else does
    not exist for it (``NotFound``, the attempt audited too)."""
    actor = system_actor(agency)
    if not REFERENCE.match(reference):
        raise policy.NotFound(reference)
    referral = Referral.objects.filter(reference=reference).prefetch_related("decisions").first()
    basis = policy.source_referral_basis(agency, referral) if referral is not None else ""
    if not basis:
        audit_record(
            actor=None,
            system_actor=actor,
            event="referral.access_denied",
            child_id=referral.child_id if referral is not None else None,
            purpose="safeguarding",
            outcome="denied",
            detail={"requested_reference": reference},
        )
        raise policy.NotFound(reference)
    assert referral is not None
    audit_record(
        actor=None,
        system_actor=actor,
        event="referral.viewed",
        child_id=referral.child_id,
        section="source_status",
        purpose="safeguarding",
        basis=basis,
        subject=referral,
        detail={"reference": referral.reference or ""},
    )
    return referral


def status_body(referral: Referral) -> dict[str, Any]:
    decision = selectors.current_decision(referral)
    outcome = None
    if decision is not None and decision.state == DecisionState.COUNTERSIGNED:
        outcome = {
            "code": decision.outcome,
            "label": decision.get_outcome_display(),
            "decided_at": decision.countersigned_at or decision.decided_at,
            "feedback_to_referrer": decision.feedback_to_referrer,
        }
    return {
        "reference": referral.reference,
        "status": referral.status,
        "status_label": Status(referral.status).label,
        "feed": referral.feed,
        "source_system": referral.source_system,
        "source_id": referral.source_id,
        "received_at": referral.received_at,
        "completeness_score": referral.completeness_score,
        "missing": missing_items(referral.completeness_missing),
        "outcome": outcome,
    }
