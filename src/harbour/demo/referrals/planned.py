"""One referral as the phase plans it before it is written (``Planned``), the child it is about
as the referrer knew them (``About``), and the states a referral open on the reference date can
be in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harbour.demo import referral_text as text
from harbour.demo.referrals.origins import Origin
from harbour.frontdoor.models import Referral
from harbour.partnership.models import Staff

if TYPE_CHECKING:
    from harbour.demo.generator import _Child


# The states a referral open on the reference date can be in.
RECEIVED = "received"  # not rated yet
RATED = "rated"
AWAITING = "awaiting"  # decided, waiting for the manager's countersignature
RETURNED = "returned"  # the manager returned the decision; rated again, to decide again
BACKLOG = "backlog"  # rated, the decision long overdue
ESCALATED = "escalated"  # the referrer escalated: no outcome in time
CLOSED = "closed"


@dataclass
class About:
    """The child a referral is about, as the referrer knew them."""

    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: str
    ethnicity: str
    language: str
    address: str
    postcode: str
    nhs_number: str = ""
    nickname: str = ""
    send: str = ""
    school_name: str = ""
    pronouns: dict[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class Planned:
    """One referral, planned before it is written."""

    state: str
    origin: Origin
    received: dt.datetime  # UTC
    child: _Child | None = None  # whom it is about, if Harbour knows them
    linked: bool = True  # the child is confirmed (``Referral.child``)
    new_child: About | None = None  # a child Harbour does not know yet
    agency_code: str = ""
    referrer: Staff | None = None
    scenario: text.Scenario | None = None
    bulk: bool = False  # an automated referral in the nightly file
    urgency: str = ""
    rag: str = ""
    event_at: dt.datetime | None = None  # automated: when it happened
    confirmed_at: dt.datetime | None = None
    rag_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None
    countersigned_at: dt.datetime | None = None
    first_decided_at: dt.datetime | None = None  # the decision the manager returned
    returned_at: dt.datetime | None = None
    escalated_at: dt.datetime | None = None
    escalation_resolved_at: dt.datetime | None = None
    returned: bool = False
    escalated: bool = False
    ends_relationship: bool = False  # closed lately: the open-referral relationship has ended
    chosen_by_referrer: bool = False
    outcome: str = ""
    first_outcome: str = ""  # of the returned decision
    victim_blaming: bool = False
    referral: Referral | None = None
    about: About | None = None
    words: dict[str, str] = field(default_factory=dict)
    decider: Staff | None = None  # who decided (and convenes any strategy meeting)
