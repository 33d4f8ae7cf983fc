"""The demo's rapid responses are opened through the front door's own service for the
partnership's rule (``rapid.rapid_response_open_by_rule``): the robbery's met and closed, the
stabbing's open with one contact named; running it again changes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from harbour.demo.generator import generate
from harbour.demo.rapid import open_rapid_responses
from harbour.frontdoor.codes import RapidStatus
from harbour.frontdoor.models import RapidResponse
from harbour.identity.tests.test_events_journey import link_as_the_truth_says

pytestmark = pytest.mark.django_db


def test_the_demo_opens_its_responses_by_the_rule_and_again_changes_nothing():
    now = timezone.now()
    generate(seed=11, children=80, referrals_now=now)  # as `harbour demo generate` does
    link_as_the_truth_says()
    assert open_rapid_responses(now=now) == 2
    responses = list(RapidResponse.objects.order_by("opened_at"))
    assert [r.status for r in responses] == [RapidStatus.CLOSED, RapidStatus.OPEN]
    assert all(r.opened_by_rule and r.opened_by is None for r in responses)
    assert all(r.incident.role == "victim" for r in responses)
    stabbing = responses[1]
    assert stabbing.children.filter(contact__isnull=False).count() == 1
    assert stabbing.children.filter(contact__isnull=True).exists()
    assert open_rapid_responses(now=now) == 0
    assert RapidResponse.objects.count() == 2
