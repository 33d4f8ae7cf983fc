"""The front door's decisions on its referrals: decided by a practitioner, waiting for a manager's
countersignature or countersigned (the referral closed), or returned once and decided again;
each with the front door's managers told that a decision waits for them and the practitioner
told of a return, in the front door's own words (``frontdoor.messages``)."""

from __future__ import annotations

import datetime as dt

from harbour.demo import referral_text as text
from harbour.demo.referrals.planned import AWAITING, CLOSED, Planned
from harbour.demo.referrals.rows import Rows, note, notes
from harbour.demo.referrals.year import Part
from harbour.frontdoor import messages
from harbour.frontdoor.codes import Outcome
from harbour.frontdoor.models import DecisionState, ReferralDecision
from harbour.partnership.models import Staff, ThresholdGuidance, ThresholdLevel

# Which threshold guidance each outcome relies on, where one matches.
OUTCOME_THRESHOLD: dict[str, str] = {
    Outcome.NO_FURTHER_ACTION: ThresholdLevel.UNIVERSAL,
    Outcome.EARLY_HELP: ThresholdLevel.EARLY_HELP,
    Outcome.CHILD_IN_NEED: ThresholdLevel.CHILD_IN_NEED,
    Outcome.CHILD_PROTECTION: ThresholdLevel.CHILD_PROTECTION,
    Outcome.RISK_OUTSIDE_THE_HOME: ThresholdLevel.RISK_OUTSIDE_THE_HOME,
}


class Decisions(Part):
    """Makes a referral's decisions and the notifications about them."""

    def decisions(
        self,
        plan: Planned,
        rows: Rows,
        decider: Staff,
        manager: Staff | None,
        managers: list[Staff],
        guidance: dict[str, ThresholdGuidance],
    ) -> None:
        r = plan.referral
        assert r is not None
        if plan.returned and manager is not None:
            assert plan.first_decided_at is not None and plan.returned_at is not None
            rows.decisions.append(
                self.decision(
                    plan,
                    plan.first_outcome,
                    decider,
                    plan.first_decided_at,
                    guidance,
                    state=DecisionState.RETURNED,
                    manager=manager,
                    signed_at=plan.returned_at,
                    note=self.year.fill(self.rng.choice(text.RETURN_NOTES), plan),
                )
            )
            rows.notifications += notes(
                self.year,
                managers,
                r,
                messages.countersignature_waiting(r),
                plan.first_decided_at,
                read=True,
            )
            rows.notifications.append(
                note(
                    self.year,
                    decider,
                    r,
                    messages.decision_returned(r),
                    plan.returned_at,
                    read=plan.state == CLOSED,
                )
            )
        if plan.state not in (CLOSED, AWAITING) or plan.decided_at is None:
            return
        signed = plan.state == CLOSED and manager is not None
        rows.decisions.append(
            self.decision(
                plan,
                plan.outcome,
                decider,
                plan.decided_at,
                guidance,
                state=DecisionState.COUNTERSIGNED if signed else DecisionState.AWAITING_COUNTERSIGN,
                manager=manager if signed else None,
                signed_at=plan.countersigned_at if signed else None,
                note=self.rng.choice(text.MANAGER_NOTES) if signed else "",
            )
        )
        rows.notifications += notes(
            self.year,
            managers,
            r,
            messages.countersignature_waiting(r),
            plan.decided_at,
            read=plan.state == CLOSED,
        )

    def decision(
        self,
        plan: Planned,
        outcome: str,
        decider: Staff,
        decided_at: dt.datetime,
        guidance: dict[str, ThresholdGuidance],
        *,
        state: str,
        manager: Staff | None,
        signed_at: dt.datetime | None,
        note: str,
    ) -> ReferralDecision:
        assert plan.referral is not None
        level = OUTCOME_THRESHOLD.get(outcome)
        return ReferralDecision(
            referral=plan.referral,
            outcome=outcome,
            rationale=self.year.fill(self.rng.choice(text.RATIONALE[outcome]), plan),
            threshold=guidance.get(level) if level else None,
            parents_as_partners=(
                self.year.fill(self.rng.choice(text.PARENTS_AS_PARTNERS), plan)
                if outcome == Outcome.RISK_OUTSIDE_THE_HOME
                else ""
            ),
            feedback_to_referrer=self.year.fill(self.rng.choice(text.FEEDBACK[outcome]), plan),
            decided_by=decider,
            decided_at=decided_at,
            state=state,
            countersigned_by=manager,
            countersigned_at=signed_at,
            manager_note=note,
        )
