"""The link to the notification centre, with the unread count, in the header of every page for
everyone signed in. The web kit's base template knows no app: it draws the templates named in
``header_items``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from harbour.access import policy
from harbour.notices import selectors

HEADER_ITEM = "notices/header_link.html"


def unread_notices(request: HttpRequest) -> dict[str, Any]:
    """One count query a request (kept on the request when several templates render)."""
    user = getattr(request, "user", None)
    if not policy.is_active_actor(user):
        return {}
    cached = getattr(request, "_harbour_unread_notices", None)
    if cached is None:
        cached = selectors.unread_count(actor=user)
        request._harbour_unread_notices = cached  # type: ignore[attr-defined]
    return {"unread_notices": cached, "header_items": [HEADER_ITEM]}
