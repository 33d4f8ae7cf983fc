"""The demo's working week goes through the services: break-glass accesses the policy allows,
audited, one reviewed; checks of wording that the leaders' report counts."""

from __future__ import annotations

import pytest

from harbour.access import policy
from harbour.access.models import AuditEvent, BreakGlassGrant
from harbour.demo.activity import record_activity
from harbour.demo.generator import generate
from harbour.demo.signins import DATA_PROTECTION_OFFICER, STRATEGIC_LEADER
from harbour.language import selectors as language
from harbour.language.models import LanguageCheck
from harbour.partnership.models import Staff

pytestmark = pytest.mark.django_db


def test_break_glass_and_checked_wording_as_people_would_make_them():
    generate(seed=11, children=120)
    done = record_activity(seed=11)
    assert done.break_glass == 3
    grants = list(BreakGlassGrant.objects.select_related("staff", "child"))
    assert len(grants) == 3
    for grant in grants:
        # Each was a child the member of staff could find but not see until then.
        basis = policy.relationship_basis(grant.staff, grant.child)
        assert basis == "break_glass"
        assert AuditEvent.objects.filter(
            event="child.break_glass", child_id=grant.child_id, actor_id=grant.staff_id
        ).exists()
    dpo = Staff.objects.get(email=DATA_PROTECTION_OFFICER.email)
    reviewed = [g for g in grants if g.reviewed_at is not None]
    assert [g.reviewed_by for g in reviewed] == [dpo]
    assert done.checks == LanguageCheck.objects.count() > 0
    leader = Staff.objects.get(email=STRATEGIC_LEADER.email)
    report = language.language_report(actor=leader)
    assert report.team_months
    assert sum(r.found_on_save.true_value for r in report.rules) > 0
