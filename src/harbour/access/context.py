"""The request id of the work in hand, set by middleware for web requests and by commands, and
the id a client sent with its request (kept beside ours, never in its place)."""

from __future__ import annotations

import contextvars
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("harbour_request_id", default="")
_client_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "harbour_client_request_id", default=""
)


def current_request_id() -> str:
    rid = _request_id.get()
    if not rid:
        rid = f"proc-{uuid.uuid4()}"
        _request_id.set(rid)
    return rid


def set_request_id(request_id: str) -> contextvars.Token[str]:
    return _request_id.set(request_id)


def reset_request_id(token: contextvars.Token[str]) -> None:
    _request_id.reset(token)


def current_client_request_id() -> str:
    """The id the client sent in ``X-Request-ID`` (sanitised), or ''."""
    return _client_request_id.get()


def set_client_request_id(client_request_id: str) -> contextvars.Token[str]:
    return _client_request_id.set(client_request_id)


def reset_client_request_id(token: contextvars.Token[str]) -> None:
    _client_request_id.reset(token)
