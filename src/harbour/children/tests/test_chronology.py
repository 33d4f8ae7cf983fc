"""The chronology's providers (ADR 0020): the apps above children add their entries by
registering, and the installed apps have registered theirs."""

from harbour.children import chronology
from harbour.frontdoor.chronology import referral_chronology_entries
from harbour.identity.chronology import _agency_event_entries


def test_the_front_door_and_the_person_index_register_their_entries():
    # Each decides entry by entry what the viewer may see (ADR 0017).
    assert referral_chronology_entries in chronology._providers
    assert _agency_event_entries in chronology._providers


def test_a_provider_registered_twice_is_asked_once(monkeypatch):
    monkeypatch.setattr(chronology, "_providers", [])

    def provider(child, decision):
        return []

    chronology.provide_entries(provider)
    chronology.provide_entries(provider)
    assert chronology._providers == [provider]
