"""Flags, record pairs and held records on the front door's lists are worked by allocation, as
the queue's referrals are (ADR 0027, ADR 0031): anyone at the front door takes one ("Assign to
me"), a front-door manager gives one to anyone who works there or to no one, nobody else
allocates, and each allocation is audited with who had it before."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from harbour.access import policy
from harbour.access.models import AuditEvent
from harbour.identity import services
from harbour.identity.models import HeldRecord, ReviewPair, SourceRecord
from harbour.partnership.models import Role
from harbour.testing import make_staff

pytestmark = pytest.mark.django_db


def _record(agency: Any, source_id: str) -> SourceRecord:
    return SourceRecord.objects.create(
        agency=agency, source_system="test", source_id=source_id, as_of=dt.date(2026, 1, 1)
    )


@pytest.fixture
def work(front_door: dict[str, Any]) -> dict[str, Any]:
    csc, police = front_door["csc"], front_door["police"]
    return {
        **front_door,
        "colleague": make_staff(csc, Role.FRONT_DOOR_PRACTITIONER, first_name="Kim"),
        "lead": make_staff(csc, Role.LEAD_PRACTITIONER),
        "outsider": make_staff(police, Role.FRONT_DOOR_PRACTITIONER),
        "pair": ReviewPair.objects.create(
            record_l=_record(csc, "L1"), record_r=_record(police, "R1"), match_probability=0.7
        ),
        "held": HeldRecord.objects.create(source_record=_record(police, "H1"), reason="No name"),
    }


def test_anyone_at_the_front_door_takes_a_pair_for_themselves(work, client):
    client.force_login(work["practitioner"])
    queue = reverse("identity:review-queue")
    url = reverse("identity:allocate", args=["pair", work["pair"].pk])
    response = client.post(url, {"to": "me", "back": f"{queue}?page=1"})
    assert response.status_code == 302 and response["Location"] == f"{queue}?page=1"
    work["pair"].refresh_from_db()
    assert work["pair"].allocated_to == work["practitioner"] and work["pair"].allocated_at
    event = AuditEvent.objects.get(event="identity.pair.allocated")
    assert event.detail == {"to": work["practitioner"].get_username(), "before": ""}
    # "Allocated to me" finds it; "no one yet" does not.
    mine = client.get(queue, {"allocated": "mine"}).context["page_obj"]
    assert [p.pk for p in mine] == [work["pair"].pk]
    assert client.get(queue, {"allocated": "none"}).context["page_obj"].paginator.count == 0


def test_only_a_manager_gives_work_to_someone_else(work):
    held = work["held"]
    with pytest.raises(ValidationError, match="Only a front-door manager allocates"):
        services.work_allocate(actor=work["practitioner"], item=held, to=work["colleague"])
    services.work_allocate(actor=work["manager"], item=held, to=work["colleague"])
    held.refresh_from_db()
    assert held.allocated_to == work["colleague"]
    # Not to someone at another agency, even a front-door practitioner there.
    with pytest.raises(ValidationError, match="works at this front door"):
        services.work_allocate(actor=work["manager"], item=held, to=work["outsider"])
    services.work_allocate(actor=work["manager"], item=held, to=None)
    held.refresh_from_db()
    assert held.allocated_to is None and held.allocated_at is None
    befores = list(
        AuditEvent.objects.filter(event="identity.held.allocated")
        .order_by("sequence")
        .values_list("detail__before", flat=True)
    )
    assert befores == ["", work["colleague"].get_username()]


def test_nobody_outside_the_front_door_allocates(work):
    assert policy.work_allocation_refusal(work["lead"], work["lead"], "a flag")
    assert not policy.may_allocate_work(work["lead"])
    with pytest.raises(policy.Forbidden):
        services.work_allocate(actor=work["analyst"], item=work["pair"], to=work["analyst"])


def test_a_manager_sees_whom_to_give_work_to_and_a_practitioner_sees_assign_to_me(work, client):
    client.force_login(work["manager"])
    body = client.get(reverse("identity:held")).content.decode()
    choice = f'id="to-{work["held"].pk}" name="to"'
    assert choice in body and "Allocate test H1 to" in body
    assert f'<option value="{work["colleague"].pk}">' in body  # a colleague to choose
    client.force_login(work["practitioner"])
    body = client.get(reverse("identity:held")).content.decode()
    assert "Assign to me" in body and choice not in body


def test_an_unknown_kind_or_an_item_out_of_reach_is_not_found(work, client):
    client.force_login(work["practitioner"])
    assert (
        client.post(reverse("identity:allocate", args=["plan", 1]), {"to": "me"}).status_code == 404
    )
    club_pair = ReviewPair.objects.create(
        record_l=_record(work["club"], "C1"), record_r=_record(work["club"], "C2")
    )
    url = reverse("identity:allocate", args=["pair", club_pair.pk])
    assert client.post(url, {"to": "me"}).status_code == 404
    club_pair.refresh_from_db()
    assert club_pair.allocated_to is None


def test_a_back_address_off_the_site_is_not_followed(work, client):
    client.force_login(work["practitioner"])
    url = reverse("identity:allocate", args=["held", work["held"].pk])
    response = client.post(url, {"to": "me", "back": "https://evil.example/"})
    assert response["Location"] == reverse("identity:held")
