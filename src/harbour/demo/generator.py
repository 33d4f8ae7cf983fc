"""The synthetic Riverside partnership: agencies, teams, staff, agreements, threshold guidance,
children and their families, who knows each child, and each agency's own (imperfect) records of
them with the truth kept alongside in ``GroundTruth``.

Then each child's record (``demo.record``): needs and assessment waits, education, how to
communicate with them, their own words, plans, formulations and transition plans. Then the front
door's year (``demo.referrals``): referrals, decisions, escalations and the queue on the reference
date.

Deterministic for a seed: every random choice comes from one ``random.Random(seed)`` and one
seeded Faker (the record and referral phases have their own pairs, seeded from the same seed),
dates are relative to ``REFERENCE_DATE`` (not today), and child ids are drawn from the same
generator. Everything is written with ``bulk_create`` in one transaction, with one audit event
for the whole generation, except what agencies send Harbour: their events and needs are written
as each agency's files (``demo.event_files``) and arrive through the events import, as on a real
partnership (ADR 0029)."""

from __future__ import annotations

import datetime as dt
import random
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.apps import apps as django_apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Model, ProtectedError, Q
from faker import Faker

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.access.models import BreakGlassGrant, RelationshipKind, WorkingRelationship
from harbour.children.codes import ONS_TO_DFE, Ethnicity, NameKind, Relationship, Sex
from harbour.children.models import (
    Assessment,
    Child,
    ChildName,
    ChildProfile,
    EducationEpisode,
    FamilyMember,
    FormulationMeeting,
    Need,
    Plan,
    PlanAction,
    PlanReview,
    TransitionPlan,
    VoiceEntry,
)
from harbour.demo import names
from harbour.demo import riverside as rv
from harbour.demo.event_files import EventFile, import_event_files, write_event_files
from harbour.demo.events import PlannedEvent, delete_agency_events, plan_agency_events
from harbour.demo.identifiers import SYNTHETIC_NHS_PREFIX, nhs_check_digit, upn_check_letter
from harbour.demo.models import DemoPattern, GroundTruth, SendStatus
from harbour.demo.needs import PlannedNeed, plan_source_needs
from harbour.demo.rapid import plan_serious_incidents
from harbour.demo.record import RecordPhase, eighteenth_birthday
from harbour.demo.referrals.phase import ReferralPhase
from harbour.demo.referrals.year import Year
from harbour.demo.signins import (
    ADMINISTRATOR,
    DEACTIVATED_EMAIL,
    DEMO_PASSWORD,
    DEMO_SIGN_INS,
    LEAD_PRACTITIONER,
    NO_AGREEMENT_YOUTH_WORKER,
    PANEL_CHAIR,
    REFERRER,
)
from harbour.frontdoor.models import (
    Escalation,
    Notification,
    Referral,
    ReferralDecision,
    SourceTask,
)
from harbour.identity import flags
from harbour.identity.linking import delete_person_index
from harbour.identity.models import FlagRule, FlagRuleKind, SourceRecord
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

REFERENCE_DATE = dt.date(2026, 11, 1)
SYSTEM_ACTOR = "harbour demo generate"
MIN_CHILDREN = 40
# The lead practitioner's caseload includes a child turning 18 at least this long after the
# reference date, so that the demo shows transition to adult services for a while after it.
APPROACHING_ADULTHOOD_DAYS = 60
LEAD_SWAP_SEED_OFFSET = 104_729

# Error kinds recorded in GroundTruth.errors.
NICKNAME = "nickname"
GIVEN_NAME_TYPO = "given_name_typo"
FAMILY_NAME_TYPO = "family_name_typo"
DOB_TRANSPOSED = "dob_transposed"
DOB_MISSING = "dob_missing"
NHS_MISSING = "nhs_missing"
OLD_ADDRESS = "old_address"
FAMILY_NAME_CHANGED = "family_name_changed"
DUPLICATE = "duplicate"
ERROR_KINDS = (
    NICKNAME,
    GIVEN_NAME_TYPO,
    FAMILY_NAME_TYPO,
    DOB_TRANSPOSED,
    DOB_MISSING,
    NHS_MISSING,
    OLD_ADDRESS,
    FAMILY_NAME_CHANGED,
    DUPLICATE,
)

# Share of all source records with each error (nickname and transposed dates of birth are only
# possible for some children, so their rate among those is raised to reach these overall).
NICKNAME_RATE = 0.08
TYPO_RATE = 0.05
DOB_TRANSPOSED_RATE = 0.02
DOB_MISSING_RATE = 0.01
OLD_ADDRESS_RATE = 0.07
FAMILY_NAME_CHANGED_RATE = 0.01
DUPLICATE_RATE = 0.05

# Ages 0 to 17 on the reference date, about 65% aged 10 to 17.
AGE_WEIGHTS = (2.2,) * 5 + (4.8,) * 5 + (8.125,) * 8
HOUSEHOLD_SIZES = ((1, 0.45), (2, 0.33), (3, 0.15), (4, 0.07))
SEX_WEIGHTS = ((Sex.FEMALE.value, 0.49), (Sex.MALE.value, 0.505), (Sex.UNKNOWN.value, 0.005))

SOURCE_SYSTEMS: dict[str, str] = {
    AgencyType.POLICE: "Niche RMS",
    AgencyType.CHILDRENS_SOCIAL_CARE: "Liquidlogic LCS",
    AgencyType.NHS_TRUST: "Symphony ED",
    AgencyType.AMBULANCE: "Cleric CAD",
    AgencyType.YOUTH_JUSTICE: "ChildView YJ",
    AgencyType.PROBATION: "nDelius",
    AgencyType.SCHOOL: "SIMS",
    AgencyType.VCSE: "Views",
}
# How often each kind of agency holds the child's NHS number.
NHS_NUMBER_HELD: dict[str, float] = {
    AgencyType.NHS_TRUST: 0.9,
    AgencyType.AMBULANCE: 0.6,
    AgencyType.CHILDRENS_SOCIAL_CARE: 0.75,
    AgencyType.YOUTH_JUSTICE: 0.5,
    AgencyType.PROBATION: 0.3,
    AgencyType.POLICE: 0.08,
    AgencyType.SCHOOL: 0.03,
    AgencyType.VCSE: 0.02,
}

