"""The partnership pages: who may read them, who may change them, and what an administrator's
change writes (the record and its audit event) or refuses (with the GOV.UK error summary)."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from harbour.access.models import AuditEvent
from harbour.partnership.models import (
    Agency,
    AgencyType,
    InformationSharingAgreement,
    Role,
    Staff,
    StaffChangeRequest,
    Team,
    ThresholdGuidance,
)

pytestmark = pytest.mark.django_db

LISTS = [
    "partnership:home",
    "partnership:agency-list",
    "partnership:staff-list",
    "partnership:agreement-list",
    "partnership:threshold-list",
]


@pytest.fixture
def everything(police, council, police_team, council_team, agreement, guidance, administrator):
    """Every kind of record, so each page has something to show."""
    return {
        "agency": police,
        "team": police_team,
        "staff": administrator,
        "agreement": agreement,
        "threshold": guidance,
    }


def detail_urls(records):
    return [
        reverse("partnership:agency-detail", args=[records["agency"].pk]),
        reverse("partnership:agreement-detail", args=[records["agreement"].pk]),
        reverse("partnership:threshold-detail", args=[records["threshold"].pk]),
    ]


def form_urls(records):
    return [
        reverse("partnership:agency-add"),
        reverse("partnership:agency-edit", args=[records["agency"].pk]),
        reverse("partnership:team-add", args=[records["agency"].pk]),
        reverse("partnership:team-edit", args=[records["team"].pk]),
        reverse("partnership:staff-add"),
        reverse("partnership:staff-edit", args=[records["staff"].pk]),
        reverse("partnership:agreement-add"),
        reverse("partnership:agreement-edit", args=[records["agreement"].pk]),
        reverse("partnership:threshold-add"),
        reverse("partnership:threshold-edit", args=[records["threshold"].pk]),
    ]


def page(response):
    return response.content.decode()


def assert_error_summary(response, field, message):
    """The page re-rendered with the GOV.UK error summary linking to the field."""
    assert response.status_code == 200
    html = page(response)
    assert "govuk-error-summary" in html
    assert re.search(rf'href="#id_{field}(_0)?">{re.escape(message)}</a>', html), html
    assert "<title>Error: " in html


def date_fields(name, value):
    if value is None:
        return {f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""}
    return {
        f"{name}_day": str(value.day),
        f"{name}_month": str(value.month),
        f"{name}_year": str(value.year),
    }


def agency_form(**overrides):
    data = {
        "name": "Riverside Academy",
        "code": "riverside-academy",
        "agency_type": AgencyType.SCHOOL,
        "school_urn": "123456",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def staff_form(for_agency, team=None, **overrides):
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "Priya.Shah@example.org",
        "agency": str(for_agency.pk),
        "team": str(team.pk) if team else "",
        "role": Role.REFERRER,
        "job_title": "Detective constable",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def agreement_form(parties, start=dt.date(2025, 4, 1), end=None, **overrides):
    data = {
        "title": "Violence reduction data sharing",
        "reference": "ISA-2025-07",
        "parties": [str(party.pk) for party in parties],
        "purposes": ["safeguarding", "prevention"],
        "data_categories": ["identity", "education"],
        "lawful_basis": "public_task",
        "special_category_condition": "DPA 2018 Schedule 1 paragraph 18",
        "summary": "Sharing to prevent serious youth violence.",
        **date_fields("start_date", start),
        **date_fields("end_date", end),
    }
    data.update(overrides)
    return data


def threshold_form(**overrides):
    data = {
        "title": "Risk outside the home",
        "level": "risk_outside_the_home",
        "version": "2.0",
        "body": "Hold a strategy discussion.\n\nConsider a contextual safeguarding plan.",
        "indicators": "Missing episodes\n\nUnexplained money",
        "published_by": "",
        **date_fields("effective_from", dt.date(2025, 9, 1)),
    }
    data.update(overrides)
    return data


# Who may see and change the partnership ------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, everything):
    for url in [reverse(name) for name in LISTS] + detail_urls(everything) + form_urls(everything):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("web:sign-in")), url
        response = client.post(url, {})
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("web:sign-in")), url


def test_a_non_administrator_reads_every_list_and_detail_without_change_links(
    analyst_client, everything
):
    for url in [reverse(name) for name in LISTS] + detail_urls(everything):
        response = analyst_client.get(url)
        assert response.status_code == 200, url
        html = page(response)
        assert ">Change<" not in html, url
        assert "/add/" not in html, url
        assert "/change/" not in html, url


def test_a_non_administrator_cannot_open_or_submit_any_form(analyst_client, everything):
    agency, team, staff = everything["agency"], everything["team"], everything["staff"]
    before_events = AuditEvent.objects.count()
    counts = [
        model.objects.count()
        for model in (Agency, Team, Staff, InformationSharingAgreement, ThresholdGuidance)
    ]
    posts = {
        reverse("partnership:agency-add"): agency_form(),
        reverse("partnership:agency-edit", args=[agency.pk]): agency_form(name="Renamed"),
        reverse("partnership:team-add", args=[agency.pk]): {"name": "New team"},
        reverse("partnership:team-edit", args=[team.pk]): {"name": "Renamed team"},
        reverse("partnership:staff-add"): staff_form(agency),
        reverse("partnership:staff-edit", args=[staff.pk]): staff_form(
            agency, email=staff.email, is_active=""
        ),
        reverse("partnership:agreement-add"): agreement_form([agency, everything["staff"].agency]),
        reverse("partnership:agreement-edit", args=[everything["agreement"].pk]): agreement_form(
            [agency, staff.agency], title="Renamed"
        ),
        reverse("partnership:threshold-add"): threshold_form(),
        reverse("partnership:threshold-edit", args=[everything["threshold"].pk]): threshold_form(),
    }
    assert set(posts) == set(form_urls(everything))
    for url, data in posts.items():
        assert analyst_client.get(url).status_code == 403, url
        response = analyst_client.post(url, data)
        assert response.status_code == 403, url
        assert "You do not have access to this page" in page(response)
    assert [
        model.objects.count()
        for model in (Agency, Team, Staff, InformationSharingAgreement, ThresholdGuidance)
    ] == counts
    agency.refresh_from_db()
    team.refresh_from_db()
    staff.refresh_from_db()
    assert (agency.name, team.name, staff.is_active) == (
        "Riverside Police",
        "Public protection unit",
        True,
    )
    assert AuditEvent.objects.count() == before_events


def test_an_administrator_sees_add_and_uniquely_named_change_links(admin_client, everything):
    html = page(admin_client.get(reverse("partnership:agency-list")))
    assert reverse("partnership:agency-add") in html
    assert 'Change<span class="govuk-visually-hidden"> Riverside Police</span>' in html
    html = page(
        admin_client.get(reverse("partnership:agency-detail", args=[everything["agency"].pk]))
    )
    assert reverse("partnership:team-add", args=[everything["agency"].pk]) in html
    assert 'Change<span class="govuk-visually-hidden"> Public protection unit</span>' in html
    html = page(admin_client.get(reverse("partnership:staff-list")))
    assert 'Change<span class="govuk-visually-hidden"> Ada Admin</span>' in html


def test_every_form_opens_for_an_administrator(admin_client, everything):
    for url in form_urls(everything):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = page(response)
        assert html.count("<h1") == 1, url
        assert "novalidate" in html, url
        assert "csrfmiddlewaretoken" in html, url
        assert "govuk-back-link" in html, url
        assert "govuk-error-summary" not in html, url


def test_a_missing_record_is_not_found(admin_client):
    assert admin_client.get(reverse("partnership:agency-detail", args=[999])).status_code == 404
    assert admin_client.get(reverse("partnership:staff-edit", args=[999])).status_code == 404


def test_the_home_page_links_to_each_section(analyst_client, everything):
    html = page(analyst_client.get(reverse("partnership:home")))
    for name in LISTS[1:]:
        assert f'href="{reverse(name)}"' in html
    assert html.count("<h1") == 1


# Agencies and teams ---------------------------------------------------------------------------


def test_an_administrator_adds_an_agency(admin_client):
    response = admin_client.post(reverse("partnership:agency-add"), agency_form(), follow=True)
    agency = Agency.objects.get(code="riverside-academy")
    assert response.redirect_chain[-1][0] == reverse("partnership:agency-detail", args=[agency.pk])
    assert (agency.name, agency.agency_type, agency.school_urn, agency.is_active) == (
        "Riverside Academy",
        AgencyType.SCHOOL,
        "123456",
        True,
    )
    assert "govuk-notification-banner--success" in page(response)
    assert "Riverside Academy added" in page(response)
    event = AuditEvent.objects.get(event="agency.created")
    assert event.object_id == str(agency.pk)
    assert "name" in event.detail["fields"]


def test_an_administrator_changes_an_agency(admin_client, police):
    url = reverse("partnership:agency-edit", args=[police.pk])
    assert 'value="Riverside Police"' in page(admin_client.get(url))
    response = admin_client.post(
        url,
        agency_form(name="Riverside Constabulary", code="riverside-police", agency_type="police"),
    )
    assert response.status_code == 302
    police.refresh_from_db()
    assert police.name == "Riverside Constabulary"
    assert police.school_urn == ""  # only schools keep a URN
    event = AuditEvent.objects.get(event="agency.updated")
    assert event.detail == {"changed": ["name"]}


def test_an_agency_can_be_deactivated(admin_client, police):
    admin_client.post(
        reverse("partnership:agency-edit", args=[police.pk]),
        agency_form(name=police.name, code=police.code, agency_type="police", is_active=""),
    )
    police.refresh_from_db()
    assert police.is_active is False
    html = page(admin_client.get(reverse("partnership:agency-list")))
    assert "govuk-tag--grey" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the agency&#x27;s name"),
        ({"code": "not a slug"}, "code", "Short code must only include letters"),
        ({"agency_type": ""}, "agency_type", "Select the type of agency"),
        ({"school_urn": "12345"}, "school_urn", "School URN must be 6 digits, like 123456"),
        ({"school_urn": "12345a"}, "school_urn", "School URN must be 6 digits, like 123456"),
        ({"school_urn": ""}, "school_urn", "Enter the school&#x27;s URN"),
    ],
)
def test_an_invalid_agency_is_refused_with_an_error_summary(
    admin_client, overrides, field, message
):
    response = admin_client.post(reverse("partnership:agency-add"), agency_form(**overrides))
    html = page(response)
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert f'href="#id_{field}' in html
    assert message in html
    assert not Agency.objects.filter(code="riverside-academy").exists()
    assert not AuditEvent.objects.filter(event="agency.created").exists()


def test_an_agency_name_already_used_is_refused_on_the_name_field(admin_client, police):
    response = admin_client.post(
        reverse("partnership:agency-add"),
        agency_form(name="riverside police", code="another-code", agency_type="police"),
    )
    assert_error_summary(response, "name", "An agency with this name already exists")
    assert Agency.objects.count() == 2  # police, and the administrator's council


def test_an_administrator_adds_and_changes_a_team(admin_client, police):
    response = admin_client.post(
        reverse("partnership:team-add", args=[police.pk]),
        {"name": "Missing persons unit", "is_front_door": "on"},
    )
    assert response["Location"] == reverse("partnership:agency-detail", args=[police.pk])
    team = Team.objects.get(agency=police, name="Missing persons unit")
    assert team.is_front_door is True
    assert AuditEvent.objects.filter(event="team.created", object_id=str(team.pk)).exists()

    response = admin_client.post(
        reverse("partnership:team-edit", args=[team.pk]), {"name": "Missing children unit"}
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.is_front_door) == ("Missing children unit", False)
    event = AuditEvent.objects.get(event="team.updated")
    assert sorted(event.detail["changed"]) == ["is_front_door", "name"]


def test_a_team_needs_a_name_unique_in_its_agency(admin_client, police, police_team):
    url = reverse("partnership:team-add", args=[police.pk])
    assert_error_summary(admin_client.post(url, {"name": ""}), "name", "Enter the team&#x27;s name")
    assert_error_summary(
        admin_client.post(url, {"name": "Public Protection Unit"}),
        "name",
        "This agency already has a team with this name",
    )
    assert Team.objects.filter(agency=police).count() == 1


# Staff ----------------------------------------------------------------------------------------


def test_an_administrator_adds_a_member_of_staff_without_a_password(
    admin_client, police, police_team
):
    response = admin_client.get(reverse("partnership:staff-add"))
    assert "one-time password" in page(response)
    response = admin_client.post(
        reverse("partnership:staff-add"), staff_form(police, police_team), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("partnership:staff-list")
    assert "Priya Shah added" in page(response)
    staff = Staff.objects.get(email="priya.shah@example.org")
    assert staff.username == "priya.shah@example.org"
    # A referrer sees children: the account is added without its role, which waits for a second
    # administrator (ADR 0018), and the administrator is told so.
    assert (staff.agency, staff.team, staff.role) == (police, police_team, "")
    assert "waiting for another administrator to approve it" in page(response)
    change = StaffChangeRequest.objects.get(staff=staff)
    assert (change.new_account, change.status, change.after["role"]) == (
        True,
        "pending",
        Role.REFERRER,
    )
    assert staff.has_usable_password() is False
    event = AuditEvent.objects.get(event="staff.created")
    assert event.object_id == str(staff.pk)
    assert "username" not in event.detail["fields"]
    assert event.detail["waiting_for_approval"] is True


def test_an_account_that_cannot_see_children_is_added_with_its_role_at_once(
    admin_client, police, police_team
):
    response = admin_client.post(
        reverse("partnership:staff-add"),
        staff_form(police, police_team, role=Role.ANALYST),
        follow=True,
    )
    assert "waiting for another administrator" not in page(response)
    staff = Staff.objects.get(email="priya.shah@example.org")
    assert staff.role == Role.ANALYST
    assert not StaffChangeRequest.objects.exists()


def test_an_administrator_changes_and_deactivates_a_member_of_staff(
    admin_client, analyst, council, council_team
):
    response = admin_client.post(
        reverse("partnership:staff-edit", args=[analyst.pk]),
        staff_form(
            council,
            council_team,
            first_name="Ana",
            last_name="Lyst",
            email="ana.lyst@example.org",
            role=Role.ANALYST,
            job_title="",
            is_active="",
        ),
    )
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert (analyst.agency, analyst.team, analyst.is_active) == (council, council_team, False)
    # An analyst sees no child, so moving and deactivating them applies at once: one event for
    # the change of access, none for details that did not change.
    event = AuditEvent.objects.get(event="staff.access_changed")
    assert event.detail["changed"] == ["agency", "team", "is_active"]
    assert event.detail["approved_by"] is None
    assert not AuditEvent.objects.filter(event="staff.updated").exists()
    assert Staff.objects.filter(pk=analyst.pk).exists()  # deactivated, never deleted


def test_a_team_from_another_agency_is_refused(admin_client, police, council_team):
    response = admin_client.post(reverse("partnership:staff-add"), staff_form(police, council_team))
    assert_error_summary(response, "team", "Select a team in the agency you selected, or no team")
    assert not Staff.objects.filter(email="priya.shah@example.org").exists()


def test_nobody_can_deactivate_themselves(admin_client, administrator, council):
    response = admin_client.post(
        reverse("partnership:staff-edit", args=[administrator.pk]),
        staff_form(
            council,
            first_name="Ada",
            last_name="Admin",
            email=administrator.email,
            role=Role.ADMINISTRATOR,
            is_active="",
        ),
    )
    assert_error_summary(response, "is_active", "You cannot deactivate your own account")
    administrator.refresh_from_db()
    assert administrator.is_active is True
    assert not AuditEvent.objects.filter(event__startswith="staff.").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "Enter their first name"),
        ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
        ({"email": "ANA.LYST@example.org"}, "email", "A member of staff with this email address"),
        ({"agency": ""}, "agency", "Select the agency they work for"),
        ({"role": ""}, "role", "Select their role"),
    ],
)
def test_invalid_staff_details_are_refused(
    admin_client, analyst, police, overrides, field, message
):
    count = Staff.objects.count()
    response = admin_client.post(reverse("partnership:staff-add"), staff_form(police, **overrides))
    assert response.status_code == 200
    html = page(response)
    assert "govuk-error-summary" in html
    assert f'href="#id_{field}' in html
    assert message in html
    assert Staff.objects.count() == count


def test_the_staff_list_filters_by_agency_and_role(analyst_client, analyst, administrator, police):
    Staff.objects.create_user(
        username="rita.ref@example.org",
        email="rita.ref@example.org",
        first_name="Rita",
        last_name="Ref",
        agency=police,
        role=Role.REFERRER,
    )
    url = reverse("partnership:staff-list")
    # Staff are told apart by their email address: the header names the signed-in analyst.
    html = page(analyst_client.get(url))
    assert all(
        email in html
        for email in ("ana.lyst@example.org", "ada.admin@example.org", "rita.ref@example.org")
    )
    assert "3 members of staff" in html

    html = page(analyst_client.get(url, {"agency": police.pk}))
    assert "ana.lyst@example.org" in html
    assert "rita.ref@example.org" in html
    assert "ada.admin@example.org" not in html
    assert "Clear filters" in html

    html = page(analyst_client.get(url, {"agency": police.pk, "role": Role.REFERRER}))
    assert "rita.ref@example.org" in html
    assert "ana.lyst@example.org" not in html
    assert "1 member of staff match the filters" in html

    response = analyst_client.get(url, {"role": "emperor"})
    assert response.status_code == 200
    assert 'href="#id_role"' in page(response)


# Information-sharing agreements ---------------------------------------------------------------


def test_an_administrator_adds_an_agreement(admin_client, police, council):
    response = admin_client.post(
        reverse("partnership:agreement-add"),
        agreement_form([police, council], end=dt.date(2027, 3, 31)),
        follow=True,
    )
    agreement = InformationSharingAgreement.objects.get(reference="ISA-2025-07")
    assert response.redirect_chain[-1][0] == reverse(
        "partnership:agreement-detail", args=[agreement.pk]
    )
    assert set(agreement.parties.all()) == {police, council}
    assert agreement.purposes == ["prevention", "safeguarding"]
    assert agreement.data_categories == ["education", "identity"]
    assert (agreement.start_date, agreement.end_date) == (dt.date(2025, 4, 1), dt.date(2027, 3, 31))
    event = AuditEvent.objects.get(event="agreement.created")
    assert "parties" in event.detail["fields"]


def test_an_agreement_page_shows_whether_it_is_in_force_today(analyst_client, agreement):
    html = page(analyst_client.get(reverse("partnership:agreement-detail", args=[agreement.pk])))
    assert "Riverside Police" in html
    assert "Safeguarding and child protection" in html
    assert "Identity and contact details" in html
    assert "UK GDPR Article 6(1)(e) public task" in html
    assert '<strong class="govuk-tag govuk-tag--green">In force</strong>' in html

    agreement.end_date = timezone.localdate() - dt.timedelta(days=1)
    agreement.save()
    html = page(analyst_client.get(reverse("partnership:agreement-detail", args=[agreement.pk])))
    assert '<strong class="govuk-tag govuk-tag--grey">Ended</strong>' in html


def test_an_administrator_changes_an_agreements_parties(admin_client, agreement, police, council):
    school = Agency.objects.create(
        name="Riverside Academy", code="academy", agency_type="school", school_urn="100001"
    )
    url = reverse("partnership:agreement-edit", args=[agreement.pk])
    html = page(admin_client.get(url))
    assert 'value="ISA-2025-01"' in html
    assert f'value="{police.pk}" checked' in html
    response = admin_client.post(
        url,
        agreement_form(
            [police, council, school],
            start=agreement.start_date,
            title=agreement.title,
            reference=agreement.reference,
            purposes=["safeguarding"],
            data_categories=["identity"],
            special_category_condition="",
            summary="",
        ),
    )
    assert response.status_code == 302
    assert set(agreement.parties.all()) == {police, council, school}
    assert AuditEvent.objects.get(event="agreement.updated").detail == {"changed": ["parties"]}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"parties": "one"}, "parties", "Select at least two parties"),
        ({"parties": "none"}, "parties", "Select at least two parties"),
        ({"end": dt.date(2025, 3, 31)}, "end_date", "End date must be the same as or after"),
        ({"title": ""}, "title", "Enter the agreement&#x27;s title"),
        ({"purposes": []}, "purposes", "Select at least one purpose"),
        ({"start_date_month": ""}, "start_date", "Start date must include a month"),
    ],
)
def test_an_invalid_agreement_is_refused(admin_client, police, council, change, field, message):
    parties = {"one": [police], "none": []}.get(change.pop("parties", ""), [police, council])
    end = change.pop("end", None)
    response = admin_client.post(
        reverse("partnership:agreement-add"), agreement_form(parties, end=end, **change)
    )
    html = page(response)
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert f'href="#id_{field}' in html
    assert message in html
    assert not InformationSharingAgreement.objects.exists()
    assert not AuditEvent.objects.filter(event="agreement.created").exists()


def test_an_agreement_reference_already_used_is_refused(admin_client, agreement, police, council):
    response = admin_client.post(
        reverse("partnership:agreement-add"),
        agreement_form([police, council], reference="isa-2025-01"),
    )
    assert_error_summary(response, "reference", "An agreement with this reference already exists")
    assert InformationSharingAgreement.objects.count() == 1


# Threshold guidance ---------------------------------------------------------------------------


def test_an_administrator_adds_and_changes_threshold_guidance(admin_client, council):
    response = admin_client.post(reverse("partnership:threshold-add"), threshold_form())
    guidance = ThresholdGuidance.objects.get(title="Risk outside the home")
    assert response["Location"] == reverse("partnership:threshold-detail", args=[guidance.pk])
    assert guidance.indicators == "Missing episodes\nUnexplained money"
    assert AuditEvent.objects.filter(event="threshold_guidance.created").count() == 1

    html = page(admin_client.get(response["Location"]))
    assert "<li>Unexplained money</li>" in html
    assert '<p class="govuk-body">Consider a contextual safeguarding plan.</p>' in html

    response = admin_client.post(
        reverse("partnership:threshold-edit", args=[guidance.pk]),
        threshold_form(version="2.1", published_by=str(council.pk)),
    )
    assert response.status_code == 302
    guidance.refresh_from_db()
    assert (guidance.version, guidance.published_by) == ("2.1", council)
    event = AuditEvent.objects.get(event="threshold_guidance.updated")
    assert sorted(event.detail["changed"]) == ["published_by", "version"]


def test_invalid_threshold_guidance_is_refused(admin_client):
    response = admin_client.post(
        reverse("partnership:threshold-add"),
        threshold_form(body="", **date_fields("effective_from", None)),
    )
    assert_error_summary(response, "body", "Enter what the partnership expects at this level")
    assert "Enter the date the guidance takes effect" in page(response)
    assert 'href="#id_effective_from_0"' in page(response)  # the day box
    assert not ThresholdGuidance.objects.exists()


def test_threshold_guidance_is_listed_from_the_lowest_level_of_need(analyst_client, guidance):
    ThresholdGuidance.objects.create(
        title="Child protection threshold",
        level="child_protection",
        version="1.0",
        body="Strategy discussion.",
        effective_from=dt.date(2025, 4, 1),
    )
    ThresholdGuidance.objects.create(
        title="Universal services threshold",
        level="universal",
        version="1.0",
        body="Universal services.",
        effective_from=dt.date(2025, 4, 1),
    )
    html = page(analyst_client.get(reverse("partnership:threshold-list")))
    positions = [
        html.index(title)
        for title in (
            "Universal services threshold",
            "Early help threshold",
            "Child protection threshold",
        )
    ]
    assert positions == sorted(positions)


# Changes to who can see children (ADR 0018) ---------------------------------------------------


def own_form(administrator, **overrides):
    values = {
        "first_name": administrator.first_name,
        "last_name": administrator.last_name,
        "email": administrator.email,
        "role": administrator.role,
        "job_title": "",
    }
    data = staff_form(administrator.agency, **values)
    data.update(overrides)
    return data


def promotion_form(analyst, council, council_team):
    return staff_form(
        council,
        council_team,
        first_name="Ana",
        last_name="Lyst",
        email=analyst.email,
        role=Role.FRONT_DOOR_MANAGER,
        job_title="",
    )


@pytest.fixture
def dpo_client(council):
    """The data protection officer's own browser (a client of their own, beside ``client``)."""
    dpo = Staff.objects.create_user(
        username="dee.pio@example.org",
        email="dee.pio@example.org",
        password="a-test-password",
        first_name="Dee",
        last_name="Pio",
        agency=council,
        role=Role.DATA_PROTECTION_OFFICER,
    )
    dpo_client = Client()
    dpo_client.force_login(dpo)
    return dpo_client


