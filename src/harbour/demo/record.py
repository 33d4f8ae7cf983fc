"""The synthetic children's records: needs and assessment waits, education, how to communicate
with each child and who they are, their own words, plans with actions and reviews, formulation
meetings and transition plans.

Shaped by what is known about children harmed by serious youth violence: children known to the
police, youth justice or social care (here "the cohort") very often have special educational
needs or are neurodivergent, wait years for assessments, are on reduced timetables or in
alternative provision, and have needs that one agency knows and another does not.

The phase draws every choice from its own ``random.Random`` and Faker, seeded from the
generation's seed, so adding it left what the earlier phases produce for a seed unchanged."""

from __future__ import annotations

import datetime as dt
import random
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from faker import Faker

from harbour.access.models import RelationshipKind
from harbour.children.codes import (
    SEN_TYPE_OF_NEED,
    ActionStatus,
    AssessmentKind,
    AssessmentStatus,
    EducationStatus,
    NeedKind,
    PlanType,
    Sex,
)
from harbour.children.models import (
    Assessment,
    ChildProfile,
    EducationEpisode,
    EducationLimit,
    FormulationMeeting,
    Need,
    Plan,
    PlanAction,
    PlanReview,
    TransitionPlan,
    VoiceEntry,
)
from harbour.demo import record_text as text
from harbour.demo import riverside as rv
from harbour.demo.models import SendStatus
from harbour.demo.signins import (
    LEAD_PRACTITIONER,
    NO_AGREEMENT_YOUTH_WORKER,
    PANEL_CHAIR,
    REFERRER,
)
from harbour.partnership.models import Agency, Role, Staff

if TYPE_CHECKING:
    from harbour.demo.generator import _Child

T = TypeVar("T")

# The phase's own generators are seeded with the generation's seed plus this.
RECORD_SEED_OFFSET = 7_919

# The partnership's starting limits (children migration 0004). The generator does not read the
# table, so a seed makes the same data whatever an administrator has since changed.
REDUCED_TIMETABLE_LIMIT = 42
ALTERNATIVE_PROVISION_LIMIT = 84
SUSPENSION_LIMIT = 15
TWO_YEARS = 730

FULL_TIME = EducationStatus.FULL_TIME.value
REDUCED = EducationStatus.REDUCED_TIMETABLE.value
SUSPENDED = EducationStatus.SUSPENDED.value
EXCLUDED = EducationStatus.PERMANENTLY_EXCLUDED.value
AP = EducationStatus.ALTERNATIVE_PROVISION.value
HOME = EducationStatus.ELECTIVE_HOME_EDUCATION.value
NOT_IN_EDUCATION = EducationStatus.NOT_IN_EDUCATION.value

# Share of school-age children in each current education status (the rest full-time): for the
# cohort, and for everyone else. "Excluded" means permanently excluded, now in AP.
EDUCATION_RATES: dict[bool, tuple[tuple[str, float], ...]] = {
    True: (
        (REDUCED, 0.10),
        (AP, 0.06),
        (SUSPENDED, 0.03),
        (EXCLUDED, 0.02),
        (NOT_IN_EDUCATION, 0.015),
        (HOME, 0.01),
    ),
    False: (
        (REDUCED, 0.015),
        (AP, 0.005),
        (SUSPENDED, 0.006),
        (EXCLUDED, 0.002),
        (NOT_IN_EDUCATION, 0.003),
        (HOME, 0.008),
    ),
}

# SEN2 primary type of need, for an EHC plan and for SEN support.
EHC_TYPES: dict[bool, tuple[tuple[str, float], ...]] = {
    True: (
        ("SEMH", 0.35),
        ("ASD", 0.25),
        ("SLCN", 0.2),
        ("MLD", 0.1),
        ("SPLD", 0.05),
        ("OTH", 0.05),
    ),
    False: (
        ("ASD", 0.3),
        ("SLCN", 0.2),
        ("SEMH", 0.15),
        ("MLD", 0.12),
        ("SPLD", 0.05),
        ("SLD", 0.05),
        ("PD", 0.05),
        ("HI", 0.03),
        ("VI", 0.02),
        ("OTH", 0.03),
    ),
}
SEN_SUPPORT_TYPES: tuple[tuple[str, float], ...] = (
    ("SEMH", 0.3),
    ("SLCN", 0.2),
    ("SPLD", 0.2),
    ("MLD", 0.15),
    ("ASD", 0.1),
    ("OTH", 0.05),
)
SEN_TYPE_FLAGS = {"ASD": "autism", "SLCN": "slcn", "MLD": "ld", "SLD": "ld", "PMLD": "ld"}

ASSESSMENT_PROVIDERS: dict[str, str] = {
    AssessmentKind.NEURODEVELOPMENTAL: "Riverside community paediatrics neurodevelopmental pathway",
    AssessmentKind.CAMHS: "Riverside CAMHS",
    AssessmentKind.EHC_NEEDS: "Riverside Council SEND service",
    AssessmentKind.SPEECH_AND_LANGUAGE: "Riverside children's speech and language therapy",
    AssessmentKind.EDUCATIONAL_PSYCHOLOGY: "Riverside educational psychology service",
    AssessmentKind.OCCUPATIONAL_THERAPY: "Riverside children's occupational therapy",
}
# The longest each wait runs back from the reference date, in days.
ASSESSMENT_LONGEST_WAIT: dict[str, int] = {
    AssessmentKind.NEURODEVELOPMENTAL: 1095,
    AssessmentKind.CAMHS: 900,
    AssessmentKind.EHC_NEEDS: 365,
    AssessmentKind.SPEECH_AND_LANGUAGE: 800,
    AssessmentKind.EDUCATIONAL_PSYCHOLOGY: 540,
    AssessmentKind.OCCUPATIONAL_THERAPY: 540,
}
ASSESSMENT_WEIGHTS: tuple[tuple[str, float], ...] = (
    (AssessmentKind.NEURODEVELOPMENTAL, 0.4),
    (AssessmentKind.CAMHS, 0.25),
    (AssessmentKind.EHC_NEEDS, 0.12),
    (AssessmentKind.SPEECH_AND_LANGUAGE, 0.15),
    (AssessmentKind.EDUCATIONAL_PSYCHOLOGY, 0.05),
    (AssessmentKind.OCCUPATIONAL_THERAPY, 0.03),
)

CSC_PLAN_TYPES: dict[bool, tuple[tuple[str, float], ...]] = {  # keyed by "aged 12 or over"
    True: (
        (PlanType.RISK_OUTSIDE_THE_HOME, 0.42),
        (PlanType.CHILD_IN_NEED, 0.28),
        (PlanType.CHILD_PROTECTION, 0.13),
        (PlanType.EARLY_HELP, 0.17),
    ),
    False: (
        (PlanType.CHILD_IN_NEED, 0.45),
        (PlanType.CHILD_PROTECTION, 0.25),
        (PlanType.EARLY_HELP, 0.30),
    ),
}

