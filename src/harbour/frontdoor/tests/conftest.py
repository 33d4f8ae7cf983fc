from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

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


@pytest.fixture
def clock_at(monkeypatch) -> Callable[[dt.datetime], dt.datetime]:
    """Pin "now" — ``django.utils.timezone.now``, which the services, selectors and
    ``auto_now_add`` read — to a moment, for a test that needs a referral received at a
    particular time of day (the clock depends on it). Call it again to move time on."""

    def pin(moment: dt.datetime) -> dt.datetime:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return pin
