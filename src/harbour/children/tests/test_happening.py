"""What is happening now at the top of every one of a child's pages (issue 12, part 2; ADR 0023):
the same header and the same sub-navigation on every tab, every entry in it shown as the
chronology shows it (ADR 0017), never more than the page's own decision allows, and no access
event of its own.

The world is the sharing matrix's (``access.tests.test_sharing_matrix.build``): a school's
designated safeguarding lead opens Dylan, whom the council records and whose lead practitioner
is Grace Lead. The police hold a robbery naming an adult who poses a risk, the hospital an
emergency department attendance, the school an exclusion, and a cumulative-harm flag rests on
the police's and the hospital's records."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from harbour.access import policy
from harbour.access.models import AuditEvent
from harbour.access.tests.test_sharing_matrix import (
    BASES,
    HOSPITAL_SUMMARY,
    POLICE_SUMMARY,
    RISKY_ADULT,
    SCHOOL_SUMMARY,
    build,
)
from harbour.children import happening
from harbour.children.models import Plan
from harbour.identity.happening import add_person_index
from harbour.identity.models import AlertStatus, HarmFlag
from harbour.partnership.models import Agency

pytestmark = pytest.mark.django_db

TABS = ["children:summary", "children:chronology", "identity:associates"]
ALERT_TABS = ["identity:child-flags", "identity:child-needs"]
FLAG_EXPLANATION = "2 incidents of violence in 2 days, recorded by 2 agencies"


def get(client: Any, name: str, child: Any) -> str:
    response = client.get(reverse(name, args=[child.pk]))
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()


def summary_of(html: str) -> str:
    """The "what is happening now" section of a page."""
    found = re.search(r'<section class="harbour-happening.*?</section>', html, re.S)
    assert found, "no summary on the page"
    return found.group(0)


def navigation_of(html: str) -> str:
    """The sub-navigation, without which tab is the current one."""
    found = re.search(r'<nav class="moj-sub-navigation".*?</nav>', html, re.S)
    assert found, "no sub-navigation on the page"
    return found.group(0).replace('aria-current="page" ', "")


def tabs_for(basis: str) -> list[str]:
    return TABS if basis == "break_glass" else TABS + ALERT_TABS


@pytest.mark.parametrize("agreements", ["none", "covers"])
@pytest.mark.parametrize("basis", BASES)
def test_every_tab_has_the_same_summary_and_sub_navigation(client, basis, agreements):
    world = build(basis, agreements)
    client.force_login(world["viewer"])
    pages = {name: get(client, name, world["child"]) for name in tabs_for(basis)}
    summaries = {summary_of(html) for html in pages.values()}
    assert len(summaries) == 1, "the summary differs between tabs"
    navigations = {navigation_of(html) for html in pages.values()}
    assert len(navigations) == 1, "the sub-navigation differs between tabs"
    navigation = navigations.pop()
    # Five tabs for someone working with the child; the alerts never open under break-glass.
    assert navigation.count("moj-sub-navigation__item") == (3 if basis == "break_glass" else 5)
    for name, html in pages.items():
        # Each tab says which it is, and there is one main heading: the child's name.
        sub_navigation = re.search(r'<nav class="moj-sub-navigation".*?</nav>', html, re.S)
        assert sub_navigation and sub_navigation.group(0).count('aria-current="page"') == 1, name
        assert html.count("<h1") == 1, name


@pytest.mark.parametrize("agreements", ["none", "another_category", "covers"])
@pytest.mark.parametrize("basis", BASES)
def test_each_entry_in_the_summary_is_shown_as_the_chronology_shows_it(client, basis, agreements):
    world = build(basis, agreements)
    client.force_login(world["viewer"])
    shared = agreements == "covers"
    summary = summary_of(get(client, "children:chronology", world["child"]))

    # The police's robbery and the hospital's attendance: in full, or held, dated, whom to ask.
    assert (POLICE_SUMMARY in summary) is shared
    assert ("Incident: robbery" in summary) is shared
    assert (HOSPITAL_SUMMARY in summary) is shared
    assert ("Emergency department attendance" in summary) is shared
    assert ("Riverside Police holds a record dated 1 March 2026" in summary) is not shared
    assert ("Riverside Hospital holds a record dated 2 March 2026" in summary) is not shared
    if not shared:
        assert "ask Riverside Police or the lead practitioner, Grace Lead" in summary
        # A withheld record never tells its kind, reference or the people in it.
        assert "OCC-1" not in summary and "ATT-1" not in summary
    # The adult who poses a risk is named only from a record the viewer may see.
    assert (RISKY_ADULT in summary) is shared
    # The school's own exclusion is not an incident, a missing episode or an attendance.
    assert SCHOOL_SUMMARY not in summary
    # Who to contact: the lead practitioner, whatever is shared (every withheld entry names
    # them to ask); an agency holding a record only where the record's "who is working with the
    # child" shows that entry. The school's agreement with the council covers identity only.
    assert "Grace Lead</strong>, lead practitioner, Riverside Council" in summary
    holds = ' <span class="govuk-body-s">(holds a record of Dylan)</span>'
    assert f"Riverside Council{holds}" not in summary
    assert (f"Riverside Academy{holds}" in summary) is (basis == "agency_record")

    if basis == "break_glass":
        # Flags open only through a working relationship (policy.alerts_open).
        assert "Cumulative-harm flags not yet acknowledged" not in summary
        assert FLAG_EXPLANATION not in summary
        assert "not with break-glass" in summary
        return
    assert "Cumulative-harm flags not yet acknowledged" in summary
    # The flag's rule and explanation only when every record behind it may be seen.
    assert (FLAG_EXPLANATION in summary) is shared
    held_by = (
        "A cumulative-harm rule was met by records held by Riverside Hospital, Riverside Police"
    )
    assert (held_by in summary) is not shared


def test_a_flag_acknowledged_leaves_the_summary(client):
    world = build("team_around_child", "covers")
    client.force_login(world["viewer"])
    assert FLAG_EXPLANATION in summary_of(get(client, "children:summary", world["child"]))
    HarmFlag.objects.update(status=AlertStatus.ACKNOWLEDGED)
    summary = summary_of(get(client, "children:summary", world["child"]))
    assert FLAG_EXPLANATION not in summary
    flags = summary.split("Cumulative-harm flags not yet acknowledged", 1)[1].split("<h3", 1)[0]
    assert "None." in flags


def test_open_plans_show_their_next_review_and_whether_it_is_overdue(client):
    world = build("team_around_child", "none")
    child = world["child"]
    today = timezone.localdate()
    council = Agency.objects.get(code="council")
    hospital = Agency.objects.get(code="hospital")
    school = Agency.objects.get(code="school")
    Plan.objects.create(
        child=child,
        plan_type="child_in_need",
        outcomes="Dylan feels safe on the way to school",
        started_on=today - dt.timedelta(days=120),
        review_due=today - dt.timedelta(days=12),
        recorded_by_agency=school,
    )
    Plan.objects.create(
        child=child,
        plan_type="risk_outside_the_home",
        outcomes="Safe routes",
        started_on=today - dt.timedelta(days=30),
        review_due=today + dt.timedelta(days=5),
        recorded_by_agency=school,
    )
    # The hospital's plan: the school has no agreement with the hospital covering it.
    Plan.objects.create(
        child=child,
        plan_type="youth_justice",
        outcomes="Hospital's own safety plan",
        started_on=dt.date(2026, 2, 1),
        recorded_by_agency=hospital,
    )
    Plan.objects.create(
        child=child,
        plan_type="early_help",
        outcomes="Closed long ago",
        started_on=dt.date(2024, 1, 1),
        closed_on=dt.date(2024, 6, 1),
        recorded_by_agency=council,
    )
    client.force_login(world["viewer"])
    summary = summary_of(get(client, "children:summary", child))
    assert "Review overdue by 12 days" in summary
    assert f'Next review <time datetime="{today + dt.timedelta(days=5):%Y-%m-%d}">' in summary
    assert summary.count("Review overdue") == 1
    assert "Riverside Hospital holds a record dated 1 February 2026" in summary
    assert "Hospital's own safety plan" not in summary
    assert "Early help plan" not in summary  # closed


def test_the_summary_writes_no_access_event_of_its_own(client):
    """The page's own access event covers the summary: one event for the child per page."""
    world = build("team_around_child", "covers")
    client.force_login(world["viewer"])
    for name, section in [
        ("children:chronology", "chronology"),
        ("identity:associates", "associates"),
    ]:
        before = (
            AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
        )
        get(client, name, world["child"])
        written = AuditEvent.objects.filter(sequence__gt=before, child_id=world["child"].pk)
        assert [e.section for e in written] == [section]