# The other staff: (agency code, team name, role, job title). Names come from Faker.
_FIRST_PRIMARY = next(s for s in rv.SCHOOLS if s.phase == rv.PRIMARY)
_SECONDARIES = [s for s in rv.SCHOOLS if s.phase == rv.SECONDARY]
_AP_SCHOOL = next(s for s in rv.SCHOOLS if s.phase == rv.ALTERNATIVE_PROVISION)
HEAD_OF_ADOLESCENTS = "Head of Service, Adolescents"
FRONT_DOOR_TEAM = "Front Door (MASH)"
OTHER_STAFF: tuple[tuple[str, str, str, str], ...] = (
    (rv.POLICE, "Child Centred Policing Team", Role.REFERRER, "Detective Constable"),
    (rv.POLICE, "Child Centred Policing Team", Role.REFERRER, "Police Sergeant"),
    (rv.POLICE, "Response", Role.REFERRER, "Police Constable"),
    (rv.CSC, "Front Door (MASH)", Role.FRONT_DOOR_PRACTITIONER, "Social Worker"),
    (rv.CSC, "Front Door (MASH)", Role.FRONT_DOOR_PRACTITIONER, "Senior Practitioner"),
    (rv.CSC, "Front Door (MASH)", Role.FRONT_DOOR_PRACTITIONER, "Early Help Coordinator"),
    (rv.CSC, "Adolescent Safeguarding Team", Role.LEAD_PRACTITIONER, "Social Worker"),
    (rv.CSC, "Adolescent Safeguarding Team", Role.LEAD_PRACTITIONER, "Advanced Practitioner"),
    (rv.CSC, "Adolescent Safeguarding Team", Role.LEAD_PRACTITIONER, "Social Worker"),
    (rv.CSC, "Child in Need Team", Role.LEAD_PRACTITIONER, "Social Worker"),
    (rv.CSC, "Child in Need Team", Role.LEAD_PRACTITIONER, "Senior Social Worker"),
    (rv.CSC, "", Role.STRATEGIC_LEADER, HEAD_OF_ADOLESCENTS),
    (rv.ED, "Emergency Department", Role.REFERRER, "Paediatric Liaison Nurse"),
    (rv.ED, "Emergency Department", Role.REFERRER, "Emergency Medicine Consultant"),
    (rv.AMBULANCE, "Emergency Operations Centre", Role.REFERRER, "Safeguarding Practitioner"),
    (rv.YJS, "Youth Justice Casework", Role.LEAD_PRACTITIONER, "Youth Justice Officer"),
    (rv.YJS, "Youth Justice Casework", Role.LEAD_PRACTITIONER, "Youth Justice Officer"),
    (rv.YJS, "Youth Justice Casework", Role.PANEL_CHAIR, "Team Manager"),
    (rv.PROBATION, "", Role.REFERRER, "Probation Officer"),
    (rv.VRU, "Insight Team", Role.ANALYST, "Senior Analyst"),
    (rv.VRU, "", Role.STRATEGIC_LEADER, "Director, Violence Reduction Unit"),
    (_SECONDARIES[1].code, rv.SAFEGUARDING_TEAM, Role.REFERRER, "Designated Safeguarding Lead"),
    (_SECONDARIES[2].code, rv.SAFEGUARDING_TEAM, Role.REFERRER, "Designated Safeguarding Lead"),
    (_FIRST_PRIMARY.code, rv.SAFEGUARDING_TEAM, Role.REFERRER, "Designated Safeguarding Lead"),
    (_AP_SCHOOL.code, rv.SAFEGUARDING_TEAM, Role.REFERRER, "Designated Safeguarding Lead"),
    (rv.VCSE_RIVERSIDE_OUTREACH, "Sessions Team", Role.REFERRER, "Session Facilitator"),
    (rv.VCSE_YOUTH_HUB, "Detached Youth Work", Role.REFERRER, "Detached Youth Worker"),
    (rv.VCSE_MENTORING, "Mentoring", Role.REFERRER, "Mentor"),
)
_CASEWORK_ROLES = (
    Role.REFERRER,
    Role.FRONT_DOOR_PRACTITIONER,
    Role.LEAD_PRACTITIONER,
    Role.PANEL_CHAIR,
)

T = TypeVar("T")


class GenerationError(Exception):
    """The demo partnership cannot be generated as asked."""


@dataclass(frozen=True)
class GenerationSummary:
    agencies: int
    teams: int
    staff: int
    agreements: int
    children: int
    family_members: int
    other_names: int
    relationships: int
    source_records: int
    agency_events: int
    event_participants: int
    demo_patterns: int
    ehc_plans: int
    sen_support: int
    child_profiles: int
    needs: int
    assessments: int
    voice_entries: int
    education_episodes: int
    plans: int
    plan_actions: int
    plan_reviews: int
    formulation_meetings: int
    transition_plans: int
    referrals: int
    referral_decisions: int
    escalations: int
    source_tasks: int
    notifications: int
    serious_incidents: int
    staff_change_requests: int
    seconds: float

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if k != "seconds"}


@dataclass(eq=False)
class _Adult:
    given_name: str
    family_name: str
    date_of_birth: dt.date


@dataclass(eq=False)
class _Household:
    ethnicity: str
    family_name: str
    language: str
    address_line: str
    postcode: str
    lsoa: str
    primary: rv.SchoolSpec
    secondary: rv.SchoolSpec
    children: list[_Child] = field(default_factory=list)


@dataclass(eq=False)
class _Child:
    index: int
    id: uuid.UUID
    household: _Household
    father: int
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: str
    age: int
    gender: str = ""
    nhs_number: str = ""
    nickname: str = ""
    school: rv.SchoolSpec | None = None
    school_started: dt.date | None = None
    upn: str = ""
    send: str = ""
    holders: list[str] = field(default_factory=list)
    open_referral: bool = False


