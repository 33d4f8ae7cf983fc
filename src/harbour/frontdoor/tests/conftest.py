from __future__ import annotations

import pytest

from harbour.partnership.models import AgencyType, Role, Team
from harbour.testing import make_agency, make_agreement, make_staff


@pytest.fixture
def partnership(db):
    csc = make_agency("csc", AgencyType.CHILDRENS_SOCIAL_CARE)
    Team.objects.create(agency=csc, name="Front Door (MASH)", is_front_door=True)
    police = make_agency("police", AgencyType.POLICE)
    make_agreement(csc, police)
    return {
        "csc": csc,
        "police": police,
        "officer": make_staff(police, Role.REFERRER),
        "other_officer": make_staff(police, Role.REFERRER),
        "practitioner": make_staff(csc, Role.FRONT_DOOR_PRACTITIONER),
        "manager": make_staff(csc, Role.FRONT_DOOR_MANAGER),
    }
