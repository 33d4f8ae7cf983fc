"""Reads of the notification centre: the actor's own notices only."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from harbour.access import policy
from harbour.notices.models import Delivery, Notice, NoticePreference
from harbour.partnership.models import Staff
from harbour.web import lists


def notices_for(
    *,
    actor: Staff,
    shown: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Notice]:
    """The actor's notices, newest first: only the unread or the read ones (``shown``), told
    between two dates."""
    notices = policy.own_notices(actor, Notice.objects.all())
    if shown:
        notices = notices.filter(read_at__isnull=shown == "unread")
    notices = lists.filter_dates(notices, "created_at", date_from, date_to)
    return notices.order_by("-created_at", "-pk")


def unread_count(*, actor: Staff) -> int:
    """How many of the actor's notices are unread: one indexed count."""
    return policy.own_notices(actor, Notice.objects.all()).filter(read_at__isnull=True).count()


def delivery_for(*, actor: Staff) -> str:
    found = policy.own_notice_preference(actor, NoticePreference.objects.all()).values_list(
        "delivery", flat=True
    )
    return found.first() or Delivery.AT_ONCE
