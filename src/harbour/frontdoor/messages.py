"""What the front door tells people about a referral, and how it numbers referrals: in one place,
so that the services and the demo's history (``demo.referrals``) say exactly the same."""

from __future__ import annotations

import datetime as dt

from harbour.frontdoor.models import Referral


def referral_reference(received_at: dt.datetime, pk: int) -> str:
    """A referral's reference, from when it was received (the year in UTC) and its id:
    FD-2026-000123."""
    return f"FD-{received_at.astimezone(dt.UTC):%Y}-{pk:06d}"


def countersignature_waiting(referral: Referral) -> str:
    return f"A decision on referral {referral.reference} is waiting for your countersignature"


def decided(referral: Referral) -> str:
    return f"The front door has decided on your referral {referral.reference}"


def decision_returned(referral: Referral) -> str:
    return f"Your decision on referral {referral.reference} was returned by a manager"


def reopened(referral: Referral) -> str:
    return f"The front door has reopened your referral {referral.reference}"


def escalated(referral: Referral) -> str:
    return f"The referrer has escalated referral {referral.reference}: no outcome yet"


def escalation_answered(referral: Referral) -> str:
    return f"Your escalation of referral {referral.reference} has been answered"


def audit_findings(referral: Referral, findings: str) -> str:
    return f"Audit findings for referral {referral.reference} from your team: {findings[:200]}"


def open_referral_note(referral: Referral) -> str:
    """The note on the front door's working relationship with the child while it is open."""
    return f"Referral {referral.reference}"
