"""Reads of the notification centre: the actor's own notices only."""

from __future__ import annotations

from django.db.models import QuerySet

from harbour.access import policy
from harbour.notices.models import Delivery, Notice, NoticePreference
from harbour.partnership.models import Staff


def notices_for(*, actor: Staff) -> QuerySet[Notice]:
    """The actor's notices, newest first, with the agency each event came from."""
    return policy.own_notices(actor, Notice.objects.all()).order_by("-created_at", "-pk")


def unread_count(*, actor: Staff) -> int:
    """How many of the actor's notices are unread: one indexed count."""
    return policy.own_notices(actor, Notice.objects.all()).filter(read_at__isnull=True).count()


def delivery_for(*, actor: Staff) -> str:
    found = NoticePreference.objects.filter(staff_id=actor.pk).values_list("delivery", flat=True)
    return found.first() or Delivery.AT_ONCE
