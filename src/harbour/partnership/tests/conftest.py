"""A small partnership built inline: two agencies with a team each, an administrator and an
analyst, one agreement and one item of threshold guidance."""

import datetime as dt

import pytest

from harbour.partnership.models import (
    Agency,
    AgencyType,
    InformationSharingAgreement,
    LawfulBasis,
    Role,
    Staff,
    Team,
    ThresholdGuidance,
    ThresholdLevel,
)


def make_staff(agency, role, email, *, first_name="Sam", last_name="Jones", team=None):
    return Staff.objects.create_user(
        username=email,
        email=email,
        password="a-test-password",
        first_name=first_name,
        last_name=last_name,
        agency=agency,
        team=team,
        role=role,
    )


@pytest.fixture
def police(db):
    return Agency.objects.create(
        name="Riverside Police", code="riverside-police", agency_type=AgencyType.POLICE
    )


@pytest.fixture
def council(db):
    return Agency.objects.create(
        name="Riverside Council Children's Services",
        code="riverside-csc",
        agency_type=AgencyType.CHILDRENS_SOCIAL_CARE,
    )


@pytest.fixture
def police_team(police):
    return Team.objects.create(agency=police, name="Public protection unit")


@pytest.fixture
def council_team(council):
    return Team.objects.create(agency=council, name="Front door", is_front_door=True)


@pytest.fixture
def administrator(council):
    return make_staff(
        council, Role.ADMINISTRATOR, "ada.admin@example.org", first_name="Ada", last_name="Admin"
    )


@pytest.fixture
def analyst(police):
    return make_staff(
        police, Role.ANALYST, "ana.lyst@example.org", first_name="Ana", last_name="Lyst"
    )


@pytest.fixture
def agreement(police, council):
    isa = InformationSharingAgreement.objects.create(
        title="Serious youth violence protocol",
        reference="ISA-2025-01",
        purposes=["safeguarding"],
        data_categories=["identity"],
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        start_date=dt.date(2025, 1, 1),
    )
    isa.parties.set([police, council])
    return isa


@pytest.fixture
def guidance(council):
    return ThresholdGuidance.objects.create(
        title="Early help threshold",
        level=ThresholdLevel.EARLY_HELP,
        version="1.0",
        body="Offer early help.",
        effective_from=dt.date(2025, 4, 1),
        published_by=council,
    )


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def second_administrator(police):
    """Another administrator, to approve what the first asks for (ADR 0018)."""
    return make_staff(
        police, Role.ADMINISTRATOR, "bo.admin@example.org", first_name="Bo", last_name="Admin"
    )
