"""The front door's part of a child's chronology: the child's referrals, decisions and strategy
meetings, among the involvement section's entries (the chronology's own access decision and audit
event cover them). The children app's chronology asks for them through the provider registered
here when Django starts (``FrontDoorConfig.ready``): it sits below this app (ADR 0020)."""

from __future__ import annotations

from harbour.access import policy
from harbour.children import chronology
from harbour.children.chronology import Entry, EntryType
from harbour.children.models import Child
from harbour.frontdoor.selectors import referral_entries


def referral_chronology_entries(child: Child, decision: policy.Decision) -> list[Entry]:
    return [
        Entry(on, EntryType.REFERRAL, title, description, source)
        for on, title, description, source in referral_entries(child.pk)
    ]


def register() -> None:
    chronology.provide_entries(
        referral_chronology_entries, section=EntryType.SECTION[EntryType.REFERRAL]
    )