def _age_on(dob: dt.date, day: dt.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _cohort_year(dob: dt.date) -> int:
    """The calendar year in which a child born on this day starts Year 1 minus 5: the school
    year runs September to August."""
    return dob.year + (1 if dob.month >= 9 else 0)


def _letters_only(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


class _Generator:
    def __init__(
        self,
        *,
        seed: int,
        children: int,
        say: Callable[[str], None],
        referrals_now: dt.datetime | None = None,
        event_files: Path | None = None,
    ) -> None:
        self.seed = seed
        self.referrals_now = referrals_now
        self.event_files = event_files
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.n_children = children
        self.say = say
        self.agencies: dict[str, Agency] = {}
        self.agency_types: dict[str, str] = {}
        self.teams: dict[tuple[str, str], Team] = {}
        self.staff: dict[str, Staff] = {}
        self.other_staff: list[Staff] = []
        self.children: list[_Child] = []
        self.nhs_numbers: set[str] = set()
        self.postcodes: set[str] = set()
        self.upn_serials: dict[str, int] = {}
        self.streets: dict[str, list[tuple[str, str, str]]] = {}
        self.counts: dict[str, int] = {}
        # Each child's current personal relationships: (staff, relationship kind).
        self.personal: dict[uuid.UUID, list[tuple[Staff, str]]] = {}

    # -- random helpers -----------------------------------------------------------------------

    def pick(self, pairs: Sequence[tuple[T, float]]) -> T:
        values = [v for v, _ in pairs]
        weights = [w for _, w in pairs]
        return self.rng.choices(values, weights)[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def sample(self, population: Sequence[T], k: int) -> list[T]:
        return self.rng.sample(list(population), min(k, len(population)))

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def day_between(self, earliest: dt.date, latest: dt.date) -> dt.date:
        if latest <= earliest:
            return earliest
        return earliest + dt.timedelta(days=self.rng.randint(0, (latest - earliest).days))

    # -- the partnership ----------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        self.say("Creating agencies, teams, agreements and threshold guidance")
        self.create_partnership()
        self.say("Creating staff and demo sign-ins")
        self.create_staff()
        self.say(f"Creating {self.n_children} children and their families")
        self.plan_children()
        self.create_children()
        self.say("Creating working relationships")
        self.plan_agency_records()
        self.create_relationships()
        self.say("Creating source records with their ground truth")
        self.create_source_records()
        self.say("Planning each agency's events, some children with patterns of harm")
        events = plan_agency_events(seed=self.seed, reference_date=REFERENCE_DATE)
        self.counts["demo_patterns"] = DemoPattern.objects.count()
        self.say("Switching on the co-involvement flag rule, as the demo partnership agreed")
        switch_on_co_involvement()
        self.say("Creating each child's record: needs, education, voice, plans and transition")
        self.create_child_records()
        needs = plan_source_needs(seed=self.seed)  # each agency's record of the needs it knows
        self.say("Creating the front door's year of referrals, decisions and escalations")
        self.create_referrals()
        self.say("Creating two recent serious incidents for a rapid response")
        now = self.referrals_now or dt.datetime.combine(REFERENCE_DATE, dt.time(), tzinfo=dt.UTC)
        serious = plan_serious_incidents(seed=self.seed, now=now)
        self.counts["serious_incidents"] = len({e.reference for e in serious})
        self.say("Leaving one change to a member of staff's access waiting for approval")
        self.create_staff_change_waiting(now)
        self.send_event_files([*events, *serious], needs)
        return self.counts

    def send_event_files(self, events: list[PlannedEvent], needs: list[PlannedNeed]) -> None:
        """Each agency's events and needs as its files: left in ``event_files`` for
        ``harbour events import``, or, without it, imported here through the same import."""
        self.counts["agency_events"] = len(events)
        self.counts["event_participants"] = sum(len(e.participants) for e in events)
        if self.event_files is not None:
            self.say(f"Writing each agency's events and needs as its files in {self.event_files}")
            write_event_files(self.event_files, events, needs)
            return
        self.say("Importing each agency's events and needs from its files")
        with tempfile.TemporaryDirectory(prefix="harbour-event-files-") as directory:
            files: list[EventFile] = write_event_files(Path(directory), events, needs)
            import_event_files(files)

    def create_staff_change_waiting(self, now: dt.datetime) -> None:
        """A change waiting for a second administrator, as the demo administrator left it: the
        head of service for adolescents to join the front door as its manager. The second demo
        administrator can approve or refuse it; the data protection officer reads it. (Written
        as data, like the rest of the demo: the generation is one audited event.)"""
        head = next(s for s in self.other_staff if s.job_title == HEAD_OF_ADOLESCENTS)
        before = policy.staff_access_values(head)
        after = {
            **before,
            "role": str(Role.FRONT_DOOR_MANAGER),
            "team": self.teams[(rv.CSC, FRONT_DOOR_TEAM)].pk,
        }
        StaffChangeRequest.objects.create(
            staff=head,
            before=before,
            after=after,
            requested_by=self.staff[ADMINISTRATOR.email],
            requested_at=now - dt.timedelta(hours=3),
        )
        self.counts["staff_change_requests"] = 1

    def create_child_records(self) -> None:
        counts = RecordPhase(
            seed=self.seed,
            children=self.children,
            agencies=self.agencies,
            staff=list(self.staff.values()),
            personal=self.personal,
            reference_date=REFERENCE_DATE,
        ).run()
        self.counts["staff"] += counts.pop("staff_added")
        self.counts.update(counts)

    def create_referrals(self) -> None:
        year = Year(
            seed=self.seed,
            children=self.children,
            agencies=self.agencies,
            reference_date=REFERENCE_DATE,
            now=self.referrals_now,
        )
        counts = ReferralPhase(year).run()
        self.counts["relationships"] += counts.pop("relationships_added")
        self.counts.update(counts)

    def create_partnership(self) -> None:
        agencies = Agency.objects.bulk_create(
            [
                Agency(code=a.code, name=a.name, agency_type=a.agency_type, school_urn=a.school_urn)
                for a in rv.AGENCIES
            ]
        )
        self.agencies = {a.code: a for a in agencies}
        self.agency_types = {a.code: a.agency_type for a in agencies}
        teams = Team.objects.bulk_create(
            [
                Team(agency=self.agencies[code], name=name, is_front_door=front_door)
                for code, name, front_door in rv.TEAMS
            ]
        )
        self.teams = {(t.agency.code, t.name): t for t in teams}
        agreements = InformationSharingAgreement.objects.bulk_create(
            [
                InformationSharingAgreement(
                    reference=a.reference,
                    title=a.title,
                    purposes=[str(p) for p in a.purposes],
                    data_categories=[str(c) for c in a.data_categories],
                    lawful_basis=a.lawful_basis,
                    special_category_condition=a.special_category_condition,
                    start_date=a.start_date,
                    end_date=a.end_date,
                    summary=a.summary,
                )
                for a in rv.AGREEMENTS
            ]
        )
        through = InformationSharingAgreement.parties.through
        through.objects.bulk_create(
            [
                through(informationsharingagreement_id=agreement.pk, agency_id=self.agencies[c].pk)
                for agreement, spec in zip(agreements, rv.AGREEMENTS, strict=True)
                for c in spec.parties
            ]
        )
        ThresholdGuidance.objects.bulk_create(
            [
                ThresholdGuidance(
                    title=g.title,
                    level=g.level,
                    version=rv.GUIDANCE_VERSION,
                    body=g.body,
                    indicators="\n".join(g.indicators),
                    effective_from=rv.GUIDANCE_EFFECTIVE_FROM,
                    published_by=self.agencies[rv.CSC],
                )
                for g in rv.GUIDANCE
            ]
        )
        self.counts.update(agencies=len(agencies), teams=len(teams), agreements=len(agreements))

    def create_staff(self) -> None:
        """The partnership's initial load of staff, written directly with their roles. It is the
        one path that gives accounts access to children's data without a second administrator's
        approval (ADR 0018): there is no partnership yet, so no administrator to ask. It runs
        only from `harbour demo generate`, inside the generation's one audited event, which
        counts the accounts loaded this way."""
        password = make_password(DEMO_PASSWORD)  # once: hashing is the slow part
        people: list[Staff] = []
        emails: set[str] = set()

        def person(
            email: str,
            code: str,
            team: str,
            role: str,
            title: str,
            *,
            name: tuple[str, str] | None = None,
            active: bool = True,
        ) -> Staff:
            emails.add(email)
            first, last = name or (self.fake.first_name(), self.fake.last_name())
            staff = Staff(
                username=email,
                email=email,
                first_name=first,
                last_name=last,
                password=password,
                agency=self.agencies[code],
                team=self.teams[(code, team)] if team else None,
                role=role,
                job_title=title,
                # Ofcom's numbers for drama (01632 960000 to 960999): synthetic, never a real line.
                # From the order, not the random generator, so the rest of the demo is unchanged.
                phone=f"01632 960 {len(people) % 1000:03d}",
                is_active=active,
            )
            people.append(staff)
            return staff

        for s in DEMO_SIGN_INS:
            person(s.email, s.agency_code, s.team_name, s.role, s.job_title, name=s.name)
        others: list[Staff] = []
        for code, team, role, title in OTHER_STAFF:
            first, last = self.fake.first_name(), self.fake.last_name()
            local = f"{_letters_only(first)}.{_letters_only(last)}"
            email, n = f"{local}@{code}.{rv.DEMO_EMAIL_DOMAIN}", 1
            while email in emails:
                n += 1
                email = f"{local}{n}@{code}.{rv.DEMO_EMAIL_DOMAIN}"
            others.append(person(email, code, team, role, title, name=(first, last)))
        person(
            DEACTIVATED_EMAIL,
            rv.POLICE,
            "Response",
            Role.REFERRER,
            "Police Constable",
            active=False,
        )
        created = Staff.objects.bulk_create(people)
        self.staff = {s.email: s for s in created}
        self.other_staff = [self.staff[s.email] for s in others]
        self.counts["staff"] = len(created)

    # -- children and families -----------------------------------------------------------------

    def plan_children(self) -> None:
        for sector in rv.POSTCODE_SECTORS:
            self.streets[sector.sector] = [self.new_street(sector) for _ in range(4)]
        while len(self.children) < self.n_children:
            size = min(self.pick(HOUSEHOLD_SIZES), self.n_children - len(self.children))
            household = self.new_household()
            for _ in range(size):
                self.new_child(household)

    def new_street(self, sector: rv.PostcodeSector) -> tuple[str, str, str]:
        """(street name, postcode, LSOA code) for a new street in the sector."""
        stem = self.fake.last_name() if self.chance(0.3) else self.rng.choice(rv.STREET_NAMES)
        name = f"{stem} {self.rng.choice(rv.STREET_SUFFIXES)}"
        while True:
            postcode = sector.sector + "".join(self.rng.choices(rv.POSTCODE_UNIT_LETTERS, k=2))
            if postcode not in self.postcodes:
                break
        self.postcodes.add(postcode)
        return name, postcode, self.rng.choice(sector.lsoas).code

    def new_address(self, avoid: str = "") -> tuple[str, str, str]:
        """(address line, postcode, LSOA code) on one of the area's streets; ``avoid`` is a
        postcode the address must not have."""
        while True:
            sector = self.rng.choice(rv.POSTCODE_SECTORS)
            street, postcode, lsoa = self.rng.choice(self.streets[sector.sector])
            if postcode != avoid:
                break
        if self.chance(0.2):
            block = f"{self.fake.last_name()} {self.rng.choice(rv.BLOCK_SUFFIXES)}"
            line = f"Flat {self.rng.randint(1, 60)}, {block}, {street}, Riverside"
        else:
            line = f"{self.fake.building_number().lstrip('0') or '1'} {street}, Riverside"
        return line, postcode, lsoa

    def given_name(self, ethnicity: str, sex: str, *, adult: bool = False) -> str:
        pool = self.pick(names.NAME_MIX[ethnicity].given)
        girl = sex == Sex.FEMALE or (sex == Sex.UNKNOWN and self.chance(0.5))
        if pool == names.FAKER or (adult and pool == "british"):
            return str(self.fake.first_name_female() if girl else self.fake.first_name_male())
        chosen = names.POOLS[pool]
        return self.rng.choice(chosen.girls if girl else chosen.boys)

    def family_name(self, ethnicity: str) -> str:
        pool = self.pick(names.NAME_MIX[ethnicity].family)
        if pool == names.FAKER:
            return str(self.fake.last_name())
        return self.rng.choice(names.POOLS[pool].family)

    def new_household(self) -> _Household:
        ethnicity = self.pick(names.ETHNICITY_WEIGHTS)
        line, postcode, lsoa = self.new_address()
        language = self.pick(names.LANGUAGES.get(ethnicity, (("English", 1.0),)))
        mixed = [s for s in _SECONDARIES if s.urn != rv.GIRLS_SCHOOL_URN]
        return _Household(
            ethnicity=ethnicity,
            family_name=self.family_name(ethnicity),
            language=language,
            address_line=line,
            postcode=postcode,
            lsoa=lsoa,
            primary=self.rng.choice([s for s in rv.SCHOOLS if s.phase == rv.PRIMARY]),
            secondary=self.rng.choice(mixed),
        )

    def dob_for_age(self, age: int) -> dt.date:
        # Born by the day before the reference date, so every relationship can start before it.
        latest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age) - dt.timedelta(days=1)
        earliest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age - 1) + dt.timedelta(1)
        return self.day_between(earliest, latest)

    def sibling_dob(self, household: _Household) -> dt.date:
        born = [c.date_of_birth for c in household.children]
        if born and self.chance(0.02):
            return born[-1]  # twins
        dob = self.dob_for_age(self.rng.choices(range(18), AGE_WEIGHTS)[0])
        for _ in range(12):
            if all(abs((dob - b).days) >= 300 for b in born):
                break
            dob = self.dob_for_age(self.rng.choices(range(18), AGE_WEIGHTS)[0])
        return dob

    def new_nhs_number(self) -> str:
        while True:
            first_nine = SYNTHETIC_NHS_PREFIX + f"{self.rng.randint(0, 999_999):06d}"
            check = nhs_check_digit(first_nine)
            if check is not None and first_nine + str(check) not in self.nhs_numbers:
                number = first_nine + str(check)
                self.nhs_numbers.add(number)
                return number

    def new_child(self, household: _Household) -> _Child:
        dob = self.sibling_dob(household)
        age = _age_on(dob, REFERENCE_DATE)
        sex = self.pick(SEX_WEIGHTS)
        # A second father in the household makes half-siblings.
        if not household.children:
            father = 0
        elif self.chance(0.2):
            father = 1
        else:
            father = self.rng.choice([c.father for c in household.children])
        family_name = household.family_name
        if father == 1 and self.chance(0.5):
            family_name = self.second_father_family_name(household)
        taken = {c.given_name for c in household.children}
        given = self.given_name(household.ethnicity, sex)
        for _ in range(8):
            if given not in taken:
                break
            given = self.given_name(household.ethnicity, sex)
        child = _Child(
            index=len(self.children),
            id=self.uuid(),
            household=household,
            father=father,
            given_name=given,
            family_name=family_name,
            date_of_birth=dob,
            sex=sex,
            age=age,
        )
        if age >= 12 and self.chance(0.015):
            options = [*names.GENDER_SELF_DESCRIPTIONS]
            if sex != Sex.FEMALE:
                options.remove("Trans boy")
            if sex != Sex.MALE:
                options.remove("Trans girl")
            child.gender = self.rng.choice(options)
        if self.chance(0.95):
            child.nhs_number = self.new_nhs_number()
        self.place_at_school(child)
        household.children.append(child)
        self.children.append(child)
        return child

    def second_father_family_name(self, household: _Household) -> str:
        for c in household.children:
            if c.father == 1 and c.family_name != household.family_name:
                return c.family_name
        return self.family_name(household.ethnicity)

    def place_at_school(self, child: _Child) -> None:
        if child.age < 5:
            return
        household = child.household
        cohort = _cohort_year(child.date_of_birth)
        latest_start = dt.date(REFERENCE_DATE.year, 9, 1)
        if child.age < 11:
            child.school = household.primary
            child.school_started = min(dt.date(cohort + 4, 9, 1), latest_start)
        else:
            secondary_start = min(dt.date(cohort + 11, 9, 1), latest_start)
            if child.age <= 16 and self.chance(0.025):
                child.school = _AP_SCHOOL
                child.school_started = self.day_between(
                    max(secondary_start, REFERENCE_DATE - dt.timedelta(days=700)),
                    REFERENCE_DATE - dt.timedelta(days=30),
                )
            elif child.sex == Sex.FEMALE and self.chance(0.3):
                child.school = next(s for s in _SECONDARIES if s.urn == rv.GIRLS_SCHOOL_URN)
                child.school_started = secondary_start
            else:
                child.school = household.secondary
                child.school_started = secondary_start
        # The unique pupil number comes from the child's first school, in their reception year.
        establishment = "2" + household.primary.urn[-3:]
        year = f"{(cohort + 4) % 100:02d}"
        key = establishment + year
        self.upn_serials[key] = self.upn_serials.get(key, 0) + 1
        digits = f"999{establishment}{year}{self.upn_serials[key]:03d}"
        child.upn = upn_check_letter(digits) + digits
        at_ap = child.school == _AP_SCHOOL
        roll = self.rng.random()
        if roll < (0.2 if at_ap else 0.048):
            child.send = SendStatus.EHC_PLAN
        elif roll < (0.65 if at_ap else 0.178):
            child.send = SendStatus.SEN_SUPPORT

    def create_children(self) -> None:
        rows: list[Child] = []
        other_names: list[ChildName] = []
        family: list[FamilyMember] = []
        households: list[_Household] = []
        for child in self.children:
            if not households or households[-1] is not child.household:
                households.append(child.household)
        for household in households:
            self.create_parents(household, family)
            for child in household.children:
                rows.append(self.child_row(child))
                other_names.extend(self.other_names(child))
                for sibling in household.children:
                    if sibling is child:
                        continue
                    relationship = (
                        Relationship.SIBLING
                        if sibling.father == child.father
                        else Relationship.HALF_SIBLING
                    )
                    family.append(
                        FamilyMember(
                            child_id=child.id,
                            relationship=relationship,
                            given_name=sibling.given_name,
                            family_name=sibling.family_name,
                            date_of_birth=sibling.date_of_birth,
                            related_child_id=sibling.id,
                            lives_with_child=True,
                        )
                    )
        Child.objects.bulk_create(rows)
        ChildName.objects.bulk_create(other_names)
        FamilyMember.objects.bulk_create(family)
        self.counts.update(
            children=len(rows),
            other_names=len(other_names),
            family_members=len(family),
            ehc_plans=sum(c.send == SendStatus.EHC_PLAN for c in self.children),
            sen_support=sum(c.send == SendStatus.SEN_SUPPORT for c in self.children),
        )

    def child_row(self, child: _Child) -> Child:
        household = child.household
        ethnicity = household.ethnicity
        dfe = ONS_TO_DFE[ethnicity]
        if child.school is not None:
            source_system = "school_census"
            source_code = dfe
            if ethnicity == Ethnicity.WHITE_GYPSY_IRISH_TRAVELLER and self.chance(0.5):
                source_code = "WIRT"  # the census said Irish Traveller
        else:
            source_system, source_code = "Liquidlogic LCS", dfe
        return Child(
            id=child.id,
            given_name=child.given_name,
            family_name=child.family_name,
            date_of_birth=child.date_of_birth,
            sex=child.sex,
            gender=child.gender,
            ethnicity=ethnicity,
            ethnicity_dfe_code=dfe,  # bulk_create skips Child.save, which derives it
            ethnicity_source_system=source_system,
            ethnicity_source_code=source_code,
            first_language=household.language,
            nhs_number=child.nhs_number,
            address_line=household.address_line,
            postcode=household.postcode,
            lsoa21cd=household.lsoa,
            recorded_by=self.agencies[child.school.code if child.school else rv.CSC],
        )

    def other_names(self, child: _Child) -> list[ChildName]:
        if not self.chance(0.15):
            return []
        nicknames = names.NICKNAMES.get(child.given_name)
        if nicknames:
            child.nickname = self.rng.choice(nicknames)
            return [ChildName(child_id=child.id, given_name=child.nickname, kind=NameKind.NICKNAME)]
        roll = self.rng.random()
        ethnicity = child.household.ethnicity
        if roll < 0.45:
            return [
                ChildName(
                    child_id=child.id,
                    given_name=child.given_name,
                    family_name=self.family_name(ethnicity),
                    kind=NameKind.PREVIOUS,
                )
            ]
        other = self.given_name(ethnicity, child.sex)
        if other == child.given_name:
            return []
        if roll < 0.75:
            return [
                ChildName(
                    child_id=child.id,
                    given_name=other,
                    family_name=child.family_name,
                    kind=NameKind.ALIAS,
                )
            ]
        return [ChildName(child_id=child.id, given_name=other, kind=NameKind.PREFERRED)]

    def adult_given_name(self, ethnicity: str, sex: str, avoid: set[str]) -> str:
        """An adult's first name that no child in the household shares (a mother called by her
        daughter's name reads as a mistake on the record)."""
        name = self.given_name(ethnicity, sex, adult=True)
        for _ in range(10):
            if name not in avoid:
                break
            name = self.given_name(ethnicity, sex, adult=True)
        avoid.add(name)
        return name

    def create_parents(self, household: _Household, family: list[FamilyMember]) -> None:
        ethnicity = household.ethnicity
        avoid = {c.given_name for c in household.children}
        born = sorted(c.date_of_birth for c in household.children)
        span = (born[-1] - born[0]).days // 365
        mother_age = self.rng.randint(18, max(19, 44 - span))
        mother_dob = _years_before(born[0], mother_age) - dt.timedelta(
            days=self.rng.randint(0, 364)
        )
        mother = _Adult(
            self.adult_given_name(ethnicity, Sex.FEMALE, avoid),
            household.family_name if self.chance(0.7) else self.family_name(ethnicity),
            mother_dob,
        )
        fathers: list[_Adult | None] = []
        for i in range(1 + any(c.father == 1 for c in household.children)):
            if not self.chance(0.75):
                fathers.append(None)
                continue
            surname = household.family_name
            if i == 1:
                surname = self.second_father_family_name(household)
            fathers.append(
                _Adult(
                    self.adult_given_name(ethnicity, Sex.MALE, avoid),
                    surname,
                    mother_dob - dt.timedelta(days=self.rng.randint(-3 * 365, 8 * 365)),
                )
            )
        father_lives = self.chance(0.45)
        kinship = self.chance(0.04)
        carer: tuple[str, _Adult] | None = None
        if kinship:
            grandparent = self.chance(0.6)
            carer = (
                Relationship.GRANDPARENT if grandparent else Relationship.CARER,
                _Adult(
                    self.adult_given_name(ethnicity, Sex.FEMALE, avoid),
                    mother.family_name if grandparent else self.family_name(ethnicity),
                    _years_before(mother_dob, self.rng.randint(18, 30)),
                ),
            )
        elif not father_lives and self.chance(0.1):
            carer = (
                Relationship.STEP_PARENT,
                _Adult(
                    self.adult_given_name(ethnicity, Sex.MALE, avoid),
                    self.family_name(ethnicity),
                    mother_dob - dt.timedelta(days=self.rng.randint(-5 * 365, 10 * 365)),
                ),
            )
        for child in household.children:

            def member(
                relationship: str,
                adult: _Adult,
                *,
                responsibility: bool,
                lives: bool,
                child: _Child = child,
            ) -> FamilyMember:
                return FamilyMember(
                    child_id=child.id,
                    relationship=relationship,
                    given_name=adult.given_name,
                    family_name=adult.family_name,
                    date_of_birth=adult.date_of_birth,
                    has_parental_responsibility=responsibility,
                    lives_with_child=lives,
                )

            family.append(
                member(Relationship.MOTHER, mother, responsibility=True, lives=not kinship)
            )
            father = fathers[child.father]
            if father is not None:
                family.append(
                    member(
                        Relationship.FATHER,
                        father,
                        responsibility=self.chance(0.85),
                        lives=father_lives and child.father == 0 and not kinship,
                    )
                )
            if carer is not None:
                relationship, adult = carer
                family.append(
                    member(
                        relationship,
                        adult,
                        responsibility=relationship != Relationship.STEP_PARENT,
                        lives=True,
                    )
                )

    # -- who knows each child ------------------------------------------------------------------

    def plan_agency_records(self) -> None:
        vcse_weights = (
            (rv.VCSE_RIVERSIDE_OUTREACH, 0.3),
            (rv.VCSE_YOUTH_HUB, 0.3),
            (rv.VCSE_MENTORING, 0.25),
            (rv.VCSE_NO_AGREEMENT, 0.15),
        )
        for child in self.children:
            age, holders = child.age, child.holders
            if child.school is not None:
                holders.append(child.school.code)
            yjs = (age >= 12 and self.chance(0.12)) or (age in (10, 11) and self.chance(0.03))
            police = age >= 10 and (self.chance(0.25) or (yjs and self.chance(0.8)))
            if police:
                holders.append(rv.POLICE)
            # Children's social care recorded every under-5 (they have no school yet).
            if age < 5 or self.chance(0.11 if age >= 10 else 0.05):
                holders.append(rv.CSC)
            if self.chance(0.12):
                holders.append(rv.ED)
            if self.chance(0.03):
                holders.append(rv.AMBULANCE)
            if yjs:
                holders.append(rv.YJS)
            if age == 17 and self.chance(0.6 if yjs else 0.2):
                holders.append(rv.PROBATION)
            if age >= 8 and self.chance(0.08):
                holders.append(self.pick(vcse_weights))
            child.open_referral = self.chance(0.03)

        # The no-agreement youth worker works with four children the club holds.
        held = [c for c in self.children if rv.VCSE_NO_AGREEMENT in c.holders]
        if len(held) < 4:
            candidates = [
                c
                for c in self.children
                if c.age >= 10 and not any(h in rv.VCSE_CODES for h in c.holders)
            ]
            for child in self.sample(candidates, 4 - len(held)):
                child.holders.append(rv.VCSE_NO_AGREEMENT)

        # Some children, most of them younger, are known only to their school; keep at least 5.
        school_only = [c for c in self.children if self.known_only_to_school(c)]
        if len(school_only) < 5:
            candidates = sorted(
                (
                    c
                    for c in self.children
                    if c.school is not None
                    and not self.known_only_to_school(c)
                    and rv.VCSE_NO_AGREEMENT not in c.holders
                ),
                key=lambda c: (c.age, c.index),
            )
            for child in candidates[: 5 - len(school_only)]:
                assert child.school is not None
                child.holders = [child.school.code]
                child.open_referral = False

    @staticmethod
    def known_only_to_school(child: _Child) -> bool:
        return (
            child.school is not None
            and child.holders == [child.school.code]
            and not child.open_referral
        )

    def create_relationships(self) -> None:
        """Who knows each child. The relationships of the children with a recent referral
        (``open_referral``) are written with their referrals (``demo.referrals``)."""
        rows: list[WorkingRelationship] = []
        last_week = REFERENCE_DATE - dt.timedelta(days=7)
        for child in self.children:
            for code in child.holders:
                if child.school is not None and code == child.school.code:
                    assert child.school_started is not None
                    started = child.school_started
                elif child.age < 5 and code == rv.CSC:
                    started = self.day_between(child.date_of_birth, last_week)
                else:
                    earliest = max(
                        child.date_of_birth + dt.timedelta(days=1),
                        REFERENCE_DATE - dt.timedelta(days=3 * 365),
                    )
                    started = self.day_between(earliest, last_week)
                rows.append(self.agency_relationship(child, code, started))
            if child.open_referral:
                # Drawn as it was before referrals were generated, so that every later draw,
                # and so the partnership, is the same for a seed; unused.
                self.day_between(
                    max(child.date_of_birth, REFERENCE_DATE - dt.timedelta(days=21)),
                    REFERENCE_DATE - dt.timedelta(days=1),
                )

        eligible = [c for c in self.children if not self.known_only_to_school(c)]
        # Adolescents: the lead practitioner works in the Adolescent Safeguarding Team.
        teens = [c for c in eligible if c.age >= 12]

        def choose(preferred: list[_Child], k: int) -> list[_Child]:
            chosen = self.sample(preferred, k)
            if len(chosen) < k:
                rest = [c for c in teens if c not in chosen]
                chosen += self.sample(rest, k - len(chosen))
            return chosen

        personal: list[tuple[str, RelationshipKind, list[_Child]]] = [
            (
                LEAD_PRACTITIONER.email,
                RelationshipKind.LEAD_PRACTITIONER,
                self.with_one_approaching_adulthood(
                    choose([c for c in teens if rv.CSC in c.holders], 12), teens
                ),
            ),
            (
                PANEL_CHAIR.email,
                RelationshipKind.PANEL_MEMBERSHIP,
                choose([c for c in teens if rv.YJS in c.holders or rv.POLICE in c.holders], 15),
            ),
        ]
        referrer_children = choose([c for c in teens if rv.POLICE in c.holders], 3)
        personal.append((REFERRER.email, RelationshipKind.TEAM_AROUND_CHILD, referrer_children))
        club = [c for c in self.children if rv.VCSE_NO_AGREEMENT in c.holders]
        personal.append(
            (
                NO_AGREEMENT_YOUTH_WORKER.email,
                RelationshipKind.TEAM_AROUND_CHILD,
                self.sample(club, 4),
            )
        )
        for staff in self.other_staff:
            if staff.role not in _CASEWORK_ROLES:
                continue
            assert staff.agency is not None
            code = staff.agency.code
            held = [c for c in eligible if code in c.holders]
            personal.append(
                (
                    staff.email,
                    RelationshipKind.TEAM_AROUND_CHILD,
                    self.sample(held, self.rng.randint(0, 4)),
                )
            )
        for email, kind, chosen in personal:
            for child in chosen:
                self.personal.setdefault(child.id, []).append((self.staff[email], kind))
                earliest = max(
                    child.date_of_birth + dt.timedelta(days=1),
                    REFERENCE_DATE - dt.timedelta(days=540),
                )
                rows.append(
                    WorkingRelationship(
                        child_id=child.id,
                        staff=self.staff[email],
                        kind=kind,
                        started_on=self.day_between(
                            earliest, REFERENCE_DATE - dt.timedelta(days=14)
                        ),
                    )
                )

        # One relationship that has ended: it must grant the police referrer nothing now.
        former = [c for c in teens if rv.POLICE not in c.holders and c not in referrer_children]
        if former:
            rows.append(
                WorkingRelationship(
                    child_id=self.rng.choice(former).id,
                    staff=self.staff[REFERRER.email],
                    kind=RelationshipKind.TEAM_AROUND_CHILD,
                    started_on=dt.date(2024, 9, 2),
                    ended_on=dt.date(2025, 7, 18),
                    note="Team around the child closed when the family moved away",
                )
            )
        WorkingRelationship.objects.bulk_create(rows)
        self.counts["relationships"] = len(rows)

    def with_one_approaching_adulthood(
        self, chosen: list[_Child], teens: list[_Child]
    ) -> list[_Child]:
        """The lead practitioner's children, with one turning 18 within the year: if none of
        those chosen is, the last is swapped for one who is. The swap draws from its own
        generator, so the rest of the partnership is the same as without it."""

        def approaching(child: _Child, soonest: int = APPROACHING_ADULTHOOD_DAYS) -> bool:
            days = (eighteenth_birthday(child.date_of_birth) - REFERENCE_DATE).days
            return soonest <= days <= 365

        if not chosen or any(approaching(c) for c in chosen):
            return chosen
        candidates = [c for c in teens if approaching(c) and c not in chosen]
        if not candidates:  # a small partnership: anyone turning 18 within the year will do
            if any(approaching(c, 1) for c in chosen):
                return chosen
            candidates = [c for c in teens if approaching(c, 1) and c not in chosen]
        preferred = [c for c in candidates if rv.CSC in c.holders] or candidates
        if not preferred:
            return chosen
        swap = random.Random(self.seed + LEAD_SWAP_SEED_OFFSET).choice(preferred)
        return [*chosen[:-1], swap]

    def agency_relationship(
        self, child: _Child, code: str, started: dt.date
    ) -> WorkingRelationship:
        return WorkingRelationship(
            child_id=child.id,
            agency=self.agencies[code],
            kind=RelationshipKind.AGENCY_RECORD,
            started_on=started,
        )

    # -- each agency's own records --------------------------------------------------------------

    def create_source_records(self) -> None:
        planned: list[tuple[_Child, str]] = [(c, h) for c in self.children for h in c.holders]
        with_duplicates: list[tuple[_Child, str, bool]] = []
        for child, code in planned:
            with_duplicates.append((child, code, False))
            if self.chance(DUPLICATE_RATE):
                with_duplicates.append((child, code, True))
        # Nicknames and transposable dates are possible for some children only: raise the rate
        # among those so that the share of all records is about right.
        nickname_share = sum(bool(self.nicknames(c)) for c, _ in planned) / max(len(planned), 1)
        transposable_share = sum(self.transposable(c.date_of_birth) for c, _ in planned) / max(
            len(planned), 1
        )
        nickname_rate = min(1.0, NICKNAME_RATE / nickname_share) if nickname_share else 0.0
        transposed_rate = (
            min(1.0, DOB_TRANSPOSED_RATE / transposable_share) if transposable_share else 0.0
        )
        next_ids: dict[str, int] = {}
        records: list[SourceRecord] = []
        truths: list[tuple[_Child, list[str], str]] = []
        for child, code, duplicate in with_duplicates:
            agency_type = self.agency_types[code]
            errors: list[str] = [DUPLICATE] if duplicate else []
            given, family = child.given_name, child.family_name
            dob: dt.date | None = child.date_of_birth
            postcode, address = child.household.postcode, child.household.address_line
            nhs = child.nhs_number if self.chance(NHS_NUMBER_HELD[agency_type]) else ""
            if child.nhs_number and not nhs:
                errors.append(NHS_MISSING)
            nicknames = self.nicknames(child)
            if nicknames and self.chance(nickname_rate):
                given = self.rng.choice(nicknames)
                errors.append(NICKNAME)
            if self.chance(TYPO_RATE):
                if self.chance(0.5):
                    given = self.typo(given)
                    errors.append(GIVEN_NAME_TYPO)
                else:
                    family = self.typo(family)
                    errors.append(FAMILY_NAME_TYPO)
            if self.chance(FAMILY_NAME_CHANGED_RATE):
                other = self.family_name(child.household.ethnicity)
                if other == family:
                    other = str(self.fake.last_name())
                family = f"{family}-{other}" if self.chance(0.5) else other
                errors.append(FAMILY_NAME_CHANGED)
            if self.transposable(child.date_of_birth) and self.chance(transposed_rate):
                dob = child.date_of_birth.replace(
                    day=child.date_of_birth.month, month=child.date_of_birth.day
                )
                errors.append(DOB_TRANSPOSED)
            elif self.chance(DOB_MISSING_RATE):
                dob = None
                errors.append(DOB_MISSING)
            if self.chance(OLD_ADDRESS_RATE):
                address, postcode, _ = self.new_address(avoid=postcode)
                errors.append(OLD_ADDRESS)
            started = child.school_started if code.startswith("school-") else None
            earliest = max(started or child.date_of_birth, REFERENCE_DATE - dt.timedelta(days=730))
            school = child.school if agency_type == AgencyType.SCHOOL else None
            sex = child.sex
            if agency_type == AgencyType.AMBULANCE and self.chance(0.05):
                sex = ""
            next_ids[code] = next_ids.get(code, self.rng.randint(10_000, 400_000)) + (
                self.rng.randint(1, 40)
            )
            records.append(
                SourceRecord(
                    agency=self.agencies[code],
                    source_system=SOURCE_SYSTEMS[agency_type],
                    source_id=self.source_id(agency_type, next_ids[code]),
                    given_name=given,
                    family_name=family,
                    date_of_birth=dob,
                    sex=sex,
                    postcode=postcode,
                    address_line=address,
                    nhs_number=nhs,
                    school_urn=school.urn if school else "",
                    upn=child.upn if school else "",
                    as_of=self.day_between(earliest, REFERENCE_DATE),
                )
            )
            truths.append((child, errors, child.send if school else ""))
        created = SourceRecord.objects.bulk_create(records)
        if any(r.pk is None for r in created):  # a database that cannot return ids
            ids = {
                (a, s, i): pk
                for pk, a, s, i in SourceRecord.objects.values_list(
                    "pk", "agency_id", "source_system", "source_id"
                )
            }
            for r in created:
                r.pk = ids[(r.agency_id, r.source_system, r.source_id)]
        GroundTruth.objects.bulk_create(
            [
                GroundTruth(source_record_id=record.pk, child_id=child.id, errors=errors, send=send)
                for record, (child, errors, send) in zip(created, truths, strict=True)
            ]
        )
        self.counts["source_records"] = len(created)

    def nicknames(self, child: _Child) -> tuple[str, ...]:
        if child.nickname:
            return (child.nickname,)
        return names.NICKNAMES.get(child.given_name, ())

    @staticmethod
    def transposable(dob: dt.date) -> bool:
        return dob.day <= 12 and dob.day != dob.month

    def typo(self, name: str) -> str:
        """One slip of the keyboard: a letter substituted, dropped, or swapped with the next."""
        i = self.rng.randint(1, len(name) - 1)
        kind = self.rng.choice(("substitute", "delete", "transpose"))
        if len(name) < 3:
            kind = "substitute"
        if kind == "delete":
            return name[:i] + name[i + 1 :]
        if kind == "transpose" and name[i - 1] != name[i]:
            return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]
        letters = [c for c in "abcdefghijklmnopqrstuvwxyz" if c != name[i].lower()]
        return name[:i] + self.rng.choice(letters) + name[i + 1 :]

    @staticmethod
    def source_id(agency_type: str, n: int) -> str:
        formats: dict[str, str] = {
            AgencyType.POLICE: "RVP{:07d}",
            AgencyType.CHILDRENS_SOCIAL_CARE: "{:07d}",
            AgencyType.NHS_TRUST: "RVH{:07d}",
            AgencyType.AMBULANCE: "PT{:08d}",
            AgencyType.YOUTH_JUSTICE: "CV{:06d}",
            AgencyType.PROBATION: "R{:06d}",
            AgencyType.SCHOOL: "{:06d}",
            AgencyType.VCSE: "V{:06d}",
        }
        return formats[agency_type].format(n)


