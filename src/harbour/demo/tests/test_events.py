"""The demo's agency events: deterministic, consistent with the children, the patterns recorded
in ``DemoPattern`` are really in the events (and nowhere else), and every event and need arrives
through the agencies' files and the events import (ADR 0029)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from harbour.demo.generator import REFERENCE_DATE, generate
from harbour.demo.models import DemoPattern, GroundTruth, Pattern
from harbour.identity.models import (
    EVENT_KIND_CATEGORY,
    EXCLUSION_KINDS,
    HARM_CATEGORIES,
    AgencyEvent,
    EventKind,
    EventParticipant,
)
from harbour.partnership.models import AgencyType

pytestmark = pytest.mark.django_db

SMALL = 120


@pytest.fixture
def summary():
    return generate(seed=42, children=SMALL)


def events_by_child() -> dict:
    child_of = dict(GroundTruth.objects.values_list("source_record_id", "child_id"))
    by_child: dict = defaultdict(list)
    for event in AgencyEvent.objects.select_related("agency").prefetch_related("participants"):
        by_child[child_of[event.source_record_id]].append(event)
    return by_child


def fingerprint():
    child_of = dict(GroundTruth.objects.values_list("source_record_id", "child_id"))
    events = sorted(
        (child_of[r], ref, kind, day, sev, summary)
        for r, ref, kind, day, sev, summary in AgencyEvent.objects.values_list(
            "source_record_id", "source_reference", "kind", "occurred_on", "severity", "summary"
        )
    )
    patterns = sorted(DemoPattern.objects.values_list("child_id", "pattern"))
    return events, patterns


def harm_cluster(events, days: int = 90) -> bool:
    """Three or more violence or exploitation events within ``days``, at two or more agencies."""
    harm = sorted((e for e in events if e.category in HARM_CATEGORIES), key=lambda e: e.occurred_on)
    for i, first in enumerate(harm):
        window = [e for e in harm[i:] if (e.occurred_on - first.occurred_on).days <= days]
        if len(window) >= 3 and len({e.agency_id for e in window}) >= 2:
            return True
    return False


def test_the_summary_counts_events_participants_and_patterns(summary):
    assert summary.agency_events == AgencyEvent.objects.count() > SMALL // 2
    assert summary.event_participants == EventParticipant.objects.count() > 0
    assert summary.demo_patterns == DemoPattern.objects.count()


def test_the_same_seed_makes_the_same_events():
    generate(seed=5, children=SMALL)
    first = fingerprint()
    generate(seed=5, children=SMALL, replace=True)
    assert fingerprint() == first
    assert first[0] and first[1]


def test_every_pattern_is_given_to_at_least_two_children(summary):
    counts = {p: DemoPattern.objects.filter(pattern=p).count() for p in Pattern.values}
    assert all(n >= 2 for n in counts.values()), counts


def test_events_are_in_the_window_on_the_agencys_own_record_and_fit_the_child(summary):
    start = REFERENCE_DATE - dt.timedelta(days=400)
    truths = {t.source_record_id: t.child for t in GroundTruth.objects.select_related("child")}
    for event in AgencyEvent.objects.select_related("source_record", "agency"):
        assert start <= event.occurred_on <= REFERENCE_DATE
        assert event.agency_id == event.source_record.agency_id
        assert 1 <= event.severity <= 4
        child = truths[event.source_record_id]
        assert child.given_name in event.summary
        age = event.occurred_on.year - child.date_of_birth.year
        if event.agency.agency_type in (AgencyType.POLICE, AgencyType.YOUTH_JUSTICE):
            assert age >= 10
        if event.kind in EXCLUSION_KINDS:
            assert event.agency.agency_type == AgencyType.SCHOOL
            assert event.exclusion_reason
        assert event.data_category == EVENT_KIND_CATEGORY[event.kind]


def test_the_recorded_patterns_are_in_the_events_and_other_children_have_no_cluster(summary):
    by_child = events_by_child()
    patterns: dict = defaultdict(dict)
    for p in DemoPattern.objects.all():
        patterns[p.child_id][p.pattern] = p
    for child_id, events in by_child.items():
        given = patterns.get(child_id, {})
        if Pattern.VIOLENCE_CLUSTER in given:
            assert harm_cluster(events)
        if not given:
            assert not harm_cluster(events)
            assert sum(e.category in HARM_CATEGORIES for e in events) <= 1
        if Pattern.ESCALATING in given:
            refs = given[Pattern.ESCALATING].detail["event_refs"]
            chosen = sorted(
                (e for e in events if e.source_reference in refs), key=lambda e: e.occurred_on
            )
            assert [e.severity for e in chosen] == [1, 2, 3, 4]
        if Pattern.MISSING_WITH_ADULTS in given:
            missing = [e for e in events if e.kind == EventKind.MISSING]
            assert len(missing) >= 3
            assert all(any(p.poses_risk for p in e.participants.all()) for e in missing)
        if Pattern.WEAPON_AFTER_EXCLUSION in given:
            exclusion = min(e.occurred_on for e in events if e.kind in EXCLUSION_KINDS)
            assert any(e.weapon and e.occurred_on > exclusion for e in events)
        if Pattern.ED_ASSAULT_NO_POLICE in given:
            (ref,) = given[Pattern.ED_ASSAULT_NO_POLICE].detail["event_refs"]
            ed = next(e for e in events if e.source_reference == ref)
            assert ed.kind == EventKind.ED_ATTENDANCE
            assert not any(
                e.agency.agency_type == AgencyType.POLICE
                and abs((e.occurred_on - ed.occurred_on).days) <= 60
                for e in events
            )
        if Pattern.CO_INVOLVED in given:
            other = given[Pattern.CO_INVOLVED].detail["other_child_id"]
            other_records = set(
                GroundTruth.objects.filter(child_id=other).values_list(
                    "source_record_id", flat=True
                )
            )
            shared = [
                e
                for e in events
                if any(p.source_record_id in other_records for p in e.participants.all())
            ]
            assert len(shared) >= 2


def test_replacing_the_demo_replaces_its_events(summary):
    before = AgencyEvent.objects.count()
    generate(seed=43, children=SMALL, replace=True)
    assert AgencyEvent.objects.count() != before or DemoPattern.objects.exists()
    assert not AgencyEvent.objects.exclude(
        source_record__in=GroundTruth.objects.values("source_record")
    ).exists()
