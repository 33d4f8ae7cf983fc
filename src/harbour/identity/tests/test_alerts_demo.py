"""Against the demo: the rules find the children the generator gave patterns to
(``demo.DemoPattern``), and needs reconciliation finds what social care has not noted."""

from __future__ import annotations

from typing import Any

import pytest

from harbour.demo.generator import generate
from harbour.demo.models import DemoPattern, Pattern
from harbour.identity import flags, needs
from harbour.identity.models import (
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