def _front_door_models() -> list[type[Model]]:
    """The front door's rows that refer to the partnership, its staff or its children, those that
    refer to referrals first: every referral and all that hangs off it, and anything else the
    front door keeps about an agency (such as an agency's API tokens). Its rules stay."""
    partnership = {Agency, Staff, Team, Child, Referral}
    known = [Notification, SourceTask, Escalation, ReferralDecision]
    others = [
        model
        for model in django_apps.get_app_config("frontdoor").get_models()
        if model not in (*known, Referral)
        and any(
            f.related_model in partnership
            for f in model._meta.get_fields()
            if f.many_to_one or f.one_to_one
        )
    ]
    return [*others, *known, Referral]


def delete_demo_data() -> None:
    """Remove the partnership and its children, and the front door's referrals about them.
    Audit events are append-only and stay; staff with no agency (a developer's superuser) stay
    too, and so do the partnership's rules for referrals."""
    try:
        for front_door_model in _front_door_models():
            front_door_model._default_manager.all().delete()
        for model in (
            FormulationMeeting,
            PlanAction,
            PlanReview,
            Plan,
            TransitionPlan,
            VoiceEntry,
            EducationEpisode,
            Assessment,
            Need,
            ChildProfile,
        ):
            model.objects.all().delete()
        GroundTruth.objects.all().delete()
        delete_agency_events()
        # The person index is built from the source records: it goes with them.
        delete_person_index()
        SourceRecord.objects.all().delete()
        WorkingRelationship.objects.all().delete()
        BreakGlassGrant.objects.all().delete()
        FamilyMember.objects.all().delete()
        ChildName.objects.all().delete()
        Child.objects.all().delete()
        ThresholdGuidance.objects.all().delete()
        InformationSharingAgreement.objects.all().delete()
        # Requests name the staff they are about (and who decided them), so they go first.
        StaffChangeRequest.objects.all().delete()
        Staff.objects.filter(
            Q(agency__isnull=False) | Q(email__endswith=f".{rv.DEMO_EMAIL_DOMAIN}")
        ).delete()
        Team.objects.all().delete()
        Agency.objects.all().delete()
    except ProtectedError as exc:
        raise GenerationError(
            f"Cannot replace the demo partnership: other records still refer to it ({exc})"
        ) from exc


