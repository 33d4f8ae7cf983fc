"""The rows the phase writes in bulk, and how: with their ids on every database, with the
times they were made rather than the time of saving, and notifications read or not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harbour.access.models import WorkingRelationship
from harbour.frontdoor.models import (
    Escalation,
    Notification,
    Referral,
    ReferralDecision,
    SourceTask,
)
from harbour.partnership.models import Staff

if TYPE_CHECKING:
    from harbour.demo.referrals.year import Year


@dataclass
class Rows:
    """What the phase has made about its referrals, to be written together."""

    decisions: list[ReferralDecision] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    tasks: list[SourceTask] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    relationships: list[WorkingRelationship] = field(default_factory=list)

    def save(self) -> None:
        """Write them, decisions in the order they were made, relationships by start."""
        self.decisions.sort(key=lambda d: d.decided_at)
        ReferralDecision.objects.bulk_create(self.decisions)
        Escalation.objects.bulk_create(self.escalations)
        save_with_times(SourceTask, self.tasks)
        save_with_times(Notification, self.notifications)
        self.relationships.sort(key=lambda w: (w.started_on, str(w.child_id)))
        WorkingRelationship.objects.bulk_create(self.relationships)


def with_ids(model: Any, rows: list[Any]) -> list[Any]:
    """``bulk_create``, with every row's id, also on a database that cannot return them."""
    created = model.objects.bulk_create(rows)
    if any(row.pk is None for row in created):
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for row, pk in zip(created, ids[-len(created) :], strict=True):
            row.pk = pk
    return list(created)


def save_with_times(model: Any, rows: list[Any]) -> None:
    """``created_at`` is stamped with the time of saving (``auto_now_add``): put back when
    each row was made."""
    when = [row.created_at for row in rows]
    created = with_ids(model, rows)
    for row, moment in zip(created, when, strict=True):
        row.created_at = moment
    model.objects.bulk_update(created, ["created_at"], batch_size=500)


def note(
    year: Year,
    recipient: Staff,
    referral: Referral | None,
    message: str,
    at: dt.datetime,
    *,
    read: bool,
) -> Notification:
    """A notification as the front door's services send it (the message from
    ``frontdoor.messages``), made at ``at`` and, if ``read``, read within two days."""
    notification = Notification(recipient=recipient, referral=referral, message=message)
    notification.created_at = at
    if read:
        latest = min(at + dt.timedelta(days=2), year.now - dt.timedelta(minutes=1))
        notification.read_at = year.between(at + dt.timedelta(minutes=5), latest)
    return notification


def notes(
    year: Year,
    recipients: list[Staff],
    referral: Referral,
    message: str,
    at: dt.datetime,
    *,
    read: bool,
) -> list[Notification]:
    """The same message to each recipient (the front door's managers), as the services send it."""
    return [note(year, recipient, referral, message, at, read=read) for recipient in recipients]
