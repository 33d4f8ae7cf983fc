"""Problem details (RFC 9457) for the automated referrals API: every 4xx (and 5xx) the API gives
is ``application/problem+json`` with ``type``, ``title``, ``status`` and ``detail``, and field or
line errors where there are any. ``type`` names one of ``PROBLEM_TYPES``, each described at
``/api/problems/<slug>``; a plain HTTP failure (401, 404, 405) is ``about:blank``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    status: int
    title: str
    description: str


PROBLEM_TYPES: dict[str, ProblemType] = {
    "unauthenticated": ProblemType(
        401,
        "Not signed in",
        "Send `Authorization: Bearer <token>` with an active token issued to your agency "
        "(`harbour frontdoor token create`). Unknown, revoked, expired and malformed tokens get "
        "this answer; so does a token whose agency is no longer active. Tokens expire (90 days "
        "after they are made unless the partnership changed it): ask for a rotated one in good "
        "time.",
    ),
    "feed-not-allowed": ProblemType(
        403,
        "Your agency may not send this feed",
        "Each feed comes from one kind of agency: custody from police, ambulance from the "
        "ambulance service, ed_assault from an NHS trust's emergency department.",
    ),
    "wrong-agency": ProblemType(
        403,
        "Your token may send only your own agency's records",
        "Events and needs are saved as the token's agency's. A body naming another agency, or "
        "an agency code no agency has, is refused; nothing was saved.",
    ),
    "unknown-feed": ProblemType(
        404,
        "No such feed",
        "The feeds are custody, ambulance and ed_assault.",
    ),
    "idempotency-key-missing": ProblemType(
        400,
        "Idempotency-Key header missing or unusable",
        "Every POST needs an `Idempotency-Key` header: a value unique to this request (a UUID is "
        "best), 1 to 255 printable characters, sent again unchanged on every retry.",
    ),
    "idempotency-key-reused": ProblemType(
        422,
        "Idempotency-Key already used for a different request",
        "This key was first used with a different body or on a different endpoint. A retry must "
        "send exactly the same request; a new request needs a new key.",
    ),
    "duplicate-source-id": ProblemType(
        409,
        "This event was already referred",
        "Your agency already sent a referral with this source_system and source_id (under a "
        "different Idempotency-Key). `existing_reference` names it; nothing new was created.",
    ),
    "concurrent-change": ProblemType(
        409,
        "Another request changed the same records",
        "A request sent at the same time created some of the same referrals. Nothing from this "
        "request was saved: send it again with the same Idempotency-Key.",
    ),
    "validation-error": ProblemType(
        422,
        "The request is not valid",
        "`errors` lists each problem: `pointer` is a JSON pointer into the body, or `location` "
        "names the header, path or query parameter.",
    ),
    "invalid-file": ProblemType(
        422,
        "The file is not valid; nothing was saved",
        "A bulk file is all or nothing. `errors` lists each problem with its `line` (the header "
        "is line 1), `column` and `value`. Correct them and send the whole file again.",
    ),
    "file-too-large": ProblemType(
        413,
        "The file is too large",
        "Split it into smaller files: each one is received on its own, all or nothing.",
    ),
    "unsupported-media-type": ProblemType(
        415,
        "Send the file as CSV",
        "A bulk file is sent as `text/csv`, or as `multipart/form-data` with the file in a field "
        "named `file`.",
    ),
    "json-required": ProblemType(
        415,
        "Send JSON as application/json",
        "A referral, event or need is JSON sent with `Content-Type: application/json` (a "
        "`charset` parameter may follow). Any other content type is refused before the body is "
        "read; nothing was saved.",
    ),
    "rate-limited": ProblemType(
        429,
        "Too many requests",
        "Each token may make a set number of requests a minute (120 unless the partnership "
        "changed it). Wait the seconds the `Retry-After` header gives, then send again with the "
        "same Idempotency-Key; nothing from the refused request was saved.",
    ),
    "malformed-request": ProblemType(
        400,
        "The request could not be read",
        "The body could not be parsed: send JSON (`application/json`) to a feed, CSV "
        "(`text/csv` or a multipart `file`) to its bulk route.",
    ),
    "unavailable": ProblemType(
        503,
        "Harbour cannot receive this now",
        "Nothing was saved or shown: the audit trail could not be written, or the partnership "
        "has no front door set up to receive referrals. Retry later with the same "
        "Idempotency-Key.",
    ),
    "server-error": ProblemType(
        500,
        "Something went wrong in Harbour",
        "Nothing was saved. Retry later with the same Idempotency-Key; if it persists, contact "
        "the partnership's Harbour support team with the X-Request-ID header of the response.",
    ),
}


def type_uri(slug: str) -> str:
    return f"{API_PREFIX}problems/{slug}"


class Problem(Exception):
    """Raised anywhere under the API; answered as a problem body."""

    def __init__(
        self, slug: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        self.slug = slug
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra
        super().__init__(detail)

    @property
    def status(self) -> int:
        return PROBLEM_TYPES[self.slug].status

    def body(self) -> dict[str, Any]:
        kind = PROBLEM_TYPES[self.slug]
        return {
            "type": type_uri(self.slug),
            "title": kind.title,
            "status": kind.status,
            "detail": self.detail,
            **self.extra,
        }


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=body["status"],
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def plain_problem(status: int, detail: str = "") -> dict[str, Any]:
    """A problem that is only its HTTP status (RFC 9457 section 4.2.1)."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return {"type": "about:blank", "title": phrase, "status": status, "detail": detail or phrase}


class ApiProblemMiddleware:
    """Under ``/api/``, any error answer that is not already a problem becomes one: Django's own
    404 for an unknown path, Ninja's 405, a 400 for a body Django refused to read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path_info.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            replacement = problem_response(plain_problem(response.status_code))
            for header in ("Allow", "X-Request-ID", "Retry-After"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response
