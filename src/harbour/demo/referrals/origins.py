"""Where referrals come from and how completely each kind of referrer answers: an agency's
referrers on the form, or an automated feed (custody, ED, ambulance), with the share of all
referrals, the ages referred, the hours referrals are sent and the chance of each answer, as
the inspection found them."""

from __future__ import annotations

from dataclasses import dataclass

from harbour.demo import riverside as rv
from harbour.frontdoor.codes import Feed


@dataclass(frozen=True)
class Profile:
    """How completely a kind of referrer answers: the chance of each answer."""

    voice: float  # the child's own words
    voice_absent: float  # otherwise why they could not be obtained (the rest: nothing)
    ethnicity: float  # the child's ethnicity
    ethnicity_not_known: float  # otherwise "not known" (the rest: nothing)
    reason: float
    heritage: float
    needs: float  # what the referrer knows of the child's needs
    needs_not_known: float  # otherwise "I do not know" (the rest: nothing)
    education: float
    parents: float
    actions: float
    concerns: float = 1.0
    urgency: float = 1.0
    date_of_birth: float = 1.0
    address: float = 0.95
    nhs_number: float = 0.0
    other_names: float = 0.1
    victim_blaming: float = 0.0


@dataclass(frozen=True)
class Origin:
    """Where referrals come from: an agency's referrers on the form, or an automated feed."""

    key: str
    agency_code: str  # "" for the child's own school; a VCSE is chosen per child
    weight: float  # share of all referrals
    ages: tuple[int, int]
    profile: Profile
    hours: tuple[float, float] = (0.0, 24.0)  # local time referrals are sent
    weekdays_only: bool = False
    feed: str = ""
    source_system: str = ""
    bulk_share: float = 0.0  # of a feed's referrals, those in the nightly file
    holds_weight: float = 3.0  # how much likelier a child the agency holds a record of
    chooses_child: float = 0.0  # the referrer found the child in Harbour before sending
    # Whose words a feed's referral borrows (VOICE_ABSENT), where not its own key.
    text_key: str = ""

    @property
    def automated(self) -> bool:
        return bool(self.feed)

    @property
    def words(self) -> str:
        return self.text_key or self.key


