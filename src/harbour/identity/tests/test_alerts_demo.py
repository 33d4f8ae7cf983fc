"""Against the demo: the rules find the children the generator gave patterns to
(``demo.DemoPattern``), and needs reconciliation finds what social care has not noted."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from harbour.demo.generator import generate
from harbour.demo.models import DemoPattern, Pattern
from harbour.identity import flags, needs
from harbour.identity.models import (
    EventRole,
    FlagRule,
    HarmFlag,
    NeedsDiscrepancy,
    Person,
    SourceNeed,
)
from harbour.partnership.models import AgencyType
from harbour.testing import person_index_from_ground_truth

RULE_FOR_PATTERN: dict[str, str] = {
    Pattern.VIOLENCE_CLUSTER: "violence-cluster",
    Pattern.ESCALATING: "escalating-severity",
    Pattern.MISSING_WITH_ADULTS: "missing-new-adult",
    Pattern.WEAPON_AFTER_EXCLUSION: "weapon-after-exclusion",
    Pattern.ED_ASSAULT_NO_POLICE: "ed-assault-no-police",
}


@pytest.fixture
def demo(db: Any) -> None:
    generate(seed=11, children=120)
    flags.seed_example_rules()
    person_index_from_ground_truth()


def test_rules_find_the_demo_patterns(demo: None) -> None:
    patterns = list(DemoPattern.objects.all())
    assert patterns, "the demo gives some children patterns"
    first = flags.raise_flags()
    assert first.raised > 0
    for found in patterns:
        code = RULE_FOR_PATTERN.get(found.pattern)
        if code is None:
            continue
        assert HarmFlag.objects.filter(child_id=found.child_id, rule__code=code).exists(), (
            f"{found.pattern} for child {found.child_id} not flagged"
        )
    # Flags are not everywhere: most children have none.
    flagged = HarmFlag.objects.values("child_id").distinct().count()
    assert flagged < Person.objects.count() / 2
    assert flags.raise_flags().raised == 0


def test_the_demo_partnership_flags_children_suspected_together_with_a_flagged_child(
    demo: None,
) -> None:
    # A new installation has the rule switched off; the demo partnership switched it on.
    rule = FlagRule.objects.get(code="co-involved-flagged", is_current=True)
    assert rule.in_use and rule.in_use_changed_by_system == "harbour demo generate"
    flags.raise_flags()
    pairs = list(DemoPattern.objects.filter(pattern=Pattern.CO_INVOLVED))
    flagged_by_another_rule = set(
        DemoPattern.objects.filter(pattern__in=list(RULE_FOR_PATTERN)).values_list(
            "child_id", flat=True
        )
    )
    beside_a_flagged_child = [
        p for p in pairs if uuid.UUID(p.detail["other_child_id"]) in flagged_by_another_rule
    ]
    assert beside_a_flagged_child, "each pair has a child another rule flags"
    for found in beside_a_flagged_child:
        co = HarmFlag.objects.filter(child_id=found.child_id, rule=rule)
        assert co.count() == len(found.detail["event_refs"]), found.child_id
        for flag in co:
            assert flag.explanation.startswith("Recorded as suspect in an incident on ")
            assert "alongside another child recorded as suspect, already flagged by" in (
                flag.explanation
            )
            assert flag.evidence[0]["alongside"][0]["role"] == "suspect"
    roles = {e["role"] for f in HarmFlag.objects.filter(rule=rule) for e in f.evidence}
    assert roles and roles <= {"Suspect", "Person arrested", "Associate", "Person reported missing"}
    # The demo's serious incidents name a victim and a suspect together, one of them flagged:
    # counting every role would flag the other; the rule as shipped does not.
    flagged = {
        person: ("another rule",)
        for person in HarmFlag.objects.exclude(rule=rule).values_list("person_id", flat=True)
    }
    every_role = flags.RuleSpec(rule.kind, {"roles": list(EventRole.values)})
    harmed_or_harming = [
        (person, match.anchor.id)
        for person, events in flags.load_events().items()
        for match in flags.evaluate(every_role, person, events, flagged)
        if EventRole.VICTIM in {match.anchor.role, *(a.role for a in match.alongside)}
    ]
    assert harmed_or_harming
    for person, anchor in harmed_or_harming:
        assert not HarmFlag.objects.filter(rule=rule, person_id=person, anchor_id=anchor).exists()


def test_reconciliation_finds_what_social_care_lacks(demo: None) -> None:
    assert SourceNeed.objects.filter(
        source_record__agency__agency_type=AgencyType.SCHOOL, kind="ehc_plan"
    ).exists()
    summary = needs.reconcile()
    assert summary.raised > 0
    assert NeedsDiscrepancy.objects.filter(
        lacking_record__agency__agency_type=AgencyType.CHILDRENS_SOCIAL_CARE
    ).exists()
    assert needs.reconcile().raised == 0
