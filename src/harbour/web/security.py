"""Protections every page shares (ADR 0042): no copy of any answer kept in a cache, sessions that
end after 30 minutes idle and 10 hours after signing in, and the username the sign-in lockout
counts failures against."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import add_never_cache_headers

SIGNED_IN_AT = "harbour_signed_in_at"
LAST_SEEN_AT = "harbour_last_seen_at"
SESSION_ENDED = "harbour_session_ended"


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (with ``private, no-cache, max-age=0``) on every answer Django
    makes: pages, forms, downloads, the API. Which pages show a child's data changes as issues add
    pages, and a page that does not today may tomorrow; marking every dynamic answer is simpler
    and cannot be forgotten. Static files (served before this, by WhiteNoise or the web server)
    keep their long caching: they hold no one's data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "Cache-Control" in response:
            del response["Cache-Control"]
        add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
        return response


def session_started(request: HttpRequest) -> None:
    """Called when someone signs in: the absolute lifetime counts from now."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


class SessionLimitsMiddleware:
    """Ends a signed-in session after ``HARBOUR_SESSION_IDLE_SECONDS`` without a request, and
    ``HARBOUR_SESSION_ABSOLUTE_SECONDS`` after signing in, whatever its activity; the next
    request goes to the sign-in page, which says why. The session's own expiry
    (``SESSION_COOKIE_AGE``, saved on every request) ends an idle session on the server too; these
    timestamps make both limits exact and testable. A deactivated account's session ends at its
    next request already: Django's backend gives no user for an inactive account."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in = session.setdefault(SIGNED_IN_AT, now)
            last_seen = session.get(LAST_SEEN_AT, now)
            idle = now - int(last_seen) > settings.HARBOUR_SESSION_IDLE_SECONDS
            too_old = now - int(signed_in) > settings.HARBOUR_SESSION_ABSOLUTE_SECONDS
            if idle or too_old:
                return self._end(request, "idle" if idle else "absolute")
            session[LAST_SEEN_AT] = now
        return self.get_response(request)

    def _end(self, request: HttpRequest, why: str) -> HttpResponse:
        logout(request)  # flushes the session and its row
        request.session[SESSION_ENDED] = why
        if request.path_info.startswith("/api/"):
            return HttpResponse(status=401)
        return redirect_to_login(request.get_full_path())


def session_ended_reason(request: HttpRequest) -> str:
    """Why the last session ended on its own ("idle" or "absolute"), once; "" otherwise."""
    return str(request.session.pop(SESSION_ENDED, ""))


def sign_in_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The username Axes counts failures against: as typed, trimmed and lower-cased, so that
    ``Name@Agency`` and ``name@agency`` are one account's failures."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(value).strip().lower()[:150]