VCSE_AGENCY = "vcse"
ORIGINS: tuple[Origin, ...] = (
    Origin(
        "police",
        rv.POLICE,
        0.22,
        (0, 17),
        Profile(
            voice=0.3,
            voice_absent=0.5,
            ethnicity=0.35,
            ethnicity_not_known=0.45,
            reason=0.7,
            heritage=0.05,
            needs=0.1,
            needs_not_known=0.6,
            education=0.3,
            parents=0.45,
            actions=0.85,
            address=0.9,
            nhs_number=0.05,
            victim_blaming=0.12,
        ),
        hours=(7.0, 23.5),
        holds_weight=4.0,
        chooses_child=0.4,
    ),
    Origin(
        "custody",
        rv.POLICE,
        0.2,
        (10, 17),
        Profile(
            voice=0.03,
            voice_absent=0.1,
            ethnicity=0.3,
            ethnicity_not_known=0.25,
            reason=0.3,
            heritage=0.0,
            needs=0.0,
            needs_not_known=0.3,
            education=0.1,
            parents=0.2,
            actions=0.3,
            concerns=0.8,
            urgency=0.4,
            date_of_birth=0.97,
            address=0.9,
            nhs_number=0.02,
            other_names=0.05,
            victim_blaming=0.08,
        ),
        feed=Feed.CUSTODY,
        source_system="NICHE-RMS",
        bulk_share=0.2,
        holds_weight=5.0,
    ),
    Origin(
        "school",
        "",
        0.22,
        (4, 17),
        Profile(
            voice=0.8,
            voice_absent=0.15,
            ethnicity=0.9,
            ethnicity_not_known=0.08,
            reason=1.0,
            heritage=0.6,
            needs=0.9,
            needs_not_known=0.05,
            education=1.0,
            parents=0.92,
            actions=0.95,
            nhs_number=0.03,
            victim_blaming=0.02,
        ),
        hours=(8.25, 16.5),
        weekdays_only=True,
        chooses_child=0.85,
    ),
    Origin(
        "ed",
        rv.ED,
        0.07,
        (0, 17),
        Profile(
            voice=0.45,
            voice_absent=0.35,
            ethnicity=0.6,
            ethnicity_not_known=0.3,
            reason=0.95,
            heritage=0.15,
            needs=0.35,
            needs_not_known=0.5,
            education=0.5,
            parents=0.8,
            actions=0.9,
            address=1.0,
            nhs_number=0.85,
            victim_blaming=0.06,
        ),
        chooses_child=0.6,
    ),
    Origin(
        "ed_feed",
        rv.ED,
        0.08,
        (10, 17),
        Profile(
            voice=0.0,
            voice_absent=0.05,
            ethnicity=0.55,
            ethnicity_not_known=0.25,
            reason=0.25,
            heritage=0.0,
            needs=0.1,
            needs_not_known=0.1,
            education=0.05,
            parents=0.3,
            actions=0.2,
            concerns=0.85,
            urgency=0.5,
            nhs_number=0.85,
            other_names=0.0,
        ),
        feed=Feed.ED_ASSAULT,
        source_system="SYMPHONY-ED",
        bulk_share=0.3,
        text_key="ed",
    ),
    Origin(
        "ambulance",
        rv.AMBULANCE,
        0.025,
        (0, 17),
        Profile(
            voice=0.3,
            voice_absent=0.5,
            ethnicity=0.3,
            ethnicity_not_known=0.6,
            reason=0.9,
            heritage=0.05,
            needs=0.1,
            needs_not_known=0.7,
            education=0.3,
            parents=0.6,
            actions=0.9,
            date_of_birth=0.95,
            nhs_number=0.6,
            victim_blaming=0.05,
        ),
        hours=(9.0, 17.0),
        weekdays_only=True,
        chooses_child=0.3,
    ),
    Origin(
        "ambulance_feed",
        rv.AMBULANCE,
        0.05,
        (10, 17),
        Profile(
            voice=0.0,
            voice_absent=0.0,
            ethnicity=0.1,
            ethnicity_not_known=0.2,
            reason=0.2,
            heritage=0.0,
            needs=0.0,
            needs_not_known=0.0,
            education=0.0,
            parents=0.05,
            actions=0.1,
            concerns=0.75,
            urgency=0.5,
            date_of_birth=0.5,
            address=0.3,
            nhs_number=0.1,
            other_names=0.0,
        ),
        feed=Feed.AMBULANCE,
        source_system="CAD",
        bulk_share=0.7,
        text_key="ambulance",
    ),
    Origin(
        "yjs",
        rv.YJS,
        0.055,
        (10, 17),
        Profile(
            voice=0.75,
            voice_absent=0.2,
            ethnicity=0.9,
            ethnicity_not_known=0.08,
            reason=1.0,
            heritage=0.45,
            needs=0.8,
            needs_not_known=0.1,
            education=0.9,
            parents=0.9,
            actions=0.95,
            address=1.0,
            nhs_number=0.4,
            victim_blaming=0.04,
        ),
        hours=(9.0, 18.0),
        weekdays_only=True,
        chooses_child=0.95,
    ),
    Origin(
        "vcse",
        VCSE_AGENCY,
        0.05,
        (8, 17),
        Profile(
            voice=0.85,
            voice_absent=0.1,
            ethnicity=0.6,
            ethnicity_not_known=0.35,
            reason=0.95,
            heritage=0.55,
            needs=0.4,
            needs_not_known=0.5,
            education=0.8,
            parents=0.85,
            actions=0.9,
            date_of_birth=0.9,
            address=0.8,
            victim_blaming=0.03,
        ),
        hours=(10.0, 21.0),
        chooses_child=0.5,
    ),
    Origin(
        "probation",
        rv.PROBATION,
        0.01,
        (16, 17),
        Profile(
            voice=0.5,
            voice_absent=0.4,
            ethnicity=0.8,
            ethnicity_not_known=0.2,
            reason=1.0,
            heritage=0.2,
            needs=0.5,
            needs_not_known=0.4,
            education=0.5,
            parents=0.7,
            actions=0.9,
            address=1.0,
            nhs_number=0.2,
            victim_blaming=0.05,
        ),
        hours=(9.0, 17.0),
        weekdays_only=True,
        chooses_child=0.8,
    ),
)


ORIGINS_BY_KEY = {o.key: o for o in ORIGINS}


# The agreement-party voluntary organisations refer most; the boxing club refers too.
VCSE_WEIGHTS = (
    (rv.VCSE_RIVERSIDE_OUTREACH, 0.3),
    (rv.VCSE_YOUTH_HUB, 0.3),
    (rv.VCSE_MENTORING, 0.25),
    (rv.VCSE_NO_AGREEMENT, 0.15),
)


# Hours of the day an event is recorded in a feed or an ED, weighted to evenings and nights.
EVENT_HOURS = tuple((h, 2.0 if h >= 16 or h < 2 else 1.0) for h in range(24))
