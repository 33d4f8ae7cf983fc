"""The automated referrals API (Django Ninja), mounted at ``/api/`` (ADR 0011).

Custody, ambulance and emergency department systems send referrals here, one at a time as JSON
or many at once as a CSV file, and ask what became of them. Each agency's system holds a bearer
token (``harbour frontdoor token create``); each feed may be sent only by the kind of agency that
runs such systems (``policy.may_send_feed``). Every POST needs an ``Idempotency-Key``. Every error
is an RFC 9457 problem body (``frontdoor.problems``). The OpenAPI document is at
``/api/openapi.json`` and its Swagger page at ``/api/docs``, served from Ninja's own static files.

Thin, like the views: parse, call ``frontdoor.intake`` or ``frontdoor.bulk``, answer."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import register_converter
from ninja import Header, NinjaAPI, Path
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from ninja.types import DictStrAny

from harbour.access import policy
from harbour.access.audit import AuditWriteError
from harbour.frontdoor import bulk, intake, tokens
from harbour.frontdoor.api_docs import GovukDocs
from harbour.frontdoor.codes import Feed
from harbour.frontdoor.events_api import router as events_router
from harbour.frontdoor.models import ApiToken
from harbour.frontdoor.numbers_api import router as numbers_router
from harbour.frontdoor.problems import (
    API_PREFIX,
    PROBLEM_CONTENT_TYPE,
    PROBLEM_TYPES,
    Problem,
    plain_problem,
    problem_response,
    type_uri,
)
from harbour.frontdoor.schemas import (
    BulkResult,
    ProblemOut,
    ReferralIn,
    ReferralReceived,
    ReferralStatusOut,
)

logger = logging.getLogger(__name__)


class ReferenceConverter:
    """A Harbour referral reference (FD-2026-000123), so that ``GET /referrals/<reference>`` and
    ``POST /referrals/<feed>`` can share a path: a feed name never looks like a reference."""

    regex = intake.REFERENCE_PATTERN.strip("^$")

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "harbour_reference")


UNAUTHENTICATED_HEADERS = {"WWW-Authenticate": 'Bearer realm="harbour"'}


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        try:
            return tokens.authenticate(token.strip())
        except tokens.TokenExpired as expired:
            raise Problem(
                "unauthenticated",
                f"{expired}: ask the partnership for a new token",
                headers={
                    **UNAUTHENTICATED_HEADERS,
                    "WWW-Authenticate": 'Bearer realm="harbour", error="invalid_token", '
                    'error_description="The token has expired"',
                },
            ) from None


class NotJson(Exception):
    """A body sent to a JSON route with another content type (ADR 0042)."""

    def __init__(self, content_type: str) -> None:
        self.content_type = content_type
        super().__init__(content_type)


class JsonOnlyParser(Parser):
    """Ninja reads any body as JSON whatever its content type; Harbour reads JSON only when it
    says it is (``application/json``), so a form post or ``text/plain`` from a browser on another
    site can never become a referral."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        if request.content_type != "application/json":
            raise NotJson(request.content_type or "none")
        return super().parse_body(request)


class HarbourApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Error answers are ``application/problem+json``; say so in the document."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status)[0] in "45" and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


api = HarbourApi(
    title="Harbour automated referrals, events and needs",
    version="1",
    description=(
        "Referrals from police custody, ambulance and emergency department systems to the "
        "partnership's front door, and the events and needs agencies record about children "
        "(docs/events-intake.md). Send `Authorization: Bearer <token>` and, on every POST, an "
        "`Idempotency-Key`. JSON bodies must be sent as `application/json` (anything else is "
        "415). Each token expires, and may make a limited number of requests a minute (429 "
        "with `Retry-After`). Errors are RFC 9457 problem details. Columns for bulk files and "
        "the completeness items are in docs/frontdoor-feeds.md."
    ),
    auth=BearerToken(),
    parser=JsonOnlyParser(),
    urls_namespace="api",
    docs_url="/docs",
    docs=GovukDocs(),
    openapi_url="/openapi.json",
)

# The problems each route can answer, so that the document lists every status the API gives.
# 405: a path that names a feed takes only POST, one that names a referral only GET.
# 415: a JSON body sent as anything but application/json; 429: the token's rate limit.
_READ_PROBLEMS = (400, 401, 404, 405, 429, 503)
_SEND_PROBLEMS = (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 503)
READ_PROBLEMS: dict[int | str, Any] = {code: ProblemOut for code in _READ_PROBLEMS}
SEND_PROBLEMS: dict[int | str, Any] = {code: ProblemOut for code in _SEND_PROBLEMS}
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
api.add_router("/", events_router)  # POST /api/events and /api/needs (issue 11)
api.add_router("/", numbers_router)  # GET /api/person-numbers (issue 14, part 6)


