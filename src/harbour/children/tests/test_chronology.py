"""The chronology's providers (ADR 0020): the apps above children add their entries by
registering, and the installed apps have registered theirs."""

import pytest

from harbour.children import chronology
from harbour.frontdoor.chronology import referral_chronology_entries
from harbour.identity.chronology import _agency_event_entries


def test_the_front_door_and_the_person_index_register_their_entries():
    # Referrals belong to the involvement section; other agencies' events are decided one by one.
    assert referral_chronology_entries in chronology._providers["involvement"]
    assert _agency_event_entries in chronology._providers[None]


def test_a_provider_registered_twice_is_asked_once(monkeypatch):
    monkeypatch.setattr(chronology, "_providers", {})

    def provider(child, decision):
        return []

    chronology.provide_entries(provider, section="voice")
    chronology.provide_entries(provider, section="voice")
    assert chronology._providers == {"voice": [provider]}


def test_a_provider_for_a_section_the_chronology_does_not_have_is_refused(monkeypatch):
    monkeypatch.setattr(chronology, "_providers", {})
    with pytest.raises(ValueError, match="no section 'notes'"):
        chronology.provide_entries(lambda child, decision: [], section="notes")
    assert chronology._providers == {}
