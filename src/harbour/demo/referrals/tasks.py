"""Tasks back to the source agency for automated referrals missing something (some done), and
the front door's working relationship with each child while their referral is open (or ended
with a referral closed lately), noted as the front door's services note it."""

from __future__ import annotations

import datetime as dt

from harbour.access.models import RelationshipKind, WorkingRelationship
from harbour.demo.referrals.planned import CLOSED, Planned
from harbour.demo.referrals.rows import Rows
from harbour.demo.referrals.year import Part
from harbour.frontdoor import messages
from harbour.frontdoor.models import SourceTask


class Tasks(Part):
    """Makes the source tasks and the front door's working relationships."""

    def tasks_and_relationships(self, plan: Planned, rows: Rows) -> None:
        r = plan.referral
        assert r is not None and r.received_at is not None
        if plan.origin.automated and r.completeness_missing:
            task = SourceTask(
                referral=r, agency=r.referring_agency, missing=list(r.completeness_missing)
            )
            task.created_at = r.received_at
            if plan.state == CLOSED and self.year.chance(0.5):
                task.done_at = self.year.between(
                    r.received_at + dt.timedelta(hours=2),
                    min(
                        r.received_at + dt.timedelta(days=5), self.year.now - dt.timedelta(hours=1)
                    ),
                )
            rows.tasks.append(task)
        if r.child_id is not None and (plan.state != CLOSED or plan.ends_relationship):
            rows.relationships.append(
                WorkingRelationship(
                    child_id=r.child_id,
                    agency=self.year.front_door,
                    kind=RelationshipKind.OPEN_REFERRAL,
                    started_on=self.year.local(r.received_at).date(),
                    ended_on=self.year.local(r.closed_at).date() if r.closed_at else None,
                    note=messages.open_referral_note(r),
                )
            )
