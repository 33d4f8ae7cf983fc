"""A small partnership for the language pages: one agency with a team, and a member of staff in
each role that matters here."""

import pytest

from harbour.partnership.models import Role, Team
from harbour.testing import make_agency, make_staff


@pytest.fixture
def agency(db):
    return make_agency(code="riverside-csc", name="Riverside Children's Services")


@pytest.fixture
def team(agency):
    return Team.objects.create(agency=agency, name="Exploitation team")


@pytest.fixture
def practitioner(agency, team):
    return make_staff(agency, Role.LEAD_PRACTITIONER, team=team)


@pytest.fixture
def leader(agency):
    return make_staff(agency, Role.STRATEGIC_LEADER)


@pytest.fixture
def analyst(agency):
    return make_staff(agency, Role.ANALYST)


@pytest.fixture
def administrator(agency):
    return make_staff(agency, Role.ADMINISTRATOR)
