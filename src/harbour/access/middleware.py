"""Request ids for the audit trail, and the 503 page when an access event cannot be written."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from harbour.access.audit import AuditWriteError
from harbour.access.context import (
    reset_client_request_id,
    reset_request_id,
    set_client_request_id,
    set_request_id,
)

# What is kept of a client's own X-Request-ID: these characters, this many of them.
_UNSAFE_IN_CLIENT_ID = re.compile(r"[^A-Za-z0-9._:-]")
CLIENT_REQUEST_ID_LENGTH = 64


def client_request_id(header: str) -> str:
    """A client's X-Request-ID made safe to store: other characters dropped, then cut short."""
    return _UNSAFE_IN_CLIENT_ID.sub("", header)[:CLIENT_REQUEST_ID_LENGTH]


class RequestIdMiddleware:
    """Every request gets the server's own id (a UUID4 in hex), recorded on each audit event it
    writes and returned in the ``X-Request-ID`` header. A client cannot choose it: an id the
    client sent is kept only as ``client_request_id``, beside ours (ADR 0018)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        client_id = client_request_id(request.headers.get("X-Request-ID", ""))
        request.request_id = request_id  # type: ignore[attr-defined]
        request.client_request_id = client_id  # type: ignore[attr-defined]
        token = set_request_id(request_id)
        client_token = set_client_request_id(client_id)
        try:
            response = self.get_response(request)
        finally:
            reset_client_request_id(client_token)
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class AuditUnavailableMiddleware:
    """If the access event could not be written the request's transaction has rolled back;
    answer 503 with a page that carries no child data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, AuditWriteError):
            response = TemplateResponse(request, "503.html", status=503)
            response.render()
            return response
        return None