def test_an_administrator_promoting_themselves_gets_the_govuk_error(
    admin_client, administrator, police, council_team
):
    url = reverse("partnership:staff-edit", args=[administrator.pk])
    assert "This is your own account" in page(admin_client.get(url))
    response = admin_client.post(url, own_form(administrator, role=Role.FRONT_DOOR_MANAGER))
    assert_error_summary(
        response, "role", "You cannot change your own role. Ask another administrator"
    )
    response = admin_client.post(url, own_form(administrator, agency=str(police.pk), team=""))
    assert_error_summary(
        response, "agency", "You cannot change your own agency. Ask another administrator"
    )
    response = admin_client.post(url, own_form(administrator, team=str(council_team.pk)))
    assert_error_summary(
        response, "team", "You cannot change your own team. Ask another administrator"
    )
    administrator.refresh_from_db()
    assert (administrator.role, administrator.team) == (Role.ADMINISTRATOR, None)
    assert not StaffChangeRequest.objects.exists()
    assert not AuditEvent.objects.filter(event__startswith="staff.").exists()
    # The front door stays closed to them in the same session.
    assert admin_client.get(reverse("frontdoor:queue")).status_code == 403


def test_a_promotion_waits_and_the_administrator_who_asked_sees_it_waiting(
    admin_client, administrator, analyst, council, council_team
):
    response = admin_client.post(
        reverse("partnership:staff-edit", args=[analyst.pk]),
        promotion_form(analyst, council, council_team),
        follow=True,
    )
    html = page(response)
    assert "The change to Ana Lyst&#x27;s access is waiting for another administrator" in html
    assert "Change waiting for approval" in html  # on the staff list, beside Ana
    analyst.refresh_from_db()
    assert analyst.role == Role.ANALYST
    change = StaffChangeRequest.objects.get()

    html = page(admin_client.get(reverse("partnership:staff-change-list")))
    assert "Waiting for approval (1)" in html
    assert "Role: Analyst to Front-door manager" in html
    assert "Agency: Riverside Police to Riverside Council Children&#x27;s Services" in html
    assert "Team: No team to Front door" in html

    html = page(admin_client.get(reverse("partnership:staff-change-detail", args=[change.pk])))
    assert "You asked for this change, so another administrator must decide on it" in html
    assert 'name="decision"' not in html
    assert "Withdraw this change" in html
    # The partnership's home page and the staff page both lead here.
    for name in ("partnership:home", "partnership:staff-list"):
        assert reverse("partnership:staff-change-list") in page(admin_client.get(reverse(name)))


