"""The front door's year in the synthetic partnership: referrals from police, schools, the
emergency department, the ambulance service, youth justice and the voluntary sector, a third of
them arriving from automated feeds, rated, decided, countersigned and fed back; and the front
door's queue on the reference date, with referrals waiting to be rated, decided or
countersigned, some late, one escalated by the demo police referrer; the strategy meetings the
decisions for a section 47 enquiry or the risk outside the home pathway called (some late, some
out of hours, a few without police or health, one or two still to come); and a round of the
multi-agency audit of referrals, scored and partly fed back.

Shaped by what the inspection found: police referrals, and above all the automated ones, often
leave out the child's own words, their ethnicity and the reason for the referral; schools'
referrals are more complete; most referrals are about harm outside the home.

About one referral a year for every eight children. Completeness is scored, and the clock set,
by the partnership's own rules (``CompletenessRule``, ``ServiceLevel``) as the front door's
services do. Referrals made on the form always meet the rules' required items (the form refuses
to send them otherwise); automated ones arrive as they are, and those missing something have a
task back to their source.

The phase draws every choice from its own ``random.Random`` and Faker, seeded from the
generation's seed, and runs after the others, so they make the same data as before it existed.
The children the partnership phase marks as referred lately (``_Child.open_referral``) are
referred here: some referrals still open, the others closed in the weeks before. Their
working relationships with the front door (current, or ended with the referral) are written here
and planned before anything that depends on the record phase's staff, so the record phase cannot
change them.

Times are in UTC, at whole minutes; the demo's "now" is the start of the reference date in
Riverside (``reference_moment``)."""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import itertools
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps
from faker import Faker

from harbour.access.models import RelationshipKind, WorkingRelationship
from harbour.children.codes import Ethnicity, Sex
from harbour.demo import names
from harbour.demo import referral_text as text
from harbour.demo import riverside as rv
from harbour.demo.models import SendStatus
from harbour.demo.record import HE, SHE, THEY, THEY_GENDERS
from harbour.demo.signins import (
    ED_NURSE,
    FRONT_DOOR_MANAGER,
    FRONT_DOOR_PRACTITIONER,
    REFERRER,
    SCHOOL_DSL,
)
from harbour.frontdoor import clocks, completeness, messages
from harbour.frontdoor.codes import (
    AuditGrade,
    AuditQuestion,
    Consent,
    Feed,
    KnownNeed,
    MeetingRole,
    MeetingStatus,
    Outcome,
    ParentsAware,
    Rag,
    Sampling,
    ServiceClock,
    Source,
    Status,
    Step,
    Urgency,
)
from harbour.frontdoor.meetings import MEETING_OUTCOMES, is_out_of_hours
from harbour.frontdoor.models import (
    AuditedReferral,
    CompletenessRule,
    DecisionState,
    Escalation,
    MeetingAction,
    MeetingAgency,
    Notification,
    Referral,
    ReferralAudit,
    ReferralDecision,
    SourceTask,
    StrategyMeeting,
)
from harbour.frontdoor.working_time import WorkingTime
from harbour.partnership.models import Agency, Role, Staff, ThresholdGuidance, ThresholdLevel

if TYPE_CHECKING:
    from harbour.demo.generator import _Child

T = TypeVar("T")

# The phase's own generators are seeded with the generation's seed plus this.
REFERRAL_SEED_OFFSET = 15_485_863

CHILDREN_PER_REFERRAL = 8  # about one referral a year for every eight children
MIN_REFERRALS = 30
WINDOW_DAYS = 365
# Referrals still waiting for the front door to confirm who the child is.
UNCONFIRMED_SHARE = 0.016
MIN_UNCONFIRMED = 2
# Referrals open on the reference date, and the fewest with a confirmed child (so that even a
# small partnership's queue shows every state).
OPEN_SHARE = 0.15
MIN_OPEN_LINKED = 8
# The year's other closed referrals thin out in the weeks before the reference date, when the
# recently referred children's referrals arrived.
RECENT_DAYS = 56
RECENT_THINNING = 0.3
# Closed referrals that went back to the practitioner once, and that the referrer escalated.
RETURNED_SHARE = 0.01
ESCALATED_SHARE = 0.01
MAX_REFERRALS_PER_CHILD = 3
# How much likelier a child the front door's agency already holds a record of is referred.
KNOWN_TO_THE_FRONT_DOOR = 5.0
# Outcomes that keep the front door's agency working with a child it already knows.
CONTINUING_BOOST = 2.0
# A red rating seldom ends in no further action; a green one seldom in an enquiry.
OUTCOME_BY_RAG: dict[tuple[str, str], float] = {
    (Rag.RED, Outcome.NO_FURTHER_ACTION): 0.15,
    (Rag.RED, Outcome.COMMUNITY_PANEL): 0.4,
    (Rag.RED, Outcome.VOLUNTARY_SECTOR): 0.4,
    (Rag.GREEN, Outcome.CHILD_PROTECTION): 0.1,
    (Rag.GREEN, Outcome.CHILD_IN_NEED): 0.4,
    (Rag.GREEN, Outcome.RISK_OUTSIDE_THE_HOME): 0.4,
}
# Decided after the decision was due, on top of those the weekend makes late.
LATE_DECISION_RATE = 0.08
# The open immediate referral not yet rated arrived this long before "now": just past its hour.
JUST_LATE = dt.timedelta(minutes=75)

# Strategy meetings: of those held, the shares held late (after the service level), out of hours
# (evenings, early mornings, weekends) and without police or health; a few ordinary ones
# without the school or the other agency invited.
MEETING_LATE_SHARE = 0.12
MEETING_OUT_OF_HOURS_SHARE = 0.1
MEETING_WITHOUT_POLICE_OR_HEALTH_SHARE = 0.12
MEETING_SCHOOL_ABSENT = 0.08
MEETING_OTHER_ABSENT = 0.2
# A decision this recent still has its meeting to come.
MEETING_PLANNED_WITHIN = dt.timedelta(hours=6)
# One round of a multi-agency audit of referrals, drawn some weeks before "now".
AUDIT_SAMPLE = 10
AUDIT_WEEKS_AGO = (3, 5)
AUDIT_UNSCORED_SHARE = 0.2
AUDIT_FED_BACK_SHARE = 0.6

LONDON = ZoneInfo("Europe/London")
FRONT_DOOR_CODE = next(code for code, _team, front_door in rv.TEAMS if front_door)
DSL_TITLE = "Designated Safeguarding Lead"

# The states a referral open on the reference date can be in.
RECEIVED = "received"  # not rated yet
RATED = "rated"
AWAITING = "awaiting"  # decided, waiting for the manager's countersignature
RETURNED = "returned"  # the manager returned the decision; rated again, to decide again
BACKLOG = "backlog"  # rated, the decision long overdue
ESCALATED = "escalated"  # the referrer escalated: no outcome in time
CLOSED = "closed"

# Which threshold guidance each outcome relies on, where one matches.
OUTCOME_THRESHOLD: dict[str, str] = {
    Outcome.NO_FURTHER_ACTION: ThresholdLevel.UNIVERSAL,
    Outcome.EARLY_HELP: ThresholdLevel.EARLY_HELP,
    Outcome.CHILD_IN_NEED: ThresholdLevel.CHILD_IN_NEED,
    Outcome.CHILD_PROTECTION: ThresholdLevel.CHILD_PROTECTION,
    Outcome.RISK_OUTSIDE_THE_HOME: ThresholdLevel.RISK_OUTSIDE_THE_HOME,
}
# After these the front door's agency goes on working with the child (``frontdoor.services``):
# the demo gives them only to children that agency already holds a record of.
CONTINUING_OUTCOMES = frozenset(
    {
        Outcome.EARLY_HELP,
        Outcome.CHILD_IN_NEED,
        Outcome.CHILD_PROTECTION,
        Outcome.RISK_OUTSIDE_THE_HOME,
    }
)


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


_VCSE_AGENCY = "vcse"
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
        _VCSE_AGENCY,
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


@dataclass
class _About:
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
class _Planned:
    """One referral, planned before it is written."""

    state: str
    origin: Origin
    received: dt.datetime  # UTC
    child: _Child | None = None  # whom it is about, if Harbour knows them
    linked: bool = True  # the child is confirmed (``Referral.child``)
    new_child: _About | None = None  # a child Harbour does not know yet
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
    about: _About | None = None
    words: dict[str, str] = field(default_factory=dict)
    decider: Staff | None = None  # who decided (and convenes any strategy meeting)


def _minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def apportion(weights: Sequence[float], total: int) -> list[int]:
    """Whole numbers in proportion to ``weights`` that add up to ``total`` (largest remainder)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    shares = [w * total / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(shares[i] - counts[i]), i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def reference_moment(reference_date: dt.date) -> dt.datetime:
    """The start of the reference date in Riverside, in UTC: the demo's "now"."""
    return dt.datetime.combine(reference_date, dt.time(0), tzinfo=LONDON).astimezone(dt.UTC)


