"""The front door's queue a page at a time: the database puts immediate referrals first and then
the clock, so every page is the right page however many referrals are open; only the rows shown
are audited; the manager's oversight lists what is pressing, not whichever 200 came in last."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from harbour.access.models import AuditEvent
from harbour.frontdoor import selectors
from harbour.frontdoor.codes import Rag, Status, Urgency
from harbour.frontdoor.models import Referral

pytestmark = pytest.mark.django_db


def open_referrals(partnership, count: int, *, start: int = 0) -> list[Referral]:
    """``count`` open referrals, received an hour apart (the latest first in the database's
    default order), one in seven immediate, some rated (then the decision is what is due)."""
    now = timezone.now()
    rows = []
    for n in range(start, start + count):
        received = now - dt.timedelta(hours=n)
        rated = n % 3 == 0
        rows.append(
            Referral(
                reference=f"FD-2026-{n:06d}",
                status=Status.RATED if rated else Status.RECEIVED,
                front_door=partnership["csc"],
                referring_agency=partnership["police"],
                received_at=received,
                child_given_name="Child",
                child_family_name=f"Number{n}",
                urgency=Urgency.IMMEDIATE if n % 7 == 3 else Urgency.ROUTINE,
                rag=Rag.AMBER if rated else "",
                rag_due_at=received + dt.timedelta(hours=24),
                # A rated referral's decision falls due on a different rhythm from ratings.
                decision_due_at=received + dt.timedelta(hours=30, minutes=n % 11),
            )
        )
    return Referral.objects.bulk_create(rows)


def clock_order(partnership) -> list[str | None]:
    now = timezone.now()
    rows = [
        selectors.QueueRow(r, selectors.clock_for(r, now), None)
        for r in Referral.objects.filter(front_door=partnership["csc"], status__in=Status.values)
        .exclude(status__in=[Status.DRAFT, Status.CLOSED])
        .order_by("-received_at", "-created_at", "-pk")
    ]
    rows.sort(key=selectors.sort_key)
    return [row.referral.reference for row in rows]


def test_every_page_is_in_the_clocks_order_however_many_are_open(partnership):
    open_referrals(partnership, 260)
    practitioner = partnership["practitioner"]
    pages = [selectors.front_door_queue_page(actor=practitioner, page=n) for n in range(1, 7)]
    assert [len(p.rows) for p in pages] == [50, 50, 50, 50, 50, 10]
    assert pages[0].page.paginator.count == 260
    shown = [row.referral.reference for p in pages for row in p.rows]
    assert shown == clock_order(partnership)
    # Immediate ones first, then the most overdue: the oldest referral, which the queue missed
    # when it took the 200 received last before sorting them.
    first = pages[0].rows
    immediate = [r for r in first if r.referral.urgency == Urgency.IMMEDIATE]
    assert first[: len(immediate)] == immediate and len(immediate) == 37
    assert "FD-2026-000259" in [row.referral.reference for row in first]
    assert first[len(immediate)].clock.overdue


def test_only_the_rows_shown_are_audited(partnership):
    open_referrals(partnership, 120)
    rows = selectors.front_door_queue(actor=partnership["practitioner"], page=2)
    shown = AuditEvent.objects.filter(event="referral.viewed", section="front_door_queue")
    assert shown.count() == len(rows) == 50
    assert {e.object_id for e in shown} == {str(row.referral.pk) for row in rows}


def test_the_queue_page_shows_fifty_and_govuk_pagination(partnership, client):
    open_referrals(partnership, 120)
    client.force_login(partnership["practitioner"])
    response = client.get("/front-door/?page=2")
    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r">(FD-2026-[0-9]{6})<", html)
    assert references == clock_order(partnership)[50:100]
    assert "120 open referrals" in html and "Showing 51 to 100, page 2 of 3" in html
    assert 'class="govuk-pagination"' in html
    assert 'aria-label="Page 2" aria-current="page"' in html
    assert 'href="?page=1" rel="prev"' in html and 'href="?page=3" rel="next"' in html
    # A page that is not a number is the first; one past the end is the last.
    assert ">FD-2026-" in client.get("/front-door/?page=first").content.decode()
    last = client.get("/front-door/?page=99").content.decode()
    assert re.findall(r">(FD-2026-[0-9]{6})<", last) == clock_order(partnership)[100:]


def test_a_short_queue_has_no_pagination(partnership, client):
    open_referrals(partnership, 3)
    client.force_login(partnership["practitioner"])
    html = client.get("/front-door/").content.decode()
    assert "3 open referrals" in html and "govuk-pagination" not in html


def test_oversight_lists_what_is_pressing_and_audits_only_that(partnership):
    # 250 on time (received in the last hour, due tomorrow) and one far past the clock.
    now = timezone.now()
    on_time = open_referrals(partnership, 250)
    Referral.objects.filter(pk__in=[r.pk for r in on_time]).update(
        received_at=now, rag_due_at=now + dt.timedelta(hours=24), rag="", status=Status.RECEIVED
    )
    late = open_referrals(partnership, 1, start=900)[0]
    Referral.objects.filter(pk=late.pk).update(rag_due_at=now - dt.timedelta(days=5))
    oversight = selectors.oversight(actor=partnership["manager"])
    assert [row.referral.pk for row in oversight.against_the_clock] == [late.pk]
    assert oversight.awaiting_countersign == []
    shown = AuditEvent.objects.filter(event="referral.viewed", section="oversight_queue")
    assert [e.object_id for e in shown] == [str(late.pk)]


# Working the list (issue 12, part 4) ------------------------------------------------------------


def _caption(page: str) -> str:
    found = re.search(r'id="queue-caption">(.*?)<', page, re.S)
    assert found, "no queue table"
    return found.group(1).strip()


def test_the_queue_filters_by_agency_urgency_rating_and_age(partnership, client):
    from harbour.testing import make_agency

    made = open_referrals(partnership, 14)
    school = make_agency("school-queue")
    Referral.objects.filter(pk=made[0].pk).update(referring_agency=school)
    today = timezone.localdate()
    Referral.objects.filter(pk=made[1].pk).update(
        child_date_of_birth=today.replace(year=today.year - 15)
    )
    client.force_login(partnership["practitioner"])
    url = "/front-door/"
    assert _caption(client.get(url).content.decode()) == "14 open referrals"
    page = client.get(url, {"agency": school.pk}).content.decode()
    assert _caption(page) == "1 open referral match the filters"
    assert made[0].reference in page and made[2].reference not in page
    immediate = sum(r.urgency == Urgency.IMMEDIATE for r in made)
    page = client.get(url, {"urgency": "immediate"}).content.decode()
    assert (
        _caption(page)
        == f"{immediate} open referral{'s' if immediate != 1 else ''} match the filters"
    )
    unrated = sum(not r.rag for r in made)
    assert _caption(client.get(url, {"rating": "none"}).content.decode()).startswith(f"{unrated} ")
    page = client.get(url, {"age": "14_15"}).content.decode()
    assert _caption(page) == "1 open referral match the filters"
    assert made[1].reference in page
    tomorrow = today + dt.timedelta(days=1)
    bad = client.get(
        url,
        {
            "received_from_day": tomorrow.day,
            "received_from_month": tomorrow.month,
            "received_from_year": tomorrow.year,
        },
    ).content.decode()
    assert "govuk-error-summary" in bad and "The date received must be today or in the past" in bad
    none = client.get(url, {"agency": school.pk, "urgency": "today"}).content.decode()
    assert "No open referrals match the filters" in none
    assert 'id="queue-caption"' not in none  # no table of headings with nothing under them


def test_assign_to_me_and_a_manager_allocates_and_sees_the_workload(partnership, client):
    from harbour.partnership.models import Role
    from harbour.testing import make_staff

    first, second = open_referrals(partnership, 2)
    practitioner, manager = partnership["practitioner"], partnership["manager"]
    client.force_login(practitioner)
    allocate = f"/front-door/referrals/{first.pk}/allocate/"
    assert client.get(allocate).status_code == 405
    response = client.post(allocate, {"to": "me", "back": "/front-door/?allocated=mine"})
    assert response.status_code == 302 and response["Location"] == "/front-door/?allocated=mine"
    first.refresh_from_db()
    assert first.allocated_to == practitioner
    event = AuditEvent.objects.get(event="referral.allocated")
    assert event.actor_id == practitioner.pk and event.detail["to"] == practitioner.get_username()
    mine = client.get("/front-door/", {"allocated": "mine"}).content.decode()
    assert first.reference in mine and second.reference not in mine
    # A practitioner takes referrals for themselves only.
    colleague = make_staff(partnership["csc"], Role.FRONT_DOOR_PRACTITIONER)
    client.post(f"/front-door/referrals/{second.pk}/allocate/", {"to": str(colleague.pk)})
    second.refresh_from_db()
    assert second.allocated_to is None
    # A manager gives one to anyone at the front door and sees who holds what.
    client.force_login(manager)
    client.post(f"/front-door/referrals/{second.pk}/allocate/", {"to": str(colleague.pk)})
    second.refresh_from_db()
    assert second.allocated_to == colleague
    workload = {w.staff: (w.open, w.past_due) for w in selectors.front_door_workload(actor=manager)}
    assert workload[practitioner][0] == 1 and workload[colleague][0] == 1
    assert workload[manager] == (0, 0)
    page = client.get("/front-door/").content.decode()
    assert "The team&#x27;s workload" in page or "The team's workload" in page
    # Back to no one.
    client.post(f"/front-door/referrals/{second.pk}/allocate/", {"to": ""})
    second.refresh_from_db()
    assert second.allocated_to is None
    # Someone outside the front door cannot be given one; the page says why.
    outsider = make_staff(partnership["police"], Role.REFERRER)
    response = client.post(
        f"/front-door/referrals/{first.pk}/allocate/", {"to": str(outsider.pk)}, follow=True
    )
    first.refresh_from_db()
    assert first.allocated_to is None  # not in the list: read as "no one"
    assert selectors.front_door_workload(actor=practitioner) == []
