"""A per-token rate limit for the automated referrals API (ADR 0042).

Each token may make ``HARBOUR_API_RATE_LIMIT`` requests in each clock minute; the next answers
429 with a problem body and ``Retry-After`` (the seconds left in the minute). The count is a row
per token per minute in the database, incremented in a short transaction of its own before the
request's own (the middleware runs outside ``ATOMIC_REQUESTS``), so every gunicorn worker on
every machine counts against one limit, and the row lock is held only for the increment. Only a
request with a real token (its secret matches) is counted: nobody can use up another agency's
allowance by sending its prefix."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from harbour.frontdoor import tokens
from harbour.frontdoor.models import ApiRateWindow, ApiToken
from harbour.frontdoor.problems import API_PREFIX, Problem, problem_response

WINDOW = dt.timedelta(minutes=1)
KEEP = dt.timedelta(hours=1)  # older windows are deleted as new ones open


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends


def hit(token: ApiToken, now: dt.datetime | None = None) -> Verdict:
    """Count one request by ``token`` in the current minute and say whether it is allowed."""
    now = now or timezone.now()
    start = now.replace(second=0, microsecond=0)
    limit = settings.HARBOUR_API_RATE_LIMIT
    with transaction.atomic():
        windows = ApiRateWindow.objects.filter(token=token, window_start=start)
        if not windows.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    ApiRateWindow.objects.create(token=token, window_start=start, count=1)
            except IntegrityError:  # another worker opened the window first
                windows.update(count=F("count") + 1)
            else:
                ApiRateWindow.objects.filter(token=token, window_start__lt=start - KEEP).delete()
        # The row is locked by this transaction's update: the count read is this request's.
        count = windows.values_list("count", flat=True).get()
    retry_after = max(1, math.ceil((start + WINDOW - now).total_seconds()))
    return Verdict(count <= limit, count, limit, retry_after)


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


class ApiRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith(API_PREFIX):
            raw = _bearer(request)
            token = tokens.find(raw) if raw else None
            if token is not None:
                verdict = hit(token)
                if not verdict.allowed:
                    problem = Problem(
                        "rate-limited",
                        f"This token may make {verdict.limit} requests a minute. Wait "
                        f"{verdict.retry_after} seconds (Retry-After), then send again with the "
                        "same Idempotency-Key.",
                    )
                    return problem_response(
                        problem.body(), {"Retry-After": str(verdict.retry_after)}
                    )
        return self.get_response(request)