def _token(request: HttpRequest) -> ApiToken:
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, ApiToken)
    return token


def _answer(answer: intake.Answer) -> HttpResponse:
    response = JsonResponse(answer.body, status=answer.status)
    for name, value in answer.headers.items():
        response[name] = value
    return response


def _preflight(request: HttpRequest, feed: str) -> tuple[ApiToken, str]:
    """Before the body: may this agency send this feed, and did it send a key?"""
    token = _token(request)
    intake.require_feed(token.agency, feed)
    key = intake.idempotency_key(request.headers.get(IDEMPOTENCY_KEY_HEADER))
    return token, key


# Routes ------------------------------------------------------------------------------------------


@api.get(
    "/referrals/{harbour_reference:reference}",
    response={200: ReferralStatusOut, **READ_PROBLEMS},
    url_name="referral-status",
    summary="What became of a referral your system sent",
    tags=["referrals"],
)
def referral_status(
    request: HttpRequest,
    reference: str = Path(
        ...,
        description="Harbour's reference, as the answer to the referral gave it",
        pattern=intake.REFERENCE_PATTERN,
    ),
) -> HttpResponse:
    """Its status and, once a front-door manager has countersigned the decision, the outcome and
    what the referrer is told. Only referrals your agency's systems sent: anything else is 404.
    Each answer is recorded in the audit trail."""
    token = _token(request)
    try:
        referral = intake.referral_for_source(agency=token.agency, reference=reference)
    except policy.NotFound:
        return problem_response(plain_problem(404, f"Your agency sent no referral {reference}"))
    return JsonResponse(intake.status_body(referral))


@api.post(
    "/referrals/{feed}",
    response={201: ReferralReceived, 200: ReferralReceived, **SEND_PROBLEMS},
    url_name="referral-receive",
    summary="Send one referral",
    tags=["referrals"],
)
def referral_receive(
    request: HttpRequest,
    feed: Feed,
    payload: ReferralIn,
    idempotency_key: str = Header(
        ...,
        alias=IDEMPOTENCY_KEY_HEADER,
        description="Unique to this request; the same on every retry of it (a UUID is best)",
        pattern=intake.IDEMPOTENCY_KEY_PATTERN,
    ),
) -> HttpResponse:
    """Received even when incomplete (201): `missing` names what the referral lacks, and your
    agency gets a task to send it. A retry with the same key and body replays the first answer
    (header `Idempotent-Replayed: true`); the same key with another body is 422; the same
    `source_system` and `source_id` under another key is 409, naming the referral."""
    token, key = _preflight(request, feed.value)
    endpoint = f"POST {API_PREFIX}referrals/{feed.value}"
    answer = intake.idempotent(
        agency=token.agency,
        key=key,
        endpoint=endpoint,
        request_hash=intake.body_hash(endpoint, json.loads(request.body)),
        work=lambda: intake.referral_receive(
            agency=token.agency,
            feed=feed.value,
            source_system=payload.source_system,
            source_id=payload.source_id,
            answers=payload.answers(),
        ),
    )
    return _answer(answer)


