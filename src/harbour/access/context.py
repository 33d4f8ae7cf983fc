"""The request id of the work in hand, set by middleware for web requests and by commands."""

from __future__ import annotations

import contextvars
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("harbour_request_id", default="")


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
