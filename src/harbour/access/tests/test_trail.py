"""The audit trail as people read it (issue 12, part 6): sentences, filters, one child's events
without naming them, an audited CSV, and the chain's state in words."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from harbour.access import append_only
from harbour.access.audit import audit_record
from harbour.access.models import AuditEvent
from harbour.partnership.models import AgencyType, Role
from harbour.testing import make_agency, make_child, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    council = make_agency("council-trail", AgencyType.CHILDRENS_SOCIAL_CARE)
    police = make_agency("police-trail", AgencyType.POLICE)
    lead = make_staff(council, Role.LEAD_PRACTITIONER, first_name="Sam", last_name="Patel")
    officer = make_staff(police, Role.REFERRER, first_name="Jo", last_name="Reyes")
    dpo = make_staff(council, Role.DATA_PROTECTION_OFFICER)
    amara = make_child(council, given_name="Amara", family_name="Trailtest")
    kofi = make_child(council, given_name="Kofi", family_name="Trailtest")
    audit_record(
        actor=lead,
        event="child.viewed",
        child=amara,
        section="record",
        purpose="safeguarding",
        basis="relationship:lead_practitioner",
    )
    audit_record(
        actor=officer,
        event="child.viewed",
        child=kofi,
        section="search_result",
        purpose="safeguarding",
        basis="agreement",
    )
    audit_record(actor=officer, event="child.access_denied", child=amara, outcome="denied")
    return {
        "council": council,
        "police": police,
        "lead": lead,
        "officer": officer,
        "dpo": dpo,
        "amara": amara,
        "kofi": kofi,
    }


def _table(page: str) -> str:
    """The events' rows only (the filter's choices name people too)."""
    return page[page.index('<tbody class="govuk-table__body">') : page.index("</tbody>")]


def _page(client, world, **params):
    client.force_login(world["dpo"])
    response = client.get(reverse("access:audit-trail"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_each_event_is_a_sentence_with_names_roles_agencies_and_why(client, world):
    page = _page(client, world)
    council, police = world["council"].name, world["police"].name
    assert (
        escape(
            f"Sam Patel, lead practitioner at {council}, viewed a child's record to safeguard them."
        )
        in page
    )
    assert (
        escape(
            f"Jo Reyes, referrer at {police}, viewed a child's record (a search result) to "
            "safeguard them."
        )
        in page
    )
    assert "Refused" in page
    # No child's name or id is in the trail, and no event codes or emails.
    for child in (world["amara"], world["kofi"]):
        assert child.given_name not in page and str(child.pk) not in page
    assert "child.viewed" not in _table(page)
    assert world["lead"].email not in page


def test_filters_by_person_agency_action_and_date(client, world):
    by_person = _table(_page(client, world, person=world["officer"].pk))
    assert "Jo Reyes" in by_person and "Sam Patel" not in by_person
    by_agency = _table(_page(client, world, agency=world["council"].pk))
    assert "Sam Patel" in by_agency and "Jo Reyes" not in by_agency
    refused = _page(client, world, action="child.access_denied")
    assert "2 events" not in refused and "1 event match the filters" in refused
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    later = _page(
        client,
        world,
        date_from_day=tomorrow.day,
        date_from_month=tomorrow.month,
        date_from_year=tomorrow.year,
    )
    assert "govuk-error-summary" in later
    assert "The from date must be today or in the past" in later
    today = timezone.localdate()
    backwards = _page(
        client,
        world,
        date_from_day=today.day,
        date_from_month=today.month,
        date_from_year=today.year,
        date_to_day=(today - dt.timedelta(days=3)).day,
        date_to_month=(today - dt.timedelta(days=3)).month,
        date_to_year=(today - dt.timedelta(days=3)).year,
    )
    assert "The to date must be the same as or after the from date" in backwards


def test_only_this_child_follows_one_child_without_naming_them(client, world):
    viewed = AuditEvent.objects.get(event="child.viewed", child_id=world["amara"].pk)
    page = _page(client, world, about=viewed.sequence)
    rows = _table(page)
    assert "Sam Patel" in rows and "Jo Reyes" in rows  # Jo was refused Amara's record
    assert "search result" not in rows  # Kofi's event is not about Amara
    assert "Amara" not in page and str(world["amara"].pk) not in page
    assert "2 events match the filters" in page


def test_the_csv_holds_the_sentences_and_its_download_is_in_the_trail(client, world):
    client.force_login(world["dpo"])
    response = client.get(reverse("access:audit-trail-csv"), {"person": world["lead"].pk})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["when", "who", "role", "agency", "what", "purpose", "outcome", "sequence"]
    assert len(rows) == 2
    assert rows[1][1:4] == ["Sam Patel", "lead practitioner", world["council"].name]
    assert rows[1][5] == "to safeguard them"
    exported = AuditEvent.objects.get(event="audit.exported")
    assert exported.actor_id == world["dpo"].pk
    assert exported.detail == {"rows": 1, "filters": {"person": world["lead"].get_username()}}
    assert "downloaded the audit trail" in _page(client, world)


def test_the_chain_is_checked_from_the_page_and_a_break_is_named(client, world):
    page = _page(client, world)
    assert "Not checked yet" in page
    response = client.post(reverse("access:audit-chain-check"), follow=True)
    body = response.content.decode()
    assert "The audit trail is unbroken" in body
    assert "Unbroken" in body and "when checked on" in body
    # The triggers refuse the change on both databases; someone who owns the tables steps
    # around them, and the check still finds it.
    with append_only.suspended(connection):
        AuditEvent.objects.filter(event="child.access_denied").update(section="tampered")
    response = client.post(reverse("access:audit-chain-check"), follow=True)
    body = response.content.decode()
    assert "The audit trail is broken at sequence" in body
    assert "Broken" in body


def test_only_the_data_protection_officer_reads_the_trail(client, world):
    client.force_login(world["lead"])
    assert client.get(reverse("access:audit-trail")).status_code == 403
    assert client.get(reverse("access:audit-trail-csv")).status_code == 403
    assert client.post(reverse("access:audit-chain-check")).status_code == 403
    assert not AuditEvent.objects.filter(event__in=["audit.exported", "audit.chain_checked"])


def test_the_trail_pages_fifty_at_a_time(client, world):
    for _ in range(60):
        audit_record(actor=world["lead"], event="staff.signed_in")
    page = _page(client, world)
    assert "showing 1 to 50" in page
    assert 'class="govuk-pagination"' in page
    second = _page(client, world, page=2)
    assert "showing 51 to 63" in second
