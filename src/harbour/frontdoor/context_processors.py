"""The banner on every page of a front door's staff when an immediate referral there is not rated
within its clock (ADR 0019). The web kit's base template knows no app: it draws the templates
named in ``page_banners``, and this names the front door's when there is something to say."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from harbour.access import policy
from harbour.frontdoor import selectors, services


def clock_alerts(request: HttpRequest) -> dict[str, Any]:
    """``clock_alerts`` for the page: computed as it is drawn, so the banner is there the moment
    a clock passes, with no scheduler. The first page drawn after a clock passes also tells the
    front door's managers by a notification, once, in the request's transaction (the same
    service ``harbour frontdoor clocks`` runs)."""
    cached = getattr(request, "_harbour_clock_alerts", None)
    if cached is None:  # a page that renders more than one template reads them once
        cached = _clock_alerts(request)
        request._harbour_clock_alerts = cached  # type: ignore[attr-defined]
    if not cached:
        return {}
    return {"clock_alerts": cached, "page_banners": [BANNER]}


BANNER = "frontdoor/clock_alerts.html"


def _clock_alerts(request: HttpRequest) -> list[selectors.ClockAlert]:
    user = getattr(request, "user", None)
    if not policy.can(user, policy.Action.FRONT_DOOR_TRIAGE):
        return []
    alerts = selectors.clock_alerts(actor=user)
    untold = [alert.referral_id for alert in alerts if not alert.managers_told]
    if untold:
        services.clock_alerts_notify(now=alerts[0].now, referral_ids=untold)
    return alerts
