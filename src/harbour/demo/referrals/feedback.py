"""What the referrer hears back: the outcome once the decision is countersigned (the demo police
referrer has not read the latest), and the escalations referrers raised when no outcome came
in time, each told to the managers and answered, in the front door's own words."""

from __future__ import annotations

import datetime as dt

from harbour.demo import referral_text as text
from harbour.demo.referrals.planned import CLOSED, Planned
from harbour.demo.referrals.rows import Rows, note, notes
from harbour.demo.referrals.year import Part
from harbour.frontdoor import messages
from harbour.frontdoor.models import Escalation
from harbour.partnership.models import Staff


class Feedback(Part):
    """Makes the outcome notifications, escalations and the notifications about them."""

    def feedback(
        self,
        plan: Planned,
        rows: Rows,
        manager: Staff | None,
        managers: list[Staff],
        unread_outcome_for: set[str],
    ) -> None:
        """The referrer is told the outcome (the demo police referrer has not yet read the
        latest), and escalations go to the managers."""
        r = plan.referral
        assert r is not None
        if plan.state == CLOSED and r.referrer is not None:
            assert plan.countersigned_at is not None
            recent = plan.countersigned_at > self.year.now - dt.timedelta(days=2)
            unread = recent or r.referrer.email in unread_outcome_for
            unread_outcome_for.discard(r.referrer.email)
            rows.notifications.append(
                note(
                    self.year,
                    r.referrer,
                    r,
                    messages.decided(r),
                    plan.countersigned_at,
                    read=not unread,
                )
            )
        if not (plan.escalated and r.referrer is not None and plan.escalated_at is not None):
            return
        resolved = plan.escalation_resolved_at if manager is not None else None
        rows.escalations.append(
            Escalation(
                referral=r,
                raised_by=r.referrer,
                raised_at=plan.escalated_at,
                reason=self.year.fill(self.rng.choice(text.ESCALATION_REASONS), plan),
                resolved_at=resolved,
                resolved_by=manager if resolved else None,
                resolution=self.rng.choice(text.ESCALATION_RESOLUTIONS) if resolved else "",
            )
        )
        rows.notifications += notes(
            self.year,
            managers,
            r,
            messages.escalated(r),
            plan.escalated_at,
            read=resolved is not None,
        )
        if resolved is not None:
            rows.notifications.append(
                note(
                    self.year,
                    r.referrer,
                    r,
                    messages.escalation_answered(r),
                    resolved,
                    read=True,
                )
            )