BULK_BODY = {
    "requestBody": {
        "required": True,
        "description": "A CSV file (UTF-8, header line first): see docs/frontdoor-feeds.md",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


@api.post(
    "/referrals/{feed}/bulk",
    response={201: BulkResult, 200: BulkResult, 415: ProblemOut, **SEND_PROBLEMS},
    url_name="referral-bulk",
    summary="Send a CSV file of referrals, all or nothing",
    tags=["referrals"],
    openapi_extra=BULK_BODY,
)
def referral_bulk(
    request: HttpRequest,
    feed: Feed,
    idempotency_key: str = Header(
        ...,
        alias=IDEMPOTENCY_KEY_HEADER,
        description="Unique to this file; the same on every retry of it",
        pattern=intake.IDEMPOTENCY_KEY_PATTERN,
    ),
) -> HttpResponse:
    """Every row is checked first; any error answers 422 listing each by line, and nothing is
    saved. Otherwise every new row is received in one transaction (201; 200 when every row was
    already received). Rows Harbour already holds (same `source_system` and `source_id`) are
    listed under `already_received` and not changed, so a file may safely be sent again."""
    token, key = _preflight(request, feed.value)
    content = _file_content(request)
    endpoint = f"POST {API_PREFIX}referrals/{feed.value}/bulk"
    answer = intake.idempotent(
        agency=token.agency,
        key=key,
        endpoint=endpoint,
        request_hash=intake.body_hash(endpoint, content),
        work=lambda: bulk.referrals_receive_file(
            agency=token.agency, feed=feed.value, content=content
        ),
    )
    return _answer(answer)


def _file_content(request: HttpRequest) -> bytes:
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise Problem("malformed-request", "Send the CSV file in a multipart field named file")
        if upload.size is not None and upload.size > bulk.MAX_BYTES:
            raise Problem("file-too-large", f"A file may be at most {bulk.MAX_BYTES:,} bytes")
        return upload.read()
    if content_type in ("text/csv", "application/csv", "text/plain"):
        return request.body
    raise Problem(
        "unsupported-media-type",
        "Send the file as text/csv, or as multipart/form-data with a field named file",
    )


@api.get(
    "/problems/{slug}",
    auth=None,
    url_name="problem-type",
    summary="What a problem type means",
    tags=["problems"],
    response={200: dict[str, Any], 404: ProblemOut},
)
def problem_type(request: HttpRequest, slug: str) -> HttpResponse:
    """Each problem body's `type` is this address: what it means and what to do."""
    kind = PROBLEM_TYPES.get(slug)
    if kind is None:
        return problem_response(plain_problem(404, "No such problem type"))
    return JsonResponse(
        {
            "type": type_uri(slug),
            "title": kind.title,
            "status": kind.status,
            "description": kind.description,
        }
    )


# Errors as problem bodies ------------------------------------------------------------------------


@api.exception_handler(Problem)
def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return problem_response(exc.body(), exc.headers)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    problem = Problem(
        "unauthenticated", "Send Authorization: Bearer <token> with your agency's active token"
    )
    return problem_response(problem.body(), UNAUTHENTICATED_HEADERS)


def _pointer(loc: tuple[Any, ...] | list[Any]) -> tuple[str, str | None]:
    source = str(loc[0]) if loc else "body"
    if source == "body":
        parts = [str(part).replace("~", "~0").replace("/", "~1") for part in loc[2:]]
        return "body", "#/" + "/".join(parts) if parts else "#"
    return source, None


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Ninja validates every parameter before the view runs. Answer in the same order as the
    view would: an unknown or forbidden feed, then a missing key, then the body."""
    feed = getattr(request.resolver_match, "kwargs", {}).get("feed")
    if request.method == "POST" and feed is not None:
        try:
            _preflight(request, feed)
        except Problem as first:
            return problem_response(first.body())
    if request.method == "POST":
        try:
            intake.idempotency_key(request.headers.get(IDEMPOTENCY_KEY_HEADER))
        except Problem as first:
            return problem_response(first.body())
    errors = []
    for error in exc.errors:
        location, pointer = _pointer(error.get("loc") or ())
        name = None if location == "body" else str((error.get("loc") or ["", ""])[-1])
        errors.append(
            {
                "pointer": pointer,
                "location": location,
                "detail": f"{name}: {error.get('msg')}" if name else str(error.get("msg")),
            }
        )
    problem = Problem("validation-error", "Some fields are not valid", errors=errors)
    return problem_response(problem.body())


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, NotJson):  # Ninja wraps what the parser raises
        problem = Problem(
            "json-required",
            f"Send the body as application/json, not {exc.__cause__.content_type}",
        )
        return problem_response(problem.body())
    if exc.status_code == 400:
        return problem_response(Problem("malformed-request", str(exc)).body())
    return problem_response(plain_problem(exc.status_code, str(exc)))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(plain_problem(404))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return problem_response(
        Problem("file-too-large", "The request body is larger than Harbour accepts").body()
    )


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return problem_response(Problem("malformed-request", "The multipart body is not valid").body())


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return problem_response(plain_problem(400))


def _roll_back() -> None:
    """The request is one transaction (ATOMIC_REQUESTS): an answer that is not an exception
    would commit it, so mark it to roll back."""
    if transaction.get_connection().in_atomic_block:
        transaction.set_rollback(True)


@api.exception_handler(AuditWriteError)
def _audit_unavailable(request: HttpRequest, exc: AuditWriteError) -> HttpResponse:
    _roll_back()
    return problem_response(Problem("unavailable", "The audit trail could not be written").body())


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Nothing half-done is kept: the request's transaction is rolled back."""
    logger.exception("Automated referrals API failed", exc_info=exc)
    _roll_back()
    return problem_response(Problem("server-error", "Harbour could not handle this request").body())