DEMO_CO_INVOLVEMENT_REASON = (
    "The demo partnership's strategic board agreed to flag children suspected, arrested, "
    "missing or named as associates together with a child already flagged, and its data "
    "protection impact assessment covers it (synthetic data)."
)


def switch_on_co_involvement() -> None:
    """The demo partnership uses the co-involvement rule, which a new installation has switched
    off (ADR 0015): its example rules, with that one switched on by the generator, audited."""
    flags.seed_example_rules()
    for rule in FlagRule.objects.filter(
        kind=FlagRuleKind.CO_INVOLVED_WITH_FLAGGED, is_current=True, in_use=False
    ):
        flags.flag_rule_switch(
            actor=None,
            system_actor=SYSTEM_ACTOR,
            rule=rule,
            in_use=True,
            reason=DEMO_CO_INVOLVEMENT_REASON,
        )


def generate(
    *,
    seed: int,
    children: int,
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
    referrals_now: dt.datetime | None = None,
    event_files: Path | None = None,
) -> GenerationSummary:
    """Generate the synthetic partnership. Refuses if any agency exists, unless ``replace``,
    which deletes the existing partnership and its children first.

    The front door's referrals are timed back from ``referrals_now`` (by default the start of
    the reference date, so the same seed makes the same data); the demo passes the moment it is
    generated, so that its queue shows referrals due soon as well as overdue ones.

    The agencies' events and needs are written as their files into ``event_files``, for
    ``harbour events import`` to load (``harbour demo event-files`` lists them); without it they
    are imported at the end of the generation, through the same import."""
    if children < MIN_CHILDREN:
        raise GenerationError(f"Generate at least {MIN_CHILDREN} children (asked for {children})")
    say: Callable[[str], None] = progress or (lambda _message: None)
    started = time.perf_counter()
    with transaction.atomic():
        if Agency.objects.exists():
            if not replace:
                raise GenerationError(
                    "Agencies already exist: this database already has a partnership. "
                    "Use --replace to delete it and generate a new one."
                )
            say("Deleting the existing partnership (audit events are kept)")
            delete_demo_data()
        counts = _Generator(
            seed=seed,
            children=children,
            say=say,
            referrals_now=referrals_now,
            event_files=event_files,
        ).run()
        detail: dict[str, Any] = {
            "seed": seed,
            "replaced": replace,
            **counts,
            # The initial load of staff: roles given without a second administrator (ADR 0018).
            "staff_loaded_without_approval": counts["staff"],
        }
        audit_record(actor=None, system_actor=SYSTEM_ACTOR, event="demo.generated", detail=detail)
    return GenerationSummary(**counts, seconds=round(time.perf_counter() - started, 2))
