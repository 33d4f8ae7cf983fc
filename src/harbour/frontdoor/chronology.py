"""The front door's part of a child's chronology: the child's referrals, decisions and strategy
meetings, entries of the involvement section that are the receiving front door's records, each
shown as the policy allows it (``chronology.RecordEntries``; ADR 0017). The chronology's own
access decision and audit event cover them. The children app's chronology asks for them through
the provider registered here when Django starts (``FrontDoorConfig.ready``): it sits below this
app (ADR 0020)."""

from __future__ import annotations

from harbour.access import policy
from harbour.children import chronology
from harbour.children.chronology import Entry, EntryType
from harbour.children.models import Child
from harbour.frontdoor.selectors import referral_entries


def referral_chronology_entries(child: Child, decision: policy.Decision) -> list[Entry]:
    record = chronology.RecordEntries(child, decision)
    for on, title, description, source, front_door in referral_entries(child.pk):
        record.add(
            "involvement", on, EntryType.REFERRAL, title, description, front_door, label=source
        )
    return record.entries


def register() -> None:
    chronology.provide_entries(referral_chronology_entries)