class ReferralPhase:
    """Writes the front door's referrals, decisions, escalations, tasks back to source agencies,
    notifications, and the front door's relationships with the children referred lately."""

    def __init__(
        self,
        *,
        seed: int,
        children: Sequence[_Child],
        agencies: dict[str, Agency],
        reference_date: dt.date,
        now: dt.datetime | None = None,
    ) -> None:
        self.rng = random.Random(seed + REFERRAL_SEED_OFFSET)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed + REFERRAL_SEED_OFFSET)
        self.children = list(children)
        self.agencies = agencies
        if now is None:
            self.today = reference_date
            self.now = reference_moment(reference_date)
        else:
            # Whole minutes, as the rest of the phase's times are.
            self.now = now.astimezone(dt.UTC).replace(second=0, microsecond=0)
            self.today = self.now.astimezone(LONDON).date()
        self.front_door = agencies[FRONT_DOOR_CODE]
        self.rules: list[CompletenessRule] = []
        self.levels: clocks.Levels = {}
        self.working_time = WorkingTime()
        self.staff: list[Staff] = []
        self.referred: dict[uuid.UUID, int] = {}
        self.pools: dict[str, tuple[list[_Child], list[float]]] = {}
        self.source_ids: dict[str, int] = {}
        self.plans: list[_Planned] = []

    # -- random helpers -----------------------------------------------------------------------

    def pick(self, pairs: Sequence[tuple[T, float]]) -> T:
        return self.rng.choices([v for v, _ in pairs], [w for _, w in pairs])[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def hours(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(minutes=round(60 * self.rng.uniform(low, high)))

    def between(self, earliest: dt.datetime, latest: dt.datetime) -> dt.datetime:
        """A minute from ``earliest`` to ``latest``, both included."""
        earliest = _minute(earliest) + dt.timedelta(minutes=1 if earliest.second else 0)
        if latest <= earliest:
            return earliest
        span = int((latest - earliest).total_seconds() // 60)
        return earliest + dt.timedelta(minutes=self.rng.randint(0, span))

    def at(self, day: dt.date, hour: float) -> dt.datetime:
        """UTC, for a time of day in Riverside."""
        local = dt.datetime.combine(day, dt.time(0), tzinfo=LONDON)
        return _minute((local + dt.timedelta(minutes=round(hour * 60))).astimezone(dt.UTC))

    @staticmethod
    def local(moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(LONDON)

    # -- the run --------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        self.ensure_rules()
        self.rules = list(CompletenessRule.objects.all())
        # The clocks by urgency, the working hours and bank holidays (ADR 0019), as the front
        # door's services read them.
        self.levels = clocks.service_levels()
        self.working_time = clocks.working_time()
        self.plan_open()  # first: the open referrals' relationships depend on nothing else
        self.staff = list(
            Staff.objects.filter(agency__isnull=False, is_active=True)
            .select_related("agency", "team")
            .order_by("email")
        )
        self.plan_unconfirmed()
        self.plan_closed()
        self.plans.sort(key=lambda p: p.received)
        for plan in self.plans:
            self.choose_referrer(plan)
        self.guarantee_an_outcome_for_the_demo_referrer()
        for plan in self.plans:
            self.build(plan)
        self.guarantee_immediate()
        self.guarantee_a_meeting_to_come()
        return self.save()

    @staticmethod
    def ensure_rules() -> None:
        """The partnership's starting rules where none are set (a flushed test database has
        none); an administrator's own rules are left alone."""
        starting = importlib.import_module("harbour.frontdoor.migrations.0002_partnership_rules")
        starting.seed(django_apps, None)
        meetings = importlib.import_module("harbour.frontdoor.migrations.0004_meetings_and_audits")
        meetings.seed_strategy_meeting_level(django_apps, None)
        by_urgency = importlib.import_module("harbour.frontdoor.migrations.0007_clocks_by_urgency")
        by_urgency.seed_clocks(django_apps, None)

    def due(self, step: str, received: dt.datetime) -> dt.datetime | None:
        """When a step with no clock (a strategy meeting) is due."""
        level = self.levels.get((step, ""))
        return level.due(received, self.working_time) if level else None

    def due_or(self, step: str, received: dt.datetime, hours: float) -> dt.datetime:
        return self.due(step, received) or received + dt.timedelta(hours=hours)

    def timed(self, urgency: str, received: dt.datetime) -> clocks.ReferralClock:
        """A referral's clock, as the front door's services set it when it arrives."""
        return clocks.referral_clock(
            urgency=urgency, received=received, levels=self.levels, working=self.working_time
        )

    def escalation_from(self, received: dt.datetime, urgency: str = "") -> dt.datetime:
        return self.timed(urgency, received).escalation_from or received + dt.timedelta(hours=72)

    def clock(self, r: Referral) -> None:
        """Put the referral on the clock its stated urgency and arrival call for."""
        assert r.received_at is not None
        timed = self.timed(r.urgency, r.received_at)
        r.service_clock, r.received_out_of_hours = timed.clock, timed.out_of_hours
        r.rag_due_at, r.decision_due_at = timed.rag_due_at, timed.decision_due_at
        r.escalation_from = timed.escalation_from

    # -- open on the reference date -------------------------------------------------------------

    def plan_open(self) -> None:
        """The children the partnership phase marked as referred lately (``open_referral``).
        Enough of them for about one referral in seven of the year's to be open on the reference
        date still are, in states chosen so that the front door's queue shows every one; the
        others' referrals closed in the weeks before. A partnership with too few marked children
        has referrals open for other teenagers the statutory agencies know."""
        flagged = [c for c in self.children if c.open_referral]
        self.rng.shuffle(flagged)
        flagged.sort(key=lambda c: c.age < 11)  # the teenagers first
        target = max(MIN_OPEN_LINKED, round(OPEN_SHARE * self.total()) - self.unconfirmed_count())
        still_open, closed_lately = flagged[:target], flagged[target:]
        if len(still_open) < target:
            known = [
                c
                for c in self.children
                if not c.open_referral
                and c.age >= 11
                and any(code in c.holders for code in (rv.CSC, rv.POLICE, rv.YJS))
            ]
            self.rng.shuffle(known)
            known.sort(key=lambda c: FRONT_DOOR_CODE not in c.holders)
            still_open += known[: target - len(still_open)]
        for child in closed_lately:
            closed = self.plan_closed_lately(child)
            if closed is None:
                still_open.append(child)  # born too lately for a referral to have closed
            else:
                self.plans.append(closed)
        teens = [c for c in still_open if c.age >= 11]
        escalated = teens[0] if teens else (still_open[0] if still_open else None)
        rest = [c for c in still_open if c is not escalated]
        n = len(still_open)
        states: list[str] = [AWAITING] * (2 + round(0.08 * n))
        if n >= 8:
            states.append(RETURNED)
        states += [BACKLOG] * max(1, round(0.12 * n))
        remaining = max(0, len(rest) - len(states))
        states += [RATED] * (remaining // 2) + [RECEIVED] * (remaining - remaining // 2)
        # The states that wait on a decision go to the teenagers where there are enough.
        rest.sort(key=lambda c: c.age < 11)
        pairs = [(escalated, ESCALATED)] if escalated is not None else []
        pairs += list(zip(rest, states[: len(rest)], strict=True))
        for child, state in pairs:
            plan = _Planned(
                state=state, origin=self.open_origin(child, state), received=self.now, child=child
            )
            self.referred[child.id] = self.referred.get(child.id, 0) + 1
            self.time_open(plan)
            self.plans.append(plan)

    def plan_closed_lately(self, child: _Child) -> _Planned | None:
        """A referral about a marked child that arrived in the last eight weeks and has closed:
        the front door's relationship with the child ended with it."""
        origin = self.open_origin(child, CLOSED)
        born = self.at(child.date_of_birth + dt.timedelta(days=1), 0)
        for _ in range(30):
            plan = _Planned(state=CLOSED, origin=origin, received=self.now, child=child)
            plan.bulk = origin.automated and self.chance(origin.bulk_share)
            plan.chosen_by_referrer = not origin.automated and self.chance(origin.chooses_child)
            plan.ends_relationship = True
            event = self.now - self.hours(4 * 24.0, 56 * 24.0)
            plan.received = self.sendable(origin, event, plan.bulk)
            if plan.received <= born:
                continue
            if origin.automated:
                plan.event_at = plan.received - (
                    self.hours(1.0, 20.0) if plan.bulk else self.hours(0, 0.5)
                )
            age = self.age_on(child.date_of_birth, self.local(plan.received).date())
            plan.scenario = self.scenario_for(origin, age)
            plan.urgency = self.pick(plan.scenario.urgency)
            self.chain(plan)
            assert plan.countersigned_at is not None
            if plan.countersigned_at < self.now - dt.timedelta(hours=1):
                self.referred[child.id] = self.referred.get(child.id, 0) + 1
                return plan
        return None

    def open_origin(self, child: _Child, state: str) -> Origin:
        if state == ESCALATED:
            return ORIGINS_BY_KEY["police"]  # the demo police referrer's
        yesterday = self.today - dt.timedelta(days=1 if state != CLOSED else 56)
        options = [
            (o, o.weight * (o.holds_weight if self.holds(child, o) else 1.0))
            for o in ORIGINS
            if self.may_refer(o, child, yesterday)
        ]
        return self.pick(options) if options else ORIGINS_BY_KEY["police"]

    def time_open(self, plan: _Planned) -> None:
        state, origin = plan.state, plan.origin
        assert plan.child is not None
        ago: dict[str, tuple[float, float]] = {
            RECEIVED: (1.0, 20.0) if self.chance(0.7) else (26.0, 70.0),
            RATED: (3.0, 36.0),
            AWAITING: (8.0, 96.0),
            RETURNED: (20.0, 96.0),
            BACKLOG: (5 * 24.0, 15 * 24.0),
            ESCALATED: (6 * 24.0, 9 * 24.0),
        }
        plan.bulk = origin.automated and self.chance(origin.bulk_share)
        plan.chosen_by_referrer = not origin.automated and self.chance(origin.chooses_child)
        born = self.at(plan.child.date_of_birth + dt.timedelta(days=1), 0)
        received = self.now
        for _ in range(50):
            received = self.sendable(origin, self.now - self.hours(*ago[state]), plan.bulk)
            if received <= born:
                received = self.between(max(born, self.now - dt.timedelta(hours=12)), self.now)
            escalation_from = self.escalation_from(received)
            if state != ESCALATED or escalation_from < self.now - dt.timedelta(hours=12):
                break
        plan.received = received = min(received, self.now - dt.timedelta(minutes=30))
        if origin.automated:
            plan.event_at = received - (self.hours(1.0, 20.0) if plan.bulk else self.hours(0, 0.5))
        left = self.now - received
        start = received
        if not plan.chosen_by_referrer:
            plan.confirmed_at = start = self.between(
                received + dt.timedelta(minutes=5), received + min(self.hours(0.2, 3.0), left / 3)
            )
        if state == RECEIVED:
            return
        plan.rag_at = self.between(
            start + dt.timedelta(minutes=5), start + min(self.hours(0.5, 20.0), left / 2)
        )
        if state in (AWAITING, RETURNED):
            plan.decided_at = self.in_working_hours(
                plan.rag_at + dt.timedelta(minutes=20), self.now - dt.timedelta(minutes=40)
            )
        if state == RETURNED:
            assert plan.decided_at is not None
            plan.returned = True
            plan.first_decided_at, plan.decided_at = plan.decided_at, None
            plan.returned_at = self.in_working_hours(
                plan.first_decided_at + dt.timedelta(minutes=10),
                self.now - dt.timedelta(minutes=20),
            )
        if state == ESCALATED:
            escalation_from = self.escalation_from(received)
            plan.escalated = True
            plan.escalated_at = self.between(
                escalation_from + dt.timedelta(hours=1),
                min(escalation_from + dt.timedelta(hours=48), self.now - dt.timedelta(hours=1)),
            )

    def sendable(self, origin: Origin, moment: dt.datetime, bulk: bool) -> dt.datetime:
        """The latest time at or before ``moment`` when this referrer sends referrals (a bulk
        feed's nightly file arrives at about two in the morning)."""
        local = self.local(moment)
        day = local.date()
        hour = local.hour + local.minute / 60
        if bulk:
            if hour < 2.6:
                day -= dt.timedelta(days=1)
            return self.at(day, 2.0 + self.rng.uniform(0, 0.6))
        low, high = origin.hours
        if low <= hour < high and not (origin.weekdays_only and day.weekday() >= 5):
            return _minute(moment)
        if hour < low:
            day -= dt.timedelta(days=1)
        while origin.weekdays_only and day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        end = min(hour, high) if day == local.date() else high
        return self.at(day, self.rng.uniform(max(low, end - 3.0), end))

    # -- who is referred, by whom ---------------------------------------------------------------

    @staticmethod
    def age_on(dob: dt.date, day: dt.date) -> int:
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @staticmethod
    def holds(child: _Child, origin: Origin) -> bool:
        if origin.agency_code == _VCSE_AGENCY:
            return any(code in rv.VCSE_CODES for code in child.holders)
        if not origin.agency_code:
            return True  # the child's own school
        return origin.agency_code in child.holders

    def may_refer(self, origin: Origin, child: _Child, day: dt.date) -> bool:
        if day <= child.date_of_birth:
            return False
        age = self.age_on(child.date_of_birth, day)
        low, high = origin.ages
        if not low <= age <= high or not self.scenarios(origin, age):
            return False
        if origin.key == "school":
            return child.school is not None and (child.school_started or day) <= day
        if origin.key == "yjs":
            return rv.YJS in child.holders
        if origin.key == "probation":
            return rv.PROBATION in child.holders or rv.YJS in child.holders
        return True

    @staticmethod
    @functools.cache
    def scenarios(origin: Origin, age: int) -> list[tuple[text.Scenario, float]]:
        """The kinds of worry this referrer brings about a child of this age."""
        return [
            (text.SCENARIOS[key], weight)
            for key, weight in text.ORIGIN_SCENARIOS[origin.key]
            if text.SCENARIOS[key].ages[0] <= age <= text.SCENARIOS[key].ages[1]
        ]

    def scenario_for(self, origin: Origin, age: int) -> text.Scenario:
        return self.pick(self.scenarios(origin, age) or self.scenarios(origin, 14))

    @staticmethod
    def risk(child: _Child) -> float:
        """How likely a child is to be referred: far likelier if the police, youth justice or
        social care know them, and if they are a teenager."""
        weight = 1.0
        weight += 3.0 * (rv.POLICE in child.holders)
        weight += 4.0 * (rv.YJS in child.holders)
        weight += 2.5 * (rv.CSC in child.holders)
        weight += 1.0 * (rv.ED in child.holders or rv.AMBULANCE in child.holders)
        weight += 1.0 * any(code in rv.VCSE_CODES for code in child.holders)
        if child.age >= 13:
            return weight * 3.0
        if child.age >= 10:
            return weight * 1.5
        return weight * (0.5 if child.age >= 5 else 0.25)

    def weight(self, origin: Origin, child: _Child) -> float:
        """How likely this referrer is to refer this child: more if its agency knows them, far
        more if the front door's agency already does (children are referred again and again)."""
        return (
            self.risk(child)
            * (origin.holds_weight if self.holds(child, origin) else 1.0)
            * (KNOWN_TO_THE_FRONT_DOOR if FRONT_DOOR_CODE in child.holders else 1.0)
        )

    def pool(self, origin: Origin) -> tuple[list[_Child], list[float]]:
        """The children this referrer might ever refer, with cumulative weights."""
        if origin.key not in self.pools:
            low, high = origin.ages
            children = [
                c
                for c in self.children
                if low <= c.age <= high + 1
                and (origin.key != "school" or c.school is not None)
                and (origin.key != "yjs" or rv.YJS in c.holders)
            ]
            cumulative = list(itertools.accumulate(self.weight(origin, c) for c in children))
            self.pools[origin.key] = (children, cumulative)
        return self.pools[origin.key]

    def choose_child(self, origin: Origin, day: dt.date) -> _Child | None:
        """A child this referrer could refer on the day, drawn by ``weight`` (draws the child
        cannot be referred on that day are drawn again)."""
        children, cumulative = self.pool(origin)
        chosen: _Child | None = None
        for _ in range(80) if children else ():
            child = self.rng.choices(children, cum_weights=cumulative)[0]
            if self.referred.get(child.id, 0) < MAX_REFERRALS_PER_CHILD and self.may_refer(
                origin, child, day
            ):
                chosen = child
                break
        if chosen is None:
            candidates = [
                (c, self.weight(origin, c))
                for c in self.children
                if self.referred.get(c.id, 0) < MAX_REFERRALS_PER_CHILD
                and self.may_refer(origin, c, day)
            ]
            if not candidates:
                return None
            chosen = self.pick(candidates)
        self.referred[chosen.id] = self.referred.get(chosen.id, 0) + 1
        return chosen

    # -- not yet confirmed ----------------------------------------------------------------------

    def total(self) -> int:
        return max(MIN_REFERRALS, round(len(self.children) / CHILDREN_PER_REFERRAL))

    def unconfirmed_count(self) -> int:
        return max(MIN_UNCONFIRMED, round(UNCONFIRMED_SHARE * self.total()))

    def plan_unconfirmed(self) -> None:
        """Recent referrals the front door has not matched to a child yet: most are about a
        child Harbour knows, under a nickname or a misspelt name; one is about a child new to
        Harbour."""
        count = self.unconfirmed_count()
        weights = (
            ("custody", 0.35),
            ("ed_feed", 0.2),
            ("ambulance_feed", 0.15),
            ("police", 0.2),
            ("ed", 0.1),
        )
        for i in range(count):
            origin = ORIGINS_BY_KEY[self.pick(weights)]
            plan = _Planned(
                state=RATED if i == 1 else RECEIVED, origin=origin, received=self.now, linked=False
            )
            plan.bulk = origin.automated and self.chance(origin.bulk_share)
            plan.received = min(
                self.sendable(origin, self.now - self.hours(1.0, 40.0), plan.bulk),
                self.now - dt.timedelta(minutes=30),
            )
            day = self.local(plan.received).date()
            if i < count - 1:
                plan.child = self.choose_child(origin, day)
            if plan.child is None:
                plan.new_child = self.new_child(origin, day)
            if origin.automated:
                plan.event_at = plan.received - (
                    self.hours(1.0, 20.0) if plan.bulk else self.hours(0, 0.5)
                )
            if plan.state == RATED:
                plan.rag_at = self.between(
                    plan.received + dt.timedelta(minutes=10), self.now - dt.timedelta(minutes=20)
                )
            self.plans.append(plan)

    def new_child(self, origin: Origin, day: dt.date) -> _About:
        """A child Harbour has no record of: new to the area."""
        ethnicity = self.pick(names.ETHNICITY_WEIGHTS)
        sex = self.pick(((Sex.MALE.value, 0.6), (Sex.FEMALE.value, 0.4)))
        girl = sex == Sex.FEMALE
        pool = self.pick(names.NAME_MIX[ethnicity].given)
        if pool == names.FAKER:
            given = str(self.fake.first_name_female() if girl else self.fake.first_name_male())
        else:
            chosen = names.POOLS[pool]
            given = self.rng.choice(chosen.girls if girl else chosen.boys)
        family_pool = self.pick(names.NAME_MIX[ethnicity].family)
        if family_pool == names.FAKER:
            family = str(self.fake.last_name())
        else:
            family = self.rng.choice(names.POOLS[family_pool].family)
        age = self.rng.randint(max(13, origin.ages[0]), origin.ages[1])
        dob = day - dt.timedelta(days=365 * age + self.rng.randint(30, 330))
        sector = self.rng.choice(rv.POSTCODE_SECTORS)
        postcode = sector.sector + "".join(self.rng.choices(rv.POSTCODE_UNIT_LETTERS, k=2))
        street = f"{self.rng.choice(rv.STREET_NAMES)} {self.rng.choice(rv.STREET_SUFFIXES)}"
        return _About(
            given_name=given,
            family_name=family,
            date_of_birth=dob,
            sex=sex,
            ethnicity=ethnicity,
            language=self.pick(names.LANGUAGES.get(ethnicity, (("English", 1.0),))),
            address=f"{self.rng.randint(1, 120)} {street}, Riverside",
            postcode=postcode,
            pronouns=text_pronouns(sex, ""),
        )

    # -- the year's closed referrals ------------------------------------------------------------

    def plan_closed(self) -> None:
        """The rest of the year's referrals, decided and closed: the mix of referrers made up
        to the partnership's whole, with one or two decisions returned by the manager and one
        or two escalated by a referrer on the way."""
        total = self.total()
        count = max(0, total - len(self.plans))
        targets = apportion([o.weight for o in ORIGINS], total)
        used = {o.key: 0 for o in ORIGINS}
        for plan in self.plans:
            used[plan.origin.key] += 1
        left: list[float] = [max(0, t - used[o.key]) for o, t in zip(ORIGINS, targets, strict=True)]
        if not any(left):
            left = [o.weight for o in ORIGINS]
        origins: list[Origin] = []
        for origin, n in zip(ORIGINS, apportion(left, count), strict=True):
            origins += [origin] * n
        self.rng.shuffle(origins)
        n_returned = max(1, round(RETURNED_SHARE * count))
        n_escalated = max(1, round(ESCALATED_SHARE * count))
        for origin in origins:
            returned = escalated = False
            if not origin.automated and n_returned:
                returned, n_returned = True, n_returned - 1
            elif not origin.automated and n_escalated:
                escalated, n_escalated = True, n_escalated - 1
            closed = self.plan_one_closed(origin, returned=returned, escalated=escalated)
            if closed is not None:
                self.plans.append(closed)

    def plan_one_closed(
        self, origin: Origin, *, returned: bool, escalated: bool
    ) -> _Planned | None:
        for _ in range(30):
            bulk = origin.automated and self.chance(origin.bulk_share)
            days = self.rng.randint(3, WINDOW_DAYS - 3)
            if days < RECENT_DAYS and not self.chance(RECENT_THINNING):
                continue
            day = self.today - dt.timedelta(days=days)
            event = self.received_on(origin, day)
            received = event
            if bulk:
                night = self.local(event).date() + dt.timedelta(days=1)
                received = self.at(night, 2.0 + self.rng.uniform(0, 0.6))
            child = self.choose_child(origin, self.local(received).date())
            if child is None:
                continue
            plan = _Planned(
                state=CLOSED,
                origin=origin,
                received=received,
                child=child,
                bulk=bulk,
                event_at=event if origin.automated else None,
                returned=returned,
                escalated=escalated,
                chosen_by_referrer=not origin.automated and self.chance(origin.chooses_child),
            )
            age = self.age_on(child.date_of_birth, self.local(received).date())
            plan.scenario = self.scenario_for(origin, age)
            plan.urgency = self.pick(plan.scenario.urgency)
            self.chain(plan)
            assert plan.countersigned_at is not None
            if plan.countersigned_at < self.now - dt.timedelta(hours=1):
                return plan
            self.referred[child.id] -= 1  # too late to have closed: try another day
        return None

    def received_on(self, origin: Origin, day: dt.date) -> dt.datetime:
        while origin.weekdays_only and day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        if origin.hours == (0.0, 24.0):
            return self.at(day, self.pick(EVENT_HOURS) + self.rng.random())
        return self.at(day, self.rng.uniform(*origin.hours))

    def working(self, moment: dt.datetime) -> dt.datetime:
        """The front door works 8.30 to 6, Monday to Friday: later work waits for the morning."""
        local = self.local(moment)
        minutes = local.hour * 60 + local.minute
        if local.weekday() < 5 and 8 * 60 + 30 <= minutes < 18 * 60:
            return moment
        day = local.date()
        if local.weekday() >= 5 or minutes >= 18 * 60:
            day += dt.timedelta(days=1)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return self.at(day, 8.5 + self.rng.uniform(0, 1.5))

    def in_working_hours(self, earliest: dt.datetime, latest: dt.datetime) -> dt.datetime:
        """A minute from ``earliest`` to ``latest`` in the front door's working hours, where
        the next working hours come before ``latest``."""
        moment = self.between(earliest, latest)
        working = self.working(moment)
        return working if working <= latest else moment

    def chain(self, plan: _Planned) -> None:
        """Confirmed, rated, decided and countersigned, at the pace of a busy front door:
        immediate referrals at once, the rest in working hours, some late."""
        received = plan.received
        urgent = plan.urgency == Urgency.IMMEDIATE
        timed = self.timed(plan.urgency, received)
        decision_due = timed.decision_due_at or received + dt.timedelta(hours=24)
        start = received
        if not plan.chosen_by_referrer:
            plan.confirmed_at = start = received + self.hours(0.1, 2.0)
        if urgent:
            plan.rag_at = start + self.hours(0.1, 1.5)
            decided = plan.rag_at + self.hours(0.5, 5.0)
        else:
            if timed.clock == ServiceClock.OUT_OF_HOURS:
                # The emergency duty team rates it in the night or at the weekend; the front
                # door decides in its working hours.
                plan.rag_at = start + self.hours(0.2, 2.5)
            else:
                delay = self.pick((((0.3, 4.0), 0.65), ((4.0, 20.0), 0.28), ((20.0, 40.0), 0.07)))
                plan.rag_at = self.working(start + self.hours(*delay))
            if self.chance(LATE_DECISION_RATE):
                decided = max(decision_due, plan.rag_at) + self.hours(1.0, 50.0)
            else:
                room = (decision_due - plan.rag_at).total_seconds() / 3600
                decided = self.working(plan.rag_at + self.hours(0.3, max(0.6, room - 0.2)))
                if decided > decision_due:  # stayed late to decide on time
                    decided = plan.rag_at + self.hours(0.3, 2.5)
            decided = self.working(decided) if decided > decision_due else decided
        if plan.escalated:
            escalation_from = self.escalation_from(received, plan.urgency)
            decided = max(decided, self.working(escalation_from + self.hours(3.0, 30.0)))
            plan.escalated_at = self.between(
                escalation_from + dt.timedelta(minutes=30), decided - dt.timedelta(minutes=30)
            )
        if plan.returned:
            plan.first_decided_at = decided
            plan.returned_at = self.working(decided + self.hours(0.3, 5.0))
            decided = self.working(plan.returned_at + self.hours(1.0, 20.0))
        plan.decided_at = decided
        signed = decided + self.hours(0.2, 6.0)
        plan.countersigned_at = signed if urgent else self.working(signed)
        if plan.escalated:
            plan.escalation_resolved_at = plan.countersigned_at

    # -- referrers ------------------------------------------------------------------------------

    def choose_referrer(self, plan: _Planned) -> None:
        origin, child = plan.origin, plan.child
        code = origin.agency_code
        if not code:
            assert child is not None and child.school is not None
            code = child.school.code
        elif code == _VCSE_AGENCY:
            held = [c for c in child.holders if c in rv.VCSE_CODES] if child else []
            code = held[0] if held else self.pick(VCSE_WEIGHTS)
        plan.agency_code = code
        if origin.automated:
            return
        if plan.state == ESCALATED:
            plan.referrer = self.signed_in(REFERRER.email)
            return
        plan.referrer = self.pick(self.referrers(code))

    def guarantee_an_outcome_for_the_demo_referrer(self) -> None:
        """The demo police referrer has had at least one outcome back."""
        referrer = self.signed_in(REFERRER.email)
        police = [p for p in self.plans if p.state == CLOSED and p.origin.key == "police"]
        if police and not any(p.referrer == referrer for p in police):
            police[-1].referrer = referrer

    def signed_in(self, email: str) -> Staff:
        return next(s for s in self.staff if s.email == email)

    def referrers(self, code: str) -> list[tuple[Staff, float]]:
        """Who refers from an agency: its referrers (a school's designated safeguarding lead,
        else its SENCo), or anyone there who may refer; the demo sign-ins more often."""
        here = [s for s in self.staff if s.agency is not None and s.agency.code == code]
        if code.startswith("school-"):
            pool = [s for s in here if s.job_title == DSL_TITLE] or [
                s for s in here if s.role == Role.REFERRER
            ]
            pool = pool or [self.signed_in(SCHOOL_DSL.email)]
        else:
            pool = [s for s in here if s.role == Role.REFERRER] or [
                s for s in here if s.role in (Role.LEAD_PRACTITIONER, Role.PANEL_CHAIR)
            ]
        favourites = {REFERRER.email: 2.0, ED_NURSE.email: 2.0}
        return [(s, favourites.get(s.email, 1.0)) for s in pool]

    # -- the referral's answers -----------------------------------------------------------------

    def about(self, plan: _Planned) -> _About:
        if plan.new_child is not None:
            return plan.new_child
        child = plan.child
        assert child is not None
        household = child.household
        day = self.local(plan.received).date()
        school = child.school if child.school and (child.school_started or day) <= day else None
        nicknames = (child.nickname,) if child.nickname else names.NICKNAMES.get(child.given_name)
        return _About(
            given_name=child.given_name,
            family_name=child.family_name,
            date_of_birth=child.date_of_birth,
            sex=child.sex,
            ethnicity=household.ethnicity,
            language=household.language,
            address=household.address_line,
            postcode=household.postcode,
            nhs_number=child.nhs_number,
            nickname=self.rng.choice(nicknames) if nicknames else "",
            send=child.send,
            school_name=school.name if school else "",
            pronouns=text_pronouns(child.sex, child.gender),
        )

    def build(self, plan: _Planned) -> None:
        origin, profile = plan.origin, plan.origin.profile
        about = plan.about = self.about(plan)
        plan.words = {
            "place": self.rng.choice(text.PLACES),
            "town": self.rng.choice(text.TOWNS),
            "wound": self.rng.choice(text.WOUNDS),
            "name": about.given_name,
        }
        age = self.age_on(about.date_of_birth, self.local(plan.received).date())
        if plan.scenario is None:
            plan.scenario = self.scenario_for(origin, age)
        scenario = plan.scenario
        if not plan.urgency:
            plan.urgency = self.pick(scenario.urgency)
        referrer = plan.referrer
        r = Referral(
            status=self.status(plan),
            source=Source.FORM,
            front_door=self.front_door,
            referring_agency=self.agencies[plan.agency_code],
            referring_team=referrer.team if referrer else None,
            referrer=referrer,
            referrer_name=referrer.get_full_name() if referrer else "",
            referrer_contact=referrer.email if referrer else "",
            received_at=plan.received,
        )
        if origin.automated:
            r.source = Source.BULK if plan.bulk else Source.API
            r.feed = origin.feed
            r.source_system = origin.source_system
            r.source_id = self.source_id(origin, plan)
        self.state_child(plan, r, about)
        r.incident_date = self.incident_date(plan, about)
        if self.chance(profile.concerns):
            r.concerns = self.concerns(scenario)
        r.what_happened = self.what_happened(plan, scenario)
        if self.chance(profile.reason):
            r.reason = self.reason(plan, scenario)
        if self.chance(profile.victim_blaming):
            plan.victim_blaming = True
            blame = self.fill(self.rng.choice(text.VICTIM_BLAMING), plan)
            if r.reason and self.chance(0.6):
                r.reason = f"{r.reason} {blame}"
            else:
                r.what_happened = f"{r.what_happened} {blame}"
        self.voice(plan, r, age)
        self.identity(plan, r)
        self.needs(plan, r)
        if self.chance(profile.education):
            r.education_setting = about.school_name or (
                "Not at school yet" if age < 5 else "Not known to me"
            )
        self.parents(plan, r)
        if self.chance(profile.actions):
            r.actions_taken = self.fill(self.rng.choice(self.actions(origin)), plan)
        if self.chance(profile.urgency):
            r.urgency = plan.urgency
        if plan.chosen_by_referrer and plan.child is not None:
            r.child_id = plan.child.id  # found in Harbour before sending
        if not origin.automated:
            self.complete_required(plan, r)
        self.score(r)
        self.clock(r)
        if plan.linked and plan.child is not None:
            r.child_id = plan.child.id
            r.child_confirmed_at = None if plan.chosen_by_referrer else plan.confirmed_at
        if plan.rag_at is not None:
            plan.rag = (
                Rag.RED.value if plan.urgency == Urgency.IMMEDIATE else self.pick(scenario.rag)
            )
            r.rag, r.rag_at = plan.rag, plan.rag_at
            r.rag_rationale = self.rag_rationale(plan)
        if plan.state == CLOSED:
            r.closed_at = plan.countersigned_at
        if plan.state in (CLOSED, AWAITING) or plan.returned:
            plan.outcome = self.outcome(plan, scenario)
        if plan.returned:
            plan.first_outcome = (
                Outcome.COMMUNITY_PANEL
                if plan.outcome == Outcome.NO_FURTHER_ACTION
                else Outcome.NO_FURTHER_ACTION
            )
        plan.referral = r

    def rag_rationale(self, plan: _Planned) -> str:
        assert plan.scenario is not None
        pool = text.RAG_RATIONALE[plan.scenario.setting][plan.rag]
        return self.fill(self.rng.choice(pool), plan)

    def score(self, r: Referral) -> None:
        """Completeness against the partnership's rules, as it was received."""
        result = completeness.assess(r, self.rules)
        r.completeness_score = result.score
        r.completeness_missing = [item.key for item in result.missing]

    @staticmethod
    def status(plan: _Planned) -> str:
        if plan.state == CLOSED:
            return Status.CLOSED
        if plan.state == AWAITING:
            return Status.DECIDED
        return Status.RATED if plan.rag_at is not None else Status.RECEIVED

    @staticmethod
    def fill(template: str, plan: _Planned, **extra: str) -> str:
        assert plan.about is not None
        return template.format(**plan.words, **plan.about.pronouns, **extra)

    def source_id(self, origin: Origin, plan: _Planned) -> str:
        last = self.source_ids.get(origin.key) or self.rng.randint(10_000, 90_000)
        self.source_ids[origin.key] = n = last + self.rng.randint(1, 30)
        event = self.local(plan.event_at or plan.received)
        if origin.feed == Feed.CUSTODY:
            return f"CU/{event:%y}/{n:06d}"
        if origin.feed == Feed.AMBULANCE:
            return f"CAD-{event:%y%m%d}-{n:05d}"
        return f"ED{event:%y}{n:07d}"

    def state_child(self, plan: _Planned, r: Referral, about: _About) -> None:
        """The child as the referrer described them: as recorded, for a child found in Harbour
        before sending; otherwise as the referrer had it, with the slips a busy referrer makes
        when the front door has not yet matched the child."""
        profile = plan.origin.profile
        if plan.chosen_by_referrer:
            r.child_given_name, r.child_family_name = about.given_name, about.family_name
            r.child_date_of_birth, r.child_sex = about.date_of_birth, about.sex
            r.child_address, r.child_postcode = about.address, about.postcode
            return
        given, family = about.given_name, about.family_name
        dob = about.date_of_birth
        if not plan.linked and plan.new_child is None:
            roll = self.rng.random()
            if roll < 0.45 and about.nickname:
                given = about.nickname
            elif roll < 0.75:
                given = typo(self.rng, given)
            else:
                family = typo(self.rng, family)
            if dob.day <= 12 and dob.day != dob.month and self.chance(0.2):
                dob = dob.replace(day=dob.month, month=dob.day)
        r.child_given_name, r.child_family_name = given, family
        r.child_date_of_birth = dob if self.chance(profile.date_of_birth) else None
        r.child_sex = about.sex if about.sex != Sex.UNKNOWN or self.chance(0.5) else ""
        if self.chance(profile.address):
            r.child_address, r.child_postcode = about.address, about.postcode
        if about.nhs_number and self.chance(profile.nhs_number):
            r.child_nhs_number = about.nhs_number
        if about.nickname and given != about.nickname and self.chance(profile.other_names):
            r.child_other_names = f"Known as {about.nickname}"

    def incident_date(self, plan: _Planned, about: _About) -> dt.date:
        if plan.event_at is not None:
            return self.local(plan.event_at).date()
        back = self.pick(((0, 0.5), (1, 0.3), (2, 0.1), (3, 0.1)))
        day = self.local(plan.received).date() - dt.timedelta(days=back)
        return max(day, about.date_of_birth + dt.timedelta(days=1))

    def concerns(self, scenario: text.Scenario) -> list[str]:
        chosen = list(scenario.concerns)
        chosen += [concern for concern, p in scenario.also if self.chance(p)]
        return chosen

    def what_happened(self, plan: _Planned, scenario: text.Scenario) -> str:
        origin = plan.origin
        if not origin.automated:
            return self.fill(self.rng.choice(scenario.what_happened), plan)
        events = scenario.event or ("injuries after an assault",)
        return self.fill(
            self.rng.choice(text.FEED_WHAT_HAPPENED[origin.feed]),
            plan,
            event=self.fill(self.rng.choice(events), plan),
            disposal=self.rng.choice(text.FEED_DISPOSALS[origin.feed]),
        )

    def reason(self, plan: _Planned, scenario: text.Scenario) -> str:
        if plan.origin.automated:
            return self.rng.choice(text.FEED_REASONS[plan.origin.feed])
        return self.fill(self.rng.choice(scenario.reason), plan)

    def absent(self, plan: _Planned) -> str:
        pool = text.VOICE_ABSENT.get(plan.origin.words, text.VOICE_ABSENT["police"])
        return self.fill(self.rng.choice(pool), plan)

    def voice(self, plan: _Planned, r: Referral, age: int) -> None:
        profile = plan.origin.profile
        roll = self.rng.random()
        if roll < profile.voice:
            r.child_voice = self.rng.choice(text.VOICE_TEEN if age >= 11 else text.VOICE_YOUNG)
        elif roll < profile.voice + profile.voice_absent:
            r.child_voice_absent_reason = self.absent(plan)

    def identity(self, plan: _Planned, r: Referral) -> None:
        about, profile = plan.about, plan.origin.profile
        assert about is not None
        roll = self.rng.random()
        if plan.chosen_by_referrer:
            # The form fills it in from the child's record; the referrer may change it.
            r.ethnicity = about.ethnicity if roll < 0.85 else Ethnicity.NOT_KNOWN.value
        elif roll < profile.ethnicity:
            r.ethnicity = about.ethnicity
        elif roll < profile.ethnicity + profile.ethnicity_not_known:
            r.ethnicity = Ethnicity.NOT_KNOWN.value
        if self.chance(profile.heritage):
            parts = [self.rng.choice(text.FAITH.get(about.ethnicity, text.HERITAGE_DEFAULT))]
            if about.language != "English":
                parts.append(text.LANGUAGE_AT_HOME.replace("{language}", about.language))
            r.cultural_heritage = self.fill(" ".join(parts), plan)

    def needs(self, plan: _Planned, r: Referral) -> None:
        about, profile = plan.about, plan.origin.profile
        assert about is not None
        roll = self.rng.random()
        if roll < profile.needs:
            codes: list[str] = []
            if about.send == SendStatus.EHC_PLAN:
                codes.append(KnownNeed.EHC_PLAN.value)
            elif about.send == SendStatus.SEN_SUPPORT:
                codes.append(KnownNeed.SEN_SUPPORT.value)
            if self.chance(0.15):
                codes.append(KnownNeed.NEURODEVELOPMENTAL.value)
            if plan.scenario and text.MENTAL_HEALTH in plan.scenario.concerns:
                codes.append(KnownNeed.MENTAL_HEALTH.value)
            r.known_needs = codes or [KnownNeed.NONE_KNOWN.value]
            r.needs_detail = " ".join(
                self.fill(self.rng.choice(text.NEEDS_DETAIL[c]), plan) for c in codes
            )
        elif roll < profile.needs + profile.needs_not_known:
            r.known_needs = [KnownNeed.NOT_KNOWN.value]

    def parents(self, plan: _Planned, r: Referral) -> None:
        if self.chance(plan.origin.profile.parents):
            r.parents_aware = ParentsAware.YES if self.chance(0.88) else ParentsAware.NO
            if r.parents_aware == ParentsAware.YES and self.chance(0.75):
                r.consent = Consent.GIVEN
            else:
                r.consent = self.pick(((Consent.NOT_SOUGHT, 0.6), (Consent.REFUSED, 0.4)))
                r.consent_reason = self.fill(self.rng.choice(text.CONSENT_REASONS), plan)
        elif self.chance(0.4):
            r.parents_aware = ParentsAware.YES  # and nothing said about consent

    @staticmethod
    def actions(origin: Origin) -> tuple[str, ...]:
        if origin.feed == Feed.CUSTODY:
            return ("Parent informed by the custody officer.",)
        if origin.feed == Feed.ED_ASSAULT:
            return ("Safeguarding flag added to the ED record.",)
        if origin.feed == Feed.AMBULANCE:
            return ("Handed over to ED staff.",)
        return text.ACTIONS[origin.words]

    def complete_required(self, plan: _Planned, r: Referral) -> None:
        """The form sends nothing without what the partnership's rules require: the referrer
        answered, if only with "not known"."""
        about = plan.about
        assert about is not None and plan.scenario is not None
        scenario = plan.scenario

        def parents() -> None:
            r.parents_aware = r.parents_aware or ParentsAware.YES
            if r.consent != Consent.GIVEN:
                r.consent = r.consent or Consent.NOT_SOUGHT
                r.consent_reason = r.consent_reason or self.fill(text.CONSENT_REASONS[0], plan)

        fillers: dict[str, Callable[[], object]] = {
            "child_identity": lambda: setattr(r, "child_date_of_birth", about.date_of_birth),
            "concerns": lambda: setattr(r, "concerns", list(scenario.concerns)),
            "reason": lambda: setattr(r, "reason", self.fill("Worried about {name}.", plan)),
            "child_voice": lambda: setattr(r, "child_voice_absent_reason", self.absent(plan)),
            "ethnicity": lambda: setattr(r, "ethnicity", Ethnicity.NOT_KNOWN.value),
            "cultural_heritage": lambda: setattr(r, "cultural_heritage", "Not known."),
            "known_needs": lambda: setattr(r, "known_needs", [KnownNeed.NOT_KNOWN.value]),
            "education_setting": lambda: setattr(
                r, "education_setting", about.school_name or "Not known to me"
            ),
            "parents": parents,
            "actions_taken": lambda: setattr(r, "actions_taken", "None yet."),
            "urgency": lambda: setattr(r, "urgency", plan.urgency),
        }
        for item in completeness.assess(r, self.rules).blocking:
            fillers.get(item.key, lambda: None)()

    def outcome(self, plan: _Planned, scenario: text.Scenario) -> str:
        """Outcomes after which the front door's agency keeps working with the child go, in a
        closed referral, only to children that agency holds a record of."""
        held = plan.child is not None and FRONT_DOOR_CODE in plan.child.holders
        options = [
            (outcome, weight * OUTCOME_BY_RAG.get((plan.rag, outcome), 1.0))
            for outcome, weight in scenario.outcomes
            if plan.state != CLOSED or held or outcome not in CONTINUING_OUTCOMES
        ]
        if held:
            options = [
                (o, w * (CONTINUING_BOOST if o in CONTINUING_OUTCOMES else 1.0)) for o, w in options
            ]
        return self.pick(options)

    def guarantee_immediate(self) -> None:
        """At least two open referrals say the child may be at risk of significant harm now,
        and one of them, made on the form, arrived an hour and a quarter ago and is not rated
        yet: just past its one-hour clock, so the front door's staff see the alert (ADR 0019)."""
        open_plans = [p for p in self.plans if p.state != CLOSED]
        self.guarantee_one_just_late(open_plans)
        immediate = [
            p for p in open_plans if p.referral and p.referral.urgency == Urgency.IMMEDIATE
        ]
        candidates = [
            p
            for p in open_plans
            if p not in immediate and p.state in (RECEIVED, RATED) and p.linked
        ]
        candidates.sort(key=lambda p: p.child is None or p.child.age < 11)
        for plan in candidates[: max(0, 2 - len(immediate))]:
            r = plan.referral
            assert r is not None
            plan.urgency = r.urgency = Urgency.IMMEDIATE.value
            if plan.rag_at is not None:
                plan.rag = r.rag = Rag.RED.value
                r.rag_rationale = self.rag_rationale(plan)
            self.score(r)
            self.clock(r)

    def guarantee_one_just_late(self, open_plans: list[_Planned]) -> None:
        """An immediate referral received 75 minutes before "now", not rated: one made on the
        form about a confirmed child and waiting to be rated (an immediate one where there is
        one), moved to that time. Nothing random is drawn, so the rest is as it was."""
        waiting = [
            p
            for p in open_plans
            if p.state == RECEIVED and p.linked and not p.origin.automated and p.referral
        ]
        if not waiting:
            return
        waiting.sort(key=lambda p: (p.urgency != Urgency.IMMEDIATE, p.received))
        plan = waiting[0]
        r = plan.referral
        assert r is not None
        plan.received = r.received_at = self.now - JUST_LATE
        if plan.confirmed_at is not None:
            plan.confirmed_at = plan.received + dt.timedelta(minutes=12)
            r.child_confirmed_at = None if plan.chosen_by_referrer else plan.confirmed_at
        plan.urgency = r.urgency = Urgency.IMMEDIATE.value
        self.score(r)
        self.clock(r)

    def guarantee_a_meeting_to_come(self) -> None:
        """At least one decision waiting for countersignature calls for a strategy meeting, so
        the front door has one still planned: the latest such decision becomes one for the risk
        outside the home pathway (or a section 47 enquiry, where the harm is at home)."""
        awaiting = [p for p in self.plans if p.state == AWAITING and p.decided_at is not None]
        if not awaiting or any(p.outcome in MEETING_OUTCOMES for p in awaiting):
            return
        plan = max(awaiting, key=lambda p: (p.decided_at, p.received))
        assert plan.scenario is not None
        outside = plan.scenario.setting == text.OUTSIDE
        plan.outcome = Outcome.RISK_OUTSIDE_THE_HOME if outside else Outcome.CHILD_PROTECTION

    # -- writing --------------------------------------------------------------------------------

    def save(self) -> dict[str, int]:
        practitioners = [
            (s, 2.0 if s.email == FRONT_DOOR_PRACTITIONER.email else 1.0)
            for s in self.staff
            if s.agency is not None
            and s.agency.code == FRONT_DOOR_CODE
            and s.role == Role.FRONT_DOOR_PRACTITIONER
        ]
        managers = [
            s
            for s in self.staff
            if s.agency is not None
            and s.agency.code == FRONT_DOOR_CODE
            and s.role == Role.FRONT_DOOR_MANAGER
        ]
        guidance: dict[str, ThresholdGuidance] = {}
        for g in ThresholdGuidance.objects.filter(
            published_by=self.front_door, effective_from__lte=self.today
        ).order_by("effective_from", "pk"):
            guidance[g.level] = g
        referrals: list[Referral] = []
        started: list[dt.datetime] = []  # when each was started (a form's draft, first)
        for plan in self.plans:
            r = plan.referral
            assert r is not None and r.received_at is not None
            worker = self.pick(practitioners)
            r.rag_by = worker if r.rag_at is not None else None
            r.child_confirmed_by = worker if r.child_confirmed_at is not None else None
            referrals.append(r)
            draft = dt.timedelta(0) if plan.origin.automated else self.hours(0.1, 1.5)
            started.append(r.received_at - draft)
        created = Referral.objects.bulk_create(referrals)
        if any(r.pk is None for r in created):  # a database that cannot return ids
            ids = list(Referral.objects.order_by("pk").values_list("pk", flat=True))
            for referral, pk in zip(created, ids[-len(created) :], strict=True):
                referral.pk = pk
        for r, created_at in zip(referrals, started, strict=True):
            assert r.received_at is not None
            r.reference = messages.referral_reference(r.received_at, r.pk)
            r.created_at = created_at
        Referral.objects.bulk_update(referrals, ["reference", "created_at"], batch_size=500)
        rows = _Rows()
        unread_outcome_for = {REFERRER.email}
        for plan in sorted(self.plans, key=lambda p: p.received, reverse=True):
            manager = self.rng.choice(managers) if managers else None
            decider = plan.referral.rag_by if plan.referral else None
            decider = plan.decider = decider or self.pick(practitioners)
            self.decisions(plan, rows, decider, manager, managers, guidance)
            self.feedback(plan, rows, manager, managers, unread_outcome_for)
            self.tasks_and_relationships(plan, rows)
        rows.decisions.sort(key=lambda d: d.decided_at)
        ReferralDecision.objects.bulk_create(rows.decisions)
        Escalation.objects.bulk_create(rows.escalations)
        self.save_with_times(SourceTask, rows.tasks)
        self.save_with_times(Notification, rows.notifications)
        rows.relationships.sort(key=lambda w: (w.started_on, str(w.child_id)))
        WorkingRelationship.objects.bulk_create(rows.relationships)
        # Last, so that every row before them is drawn as it was before they existed.
        self.save_meetings(managers)
        audit_notifications = self.save_audit(managers)
        return {
            "referrals": len(referrals),
            "referral_decisions": len(rows.decisions),
            "escalations": len(rows.escalations),
            "source_tasks": len(rows.tasks),
            "notifications": len(rows.notifications) + audit_notifications,
            "relationships_added": len(rows.relationships),
        }

    def decisions(
        self,
        plan: _Planned,
        rows: _Rows,
        decider: Staff,
        manager: Staff | None,
        managers: list[Staff],
        guidance: dict[str, ThresholdGuidance],
    ) -> None:
        r = plan.referral
        assert r is not None
        if plan.returned and manager is not None:
            assert plan.first_decided_at is not None and plan.returned_at is not None
            rows.decisions.append(
                self.decision(
                    plan,
                    plan.first_outcome,
                    decider,
                    plan.first_decided_at,
                    guidance,
                    state=DecisionState.RETURNED,
                    manager=manager,
                    signed_at=plan.returned_at,
                    note=self.fill(self.rng.choice(text.RETURN_NOTES), plan),
                )
            )
            for m in managers:
                rows.notifications.append(
                    self.note(
                        m, r, messages.countersignature_waiting(r), plan.first_decided_at, read=True
                    )
                )
            rows.notifications.append(
                self.note(
                    decider,
                    r,
                    messages.decision_returned(r),
                    plan.returned_at,
                    read=plan.state == CLOSED,
                )
            )
        if plan.state not in (CLOSED, AWAITING) or plan.decided_at is None:
            return
        signed = plan.state == CLOSED and manager is not None
        rows.decisions.append(
            self.decision(
                plan,
                plan.outcome,
                decider,
                plan.decided_at,
                guidance,
                state=DecisionState.COUNTERSIGNED if signed else DecisionState.AWAITING_COUNTERSIGN,
                manager=manager if signed else None,
                signed_at=plan.countersigned_at if signed else None,
                note=self.rng.choice(text.MANAGER_NOTES) if signed else "",
            )
        )
        for m in managers:
            rows.notifications.append(
                self.note(
                    m,
                    r,
                    messages.countersignature_waiting(r),
                    plan.decided_at,
                    read=plan.state == CLOSED,
                )
            )

    def feedback(
        self,
        plan: _Planned,
        rows: _Rows,
        manager: Staff | None,
        managers: list[Staff],
        unread_outcome_for: set[str],
    ) -> None:
        """The referrer is told the outcome (the demo police referrer has not yet read the
        latest), and escalations go to the managers."""
        r = plan.referral
        assert r is not None
        if plan.state == CLOSED and r.referrer is not None:
            assert plan.countersigned_at is not None
            recent = plan.countersigned_at > self.now - dt.timedelta(days=2)
            unread = recent or r.referrer.email in unread_outcome_for
            unread_outcome_for.discard(r.referrer.email)
            rows.notifications.append(
                self.note(
                    r.referrer,
                    r,
                    messages.decided(r),
                    plan.countersigned_at,
                    read=not unread,
                )
            )
        if not (plan.escalated and r.referrer is not None and plan.escalated_at is not None):
            return
        resolved = plan.escalation_resolved_at if manager is not None else None
        rows.escalations.append(
            Escalation(
                referral=r,
                raised_by=r.referrer,
                raised_at=plan.escalated_at,
                reason=self.fill(self.rng.choice(text.ESCALATION_REASONS), plan),
                resolved_at=resolved,
                resolved_by=manager if resolved else None,
                resolution=self.rng.choice(text.ESCALATION_RESOLUTIONS) if resolved else "",
            )
        )
        for m in managers:
            rows.notifications.append(
                self.note(
                    m,
                    r,
                    messages.escalated(r),
                    plan.escalated_at,
                    read=resolved is not None,
                )
            )
        if resolved is not None:
            rows.notifications.append(
                self.note(
                    r.referrer,
                    r,
                    messages.escalation_answered(r),
                    resolved,
                    read=True,
                )
            )

    def tasks_and_relationships(self, plan: _Planned, rows: _Rows) -> None:
        r = plan.referral
        assert r is not None and r.received_at is not None
        if plan.origin.automated and r.completeness_missing:
            task = SourceTask(
                referral=r, agency=r.referring_agency, missing=list(r.completeness_missing)
            )
            task.created_at = r.received_at
            if plan.state == CLOSED and self.chance(0.5):
                task.done_at = self.between(
                    r.received_at + dt.timedelta(hours=2),
                    min(r.received_at + dt.timedelta(days=5), self.now - dt.timedelta(hours=1)),
                )
            rows.tasks.append(task)
        if r.child_id is not None and (plan.state != CLOSED or plan.ends_relationship):
            rows.relationships.append(
                WorkingRelationship(
                    child_id=r.child_id,
                    agency=self.front_door,
                    kind=RelationshipKind.OPEN_REFERRAL,
                    started_on=self.local(r.received_at).date(),
                    ended_on=self.local(r.closed_at).date() if r.closed_at else None,
                    note=messages.open_referral_note(r),
                )
            )

    @staticmethod
    def with_ids(model: Any, rows: list[Any]) -> list[Any]:
        """``bulk_create``, with every row's id, also on a database that cannot return them."""
        created = model.objects.bulk_create(rows)
        if any(row.pk is None for row in created):
            ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
            for row, pk in zip(created, ids[-len(created) :], strict=True):
                row.pk = pk
        return list(created)

    @classmethod
    def save_with_times(cls, model: Any, rows: list[Any]) -> None:
        """``created_at`` is stamped with the time of saving (``auto_now_add``): put back when
        each row was made."""
        when = [row.created_at for row in rows]
        created = cls.with_ids(model, rows)
        for row, moment in zip(created, when, strict=True):
            row.created_at = moment
        model.objects.bulk_update(created, ["created_at"], batch_size=500)

    def decision(
        self,
        plan: _Planned,
        outcome: str,
        decider: Staff,
        decided_at: dt.datetime,
        guidance: dict[str, ThresholdGuidance],
        *,
        state: str,
        manager: Staff | None,
        signed_at: dt.datetime | None,
        note: str,
    ) -> ReferralDecision:
        assert plan.referral is not None
        level = OUTCOME_THRESHOLD.get(outcome)
        return ReferralDecision(
            referral=plan.referral,
            outcome=outcome,
            rationale=self.fill(self.rng.choice(text.RATIONALE[outcome]), plan),
            threshold=guidance.get(level) if level else None,
            parents_as_partners=(
                self.fill(self.rng.choice(text.PARENTS_AS_PARTNERS), plan)
                if outcome == Outcome.RISK_OUTSIDE_THE_HOME
                else ""
            ),
            feedback_to_referrer=self.fill(self.rng.choice(text.FEEDBACK[outcome]), plan),
            decided_by=decider,
            decided_at=decided_at,
            state=state,
            countersigned_by=manager,
            countersigned_at=signed_at,
            manager_note=note,
        )

    def note(
        self,
        recipient: Staff,
        referral: Referral | None,
        message: str,
        at: dt.datetime,
        *,
        read: bool,
    ) -> Notification:
        notification = Notification(recipient=recipient, referral=referral, message=message)
        notification.created_at = at
        if read:
            latest = min(at + dt.timedelta(days=2), self.now - dt.timedelta(minutes=1))
            notification.read_at = self.between(at + dt.timedelta(minutes=5), latest)
        return notification

    # -- strategy meetings ----------------------------------------------------------------------

    def save_meetings(self, managers: list[Staff]) -> None:
        """A strategy meeting for every decision for a section 47 enquiry or the risk outside
        the home pathway (ADR 0010), convened by whoever decided (or a manager) shortly after
        the decision, due a working day after it, inviting police, health, children's social
        care and the child's school, and youth justice or a voluntary organisation that knows
        the child. Those decided in the last hours, and those waiting for countersignature, are
        still to come; of those held, some were late, some out of hours, a few without police or
        health, and each has the meeting's decisions and one to three actions."""
        plans = sorted(
            (
                p
                for p in self.plans
                if p.state in (CLOSED, AWAITING)
                and p.outcome in MEETING_OUTCOMES
                and p.decided_at is not None
                and p.referral is not None
                and p.referral.child_id is not None
            ),
            key=lambda p: (p.decided_at, p.received),
        )
        settled = self.now - MEETING_PLANNED_WITHIN
        held = [p for p in plans if p.state == CLOSED and p.decided_at and p.decided_at < settled]
        kinds = self.meeting_kinds(held)
        n_absent = min(len(held), max(1, round(MEETING_WITHOUT_POLICE_OR_HEALTH_SHARE * len(held))))
        absent = set(self.rng.sample(held, n_absent))
        meetings: list[StrategyMeeting] = []
        invitations: list[list[MeetingAgency]] = []
        actions: list[list[MeetingAction]] = []
        for plan in plans:
            r, decided = plan.referral, plan.decided_at
            assert r is not None and decided is not None and plan.child is not None
            child_id = r.child_id
            assert child_id is not None
            convener = plan.decider
            if convener is None or (managers and self.chance(0.3)):
                convener = self.rng.choice(managers) if managers else convener
            assert convener is not None
            convened = self.between(
                decided + dt.timedelta(minutes=5),
                min(decided + self.hours(0.2, 2.0), self.now - dt.timedelta(minutes=5)),
            )
            due = self.due_or(Step.STRATEGY_MEETING, decided, 24)
            kind = kinds.get(id(plan))
            scheduled = self.now
            if kind is not None:
                scheduled = self.meeting_time(kind, convened, due)
            is_held = kind is not None and scheduled < self.now - dt.timedelta(minutes=10)
            if not is_held:  # still to come, in the next office hours
                scheduled = self.office_slot(
                    self.between(
                        max(self.now, convened) + dt.timedelta(hours=1),
                        self.now + self.hours(2.0, 20.0),
                    )
                )
            meeting = StrategyMeeting(
                referral=r,
                child_id=child_id,
                convened_by=convener,
                convened_at=convened,
                scheduled_for=scheduled,
                due_by=self.due(Step.STRATEGY_MEETING, decided),
                out_of_hours=is_out_of_hours(scheduled, self.working_time),
                status=MeetingStatus.HELD if is_held else MeetingStatus.PLANNED,
                held_at=scheduled if is_held else None,
                recorded_by=convener if is_held else None,
            )
            invited = self.invitees(plan, meeting)
            missing: list[str] = []
            if is_held:
                missing = self.attendance(invited, convener, without=plan in absent)
                meeting.decisions = " ".join(
                    [
                        self.fill(self.rng.choice(text.MEETING_DECISIONS[plan.outcome]), plan),
                        *(text.MEETING_ABSENT[role] for role in missing),
                    ]
                )
            meetings.append(meeting)
            invitations.append(invited)
            actions.append(self.meeting_actions(plan, meeting, invited) if is_held else [])
        self.with_ids(StrategyMeeting, meetings)
        for meeting, invited, planned in zip(meetings, invitations, actions, strict=True):
            for invitee in invited:
                invitee.meeting = meeting
            for action in planned:
                action.meeting = meeting
        MeetingAgency.objects.bulk_create([row for rows in invitations for row in rows])
        MeetingAction.objects.bulk_create([row for rows in actions for row in rows])

    def meeting_kinds(self, held: list[_Planned]) -> dict[int, str]:
        """Which held meetings were late and which out of hours (by ``id`` of the plan): at least
        one of each where there are meetings decided long enough ago for either."""
        n_late = max(1, round(MEETING_LATE_SHARE * len(held)))
        n_out = max(1, round(MEETING_OUT_OF_HOURS_SHARE * len(held)))
        old = [p for p in held if p.decided_at and p.decided_at < self.now - dt.timedelta(days=7)]
        special = self.rng.sample(old, min(len(old), n_late + n_out))
        kinds = {id(p): _ON_TIME for p in held}
        for i, plan in enumerate(special):
            kinds[id(plan)] = _LATE if i < n_late else _OUT_OF_HOURS
        return kinds

    def meeting_time(self, kind: str, convened: dt.datetime, due: dt.datetime) -> dt.datetime:
        earliest = convened + dt.timedelta(minutes=45)
        if kind == _OUT_OF_HOURS:
            return self.out_of_hours_slot(earliest)
        if kind == _LATE:
            return self.office_slot(
                self.between(due + dt.timedelta(hours=1), due + self.hours(2.0, 50.0))
            )
        moment = self.between(earliest, due - dt.timedelta(minutes=15))
        in_office = self.office_slot(moment)
        # Held out of hours rather than late, where the next office hours come too late.
        return in_office if in_office <= due else moment

    def office_slot(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` if it is in office hours, else a time early in the next office day."""
        if not is_out_of_hours(moment, self.working_time):
            return moment
        local = self.local(moment)
        day = local.date()
        if not self.working_time.is_working_day(day) or local.hour >= 9:
            day += dt.timedelta(days=1)
        while not self.working_time.is_working_day(day):
            day += dt.timedelta(days=1)
        return self.at(day, self.rng.uniform(9.0, 11.5))

    def out_of_hours_slot(self, earliest: dt.datetime) -> dt.datetime:
        """The first out-of-hours time from ``earliest``: an early morning or an evening on a
        weekday, or the day at a weekend."""
        day = self.local(earliest).date()
        for offset in range(4):
            d = day + dt.timedelta(days=offset)
            windows = ((7.5, 8.75), (17.5, 21.5)) if d.weekday() < 5 else ((10.0, 19.0),)
            for low, high in windows:
                start, end = max(self.at(d, low), earliest), self.at(d, high)
                if start <= end:
                    return self.between(start, end)
        return earliest

    def invitees(self, plan: _Planned, meeting: StrategyMeeting) -> list[MeetingAgency]:
        """Police, health (the hospital trust, or the ambulance service for its own referrals
        and some others), children's social care and the child's school (or the school their
        brothers and sisters go to); youth justice and a voluntary organisation that know the
        child, often."""
        child = plan.child
        assert child is not None
        origin = plan.origin.agency_code
        health = origin if origin in (rv.ED, rv.AMBULANCE) else rv.ED
        if health == rv.ED and origin != rv.ED and self.chance(0.2):
            health = rv.AMBULANCE
        school = child.school
        if school is None:
            household = child.household
            school = household.secondary if child.age >= 11 else household.primary
        roles: list[tuple[str, str]] = [
            (MeetingRole.POLICE, rv.POLICE),
            (MeetingRole.HEALTH, health),
            (MeetingRole.SOCIAL_CARE, FRONT_DOOR_CODE),
            (MeetingRole.EDUCATION, school.code),
        ]
        if rv.YJS in child.holders and self.chance(0.8):
            roles.append((MeetingRole.OTHER, rv.YJS))
        voluntary = [code for code in child.holders if code in rv.VCSE_CODES]
        if voluntary and self.chance(0.5):
            roles.append((MeetingRole.OTHER, voluntary[0]))
        return [
            MeetingAgency(meeting=meeting, role=role, agency=self.agencies[code])
            for role, code in roles
        ]

    def attendance(
        self, invited: list[MeetingAgency], convener: Staff, *, without: bool
    ) -> list[str]:
        """Who came, and who did not: police or health (or both, now and then) stayed away from
        the meetings held ``without`` them; now and then the school or another agency. Returns
        the roles the meeting needed that did not attend."""
        away: set[str] = set()
        if without:
            away.add(self.rng.choice((MeetingRole.POLICE.value, MeetingRole.HEALTH.value)))
            if self.chance(0.15):
                away |= {MeetingRole.POLICE.value, MeetingRole.HEALTH.value}
        if self.chance(MEETING_SCHOOL_ABSENT):
            away.add(MeetingRole.EDUCATION.value)
        missing: list[str] = []
        for invitee in invited:
            came = invitee.role not in away
            if invitee.role == MeetingRole.OTHER:
                came = not self.chance(MEETING_OTHER_ABSENT)
            elif invitee.role == MeetingRole.SOCIAL_CARE:
                came = True  # the front door convened it
            invitee.attended = came
            invitee.attendee = self.attendee(invitee.agency, convener) if came else ""
            if not came and invitee.role != MeetingRole.OTHER:
                missing.append(str(invitee.role))
        return missing

    def attendee(self, agency: Agency, convener: Staff) -> str:
        """Who came for an agency, as the meeting's record names them."""
        if agency.code == FRONT_DOOR_CODE:
            person: Staff | None = convener
        else:
            here = [s for s in self.staff if s.agency is not None and s.agency.code == agency.code]
            leads = [s for s in here if s.job_title == DSL_TITLE]
            person = self.rng.choice(leads or here) if (leads or here) else None
        if person is None:
            return DSL_TITLE if agency.code.startswith("school-") else ""
        return f"{person.get_full_name()}, {person.job_title}".strip(", ")

    def meeting_actions(
        self, plan: _Planned, meeting: StrategyMeeting, invited: list[MeetingAgency]
    ) -> list[MeetingAction]:
        """One to three actions, each for an agency at the meeting, due within a fortnight;
        those due by now mostly done."""
        assert meeting.held_at is not None
        held_on = self.local(meeting.held_at).date()
        present = [i for i in invited if i.attended]
        by_role = {str(i.role): i for i in reversed(present)}  # the first agency in each role
        roles = sorted(by_role, key=lambda role: role != MeetingRole.SOCIAL_CARE)
        chosen = [
            roles[0],
            *self.rng.sample(roles[1:], min(len(roles) - 1, self.rng.randint(0, 2))),
        ]
        rows: list[MeetingAction] = []
        for role in chosen:
            invitee = by_role[role]
            due_on = held_on + dt.timedelta(days=self.rng.randint(1, 14))
            done_on = None
            if due_on <= self.today and self.chance(0.8):
                span = (min(due_on, self.today) - held_on).days
                done_on = held_on + dt.timedelta(days=self.rng.randint(0, span))
            rows.append(
                MeetingAction(
                    meeting=meeting,
                    description=self.fill(self.rng.choice(text.MEETING_ACTIONS[role]), plan),
                    owner_agency=invitee.agency,
                    owner_name=invitee.attendee.split(",")[0],
                    due_on=due_on,
                    done_on=done_on,
                )
            )
        return rows

    # -- an audit of referrals ------------------------------------------------------------------

    def save_audit(self, managers: list[Staff]) -> int:
        """One round of the multi-agency audit (finding 1.5), drawn by the demo front-door
        manager some weeks ago: a random sample of the referrals received by then, drawn as
        ``frontdoor.meetings.audit_create`` draws it from the stored seed; most scored against
        the five questions, with findings, and some of those fed back to the referrer and their
        team as ``audit_feed_back`` does. Returns the notifications written."""
        creator = self.signed_in(FRONT_DOOR_MANAGER.email)
        auditors = managers or [creator]
        day = self.today - dt.timedelta(
            days=self.rng.randint(7 * AUDIT_WEEKS_AGO[0], 7 * AUDIT_WEEKS_AGO[1])
        )
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        created = self.at(day, self.rng.uniform(9.5, 15.5))
        plans = {p.referral.pk: p for p in self.plans if p.referral is not None}
        pool = sorted(
            pk
            for pk, p in plans.items()
            if p.received < created  # as the pool was then
        )
        if not pool:
            return 0
        seed = self.rng.randrange(1, 2**31)
        chosen = sorted(random.Random(seed).sample(pool, min(AUDIT_SAMPLE, len(pool))))
        audit = ReferralAudit(
            title=f"Multi-agency audit of referrals, {self.local(created):%B %Y}",
            sampling=Sampling.RANDOM,
            criteria={},
            sample_size=len(chosen),
            seed=seed,
            created_by=creator,
            front_door=self.front_door,
        )
        audit.created_at = created
        self.save_with_times(ReferralAudit, [audit])
        n_unscored = min(len(chosen) - 1, max(1, round(AUDIT_UNSCORED_SHARE * len(chosen))))
        unscored = set(self.rng.sample(chosen, n_unscored))
        cases: list[AuditedReferral] = []
        notifications: list[Notification] = []
        for pk in chosen:
            plan = plans[pk]
            r = plan.referral
            assert r is not None
            case = AuditedReferral(audit=audit, referral=r)
            cases.append(case)
            if pk in unscored:
                continue
            case.scores = self.audit_scores(plan)
            case.findings = self.audit_findings(case.scores)
            case.audited_by = self.rng.choice(auditors)
            case.audited_at = self.working(
                self.between(created + dt.timedelta(hours=2), created + dt.timedelta(days=10))
            )
            if self.audit_recipients(r) and self.chance(AUDIT_FED_BACK_SHARE):
                notifications += self.feed_back(case)
        if not any(c.fed_back_at for c in cases):  # at least one fed back
            scored = [c for c in cases if c.audited_at and self.audit_recipients(c.referral)]
            if scored:
                notifications += self.feed_back(scored[0])
        AuditedReferral.objects.bulk_create(cases)
        self.save_with_times(Notification, notifications)
        return len(notifications)

    def feed_back(self, case: AuditedReferral) -> list[Notification]:
        """The findings to the referrer and the rest of their team, each message naming the
        referral (as ``audit_feed_back`` sends them)."""
        r = case.referral
        assert case.audited_at is not None
        case.fed_back_at = at = self.working(case.audited_at + self.hours(1.0, 72.0))
        message = messages.audit_findings(r, case.findings)
        return [
            self.note(
                recipient,
                r,  # named, so reading it is audited; only the referrer's opens it
                message,
                at,
                read=self.chance(0.8),
            )
            for recipient in self.audit_recipients(r)
        ]

    def audit_recipients(self, referral: Referral) -> list[Staff]:
        """The referrer and the rest of their team, as ``audit_feed_back`` sends the findings."""
        people = [referral.referrer] if referral.referrer is not None else []
        if referral.referring_team_id is not None:
            team = sorted(
                (s for s in self.staff if s.team_id == referral.referring_team_id),
                key=lambda s: s.pk,
            )
            people += [s for s in team if s.pk != referral.referrer_id]
        return [s for s in people if s.is_active]

    def audit_scores(self, plan: _Planned) -> dict[str, int]:
        """A grade for each question, from what the referral holds (and how fast it was
        decided), give or take the auditor's judgement."""
        r = plan.referral
        assert r is not None
        good, adequate = int(AuditGrade.GOOD), int(AuditGrade.ADEQUATE)
        poor, inadequate = int(AuditGrade.REQUIRES_IMPROVEMENT), int(AuditGrade.INADEQUATE)

        def graded(*steps: tuple[bool, int]) -> int:
            return next((grade for met, grade in steps if met), inadequate)

        needs = list(r.known_needs)
        known = r.ethnicity not in ("", Ethnicity.NOT_KNOWN)
        due, decided = r.decision_due_at, plan.decided_at
        on_time = decided is not None and due is not None and decided <= due
        grades = {
            AuditQuestion.CLARITY: graded(
                (len(r.reason) >= 80, good), (len(r.reason) >= 40, adequate), (bool(r.reason), poor)
            ),
            AuditQuestion.VOICE: graded(
                (bool(r.child_voice), good), (bool(r.child_voice_absent_reason), adequate)
            ),
            AuditQuestion.IDENTITY: graded(
                (known and r.cultural_heritage not in ("", "Not known."), good),
                (known, adequate),
                (bool(r.ethnicity), poor),
            ),
            AuditQuestion.NEEDS: graded(
                (bool(needs) and needs != [KnownNeed.NOT_KNOWN] and bool(r.needs_detail), good),
                (needs == [KnownNeed.NONE_KNOWN], good),
                (bool(needs) and needs != [KnownNeed.NOT_KNOWN], adequate),
                (bool(needs), poor),
            ),
            AuditQuestion.TIMELINESS: graded(
                (on_time and not (plan.escalated or plan.returned), good),
                (on_time, adequate),
                (decided is None or due is None or decided <= due + dt.timedelta(days=1), poor),
            ),
        }
        scores: dict[str, int] = {}
        for question in AuditQuestion:
            grade = grades[question]
            if self.chance(0.2):  # the auditor's judgement
                grade = min(good, max(inadequate, grade + self.rng.choice((-1, 1))))
            scores[str(question)] = grade
        return scores

    def audit_findings(self, scores: dict[str, int]) -> str:
        """What went well and, where something fell short, what to do differently: words for the
        referrer's whole team, so they never name the child."""
        order = [str(q) for q in AuditQuestion]
        best = [q for q in order if scores[q] == AuditGrade.GOOD]
        worst = min(order, key=lambda q: (scores[q], order.index(q)))
        parts = [text.AUDIT_STRENGTHS[self.rng.choice(best)]] if best else []
        if scores[worst] <= AuditGrade.REQUIRES_IMPROVEMENT:
            parts.append(text.AUDIT_IMPROVEMENTS[worst])
        elif best:
            parts.append(text.AUDIT_GOOD_PRACTICE)
        else:
            parts.append(text.AUDIT_ADEQUATE)
        return " ".join(parts)


@dataclass
class _Rows:
    decisions: list[ReferralDecision] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    tasks: list[SourceTask] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    relationships: list[WorkingRelationship] = field(default_factory=list)


# How a held strategy meeting was timed.
_ON_TIME = "on_time"
_LATE = "late"
_OUT_OF_HOURS = "out_of_hours"


def text_pronouns(sex: str, gender: str) -> dict[str, str]:
    """The words the templates use for the child, as the record phase chooses them."""
    if gender in THEY_GENDERS:
        return THEY
    if gender == "Trans boy":
        return HE
    if gender == "Trans girl":
        return SHE
    if sex == Sex.MALE:
        return HE
    if sex == Sex.FEMALE:
        return SHE
    return THEY


def typo(rng: random.Random, name: str) -> str:
    """One slip of the keyboard: a letter substituted, dropped, or swapped with the next."""
    if len(name) < 2:
        return name
    i = rng.randint(1, len(name) - 1)
    kind = rng.choice(("substitute", "delete", "transpose")) if len(name) >= 3 else "substitute"
    if kind == "delete":
        return name[:i] + name[i + 1 :]
    if kind == "transpose" and i >= 2 and name[i - 1] != name[i]:  # the initial stays
        return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]
    letters = [c for c in "abcdefghijklmnopqrstuvwxyz" if c != name[i].lower()]
    return name[:i] + rng.choice(letters) + name[i + 1 :]