def test_the_summary_never_opens_a_child_by_itself():
    world = build("team_around_child", "covers")
    with pytest.raises(policy.NotFound):
        happening.happening_now(
            actor=world["viewer"], child=world["child"], decision=policy.Decision(False)
        )


def test_the_person_index_adds_its_part_to_every_summary():
    # Registered when Django starts (IdentityConfig.ready), as the chronology's providers are.
    assert add_person_index in happening._providers


def test_a_provider_registered_twice_adds_once(monkeypatch):
    monkeypatch.setattr(happening, "_providers", [])

    def provider(summary):
        return None

    happening.provide_happening(provider)
    happening.provide_happening(provider)
    assert happening._providers == [provider]


def test_who_to_contact_gives_telephone_numbers_and_the_team_around_the_child(client):
    """Issue 12, part 7: whom to ring. The lead practitioner's work number, and the people in
    the team around the child with theirs, each only where their agency's entry of "who is
    working with the child" is shown (as the agencies holding a record are)."""
    from harbour.access.models import RelationshipKind
    from harbour.partnership.models import Role, Staff
    from harbour.testing import make_staff, relate

    world = build("agency_record", "none")
    child = world["child"]
    lead = Staff.objects.get(first_name="Grace", last_name="Lead")
    lead.phone = "01632 960 123"
    lead.save()
    school, hospital = Agency.objects.get(code="school"), Agency.objects.get(code="hospital")
    teacher = make_staff(
        school, Role.REFERRER, first_name="Sam", last_name="Head", phone="01632 960 555"
    )
    nurse = make_staff(
        hospital, Role.REFERRER, first_name="Nia", last_name="Nurse", phone="01632 960 777"
    )
    for person in (teacher, nurse):
        relate(child, person, RelationshipKind.TEAM_AROUND_CHILD)
    client.force_login(world["viewer"])
    summary = summary_of(get(client, "children:summary", child))
    assert 'href="tel:01632960123"' in summary and "01632 960 123" in summary
    assert "Sam Head, Riverside Academy" in summary and 'href="tel:01632960555"' in summary
    # The hospital's part in the child's life is withheld from the school: so is its nurse.
    assert "Nia Nurse" not in summary and "960 777" not in summary