THEY = {"him": "them", "his": "their", "himself": "themself"}
HE = {"him": "him", "his": "his", "himself": "himself"}
SHE = {"him": "her", "his": "her", "himself": "herself"}
THEY_GENDERS = ("Non-binary", "Genderfluid", "Questioning")

# Sign-ins with caseloads of their own: they record only for the children they work with.
PERSONAL_CASELOADS = frozenset(
    s.email for s in (LEAD_PRACTITIONER, PANEL_CHAIR, REFERRER, NO_AGREEMENT_YOUTH_WORKER)
)
_CASEWORK_ROLES = frozenset(
    (Role.REFERRER, Role.FRONT_DOOR_PRACTITIONER, Role.LEAD_PRACTITIONER, Role.PANEL_CHAIR)
)
_AP_SCHOOL = next(s for s in rv.SCHOOLS if s.phase == rv.ALTERNATIVE_PROVISION)
SENCO_TITLE = "Special Educational Needs Coordinator (SENCo)"


def _birthday(dob: dt.date, years: int) -> dt.date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February
        return dt.date(dob.year + years, 3, 1)


def _letters_only(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def eighteenth_birthday(dob: dt.date) -> dt.date:
    return _birthday(dob, 18)


def _sentence_list(items: Sequence[str]) -> str:
    """'Football, drawing and boxing.'"""
    words = list(items)
    joined = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return joined[0].upper() + joined[1:] + "."


@dataclass(eq=False)
class _Record:
    child: _Child
    name: str
    preferred_name: str
    pronouns: dict[str, str]
    cohort: bool
    known: bool
    personal: list[tuple[Staff, str]]
    lead: bool = False
    flags: set[str] = field(default_factory=set)
    education_status: str = ""
    force_long_wait: bool = False
    force_alert: bool = False
    force_plan: bool = False
    force_formulation: bool = False
    waiting_kinds: set[str] = field(default_factory=set)
    excluded: bool = False
    needs: list[Need] = field(default_factory=list)
    current_plan: Plan | None = None
    plans: list[Plan] = field(default_factory=list)

    @property
    def age(self) -> int:
        return self.child.age

    @property
    def band(self) -> str:
        return text.TEEN if self.child.age >= 11 else text.YOUNG

    def holds(self, code: str) -> bool:
        return code in self.child.holders


STARTING_LIMITS = {
    EducationStatus.REDUCED_TIMETABLE: REDUCED_TIMETABLE_LIMIT,
    EducationStatus.ALTERNATIVE_PROVISION: ALTERNATIVE_PROVISION_LIMIT,
    EducationStatus.SUSPENDED: SUSPENSION_LIMIT,
    EducationStatus.NOT_IN_EDUCATION: 20,
}


class RecordPhase:
    """Writes every section of the record for the generated children, with ``bulk_create``."""

    def __init__(
        self,
        *,
        seed: int,
        children: Sequence[_Child],
        agencies: dict[str, Agency],
        staff: Sequence[Staff],
        personal: dict[uuid.UUID, list[tuple[Staff, str]]],
        reference_date: dt.date,
    ) -> None:
        self.rng = random.Random(seed + RECORD_SEED_OFFSET)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed + RECORD_SEED_OFFSET)
        self.children = children
        self.agencies = agencies
        self.staff = list(staff)
        self.personal = personal
        self.today = reference_date
        self.lead = next(s for s in self.staff if s.email == LEAD_PRACTITIONER.email)
        self.pools: dict[str, list[Staff]] = {}
        self.profiles: list[ChildProfile] = []
        self.needs: list[Need] = []
        self.assessments: list[Assessment] = []
        self.voice: list[VoiceEntry] = []
        self.education: list[EducationEpisode] = []
        self.plans: list[Plan] = []
        self.actions: list[PlanAction] = []
        self.reviews: list[PlanReview] = []
        self.formulations: list[FormulationMeeting] = []
        self.transitions: list[TransitionPlan] = []

    # -- random helpers -----------------------------------------------------------------------

    def pick(self, pairs: Sequence[tuple[T, float]]) -> T:
        return self.rng.choices([v for v, _ in pairs], [w for _, w in pairs])[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def sample(self, population: Sequence[T], k: int) -> list[T]:
        return self.rng.sample(list(population), max(0, min(k, len(population))))

    def day_between(self, earliest: dt.date, latest: dt.date) -> dt.date:
        if latest <= earliest:
            return earliest
        return earliest + dt.timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    def percent(self, mean: float, sd: float, low: int, high: int) -> int:
        return round(min(high, max(low, self.rng.gauss(mean, sd))))

    @staticmethod
    def say(record: _Record, template: str, **extra: object) -> str:
        return template.format(name=record.name, **record.pronouns, **extra)

    def sentences(self, record: _Record, pool: Sequence[str], k: int) -> str:
        return " ".join(self.say(record, t) for t in self.sample(pool, k))

    # -- staff ----------------------------------------------------------------------------------

    def create_sencos(self) -> list[Staff]:
        """A special educational needs coordinator in every school, who records its pupils'
        needs: no school's record is left without a named person behind it."""
        emails = {s.email for s in self.staff}
        password = next(s.password for s in self.staff if s.email == LEAD_PRACTITIONER.email)
        sencos: list[Staff] = []
        for school in rv.SCHOOLS:
            first, last = str(self.fake.first_name()), str(self.fake.last_name())
            local = f"{_letters_only(first)}.{_letters_only(last)}"
            email, n = f"{local}@{school.code}.{rv.DEMO_EMAIL_DOMAIN}", 1
            while email in emails:
                n += 1
                email = f"{local}{n}@{school.code}.{rv.DEMO_EMAIL_DOMAIN}"
            emails.add(email)
            sencos.append(
                Staff(
                    username=email,
                    email=email,
                    first_name=first,
                    last_name=last,
                    password=password,
                    agency=self.agencies[school.code],
                    role=Role.REFERRER,
                    job_title=SENCO_TITLE,
                )
            )
        created = Staff.objects.bulk_create(sencos)
        self.staff.extend(created)
        return created

    def build_pools(self) -> None:
        for person in self.staff:
            if (
                person.is_active
                and person.agency is not None
                and person.role in _CASEWORK_ROLES
                and person.email not in PERSONAL_CASELOADS
            ):
                self.pools.setdefault(person.agency.code, []).append(person)

    def someone_at(self, record: _Record, code: str, *, senco: bool = False) -> Staff:
        """Who at the agency records something for this child: the lead practitioner for their
        own children, someone already working with the child, or anyone there."""
        if code == rv.CSC and record.lead:
            return self.lead
        mine = [s for s, _ in record.personal if s.agency is not None and s.agency.code == code]
        if mine and self.chance(0.7):
            return self.rng.choice(mine)
        pool = self.pools[code]
        if senco:
            pool = [s for s in pool if s.job_title == SENCO_TITLE] or pool
        elif code == rv.CSC:
            pool = [s for s in pool if s.role == Role.LEAD_PRACTITIONER] or pool
        return self.rng.choice(pool)

    @staticmethod
    def full_name(person: Staff) -> str:
        return f"{person.first_name} {person.last_name}"

    # -- the run --------------------------------------------------------------------------------

    @staticmethod
    def ensure_education_limits() -> None:
        """The partnership's limits, where none are set (a flushed test database has none):
        alerts need them, and an administrator's own values are left alone."""
        for status, days in STARTING_LIMITS.items():
            EducationLimit.objects.get_or_create(status=status, defaults={"max_days": days})

    def run(self) -> dict[str, int]:
        self.ensure_education_limits()
        sencos = self.create_sencos()
        self.build_pools()
        records = [self.describe(c) for c in self.children]
        self.choose_lead_guarantees(records)
        for record in records:
            self.add_needs(record)
            self.add_assessments(record)
            self.add_education(record)
            self.add_profile(record)
            self.add_voice(record)
            self.add_plans(record)
            self.add_transition(record)
        self.save()
        return {
            "staff_added": len(sencos),
            "child_profiles": len(self.profiles),
            "needs": len(self.needs),
            "assessments": len(self.assessments),
            "voice_entries": len(self.voice),
            "education_episodes": len(self.education),
            "plans": len(self.plans),
            "plan_actions": len(self.actions),
            "plan_reviews": len(self.reviews),
            "formulation_meetings": len(self.formulations),
            "transition_plans": len(self.transitions),
        }

    def save(self) -> None:
        ChildProfile.objects.bulk_create(self.profiles)
        Need.objects.bulk_create(self.needs)
        Assessment.objects.bulk_create(self.assessments)
        VoiceEntry.objects.bulk_create(self.voice)
        EducationEpisode.objects.bulk_create(self.education)
        created = Plan.objects.bulk_create(self.plans)
        if any(p.pk is None for p in created):  # a database that cannot return ids
            ids = list(Plan.objects.order_by("pk").values_list("pk", flat=True))[-len(created) :]
            for plan, pk in zip(created, ids, strict=True):
                plan.pk = pk
        PlanAction.objects.bulk_create(self.actions)
        PlanReview.objects.bulk_create(self.reviews)
        FormulationMeeting.objects.bulk_create(self.formulations)
        TransitionPlan.objects.bulk_create(self.transitions)

    def describe(self, child: _Child) -> _Record:
        personal = self.personal.get(child.id, [])
        statutory = any(c in child.holders for c in (rv.POLICE, rv.YJS, rv.CSC))
        cohort = child.age >= 5 and bool(personal or child.open_referral or statutory)
        known = child.age >= 5 and bool(
            personal or rv.CSC in child.holders or rv.YJS in child.holders
        )
        preferred = child.nickname if child.nickname and self.chance(0.6) else ""
        if child.gender in THEY_GENDERS:
            pronouns = THEY
        elif child.gender == "Trans boy":
            pronouns = HE
        elif child.gender == "Trans girl":
            pronouns = SHE
        elif child.sex == Sex.MALE:
            pronouns = HE
        elif child.sex == Sex.FEMALE:
            pronouns = SHE
        else:
            pronouns = THEY
        return _Record(
            child=child,
            name=preferred or child.given_name,
            preferred_name=preferred,
            pronouns=pronouns,
            cohort=cohort,
            known=known,
            personal=personal,
            lead=any(
                s.email == LEAD_PRACTITIONER.email and k == RelationshipKind.LEAD_PRACTITIONER
                for s, k in personal
            ),
        )

    def choose_lead_guarantees(self, records: list[_Record]) -> None:
        """The lead practitioner's children show every section: all have a profile, their own
        words and education; most have a plan; three wait over two years for an assessment
        and two have been on a reduced timetable or in alternative provision too long."""
        lead = [r for r in records if r.lead]
        for record in self.sample(lead, 3):
            record.force_long_wait = True
        mainstream = [
            r
            for r in lead
            if r.child.school is not None and r.child.school != _AP_SCHOOL and r.age <= 16
        ]
        for record in self.sample(mainstream or lead, 2):
            record.force_alert = True
        without = self.rng.choice(lead) if len(lead) >= 6 else None
        for record in lead:
            record.force_plan = record is not without
        planned = [r for r in lead if r.force_plan and r.age >= 10]
        if planned:
            self.rng.choice(planned).force_formulation = True

    # -- needs and assessments -------------------------------------------------------------------

    def need(
        self,
        record: _Record,
        kind: str,
        description: str,
        code: str,
        start: dt.date | None,
        *,
        end: dt.date | None = None,
        sen_type: str = "",
    ) -> Need:
        row = Need(
            child_id=record.child.id,
            kind=kind,
            sen_type=sen_type,
            description=description,
            start_date=start,
            end_date=end,
            recorded_by=self.someone_at(record, code, senco=code.startswith("school-")),
            recorded_by_agency=self.agencies[code],
        )
        self.needs.append(row)
        record.needs.append(row)
        return row

    def since(self, record: _Record, age: int, years_back: int, *, gap: int = 14) -> dt.date:
        """A day from the child's ``age`` birthday (or ``years_back`` years ago, if later) to
        ``gap`` days before the reference date."""
        earliest = max(
            _birthday(record.child.date_of_birth, age),
            self.today - dt.timedelta(days=365 * years_back),
        )
        return self.day_between(earliest, self.today - dt.timedelta(days=gap))

    def health_or_csc(self, record: _Record, csc_share: float) -> str:
        return rv.CSC if record.holds(rv.CSC) and self.chance(csc_share) else rv.ED

    def add_needs(self, record: _Record) -> None:
        child, flags = record.child, record.flags
        school = child.school
        if school is not None and child.send == SendStatus.EHC_PLAN:
            code = self.pick(EHC_TYPES[record.cohort])
            start = self.since(record, 4, 8, gap=30)
            if self.chance(0.4) and start - dt.timedelta(days=90) > _birthday(
                child.date_of_birth, 4
            ):
                before = self.day_between(
                    max(_birthday(child.date_of_birth, 4), start - dt.timedelta(days=3 * 365)),
                    start - dt.timedelta(days=90),
                )
                self.need(
                    record,
                    NeedKind.SEN_SUPPORT,
                    f"SEN support at {school.name} before the EHC plan",
                    school.code,
                    before,
                    end=start,
                    sen_type=code,
                )
            self.need(
                record,
                NeedKind.EHC_PLAN,
                f"EHC plan naming {school.name}; primary need: {SEN_TYPE_OF_NEED[code].lower()}",
                school.code,
                start,
                sen_type=code,
            )
            flags.update({"ehc", SEN_TYPE_FLAGS.get(code, "")} - {""})
        elif school is not None and child.send == SendStatus.SEN_SUPPORT:
            code = self.pick(SEN_SUPPORT_TYPES)
            self.need(
                record,
                NeedKind.SEN_SUPPORT,
                f"SEN support at {school.name}; primary need: {SEN_TYPE_OF_NEED[code].lower()}",
                school.code,
                self.since(record, 4, 6, gap=30),
                sen_type=code,
            )
            flags.update({"sen", SEN_TYPE_FLAGS.get(code, "")} - {""})

        yjs = record.holds(rv.YJS)
        if record.age >= 4:
            p = 0.35 if yjs else 0.25 if record.cohort else 0.03
            if "autism" in flags and self.chance(0.7):
                diagnosis = self.pick((("autism", 0.7), ("both", 0.3)))
            elif self.chance(p):
                diagnosis = self.pick((("adhd", 0.55), ("autism", 0.3), ("both", 0.15)))
            else:
                diagnosis = ""
            if diagnosis:
                pool = {"adhd": text.ADHD, "autism": text.AUTISM, "both": text.AUTISM_AND_ADHD}
                self.need(
                    record,
                    NeedKind.NEURODEVELOPMENTAL,
                    self.rng.choice(pool[diagnosis]),
                    self.health_or_csc(record, 0.15),
                    self.since(record, 4, 8),
                )
                flags.update({"adhd", "autism"} if diagnosis == "both" else {diagnosis})
        if record.age >= 8 and self.chance(0.3 if yjs else 0.2 if record.cohort else 0.04):
            start = self.since(record, 8, 3)
            end = None
            if self.chance(0.15) and (self.today - start).days > 120:
                end = self.day_between(start + dt.timedelta(days=90), self.today)
            self.need(
                record,
                NeedKind.MENTAL_HEALTH,
                self.rng.choice(text.MENTAL_HEALTH),
                self.health_or_csc(record, 0.2),
                start,
                end=end,
            )
            flags.add("mental_health")
        if (
            record.age >= 2
            and "slcn" not in flags
            and self.chance(0.3 if yjs else 0.15 if record.cohort else 0.03)
        ):
            code = self.pick(
                (
                    (rv.ED, 0.6),
                    (school.code if school else rv.ED, 0.25),
                    (rv.CSC if record.holds(rv.CSC) else rv.ED, 0.15),
                )
            )
            self.need(
                record, NeedKind.SLCN, self.rng.choice(text.SLCN), code, self.since(record, 2, 8)
            )
            flags.add("slcn")
        if record.age >= 4 and "ld" not in flags and self.chance(0.05 if record.cohort else 0.01):
            self.need(
                record,
                NeedKind.LEARNING_DISABILITY,
                self.rng.choice(text.LEARNING_DISABILITY),
                rv.ED,
                self.since(record, 4, 10),
            )
            flags.add("ld")
        if record.age >= 2 and self.chance(0.01):
            self.need(
                record,
                NeedKind.PHYSICAL,
                self.rng.choice(text.PHYSICAL),
                rv.ED,
                self.since(record, 2, 10),
            )
        self.maybe_noted_by_social_care(record)

    def maybe_noted_by_social_care(self, record: _Record) -> None:
        """Social care holds a record of the child but has noted only a few of the diagnoses and
        plans other agencies know about (in the review, 4 of 16 children)."""
        if not record.holds(rv.CSC):
            return
        significant = (
            NeedKind.EHC_PLAN,
            NeedKind.NEURODEVELOPMENTAL,
            NeedKind.SLCN,
            NeedKind.LEARNING_DISABILITY,
        )
        elsewhere = [
            n
            for n in record.needs
            if n.kind in significant
            and n.recorded_by_agency is not None
            and n.recorded_by_agency.code != rv.CSC
        ]
        if elsewhere and self.chance(0.25):
            known = elsewhere[0]
            self.need(
                record,
                known.kind,
                text.NOTED_BY_SOCIAL_CARE.format(description=known.description)[:500],
                rv.CSC,
                known.start_date,
                sen_type=known.sen_type,
            )

    def assessment_kinds(self, record: _Record, taken: set[str]) -> list[tuple[str, float]]:
        child, flags = record.child, record.flags
        allowed: dict[str, bool] = {
            AssessmentKind.NEURODEVELOPMENTAL: record.age >= 3 and not flags & {"adhd", "autism"},
            AssessmentKind.CAMHS: record.age >= 8,
            AssessmentKind.EHC_NEEDS: child.school is not None and "ehc" not in flags,
            AssessmentKind.SPEECH_AND_LANGUAGE: record.age >= 2,
            AssessmentKind.EDUCATIONAL_PSYCHOLOGY: child.school is not None,
            AssessmentKind.OCCUPATIONAL_THERAPY: record.age >= 3,
        }
        return [(k, w) for k, w in ASSESSMENT_WEIGHTS if allowed[k] and k not in taken]

    def add_assessments(self, record: _Record) -> None:
        count = 0
        if self.chance(0.25 if record.cohort else 0.03):
            count = 2 if self.chance(0.2) else 1
        taken: set[str] = set()
        if record.force_long_wait:
            kinds = self.assessment_kinds(record, taken)
            preferred: list[str] = [
                k
                for k in (
                    AssessmentKind.NEURODEVELOPMENTAL,
                    AssessmentKind.CAMHS,
                    AssessmentKind.SPEECH_AND_LANGUAGE,
                )
                if k in dict(kinds)
            ]
            kind: str = (preferred or [k for k, _ in kinds])[0]
            referred = self.days_ago(TWO_YEARS + 30, 1080)
            self.assessment(record, kind, referred, AssessmentStatus.WAITING)
            taken.add(kind)
            count = max(0, count - 1)
        for _ in range(count):
            kinds = self.assessment_kinds(record, taken)
            if not kinds:
                break
            kind = self.pick(kinds)
            taken.add(kind)
            # Referred between a month and the longest wait ago, and not before the age of 2.
            # Neurodevelopmental waits are the longest: many children wait over two years.
            shortest = 30
            if kind == AssessmentKind.NEURODEVELOPMENTAL and self.chance(0.6):
                shortest = 600
            latest = self.today - dt.timedelta(days=shortest)
            earliest = max(
                _birthday(record.child.date_of_birth, 2),
                self.today - dt.timedelta(days=ASSESSMENT_LONGEST_WAIT[kind]),
            )
            if earliest > latest:  # too young to have waited that long
                latest = self.today - dt.timedelta(days=30)
            if earliest > latest:
                break
            referred = self.day_between(earliest, latest)
            status = self.pick(
                (
                    (AssessmentStatus.WAITING, 0.75),
                    (AssessmentStatus.COMPLETED, 0.18),
                    (AssessmentStatus.WITHDRAWN, 0.07),
                )
            )
            if (self.today - referred).days < 90:
                status = AssessmentStatus.WAITING
            self.assessment(record, kind, referred, status)

    def assessment(self, record: _Record, kind: str, referred: dt.date, status: str) -> None:
        child = record.child
        school = child.school.code if child.school else None
        referrers: dict[str, tuple[tuple[str, float], ...]] = {
            AssessmentKind.NEURODEVELOPMENTAL: ((school or rv.ED, 0.6), (rv.ED, 0.4)),
            AssessmentKind.CAMHS: (
                (school or rv.ED, 0.4),
                (rv.ED, 0.4),
                (rv.CSC if record.holds(rv.CSC) else rv.ED, 0.2),
            ),
            AssessmentKind.EHC_NEEDS: ((school or rv.CSC, 1.0),),
            AssessmentKind.SPEECH_AND_LANGUAGE: (
                (school or rv.ED, 0.5),
                (rv.YJS if record.holds(rv.YJS) else rv.ED, 0.3),
                (rv.ED, 0.2),
            ),
            AssessmentKind.EDUCATIONAL_PSYCHOLOGY: ((school or rv.CSC, 1.0),),
            AssessmentKind.OCCUPATIONAL_THERAPY: ((rv.ED, 1.0),),
        }
        code = self.pick(referrers[kind])
        completed: dt.date | None = None
        outcome = ""
        if status == AssessmentStatus.COMPLETED:
            completed = self.day_between(
                referred + dt.timedelta(days=60), self.today - dt.timedelta(days=7)
            )
            outcome = self.completed_outcome(record, kind, completed)
        elif status == AssessmentStatus.WITHDRAWN:
            # The date it was closed ends the wait.
            completed = self.day_between(
                referred + dt.timedelta(days=30), self.today - dt.timedelta(days=7)
            )
            outcome = self.say(record, self.rng.choice(text.WITHDRAWN))
        else:
            record.waiting_kinds.add(kind)
        self.assessments.append(
            Assessment(
                child_id=child.id,
                kind=kind,
                provider=ASSESSMENT_PROVIDERS[kind],
                referred_on=referred,
                status=status,
                completed_on=completed,
                outcome=outcome,
                recorded_by=self.someone_at(record, code, senco=code.startswith("school-")),
                recorded_by_agency=self.agencies[code],
            )
        )

    def completed_outcome(self, record: _Record, kind: str, completed: dt.date) -> str:
        """The outcome, and any need the assessment found."""
        if kind == AssessmentKind.NEURODEVELOPMENTAL:
            found, outcome = self.rng.choice(text.ND_COMPLETED)
            if found:
                pool = text.ADHD if found == "adhd" else text.AUTISM
                self.need(
                    record, NeedKind.NEURODEVELOPMENTAL, self.rng.choice(pool), rv.ED, completed
                )
                record.flags.add(found)
            return outcome
        if kind == AssessmentKind.SPEECH_AND_LANGUAGE:
            outcome = self.rng.choice(text.SALT_COMPLETED)
            if "slcn" not in record.flags:
                self.need(record, NeedKind.SLCN, outcome.split(";")[0], rv.ED, completed)
                record.flags.add("slcn")
            return outcome
        pools: dict[str, tuple[str, ...]] = {
            AssessmentKind.CAMHS: text.CAMHS_COMPLETED,
            AssessmentKind.EHC_NEEDS: text.EHC_NEEDS_COMPLETED,
            AssessmentKind.EDUCATIONAL_PSYCHOLOGY: text.EP_COMPLETED,
            AssessmentKind.OCCUPATIONAL_THERAPY: text.OT_COMPLETED,
        }
        return self.rng.choice(pools[kind])

    # -- education ------------------------------------------------------------------------------

    def episode(
        self,
        record: _Record,
        status: str,
        start: dt.date,
        end: dt.date | None,
        *,
        school: rv.SchoolSpec | None = None,
        setting_name: str = "",
        hours: float | None = None,
        attendance: int | None = None,
    ) -> None:
        code = school.code if school else rv.CSC
        if status == EXCLUDED:
            record.excluded = True
        self.education.append(
            EducationEpisode(
                child_id=record.child.id,
                setting=self.agencies[school.code] if school else None,
                setting_name=setting_name,
                status=status,
                start_date=start,
                end_date=end,
                hours_per_week=Decimal(str(hours)) if hours is not None else None,
                attendance_percent=attendance,
                recorded_by=self.someone_at(record, code),
                recorded_by_agency=self.agencies[code],
            )
        )

    def add_education(self, record: _Record) -> None:
        child = record.child
        if child.school is None or child.school_started is None:
            return
        cohort_year = child.date_of_birth.year + (1 if child.date_of_birth.month >= 9 else 0)
        latest_start = dt.date(self.today.year, 9, 1)
        primary_start = min(dt.date(cohort_year + 4, 9, 1), latest_start)
        secondary_start = min(dt.date(cohort_year + 11, 9, 1), latest_start)
        household = child.household
        at_ap = child.school == _AP_SCHOOL
        mainstream = household.secondary if at_ap else child.school
        start = secondary_start if at_ap else child.school_started
        c = record.cohort
        if child.age >= 11:
            self.episode(
                record,
                FULL_TIME,
                primary_start,
                secondary_start - dt.timedelta(days=1),
                school=household.primary,
                attendance=self.percent(91 if c else 95, 6 if c else 3, 60, 100),
            )
        if at_ap:
            self.placed_in_ap(record, mainstream, start, child.school_started)
            return

        if record.force_alert:
            status = self.pick(((REDUCED, 0.5), (AP, 0.5)))
        else:
            rates = EDUCATION_RATES[c]
            status = self.pick((*rates, (FULL_TIME, 1 - sum(w for _, w in rates))))
        settled = (self.today - start).days
        if status in (AP, EXCLUDED, SUSPENDED) and (settled < 90 or record.age < 9):
            status = REDUCED if status != SUSPENDED else FULL_TIME
        record.education_status = status
        before_attendance = self.percent(80, 10, 25, 99)
        if status == FULL_TIME:
            self.episode(
                record,
                FULL_TIME,
                start,
                None,
                school=mainstream,
                attendance=self.percent(86, 9, 30, 100) if c else self.percent(94.5, 4, 60, 100),
            )
        elif status == REDUCED:
            if record.force_alert:
                days = self.rng.randint(60, 240)
            elif self.chance(0.45):
                days = self.rng.randint(10, REDUCED_TIMETABLE_LIMIT)
            else:
                days = self.rng.randint(REDUCED_TIMETABLE_LIMIT + 1, 300)
            began = max(self.today - dt.timedelta(days=days), start + dt.timedelta(days=14))
            self.episode(
                record, FULL_TIME, start, began, school=mainstream, attendance=before_attendance
            )
            hours = self.rng.choice(
                (10, 12.5, 15, 17.5, 20) if record.age < 11 else (5, 7.5, 10, 12.5, 15, 20)
            )
            self.episode(
                record,
                REDUCED,
                began,
                None,
                school=mainstream,
                hours=hours,
                attendance=self.percent(72, 15, 10, 100),
            )
        elif status == AP:
            if record.force_alert:
                days = self.rng.randint(100, 400)
            elif self.chance(0.4):
                days = self.rng.randint(20, ALTERNATIVE_PROVISION_LIMIT)
            else:
                days = self.rng.randint(ALTERNATIVE_PROVISION_LIMIT + 1, 500)
            began = max(self.today - dt.timedelta(days=days), start + dt.timedelta(days=30))
            self.episode(
                record, FULL_TIME, start, began, school=mainstream, attendance=before_attendance
            )
            self.ap(record, began)
        elif status == SUSPENDED:
            if self.chance(0.8):
                began = self.day_between(
                    max(start + dt.timedelta(days=14), self.today - dt.timedelta(days=365)),
                    self.today - dt.timedelta(days=20),
                )
                back = began + dt.timedelta(days=self.rng.randint(1, 7))
                self.episode(
                    record, FULL_TIME, start, began, school=mainstream, attendance=before_attendance
                )
                self.episode(record, SUSPENDED, began, back, school=mainstream)
                self.episode(
                    record,
                    FULL_TIME,
                    back,
                    None,
                    school=mainstream,
                    attendance=self.percent(84, 9, 30, 100),
                )
                record.education_status = FULL_TIME
            else:
                began = self.days_ago(1, 6)
                self.episode(
                    record, FULL_TIME, start, began, school=mainstream, attendance=before_attendance
                )
                self.episode(record, SUSPENDED, began, None, school=mainstream)
        elif status == EXCLUDED:
            excluded = self.day_between(
                max(start + dt.timedelta(days=60), self.today - dt.timedelta(days=540)),
                self.today - dt.timedelta(days=30),
            )
            placed = min(
                excluded + dt.timedelta(days=self.rng.randint(6, 40)),
                self.today - dt.timedelta(days=1),
            )
            self.episode(
                record, FULL_TIME, start, excluded, school=mainstream, attendance=before_attendance
            )
            self.episode(record, EXCLUDED, excluded, placed, school=mainstream)
            self.ap(record, placed)
            record.education_status = AP
        else:  # not in education, or electively home educated: recorded by the council
            far = 250 if status == NOT_IN_EDUCATION else 700
            began = self.day_between(
                max(start + dt.timedelta(days=30), self.today - dt.timedelta(days=far)),
                self.today - dt.timedelta(days=5),
            )
            self.episode(
                record, FULL_TIME, start, began, school=mainstream, attendance=before_attendance
            )
            self.episode(
                record,
                status,
                began,
                None,
                setting_name="No school place" if status == NOT_IN_EDUCATION else "Home education",
            )

    def ap(self, record: _Record, began: dt.date) -> None:
        self.episode(
            record,
            AP,
            began,
            None,
            school=_AP_SCHOOL,
            hours=self.rng.choice((15, 17.5, 20, 22.5, 25)),
            attendance=self.percent(63, 18, 5, 100),
        )

    def placed_in_ap(
        self,
        record: _Record,
        mainstream: rv.SchoolSpec,
        secondary_start: dt.date,
        placed: dt.date,
    ) -> None:
        """A pupil whose school is the alternative provision academy: first at a mainstream
        secondary, sometimes permanently excluded from it."""
        record.education_status = AP
        before = self.percent(78, 12, 20, 99)
        if (placed - secondary_start).days >= 60 and self.chance(0.4):
            excluded = placed - dt.timedelta(days=self.rng.randint(6, 30))
            self.episode(
                record, FULL_TIME, secondary_start, excluded, school=mainstream, attendance=before
            )
            self.episode(record, EXCLUDED, excluded, placed, school=mainstream)
        elif placed > secondary_start:
            self.episode(
                record, FULL_TIME, secondary_start, placed, school=mainstream, attendance=before
            )
        self.ap(record, placed)

    # -- profile and voice ----------------------------------------------------------------------

    def recorder_for(self, record: _Record) -> Staff:
        """Someone who works with the child: the lead practitioner, a member of their team
        around the child or panel, or someone at an agency that holds their record."""
        if record.lead and self.chance(0.75):
            return self.lead
        if record.personal and self.chance(0.5):
            return self.rng.choice([s for s, _ in record.personal])
        holders = [h for h in record.child.holders if h in self.pools]
        preferred = [h for h in holders if h in (rv.CSC, rv.YJS)] or holders
        if self.chance(0.2):
            preferred = holders
        return self.someone_at(record, self.rng.choice(preferred or [rv.CSC]))

    def add_profile(self, record: _Record) -> None:
        child = record.child
        if record.age < 5:
            return
        if not record.lead and not self.chance(0.8 if record.known else 0.1):
            return
        band, flags = record.band, record.flags
        communication = ""
        if flags & {"slcn", "autism", "ld"}:
            pool: Sequence[str] = text.COMMUNICATION_NEEDS
            if band == text.YOUNG:
                pool = (*pool[:4], *text.COMMUNICATION_NEEDS_YOUNG)
            communication = self.sentences(record, pool, self.rng.randint(2, 3))
        elif self.chance(0.8):
            communication = self.sentences(record, text.COMMUNICATION_GENERAL[band], 1)
        language = child.household.language
        if language not in ("", "English") and self.chance(0.6):
            line = self.say(record, text.COMMUNICATION_LANGUAGE, language=language)
            communication = f"{communication} {line}".strip()
        developmental = ""
        if "ld" in flags or ("slcn" in flags and self.chance(0.7)):
            dev = max(3, record.age - self.rng.randint(3, 6))
            templates = text.DEVELOPMENTAL_AGE[:2] if record.age < 11 else text.DEVELOPMENTAL_AGE
            developmental = " ".join(
                self.say(record, t, dev=dev, age=record.age)
                for t in self.sample(templates, self.rng.randint(1, 2))
            )
        interests = [
            self.say(record, i) for i in self.sample(text.INTERESTS[band], self.rng.randint(2, 3))
        ]
        identity = ""
        if band == text.TEEN and self.chance(0.7):
            words = self.rng.choice(
                text.IDENTITY.get(child.household.ethnicity, (text.IDENTITY_UNSAID,))
            )
            parts = [self.say(record, 'In {his} words: "{words}"', words=words)]
            if child.gender:
                parts.append(text.IDENTITY_GENDER[child.gender])
            if record.preferred_name:
                parts.append(self.say(record, text.IDENTITY_PREFERRED_NAME))
            identity = " ".join(parts)
        elif band == text.YOUNG and self.chance(0.4):
            identity = self.say(record, text.IDENTITY_YOUNG[0])
        preferred = ""
        if (record.known or record.lead) and self.chance(0.5):
            if record.personal and self.chance(0.7):
                person = self.rng.choice([s for s, _ in record.personal])
                assert person.agency is not None
                reason = self.say(record, self.rng.choice(text.PREFERRED_REASONS))
                preferred = f"{self.full_name(person)} ({person.agency.name}), who {reason}"
            else:
                preferred = self.say(record, self.rng.choice(text.PREFERRED_OTHER))
        by = (
            self.someone_at(record, child.school.code)
            if not record.known and child.school
            else (self.recorder_for(record))
        )
        assert by.agency is not None
        self.profiles.append(
            ChildProfile(
                child_id=child.id,
                preferred_name=record.preferred_name,
                communication=communication,
                what_helps=self.sentences(record, text.WHAT_HELPS[band], 2)
                if self.chance(0.9)
                else "",
                what_to_avoid=self.sentences(
                    record, text.WHAT_TO_AVOID[band], self.rng.randint(1, 2)
                )
                if self.chance(0.8)
                else "",
                developmental_age_notes=developmental,
                strengths=self.sentences(record, text.STRENGTHS[band], 2),
                interests=_sentence_list(interests),
                identity_and_culture=identity,
                wishes=self.sentences(record, text.WISHES[band], self.rng.randint(1, 2))
                if self.chance(0.75 if record.known else 0.4)
                else "",
                preferred_professional=preferred[:200],
                recorded_by=by,
                recorded_by_agency=by.agency,
            )
        )

    def add_voice(self, record: _Record) -> None:
        child = record.child
        if not record.known:
            return
        count = self.pick(((1, 0.3), (2, 0.3), (3, 0.2), (4, 0.12), (5, 0.08)))
        if record.lead:
            count = max(count, 2)
        pool = list(text.VOICE[record.band])
        if record.band == text.TEEN:
            situations = {
                "reduced_timetable": record.education_status == REDUCED,
                "alternative_provision": record.education_status == AP,
                "excluded": record.excluded,
                "youth_justice": record.holds(rv.YJS),
                "waiting_neurodevelopmental": AssessmentKind.NEURODEVELOPMENTAL
                in record.waiting_kinds,
            }
            for situation, applies in situations.items():
                if applies:
                    pool.extend(text.VOICE_WHEN[situation])
        views = list(text.VOICE_VIEWS)
        if child.household.language not in ("", "English"):
            views.append(text.VOICE_VIEWS_INTERPRETER)
        earliest = max(_birthday(child.date_of_birth, 5), self.today - dt.timedelta(days=540))
        days = sorted(
            self.day_between(earliest, self.today - dt.timedelta(days=2)) for _ in range(count)
        )
        for said_on, words in zip(days, self.sample(pool, count), strict=False):
            by = self.recorder_for(record)
            assert by.agency is not None
            if record.band == text.YOUNG:
                setting = self.rng.choice(text.VOICE_SETTING_YOUNG)
            else:
                setting = self.rng.choice(
                    text.VOICE_SETTINGS.get(by.agency.agency_type, ("Meeting",))
                )
            shared = self.chance(0.45)
            self.voice.append(
                VoiceEntry(
                    child_id=child.id,
                    said_on=said_on,
                    words=words,
                    setting=setting,
                    shared_with_child_and_family=self.say(
                        record, self.rng.choice(text.VOICE_SHARED)
                    )
                    if shared
                    else "",
                    child_and_family_views=self.say(record, self.rng.choice(views))
                    if self.chance(0.55 if shared else 0.1)
                    else "",
                    recorded_by=by,
                    recorded_by_agency=by.agency,
                )
            )

    # -- plans, formulations and transition -------------------------------------------------------

    def add_plans(self, record: _Record) -> None:
        child = record.child
        eligible = record.cohort and (record.holds(rv.CSC) or child.open_referral)
        if record.force_plan or (eligible and self.chance(0.4)):
            self.csc_plan(record)
        if record.age >= 10 and record.holds(rv.YJS) and self.chance(0.65):
            self.youth_justice_plan(record)
        if record.plans and record.age >= 10 and (record.force_formulation or self.chance(0.16)):
            self.formulation(record)

    def csc_plan(self, record: _Record) -> None:
        plan_type = self.pick(CSC_PLAN_TYPES[record.age >= 12])
        by = self.someone_at(record, rv.CSC)
        born = record.child.date_of_birth
        if not record.lead and self.chance(0.15):  # a plan that has closed
            started = max(self.days_ago(200, 900), _birthday(born, 4))
            closed = min(
                started + dt.timedelta(days=self.rng.randint(90, 400)),
                self.today - dt.timedelta(days=14),
            )
            self.plan(record, plan_type, by, started, closed)
            return
        started = self.days_ago(20, 420)
        if self.chance(0.12):  # stepped up from an earlier plan that closed when this began
            earlier = (
                PlanType.EARLY_HELP if plan_type != PlanType.EARLY_HELP else PlanType.CHILD_IN_NEED
            )
            before = started - dt.timedelta(days=self.rng.randint(150, 500))
            if before > _birthday(born, 4):
                self.plan(record, earlier, by, before, started)
        record.current_plan = self.plan(record, plan_type, by, started, None)

    def youth_justice_plan(self, record: _Record) -> None:
        by = self.someone_at(record, rv.YJS)
        if self.chance(0.2):
            started = self.days_ago(200, 700)
            closed = min(
                started + dt.timedelta(days=self.rng.randint(90, 365)),
                self.today - dt.timedelta(days=14),
            )
            self.plan(record, PlanType.YOUTH_JUSTICE, by, started, closed)
            return
        plan = self.plan(record, PlanType.YOUTH_JUSTICE, by, self.days_ago(30, 365), None)
        if record.current_plan is None:
            record.current_plan = plan

    def plan(
        self,
        record: _Record,
        plan_type: str,
        by: Staff,
        started: dt.date,
        closed: dt.date | None,
    ) -> Plan:
        partners = ""
        if plan_type == PlanType.RISK_OUTSIDE_THE_HOME:
            partners = self.sentences(record, text.PARENTS_AS_PARTNERS, 2)
        end = closed or self.today
        reviews: list[dt.date] = []
        possible = min(2, (end - started).days // 90)
        fewest = 1 if closed and possible else 0
        for i in range(1, self.rng.randint(fewest, possible) + 1):
            held = started + dt.timedelta(days=90 * i + self.rng.randint(-10, 20))
            if held < end:
                reviews.append(held)
        review_due = None
        if closed is None:
            review_due = (reviews[-1] if reviews else started) + dt.timedelta(
                days=self.rng.choice((90, 120, 180))
            )
        assert by.agency is not None
        plan = Plan(
            child_id=record.child.id,
            plan_type=plan_type,
            outcomes=self.sentences(record, text.PLAN_OUTCOMES[plan_type], 2),
            started_on=started,
            review_due=review_due,
            closed_on=closed,
            parents_as_partners=partners,
            recorded_by=by,
            recorded_by_agency=by.agency,
        )
        self.plans.append(plan)
        record.plans.append(plan)
        self.add_actions(record, plan, started, closed)
        for held in reviews:
            views = ""
            if self.chance(0.7):
                pool = (
                    text.REVIEW_CHILD_VIEWS if record.band == text.TEEN else text.VOICE[text.YOUNG]
                )
                views = self.rng.choice(pool)
            self.reviews.append(
                PlanReview(
                    plan=plan,
                    held_on=held,
                    summary=self.say(record, self.rng.choice(text.REVIEW_SUMMARIES)),
                    child_views=views,
                    recorded_by=by,
                    recorded_by_agency=by.agency,
                )
            )
        return plan

    def owner(self, record: _Record, key: str) -> tuple[Agency, str]:
        child = record.child
        codes = {
            "csc": rv.CSC,
            "police": rv.POLICE,
            "yjs": rv.YJS if record.holds(rv.YJS) else rv.CSC,
            "health": rv.ED,
            "school": child.school.code if child.school else rv.CSC,
            "vcse": next(
                (h for h in child.holders if h in rv.VCSE_CODES and h != rv.VCSE_NO_AGREEMENT),
                rv.VCSE_YOUTH_HUB,
            ),
        }
        code = codes[key]
        if code in self.pools or (code == rv.CSC and record.lead):
            name = self.full_name(self.someone_at(record, code))
        else:
            name = f"{self.fake.first_name()} {self.fake.last_name()}"
        return self.agencies[code], name

    def add_actions(
        self, record: _Record, plan: Plan, started: dt.date, closed: dt.date | None
    ) -> None:
        total = self.rng.randint(2, 6)
        chosen = 0
        if record.age >= 8 and self.chance(0.75):
            chosen = 2 if self.chance(0.35) else 1
        picks = self.sample(text.CHILD_CHOSEN_ACTIONS[record.band], chosen)
        picks += self.sample(text.PLAN_ACTIONS[plan.plan_type], total - len(picks))
        for sequence, (key, description) in enumerate(picks, start=1):
            agency, name = self.owner(record, key)
            if closed is not None:
                due = self.day_between(started + dt.timedelta(days=14), closed)
                status = self.pick(((ActionStatus.DONE, 0.8), (ActionStatus.NOT_DONE, 0.2)))
            else:
                due = started + dt.timedelta(days=self.rng.randint(14, 200))
                if due < self.today:
                    status = self.pick(
                        (
                            (ActionStatus.DONE, 0.6),
                            (ActionStatus.OPEN, 0.28),
                            (ActionStatus.NOT_DONE, 0.12),
                        )
                    )
                else:
                    status = self.pick(((ActionStatus.OPEN, 0.85), (ActionStatus.DONE, 0.15)))
            self.actions.append(
                PlanAction(
                    plan=plan,
                    sequence=sequence,
                    description=self.say(record, description)[:500],
                    owner_agency=agency,
                    owner_name=name[:200],
                    due_on=due,
                    status=status,
                    chosen_by_child=sequence <= chosen,
                )
            )

    def formulation(self, record: _Record) -> None:
        child = record.child
        plan = record.current_plan or record.plans[-1]
        end = plan.closed_on or self.today
        held = self.day_between(plan.started_on + dt.timedelta(days=14), end - dt.timedelta(days=3))
        by = plan.recorded_by
        assert by is not None and by.agency is not None
        lines = [f"{self.full_name(by)}, {by.agency.name}"]
        for code, p in ((rv.YJS, 1.0), (rv.POLICE, 0.4)):
            if record.holds(code) and self.chance(p):
                person = self.someone_at(record, code)
                lines.append(f"{self.full_name(person)}, {self.agencies[code].name}")
        if child.school is not None:
            person = self.someone_at(record, child.school.code)
            lines.append(f"{self.full_name(person)}, {child.school.name}")
        for code in child.holders:
            if code in rv.VCSE_CODES and code != rv.VCSE_NO_AGREEMENT and code in self.pools:
                person = self.someone_at(record, code)
                lines.append(f"{self.full_name(person)}, {self.agencies[code].name}")
        lines.append(
            text.CLINICAL_PSYCHOLOGIST.format(
                first=self.fake.first_name(),
                last=self.fake.last_name(),
                agency=self.agencies[rv.ED].name,
            )
        )
        attendees = list(dict.fromkeys(lines))  # one line each, in order
        summary = " ".join(
            self.say(record, self.rng.choice(pool))
            for pool in (
                text.FORMULATION_EARLY,
                text.FORMULATION_HARM,
                text.FORMULATION_MEANING,
                text.FORMULATION_HELPS,
            )
        )
        self.formulations.append(
            FormulationMeeting(
                child_id=child.id,
                held_on=held,
                attendees="\n".join(attendees),
                summary=summary,
                plan=plan,
                recorded_by=by,
                recorded_by_agency=by.agency,
            )
        )

    def add_transition(self, record: _Record) -> None:
        """About half the children who turn 18 within a year have a transition plan; the rest
        are the gap a leader needs to see."""
        child = record.child
        if child.age != 17 or not self.chance(0.65 if record.cohort else 0.35):
            return
        by_csc = record.lead or record.holds(rv.CSC) or not record.holds(rv.YJS)
        code = rv.CSC if by_csc else rv.YJS
        by = self.someone_at(record, code)
        assert by.agency is not None
        justice = record.holds(rv.YJS) or record.holds(rv.PROBATION)

        def maybe(pool: Sequence[str], p: float) -> str:
            return self.say(record, self.rng.choice(pool)) if self.chance(p) else ""

        self.transitions.append(
            TransitionPlan(
                child_id=child.id,
                adult_services=maybe(text.TRANSITION_ADULT_SERVICES, 0.8),
                probation=maybe(text.TRANSITION_PROBATION, 1.0) if justice else "",
                housing=maybe(text.TRANSITION_HOUSING, 0.7),
                health=maybe(text.TRANSITION_HEALTH, 0.7),
                agreed_on=self.day_between(
                    max(_birthday(child.date_of_birth, 17), self.today - dt.timedelta(days=200)),
                    self.today - dt.timedelta(days=3),
                ),
                recorded_by=by,
                recorded_by_agency=by.agency,
            )
        )
