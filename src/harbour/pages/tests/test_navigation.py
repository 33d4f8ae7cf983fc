"""Service navigation: which items each role's header holds, and which one is current."""

from __future__ import annotations

import pytest

from harbour.pages.navigation import NAVIGATION
from harbour.partnership.models import AgencyType, Role
from harbour.testing import make_agency, make_staff
from harbour.web.navigation import navigation_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    csc = make_agency("csc", AgencyType.CHILDRENS_SOCIAL_CARE)
    return {role: make_staff(csc, role) for role in Role.values}


def header(user, path: str = "", current: str = "") -> list[str]:
    return [i["label"] for i in navigation_for(user, path, current) if i["in_header"]]


def current(user, path: str, named: str = "") -> list[str]:
    return [i["label"] for i in navigation_for(user, path, named) if i["active"]]


def test_the_front_door_holds_the_person_index_lists_for_its_staff(staff):
    # Short enough for one row at desktop width, with room for one more item.
    assert header(staff[Role.FRONT_DOOR_MANAGER]) == [
        "Find a child",
        "Front door",
        "Referrals",
        "Needs attention",
        "Reports",
        "Partnership",
    ]
    assert header(staff[Role.FRONT_DOOR_PRACTITIONER]) == [
        "Find a child",
        "Front door",
        "Referrals",
        "Needs attention",
        "Partnership",
    ]
    # A lead practitioner's flags and needs are their own children's: in their header.
    assert header(staff[Role.LEAD_PRACTITIONER]) == [
        "Find a child",
        "Referrals",
        "Needs attention",
        "Flags",
        "Needs across agencies",
        "Partnership",
    ]


def test_every_item_a_role_may_use_is_still_listed_for_the_home_page(staff):
    manager = navigation_for(staff[Role.FRONT_DOOR_MANAGER], "")
    assert {i["label"] for i in manager} >= {"Records to review", "Flags", "Needs across agencies"}
    held = [i["label"] for i in manager if not i["in_header"]]
    assert held == ["Records to review", "Flags", "Needs across agencies"]
    assert all(i["within"] == "frontdoor:queue" for i in manager if not i["in_header"])


@pytest.mark.parametrize(
    ("role", "path", "tab"),
    [
        (Role.FRONT_DOOR_PRACTITIONER, "/front-door/", "Front door"),
        (Role.FRONT_DOOR_PRACTITIONER, "/front-door/strategy-meetings/3/", "Front door"),
        (Role.FRONT_DOOR_PRACTITIONER, "/identity/review/12/", "Front door"),
        (Role.FRONT_DOOR_PRACTITIONER, "/identity/flags/", "Front door"),
        (Role.FRONT_DOOR_PRACTITIONER, "/identity/needs/", "Front door"),
        (Role.LEAD_PRACTITIONER, "/identity/flags/", "Flags"),
        (Role.LEAD_PRACTITIONER, "/identity/needs/", "Needs across agencies"),
        (Role.LEAD_PRACTITIONER, "/children/", "Find a child"),
        (Role.LEAD_PRACTITIONER, "/children/0b9e/chronology/", "Find a child"),
        (Role.LEAD_PRACTITIONER, "/children/attention/", "Needs attention"),
        (Role.FRONT_DOOR_MANAGER, "/children/reports/", "Reports"),
        (Role.FRONT_DOOR_MANAGER, "/front-door/reports/", "Front door"),
        # Leaders reach the front-door report from the reports: no other tab claims it.
        (Role.STRATEGIC_LEADER, "/front-door/reports/", "Reports"),
        (Role.REFERRER, "/referrals/new/", "Referrals"),
    ],
)
def test_one_tab_is_current(staff, role, path, tab):
    assert current(staff[role], path) == [tab]


def test_no_tab_is_current_on_the_home_page(staff):
    for user in staff.values():
        assert current(user, "/") == []


def test_a_page_may_say_which_tab_is_current(staff):
    practitioner = staff[Role.FRONT_DOOR_PRACTITIONER]
    # A referral's page, /referrals/<id>/, is the front door's work for its staff.
    assert current(practitioner, "/referrals/7/") == ["Referrals"]
    assert current(practitioner, "/referrals/7/", "frontdoor:queue") == ["Front door"]
    # An item the front door holds marks the front door.
    assert current(practitioner, "/x/", "identity:flags") == ["Front door"]
    # An item the user may not use marks nothing.
    assert current(staff[Role.REFERRER], "/referrals/7/", "frontdoor:queue") == []


def test_every_item_names_a_real_holder():
    names = {item.url_name for item in NAVIGATION}
    assert all(item.within in names for item in NAVIGATION if item.within)
