"""Every page that shows a child's data writes exactly one access event per child shown, in the
same transaction; when the event cannot be written the page is 503 and shows no child data."""

import datetime as dt

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from harbour.access.models import AuditEvent, BreakGlassGrant, RelationshipKind
from harbour.partnership.models import AgencyType, Role
from harbour.testing import hold_record, make_agency, make_child, make_staff, relate

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    council = make_agency("council", AgencyType.CHILDRENS_SOCIAL_CARE)
    lead = make_staff(council, role=Role.LEAD_PRACTITIONER)
    dpo = make_staff(council, role=Role.DATA_PROTECTION_OFFICER)
    children = [
        make_child(council, given_name=name, family_name="Adeyemi-Clarke")
        for name in ("Kai", "Zara", "Tobi")
    ]
    for child in children:
        hold_record(child, council)
    relate(children[0], lead, kind=RelationshipKind.LEAD_PRACTITIONER)
    grant = BreakGlassGrant.objects.create(
        child=children[1],
        staff=lead,
        reason="Reason long enough to be accepted",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    return {"lead": lead, "dpo": dpo, "children": children, "grant": grant}


# page -> (who opens it, url, children it shows)
PAGES = {
    "home (children you work with)": lambda a: (a["lead"], reverse("pages:home"), 1),
    "summary": lambda a: (a["lead"], reverse("children:summary", args=[a["children"][0].pk]), 1),
    "search": lambda a: (a["lead"], reverse("children:search") + "?name=Adeyemi-Clarke", 3),
    "access log (lead practitioner)": lambda a: (
        a["lead"],
        reverse("pages:child-access-log", args=[a["children"][0].pk]),
        1,
    ),
    "access log (DPO)": lambda a: (
        a["dpo"],
        reverse("pages:child-access-log", args=[a["children"][2].pk]),
        1,
    ),
    "break-glass review": lambda a: (
        a["dpo"],
        reverse("access:break-glass-review", args=[a["grant"].pk]),
        1,
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_one_access_event_per_child_shown(client, area, page):
    user, url, shown = PAGES[page](area)
    client.force_login(user)
    before = AuditEvent.objects.count()
    response = client.get(url)
    assert response.status_code == 200
    new = AuditEvent.objects.filter(sequence__gt=before)
    assert new.count() == shown
    assert new.values("child_id").distinct().count() == shown
    assert set(new.values_list("actor_id", flat=True)) == {user.pk}
    assert set(new.values_list("request_id", flat=True)) == {response["X-Request-ID"]}


@pytest.mark.parametrize("page", PAGES)
def test_no_child_data_when_the_audit_cannot_be_written(client, area, page, monkeypatch):
    user, url, _ = PAGES[page](area)
    client.force_login(user)

    def refuse(**fields):
        raise DatabaseError("permission denied for table access_auditevent")

    monkeypatch.setattr(AuditEvent.objects, "create", refuse)
    response = client.get(url)
    assert response.status_code == 503
    body = response.content.decode()
    for child in area["children"]:
        assert child.given_name not in body
    assert "Adeyemi" not in body.replace('value="Adeyemi-Clarke"', "")


def test_the_home_page_lists_the_children_a_person_works_with_and_audits_each(client, area):
    client.force_login(area["lead"])
    before = AuditEvent.objects.count()
    body = client.get(reverse("pages:home")).content.decode()
    assert "Children you work with" in body
    assert "Kai Adeyemi-Clarke" in body
    assert "Zara" not in body  # held by the agency, but not a personal relationship
    new = AuditEvent.objects.filter(sequence__gt=before)
    assert [(e.child_id, e.section, e.basis) for e in new] == [
        (area["children"][0].pk, "home_list", "relationship:lead_practitioner")
    ]