def test_a_second_administrator_approves_on_the_page(
    client, administrator, second_administrator, analyst, council, council_team
):
    client.force_login(administrator)
    client.post(
        reverse("partnership:staff-edit", args=[analyst.pk]),
        promotion_form(analyst, council, council_team),
    )
    change = StaffChangeRequest.objects.get()
    client.force_login(second_administrator)
    url = reverse("partnership:staff-change-detail", args=[change.pk])
    html = page(client.get(url))
    assert 'name="decision"' in html
    assert "Withdraw this change" not in html
    response = client.post(url, {"decision": "approve"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("partnership:staff-change-list")
    html = page(response)
    assert "Change approved. It applies now" in html
    assert "Waiting for approval (0)" in html
    assert "Approved" in html
    analyst.refresh_from_db()
    assert analyst.role == Role.FRONT_DOOR_MANAGER
    assert AuditEvent.objects.filter(event="staff.access_change_approved").count() == 1
    # The promoted account opens the front door's queue.
    client.force_login(analyst)
    assert client.get(reverse("frontdoor:queue")).status_code == 200


def test_a_refusal_without_a_reason_shows_the_error_summary(
    client, administrator, second_administrator, analyst, council, council_team
):
    client.force_login(administrator)
    client.post(
        reverse("partnership:staff-edit", args=[analyst.pk]),
        promotion_form(analyst, council, council_team),
    )
    change = StaffChangeRequest.objects.get()
    client.force_login(second_administrator)
    url = reverse("partnership:staff-change-detail", args=[change.pk])
    response = client.post(url, {"decision": "refuse", "reason": ""})
    assert_error_summary(response, "reason", "Enter why you are refusing this change")
    response = client.post(url, {"decision": "refuse", "reason": "Not on the front door rota"})
    assert response.status_code == 302
    html = page(client.get(url))
    assert "Not on the front door rota" in html
    assert "Refused by" in html
    analyst.refresh_from_db()
    assert analyst.role == Role.ANALYST


def test_the_administrator_who_asked_cannot_approve_by_posting(
    admin_client, analyst, council, council_team
):
    admin_client.post(
        reverse("partnership:staff-edit", args=[analyst.pk]),
        promotion_form(analyst, council, council_team),
    )
    change = StaffChangeRequest.objects.get()
    response = admin_client.post(
        reverse("partnership:staff-change-detail", args=[change.pk]), {"decision": "approve"}
    )
    assert response.status_code == 200
    html = page(response)
    assert "govuk-error-summary" in html
    assert "You asked for this change, so another administrator must decide on it" in html
    analyst.refresh_from_db()
    assert analyst.role == Role.ANALYST
    assert StaffChangeRequest.objects.get().status == "pending"


def test_the_administrator_who_asked_withdraws(admin_client, analyst, council, council_team):
    admin_client.post(
        reverse("partnership:staff-edit", args=[analyst.pk]),
        promotion_form(analyst, council, council_team),
    )
    change = StaffChangeRequest.objects.get()
    url = reverse("partnership:staff-change-withdraw", args=[change.pk])
    assert admin_client.get(url).status_code == 405
    response = admin_client.post(url, follow=True)
    assert "Change withdrawn" in page(response)
    assert StaffChangeRequest.objects.get().status == "withdrawn"


def test_the_data_protection_officer_reads_the_changes_but_cannot_decide(
    client, dpo_client, administrator, analyst, council, council_team
):
    client.force_login(administrator)
    client.post(
        reverse("partnership:staff-edit", args=[analyst.pk]),
        promotion_form(analyst, council, council_team),
    )
    change = StaffChangeRequest.objects.get()
    home = page(dpo_client.get(reverse("pages:home")))
    assert f'href="{reverse("partnership:staff-change-list")}"' in home  # in their navigation
    html = page(dpo_client.get(reverse("partnership:staff-change-list")))
    assert "Waiting for approval (1)" in html
    assert "Role: Analyst to Front-door manager" in html
    assert "Administrators decide these changes" in html
    assert ">View<" in html
    url = reverse("partnership:staff-change-detail", args=[change.pk])
    html = page(dpo_client.get(url))
    assert "Ana Lyst" in html
    assert 'name="decision"' not in html
    assert dpo_client.post(url, {"decision": "approve"}).status_code == 403
    withdraw = reverse("partnership:staff-change-withdraw", args=[change.pk])
    assert dpo_client.post(withdraw).status_code == 403
    assert StaffChangeRequest.objects.get().status == "pending"
    # The break-glass queue, the DPO's other review, links to it too.
    assert reverse("partnership:staff-change-list") in page(
        dpo_client.get(reverse("access:break-glass-queue"))
    )


def test_other_roles_cannot_read_the_changes(analyst_client, administrator, analyst):
    assert analyst_client.get(reverse("partnership:staff-change-list")).status_code == 403
    assert "staff/access-changes" not in page(analyst_client.get(reverse("partnership:home")))


def test_a_member_of_staff_has_a_work_telephone_number(admin_client, police, police_team):
    """Issue 12, part 7: the number colleagues ring about a child, checked like a referrer's."""
    response = admin_client.post(
        reverse("partnership:staff-add"),
        staff_form(police, police_team, phone="ring the desk"),
    )
    assert "Enter a telephone number, like 01632 960 123" in page(response)
    assert not Staff.objects.filter(email="priya.shah@example.org").exists()
    admin_client.post(
        reverse("partnership:staff-add"),
        staff_form(police, police_team, phone="01632  960 123"),
    )
    assert Staff.objects.get(email="priya.shah@example.org").phone == "01632 960 123"
