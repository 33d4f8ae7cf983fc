"""``harbour demo live`` sends events over HTTP to the real API while the demo runs (issue 11,
part 6): with tokens made through the product's own path, an Idempotency-Key each, about the
lead practitioner's children first, and each arrives as any agency's event does."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from harbour.access.models import AuditEvent, WorkingRelationship
from harbour.demo import riverside as rv
from harbour.demo.generator import generate
from harbour.demo.live import FEED_NAME, years_before
from harbour.demo.models import GroundTruth
from harbour.demo.signins import LEAD_PRACTITIONER
from harbour.frontdoor.models import ApiToken
from harbour.identity import matching
from harbour.identity.models import AgencyEvent, EventKind

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_index():
    matching.forget()
    yield
    matching.forget()


def test_events_arrive_through_the_api_while_the_demo_runs(live_server, capsys):
    generate(seed=5, children=40)
    before = set(AgencyEvent.objects.values_list("pk", flat=True))
    call_command("demo", "live", "--base-url", live_server.url, "--count", "3", "--every", "0")
    out = capsys.readouterr().out.splitlines()

    made = [line for line in out if line.startswith("Made an API token")]
    assert len(made) == 2 and all(FEED_NAME in line and "hbr_" in line for line in made)
    assert set(ApiToken.objects.filter(name=FEED_NAME).values_list("agency__code", flat=True)) == {
        rv.ED,
        rv.POLICE,
    }
    assert AuditEvent.objects.filter(event="api_token.created").count() == 2

    answers = [line for line in out if not line.startswith("Made")]
    assert len(answers) == 3 and all(": 201 new (matched: unchanged)" in a for a in answers)
    arrived = AgencyEvent.objects.exclude(pk__in=before).select_related("agency")
    assert [e.agency.code for e in arrived.order_by("pk")] == [rv.ED, rv.POLICE, rv.ED]
    ed = arrived.filter(kind=EventKind.ED_ATTENDANCE).first()
    assert ed is not None and ed.ed_assault_method == "03" and ed.weapon and ed.occurred_at
    received = AuditEvent.objects.filter(event="identity.events_received")
    assert [a.detail["channel"] for a in received.order_by("sequence")][-3:] == ["api"] * 3
    # About the lead practitioner's children first.
    caseload = set(
        WorkingRelationship.objects.filter(staff__email=LEAD_PRACTITIONER.email).values_list(
            "child_id", flat=True
        )
    )
    for code in (rv.ED, rv.POLICE):
        first = arrived.filter(agency__code=code).order_by("pk").first()
        assert first is not None
        assert GroundTruth.objects.get(source_record_id=first.source_record_id).child_id in caseload
    # Children old enough for what is sent: 10 to 17.
    today = timezone.localdate()
    ages = GroundTruth.objects.filter(
        source_record__in=[e.source_record_id for e in arrived]
    ).values_list("child__date_of_birth", flat=True)
    assert all(years_before(today, 18) < born <= years_before(today, 10) for born in ages)

    # The tokens can be given instead of made: no new token, and the next events arrive.
    ed_token = made[0].rsplit(" ", 1)[-1] if rv.ED in made[0] else made[1].rsplit(" ", 1)[-1]
    call_command(
        "demo",
        "live",
        "--base-url",
        live_server.url,
        "--count",
        "1",
        "--every",
        "0",
        "--ed-token",
        ed_token,
    )
    assert "Made an API token" not in capsys.readouterr().out
    assert ApiToken.objects.count() == 2
    assert AgencyEvent.objects.exclude(pk__in=before).count() == 4


def test_a_refused_token_fails_the_command(live_server, capsys):
    generate(seed=5, children=40)
    with pytest.raises(CommandError):
        call_command(
            "demo",
            "live",
            "--base-url",
            live_server.url,
            "--count",
            "1",
            "--ed-token",
            "hbr_000000000000_not-a-token",
        )
    assert ": 401" in capsys.readouterr().out
    assert not AgencyEvent.objects.filter(source_reference__contains="-L").exists()
