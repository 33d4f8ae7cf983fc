"""The synthetic partnership generator: deterministic, complete, and shaped as the rest of the
suite (and the demo) relies on."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Model
from django.test import RequestFactory
from django.utils import timezone

from harbour.access import policy
from harbour.access.models import AuditEvent, RelationshipKind, WorkingRelationship
from harbour.children.codes import (
    ONS_TO_DFE,
    SEN_TYPE_OF_NEED,
    SIBLING_RELATIONSHIPS,
    ActionStatus,
    AssessmentStatus,
    EducationStatus,
    NeedKind,
    PlanType,
    Relationship,
)
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
from harbour.children.record import education_alerts
from harbour.demo import riverside as rv
from harbour.demo.generator import (
    DOB_MISSING,
    DOB_TRANSPOSED,
    ERROR_KINDS,
    FAMILY_NAME_CHANGED,
    FAMILY_NAME_TYPO,
    GIVEN_NAME_TYPO,
    NHS_MISSING,
    NICKNAME,
    OLD_ADDRESS,
    REFERENCE_DATE,
    SYSTEM_ACTOR,
    GenerationError,
    generate,
)
from harbour.demo.identifiers import (
    nhs_check_digit,
    nhs_number_is_valid,
    upn_check_letter,
    upn_is_valid,
)
from harbour.demo.models import GroundTruth, SendStatus
from harbour.demo.record import SENCO_TITLE, eighteenth_birthday
from harbour.demo.signins import (
    ADMINISTRATOR,
    DEACTIVATED_EMAIL,
    DEMO_PASSWORD,
    DEMO_SIGN_INS,
    LEAD_PRACTITIONER,
    NO_AGREEMENT_YOUTH_WORKER,
    PANEL_CHAIR,
    REFERRER,
    SECOND_ADMINISTRATOR,
)
from harbour.identity.models import SourceRecord
from harbour.partnership.models import (
    Agency,
    AgencyType,
    DataCategory,
    InformationSharingAgreement,
    Role,
    Staff,
    StaffChangeRequest,
    Team,
    ThresholdGuidance,
    ThresholdLevel,
)

pytestmark = pytest.mark.django_db

SMALL = 120
SCHOOL_PHASE = {s.code: s.phase for s in rv.SCHOOLS}
AP_SCHOOL_CODE = next(s.code for s in rv.SCHOOLS if s.phase == rv.ALTERNATIVE_PROVISION)


@pytest.fixture
def summary():
    return generate(seed=42, children=SMALL)


def fingerprint():
    children = sorted(
        Child.objects.values_list(
            "id",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "ethnicity",
            "nhs_number",
            "postcode",
            "address_line",
        )
    )
    relationships = sorted(
        WorkingRelationship.objects.values_list(
            "child_id", "agency__code", "staff__email", "kind", "started_on", "ended_on"
        ),
        key=repr,
    )
    records = sorted(
        SourceRecord.objects.values_list(
            "agency__code",
            "source_id",
            "given_name",
            "family_name",
            "date_of_birth",
            "postcode",
            "ground_truth__child_id",
            "ground_truth__errors",
        ),
        key=repr,
    )
    family = sorted(
        FamilyMember.objects.values_list(
            "child_id", "relationship", "given_name", "family_name", "related_child_id"
        ),
        key=repr,
    )
    staff = sorted(Staff.objects.values_list("email", "first_name", "last_name"))
    return children, relationships, records, family, staff


def age(child: Child) -> int:
    return child.age_on(REFERENCE_DATE)


# -- determinism and refusal ---------------------------------------------------------------------


def test_the_same_seed_generates_the_same_partnership():
    generate(seed=7, children=SMALL)
    first = fingerprint()
    generate(seed=7, children=SMALL, replace=True)
    second = fingerprint()
    assert len(first[0]) == SMALL
    assert first == second


def test_different_seeds_generate_different_children():
    generate(seed=1, children=SMALL)
    one = set(Child.objects.values_list("given_name", "family_name", "date_of_birth"))
    generate(seed=2, children=SMALL, replace=True)
    two = set(Child.objects.values_list("given_name", "family_name", "date_of_birth"))
    assert len(one & two) < SMALL // 10


def test_generating_twice_without_replace_is_refused_and_changes_nothing(summary):
    before = fingerprint()
    with pytest.raises(GenerationError, match="already"):
        generate(seed=99, children=SMALL)
    assert fingerprint() == before


def test_replace_keeps_the_audit_trail_and_writes_one_event_per_generation(summary):
    events = list(AuditEvent.objects.filter(event="demo.generated"))
    assert len(events) == 1
    assert events[0].actor_username == SYSTEM_ACTOR
    assert events[0].actor_id is None
    assert events[0].detail["children"] == SMALL
    assert events[0].detail["seed"] == 42
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    generate(seed=43, children=SMALL, replace=True)
    added = list(AuditEvent.objects.exclude(pk__in=before).values_list("event", flat=True))
    # One for the generation; the rest are the agencies' files arriving, each audited by the
    # events import as any agency's file is (ADR 0029).
    assert added.count("demo.generated") == 1
    assert set(added) == {"demo.generated", "identity.events_received", "identity.needs_received"}
    assert AuditEvent.objects.filter(pk=events[0].pk).exists()
    assert Agency.objects.filter(code=rv.POLICE).count() == 1


def test_too_few_children_is_refused():
    with pytest.raises(GenerationError, match="at least"):
        generate(seed=1, children=5)
    assert not Agency.objects.exists()


def test_the_summary_counts_what_is_in_the_database(summary):
    assert summary.children == Child.objects.count() == SMALL
    assert summary.agencies == Agency.objects.count()
    assert summary.teams == Team.objects.count()
    assert summary.staff == Staff.objects.count()
    assert summary.agreements == InformationSharingAgreement.objects.count() == 5
    assert summary.family_members == FamilyMember.objects.count()
    assert summary.other_names == ChildName.objects.count()
    assert summary.relationships == WorkingRelationship.objects.count()
    assert summary.source_records == SourceRecord.objects.count() == GroundTruth.objects.count()
    ehc = GroundTruth.objects.filter(send=SendStatus.EHC_PLAN).values("child").distinct()
    sen = GroundTruth.objects.filter(send=SendStatus.SEN_SUPPORT).values("child").distinct()
    assert summary.ehc_plans == ehc.count()
    assert summary.sen_support == sen.count()
    assert summary.seconds > 0


# -- the partnership -----------------------------------------------------------------------------


def test_agencies_have_the_codes_the_rest_of_harbour_uses(summary):
    codes = set(Agency.objects.values_list("code", flat=True))
    fixed = {
        rv.POLICE,
        rv.CSC,
        rv.ED,
        rv.AMBULANCE,
        rv.YJS,
        rv.PROBATION,
        rv.VRU,
        "vcse-riverside-outreach",
        "vcse-youth-hub",
        "vcse-mentoring-trust",
        "vcse-no-agreement",
    }
    assert fixed <= codes
    schools = Agency.objects.filter(agency_type=AgencyType.SCHOOL)
    assert 18 <= schools.count() <= 22
    for school in schools:
        assert len(school.school_urn) == 6
        assert school.school_urn.isdigit()
        assert school.code == f"school-{school.school_urn}"
    assert codes == fixed | {s.code for s in schools}
    assert Agency.objects.get(code="vcse-no-agreement").name == "Northside Boxing Club"
    front_doors = Team.objects.filter(is_front_door=True)
    assert [(t.agency.code, t.name) for t in front_doors] == [(rv.CSC, "Front Door (MASH)")]


def test_the_agreements_are_exactly_the_five_expected(summary):
    agreements = {a.reference: a for a in InformationSharingAgreement.objects.all()}
    assert set(agreements) == {
        "ISA-MASH-2025",
        "ISA-SCHOOLS-2025",
        "ISA-VCSE-2025",
        "ISA-VRU-2025",
        "ISA-OLD-2022",
    }

    def parties(reference: str) -> set[str]:
        return set(agreements[reference].parties.values_list("code", flat=True))

    statutory = {rv.POLICE, rv.CSC, rv.ED, rv.AMBULANCE, rv.YJS, rv.PROBATION}
    schools = set(
        Agency.objects.filter(agency_type=AgencyType.SCHOOL).values_list("code", flat=True)
    )
    assert parties("ISA-MASH-2025") == statutory
    assert parties("ISA-SCHOOLS-2025") == {rv.CSC} | schools
    assert parties("ISA-VCSE-2025") == {
        rv.CSC,
        rv.YJS,
        "vcse-riverside-outreach",
        "vcse-youth-hub",
        "vcse-mentoring-trust",
    }
    assert parties("ISA-VRU-2025") == statutory | {rv.VRU}
    assert parties("ISA-OLD-2022") == {rv.POLICE, rv.YJS}
    mash = agreements["ISA-MASH-2025"]
    assert sorted(mash.data_categories) == sorted(DataCategory.values)
    assert mash.purposes == ["safeguarding", "prevention", "crime_reduction"]
    assert mash.lawful_basis == "public_task"
    assert "Schedule 1 paragraph 18" in mash.special_category_condition
    assert agreements["ISA-VRU-2025"].purposes == ["analysis"]
    assert sorted(agreements["ISA-SCHOOLS-2025"].data_categories) == sorted(
        [
            "identity",
            "family",
            "ethnicity",
            "faith_culture",
            "health",
            "communication",
            "education",
        ]
    )
    old = agreements["ISA-OLD-2022"]
    assert old.end_date == dt.date(2025, 3, 31)
    for day in (REFERENCE_DATE, timezone.localdate()):
        in_force = set(
            InformationSharingAgreement.objects.in_force(day).values_list("reference", flat=True)
        )
        assert in_force == set(agreements) - {"ISA-OLD-2022"}


def test_the_club_outside_every_agreement_is_in_none(summary):
    club = Agency.objects.get(code="vcse-no-agreement")
    assert not club.sharing_agreements.exists()
    assert Agency.objects.filter(agency_type=AgencyType.VCSE).count() == 4
    # Its youth worker can find no child beyond the club's own.
    worker = Staff.objects.get(email=NO_AGREEMENT_YOUTH_WORKER.email)
    findable = policy.findable_children(worker, Child.objects.all(), "safeguarding")
    held = WorkingRelationship.objects.filter(agency=club).values("child")
    personal = WorkingRelationship.objects.filter(staff=worker).values("child")
    assert set(findable.values_list("pk", flat=True)) == set(
        Child.objects.filter(pk__in=held).values_list("pk", flat=True)
    ) | set(Child.objects.filter(pk__in=personal).values_list("pk", flat=True))


def test_threshold_guidance_has_one_document_per_level(summary):
    guidance = {g.level: g for g in ThresholdGuidance.objects.all()}
    assert set(guidance) == set(ThresholdLevel.values)
    for document in guidance.values():
        assert document.version == "3.1"
        assert document.effective_from == dt.date(2025, 9, 1)
        assert document.published_by is not None
        assert document.published_by.code == rv.CSC
        assert 3 <= len(document.indicators.splitlines()) <= 6
        assert 2 <= document.body.count(". ") + 1 <= 4
    roth = guidance[ThresholdLevel.RISK_OUTSIDE_THE_HOME].body
    assert "partners in keeping the child safe" in roth
    assert "not the source of harm" in roth


# -- staff and sign-ins --------------------------------------------------------------------------


def test_every_role_has_exactly_one_sign_in_plus_extra_referrers():
    roles = Counter(s.role for s in DEMO_SIGN_INS)
    assert set(roles) == set(Role.values)
    # Two administrators: one asks for a change to someone's access, the other approves it.
    assert {r: n for r, n in roles.items() if n != 1} == {Role.REFERRER: 4, Role.ADMINISTRATOR: 2}
    emails = [s.email for s in DEMO_SIGN_INS]
    assert len(set(emails)) == len(emails)
    assert "dsl@school-990201.demo.harbour.test" in emails
    assert "youthworker@vcse-no-agreement.demo.harbour.test" in emails
    assert "nurse@riverside-ed.demo.harbour.test" in emails


def sign_in_as(email: str, password: str) -> object:
    """Django's authenticate as the sign-in page calls it: with the request (django-axes, which
    counts failures by username, needs it)."""
    return authenticate(RequestFactory().post("/"), username=email, password=password)


def test_each_demo_sign_in_authenticates_with_the_demo_password(summary):
    for sign_in in DEMO_SIGN_INS:
        user = authenticate(
            RequestFactory().post("/"), username=sign_in.email, password=DEMO_PASSWORD
        )
        assert isinstance(user, Staff), sign_in.email
        assert user.is_active
        assert user.role == sign_in.role
        assert user.agency is not None
        assert user.agency.code == sign_in.agency_code
        assert (user.team.name if user.team else "") == sign_in.team_name
        assert user.first_name
        assert user.last_name
        assert (
            authenticate(
                RequestFactory().post("/"), username=sign_in.email, password="not-the-password"
            )
            is None
        )
    school = Agency.objects.get(code=rv.FIRST_SECONDARY_CODE)
    assert SCHOOL_PHASE[school.code] == rv.SECONDARY


def test_the_initial_load_gives_roles_at_once_and_says_so_in_its_one_event(summary):
    # The generator is the partnership's initial load (ADR 0018): every demo account with a
    # casework role is active with its role, and the one audited event counts them.
    casework = Staff.objects.filter(role__in=[r for r in Role if policy.grants_child_access(r)])
    assert casework.exists()
    assert not casework.filter(email__in=[s.email for s in DEMO_SIGN_INS], is_active=False)
    event = AuditEvent.objects.get(event="demo.generated")
    assert event.detail["staff_loaded_without_approval"] == Staff.objects.count() == summary.staff


def test_the_demo_leaves_one_change_waiting_for_the_second_administrator(summary):
    change = StaffChangeRequest.objects.get()
    assert summary.staff_change_requests == 1
    assert change.is_pending
    assert change.requested_by.email == ADMINISTRATOR.email
    assert change.before["role"] == Role.STRATEGIC_LEADER
    assert change.after["role"] == Role.FRONT_DOOR_MANAGER
    assert change.staff.role == Role.STRATEGIC_LEADER  # nothing applied yet
    second = Staff.objects.get(email=SECOND_ADMINISTRATOR.email)
    assert policy.may_decide_staff_change(second, change)
    assert not policy.may_decide_staff_change(change.requested_by, change)


def test_the_deactivated_account_cannot_sign_in(summary):
    former = Staff.objects.get(email=DEACTIVATED_EMAIL)
    assert former.email == "former.officer@riverside-police.demo.harbour.test"
    assert not former.is_active
    assert former.role == Role.REFERRER
    assert former.agency is not None
    assert former.agency.code == rv.POLICE
    assert sign_in_as(former.email, DEMO_PASSWORD) is None


def test_other_staff_have_named_emails_in_their_agency(summary):
    staff = list(Staff.objects.select_related("agency"))
    # The record phase adds one special educational needs coordinator to every school.
    sencos = [s for s in staff if s.job_title == SENCO_TITLE]
    assert sorted(s.agency.code for s in sencos if s.agency) == sorted(s.code for s in rv.SCHOOLS)
    assert 36 <= len(staff) - len(sencos) <= 45
    for person in staff:
        assert person.username == person.email
        assert person.agency is not None
        assert person.email.endswith(f"@{person.agency.code}.demo.harbour.test")
        assert person.role in Role.values
    named = [s for s in staff if s.email not in {x.email for x in DEMO_SIGN_INS}]
    named = [s for s in named if s.email != DEACTIVATED_EMAIL]
    assert len(named) >= 25
    for person in named:
        local = person.email.split("@")[0]
        assert local.startswith(person.first_name.lower()[:2])


# -- children and families -----------------------------------------------------------------------


def test_children_are_valid_and_carry_a_dfe_ethnicity_code(summary):
    for child in Child.objects.all():
        child.full_clean()  # postcode and LSOA validators, choices, lengths
        assert child.ethnicity_dfe_code == ONS_TO_DFE[child.ethnicity]
        assert child.ethnicity_source_system
        assert child.ethnicity_source_code
        assert child.postcode.startswith("RV")
        assert 0 <= age(child) <= 17
    ages = [age(c) for c in Child.objects.all()]
    assert 0.5 <= sum(a >= 10 for a in ages) / len(ages) <= 0.8


def test_nhs_numbers_are_valid_and_unique(summary):
    numbers = [n for n in Child.objects.values_list("nhs_number", flat=True) if n]
    assert len(numbers) >= 0.85 * SMALL
    assert len(set(numbers)) == len(numbers)
    assert all(nhs_number_is_valid(n) for n in numbers)
    assert all(n.startswith("999") for n in numbers)


def test_nhs_check_digit():
    assert nhs_check_digit("943476591") == 9
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("943476591")
    # 9x10 + 9x9 + 9x8 = 243 leaves 1 over 11, so the check digit would be 10: no valid number.
    assert nhs_check_digit("999000000") is None


def test_upn_check_letter():
    digits = "999210112001"
    upn = upn_check_letter(digits) + digits
    assert upn_is_valid(upn)
    assert not upn_is_valid(upn[0] + "999210112002")
    assert upn_check_letter("000000000000") == "A"
    assert upn_check_letter("100000000000") == "C"  # 1 x weight 2 = 2 -> the third letter


def test_sibling_links_point_both_ways(summary):
    siblings = list(FamilyMember.objects.filter(relationship__in=SIBLING_RELATIONSHIPS))
    assert siblings
    links = {(m.child_id, m.related_child_id, m.relationship) for m in siblings}
    children = {c.pk: c for c in Child.objects.all()}
    for member in siblings:
        assert member.related_child_id is not None
        assert (member.related_child_id, member.child_id, member.relationship) in links
        sibling = children[member.related_child_id]
        assert (member.given_name, member.family_name) == (
            sibling.given_name,
            sibling.family_name,
        )
        assert member.date_of_birth == sibling.date_of_birth
    adults = FamilyMember.objects.exclude(relationship__in=SIBLING_RELATIONSHIPS)
    assert not adults.filter(related_child__isnull=False).exists()
    assert adults.filter(has_parental_responsibility=True).exists()
    mothers = Counter(
        adults.filter(relationship=Relationship.MOTHER).values_list("child", flat=True)
    )
    assert set(mothers.values()) == {1}
    assert len(mothers) == SMALL


def test_some_children_have_other_names(summary):
    assert 0.05 * SMALL <= ChildName.objects.count() <= 0.3 * SMALL


# -- who knows each child ------------------------------------------------------------------------


def test_every_school_age_child_has_one_school_record_of_the_right_phase(summary):
    schools = dict(
        WorkingRelationship.objects.current()
        .filter(kind=RelationshipKind.AGENCY_RECORD, agency__agency_type=AgencyType.SCHOOL)
        .values_list("child_id", "agency__code")
    )
    per_child = Counter(
        WorkingRelationship.objects.filter(
            kind=RelationshipKind.AGENCY_RECORD, agency__agency_type=AgencyType.SCHOOL
        ).values_list("child_id", flat=True)
    )
    for child in Child.objects.select_related("recorded_by"):
        if age(child) < 5:
            assert child.pk not in schools
            assert child.recorded_by.code == rv.CSC
            continue
        assert per_child[child.pk] == 1, child
        phase = SCHOOL_PHASE[schools[child.pk]]
        if age(child) >= 11:
            assert phase in (rv.SECONDARY, rv.ALTERNATIVE_PROVISION)
        else:
            assert phase == rv.PRIMARY
        assert child.recorded_by.code == schools[child.pk]


def test_at_least_five_children_are_known_only_to_a_school(summary):
    only_school = 0
    for child in Child.objects.all():
        relationships = list(
            WorkingRelationship.objects.filter(child=child).values_list(
                "kind", "agency__agency_type", "staff_id"
            )
        )
        if relationships and all(
            kind == RelationshipKind.AGENCY_RECORD and agency_type == AgencyType.SCHOOL
            for kind, agency_type, _ in relationships
        ):
            only_school += 1
    assert only_school >= 5


def test_agency_relationships_and_open_referrals(summary):
    records = WorkingRelationship.objects.filter(kind=RelationshipKind.AGENCY_RECORD)
    assert not records.filter(agency__isnull=True).exists()
    assert records.filter(agency__code=rv.POLICE).exists()
    referrals = WorkingRelationship.objects.filter(kind=RelationshipKind.OPEN_REFERRAL)
    assert set(referrals.values_list("agency__code", flat=True)) <= {rv.CSC}
    for relationship in WorkingRelationship.objects.select_related("child"):
        assert relationship.started_on < REFERENCE_DATE
        assert relationship.started_on >= relationship.child.date_of_birth
    probation = records.filter(agency__code=rv.PROBATION).select_related("child")
    assert all(age(r.child) == 17 for r in probation)


def personal(email: str, kind: str) -> list[WorkingRelationship]:
    return list(
        WorkingRelationship.objects.current().filter(
            staff__email=email, kind=kind, agency__isnull=True
        )
    )


def test_personal_relationships_of_the_sign_ins(summary):
    assert len(personal(LEAD_PRACTITIONER.email, RelationshipKind.LEAD_PRACTITIONER)) == 12
    assert len(personal(PANEL_CHAIR.email, RelationshipKind.PANEL_MEMBERSHIP)) == 15
    assert len(personal(REFERRER.email, RelationshipKind.TEAM_AROUND_CHILD)) == 3
    club_children = set(
        WorkingRelationship.objects.filter(
            agency__code="vcse-no-agreement", kind=RelationshipKind.AGENCY_RECORD
        ).values_list("child_id", flat=True)
    )
    worker = personal(NO_AGREEMENT_YOUTH_WORKER.email, RelationshipKind.TEAM_AROUND_CHILD)
    assert len(worker) == 4
    assert {r.child_id for r in worker} <= club_children
    for email in ("nurse@riverside-ed.demo.harbour.test", "dsl@school-990201.demo.harbour.test"):
        assert not WorkingRelationship.objects.filter(staff__email=email).exists()


def test_one_relationship_has_ended_and_grants_nothing(summary):
    # The one personal relationship that has ended (referrals that closed lately have ended
    # their front door's relationships too: test_referrals).
    ended = WorkingRelationship.objects.filter(ended_on__isnull=False, staff__isnull=False).get()
    assert ended.ended_on is not None
    assert ended.ended_on < REFERENCE_DATE
    assert ended.staff is not None
    assert not WorkingRelationship.objects.current().filter(pk=ended.pk).exists()
    visible = policy.visible_children(ended.staff, Child.objects.all())
    assert not visible.filter(pk=ended.child_id).exists()
    # ...while the same referrer does see the children of their current relationships.
    current = personal(ended.staff.email, RelationshipKind.TEAM_AROUND_CHILD)
    assert visible.filter(pk=current[0].child_id).exists()


# -- source records and their ground truth -------------------------------------------------------


@pytest.fixture
def larger():
    return generate(seed=2026, children=600)


def test_every_agency_record_has_a_source_record_for_the_right_child(larger):
    truths = {
        (g.child_id, g.source_record.agency_id)
        for g in GroundTruth.objects.select_related("source_record")
    }
    for child_id, agency_id in WorkingRelationship.objects.filter(
        kind=RelationshipKind.AGENCY_RECORD
    ).values_list("child_id", "agency_id"):
        assert (child_id, agency_id) in truths
    assert len(truths) == (
        WorkingRelationship.objects.filter(kind=RelationshipKind.AGENCY_RECORD).count()
    )
    duplicates = SourceRecord.objects.count() - len(truths)
    assert 0.02 * len(truths) <= duplicates <= 0.1 * len(truths)


def test_ground_truth_matches_the_child_and_names_each_error(larger):
    seen: Counter[str] = Counter()
    for truth in GroundTruth.objects.select_related("source_record", "child"):
        record, child, errors = truth.source_record, truth.child, set(truth.errors)
        seen.update(errors)
        assert errors <= set(ERROR_KINDS)
        if not errors & {NICKNAME, GIVEN_NAME_TYPO}:
            assert record.given_name == child.given_name
        else:
            assert record.given_name != child.given_name
        if not errors & {FAMILY_NAME_TYPO, FAMILY_NAME_CHANGED}:
            assert record.family_name == child.family_name
        else:
            assert record.family_name != child.family_name
        dob = child.date_of_birth
        if DOB_MISSING in errors:
            assert record.date_of_birth is None
        elif DOB_TRANSPOSED in errors:
            assert dob.day <= 12
            assert record.date_of_birth == dob.replace(day=dob.month, month=dob.day)
        else:
            assert record.date_of_birth == dob
        if NHS_MISSING in errors:
            assert child.nhs_number
            assert record.nhs_number == ""
        else:
            assert record.nhs_number == child.nhs_number
        if OLD_ADDRESS in errors:
            assert record.postcode != child.postcode
        else:
            assert (record.postcode, record.address_line) == (child.postcode, child.address_line)
        assert REFERENCE_DATE - dt.timedelta(days=731) <= record.as_of <= REFERENCE_DATE
    assert set(seen) == set(ERROR_KINDS)
    total = GroundTruth.objects.count()
    assert 0.04 <= seen[NICKNAME] / total <= 0.12
    assert 0.005 <= seen[DOB_TRANSPOSED] / total <= 0.04


def test_school_records_carry_the_urn_and_a_valid_upn(larger):
    for record in SourceRecord.objects.select_related("agency"):
        if record.agency.agency_type == AgencyType.SCHOOL:
            assert record.school_urn == record.agency.school_urn
            assert upn_is_valid(record.upn), record.upn
            assert record.source_system == "SIMS"
        else:
            assert record.school_urn == ""
            assert record.upn == ""
    ids = list(SourceRecord.objects.values_list("agency_id", "source_system", "source_id"))
    assert len(set(ids)) == len(ids)
    ed = SourceRecord.objects.filter(agency__code=rv.ED)
    police = SourceRecord.objects.filter(agency__code=rv.POLICE)
    assert ed.exclude(nhs_number="").count() > 0.7 * ed.count()
    assert police.exclude(nhs_number="").count() < 0.3 * police.count()


def test_send_is_recorded_on_school_records_only(larger):
    send = GroundTruth.objects.exclude(send="").select_related("source_record__agency")
    assert send.filter(send=SendStatus.EHC_PLAN).exists()
    assert send.filter(send=SendStatus.SEN_SUPPORT).exists()
    assert {g.source_record.agency.agency_type for g in send} == {AgencyType.SCHOOL}
    pupils = Child.objects.filter(
        working_relationships__agency__agency_type=AgencyType.SCHOOL
    ).count()
    ehc = send.filter(send=SendStatus.EHC_PLAN).values("child").distinct().count()
    assert 0.02 * pupils <= ehc <= 0.09 * pupils


# -- the command ---------------------------------------------------------------------------------


def test_the_command_generates_then_lists_active_sign_ins():
    out = io.StringIO()
    call_command("demo", "generate", "--seed", "3", "--children", "50", stdout=out)
    assert "children" in out.getvalue()
    assert Child.objects.count() == 50
    with pytest.raises(CommandError):
        call_command("demo", "generate", "--seed", "3", "--children", "50", stderr=io.StringIO())
    call_command("demo", "generate", "--seed", "4", "--children", "60", "--replace", stdout=out)
    assert Child.objects.count() == 60
    listing = io.StringIO()
    call_command("demo", "sign-ins", stdout=listing)
    text = listing.getvalue()
    for sign_in in DEMO_SIGN_INS:
        assert sign_in.email in text
    assert DEMO_PASSWORD in text
    assert "Northside Boxing Club" in text
    assert DEACTIVATED_EMAIL not in text


def test_sign_ins_with_no_partnership_fails():
    with pytest.raises(CommandError):
        call_command("demo", "sign-ins", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_no_parent_or_carer_shares_a_first_name_with_their_child():
    from harbour.children.codes import SIBLING_RELATIONSHIPS
    from harbour.children.models import FamilyMember

    generate(seed=3, children=150)
    adults = FamilyMember.objects.exclude(relationship__in=SIBLING_RELATIONSHIPS)
    clashes = [m for m in adults.select_related("child") if m.given_name == m.child.given_name]
    assert clashes == []


# -- each child's record -------------------------------------------------------------------------

RECORD_CHILDREN = 300
VICTIM_BLAMING = (
    "placing himself",
    "placing herself",
    "placing themselves",
    "putting himself",
    "putting herself",
    "lifestyle choice",
    "streetwise",
    "promiscuous",
    "risk-taking",
    "chose to associate",
    "choosing to associate",
)
RECORD_MODELS: tuple[type[Model], ...] = (
    ChildProfile,
    Need,
    Assessment,
    VoiceEntry,
    EducationEpisode,
    Plan,
    PlanAction,
    PlanReview,
    FormulationMeeting,
    TransitionPlan,
)


@pytest.fixture
def records():
    return generate(seed=2027, children=RECORD_CHILDREN)


def ages() -> dict:
    return {c.pk: age(c) for c in Child.objects.all()}


def cohort() -> set:
    """Children aged 5 or over known to the police, youth justice or social care, or with a
    current personal relationship: the serious youth violence cohort."""
    statutory = WorkingRelationship.objects.filter(agency__code__in=(rv.POLICE, rv.YJS, rv.CSC))
    personal = WorkingRelationship.objects.filter(staff__isnull=False, ended_on__isnull=True)
    ids = set(statutory.values_list("child_id", flat=True)) | set(
        personal.values_list("child_id", flat=True)
    )
    return {pk for pk, years in ages().items() if pk in ids and years >= 5}


def known() -> set:
    """Children aged 5 or over with a CSC or YJS record or a current personal relationship."""
    records_held = WorkingRelationship.objects.filter(
        kind=RelationshipKind.AGENCY_RECORD, agency__code__in=(rv.YJS, rv.CSC)
    )
    personal = WorkingRelationship.objects.filter(staff__isnull=False, ended_on__isnull=True)
    ids = set(records_held.values_list("child_id", flat=True)) | set(
        personal.values_list("child_id", flat=True)
    )
    return {pk for pk, years in ages().items() if pk in ids and years >= 5}


def holders(code: str) -> set:
    return set(
        WorkingRelationship.objects.filter(
            kind=RelationshipKind.AGENCY_RECORD, agency__code=code
        ).values_list("child_id", flat=True)
    )


def share(part: set, whole: set) -> float:
    return len(part & whole) / max(len(whole), 1)


def record_fingerprint():
    def rows(queryset, *fields):
        return sorted(queryset.values_list(*fields), key=repr)

    recorded = ("recorded_by__email", "recorded_by_agency__code")
    return (
        rows(Staff.objects.all(), "email", "first_name", "last_name", "job_title"),
        rows(
            ChildProfile.objects.all(),
            "child_id",
            "preferred_name",
            "communication",
            "what_helps",
            "what_to_avoid",
            "developmental_age_notes",
            "strengths",
            "interests",
            "identity_and_culture",
            "wishes",
            "preferred_professional",
            *recorded,
        ),
        rows(
            Need.objects.all(),
            "child_id",
            "kind",
            "sen_type",
            "description",
            "start_date",
            "end_date",
            *recorded,
        ),
        rows(
            Assessment.objects.all(),
            "child_id",
            "kind",
            "provider",
            "referred_on",
            "status",
            "completed_on",
            "outcome",
            *recorded,
        ),
        rows(
            VoiceEntry.objects.all(),
            "child_id",
            "said_on",
            "words",
            "setting",
            "shared_with_child_and_family",
            "child_and_family_views",
            *recorded,
        ),
        rows(
            EducationEpisode.objects.all(),
            "child_id",
            "setting__code",
            "setting_name",
            "status",
            "start_date",
            "end_date",
            "hours_per_week",
            "attendance_percent",
            *recorded,
        ),
        rows(
            Plan.objects.all(),
            "child_id",
            "plan_type",
            "outcomes",
            "started_on",
            "review_due",
            "closed_on",
            "parents_as_partners",
            *recorded,
        ),
        rows(
            PlanAction.objects.all(),
            "plan__child_id",
            "plan__plan_type",
            "plan__started_on",
            "sequence",
            "description",
            "owner_agency__code",
            "owner_name",
            "due_on",
            "status",
            "chosen_by_child",
        ),
        rows(
            PlanReview.objects.all(),
            "plan__child_id",
            "plan__started_on",
            "held_on",
            "summary",
            "child_views",
            *recorded,
        ),
        rows(
            FormulationMeeting.objects.all(),
            "child_id",
            "held_on",
            "attendees",
            "summary",
            "plan__plan_type",
            *recorded,
        ),
        rows(
            TransitionPlan.objects.all(),
            "child_id",
            "adult_services",
            "probation",
            "housing",
            "health",
            "agreed_on",
            *recorded,
        ),
    )


def test_the_same_seed_generates_the_same_child_records():
    generate(seed=7, children=SMALL)
    first = record_fingerprint()
    generate(seed=7, children=SMALL, replace=True)
    assert record_fingerprint() == first
    assert all(first), "every kind of record is generated"
    generate(seed=8, children=SMALL, replace=True)
    assert record_fingerprint()[1] != first[1]


def test_the_record_phase_leaves_the_earlier_phases_unchanged(monkeypatch):
    """The record phase draws from its own generators: without it, everything else is the same."""
    generate(seed=7, children=SMALL)
    children, relationships, records, family, staff = fingerprint()
    added = set(Staff.objects.filter(job_title=SENCO_TITLE).values_list("email", flat=True))
    assert len(added) == len(rv.SCHOOLS)

    class NoRecords:
        def __init__(self, **kwargs):
            pass

        def run(self):
            return {"staff_added": 0} | dict.fromkeys(
                (
                    "child_profiles",
                    "needs",
                    "assessments",
                    "voice_entries",
                    "education_episodes",
                    "plans",
                    "plan_actions",
                    "plan_reviews",
                    "formulation_meetings",
                    "transition_plans",
                ),
                0,
            )

    monkeypatch.setattr("harbour.demo.generator.RecordPhase", NoRecords)
    summary = generate(seed=7, children=SMALL, replace=True)
    assert summary.needs == 0
    assert not Need.objects.exists()
    assert not Staff.objects.filter(job_title=SENCO_TITLE).exists()
    assert fingerprint() == (
        children,
        relationships,
        records,
        family,
        [s for s in staff if s[0] not in added],
    )


def test_the_summary_counts_each_kind_of_record(records):
    assert records.child_profiles == ChildProfile.objects.count() > 0
    assert records.needs == Need.objects.count() > 0
    assert records.assessments == Assessment.objects.count() > 0
    assert records.voice_entries == VoiceEntry.objects.count() > 0
    assert records.education_episodes == EducationEpisode.objects.count() > 0
    assert records.plans == Plan.objects.count() > 0
    assert records.plan_actions == PlanAction.objects.count() > 0
    assert records.plan_reviews == PlanReview.objects.count() > 0
    assert records.formulation_meetings == FormulationMeeting.objects.count() > 0
    assert records.transition_plans == TransitionPlan.objects.count() > 0
    assert records.staff == Staff.objects.count()


def test_every_record_validates(records):
    for model in RECORD_MODELS:
        rows = model._default_manager
        sample = list(rows.order_by("pk")[:40]) + list(rows.order_by("-pk")[:40])
        assert sample, model
        for row in sample:
            row.full_clean()
            if isinstance(row, PlanAction):
                continue
            by = getattr(row, "recorded_by", None)
            assert by is not None
            assert by.is_active
            assert by.agency_id == getattr(row, "recorded_by_agency_id", None)


def test_needs_follow_send_status_and_concentrate_in_the_cohort(records):
    truth = dict(GroundTruth.objects.exclude(send="").values_list("child_id", "send"))
    at_school = Need.objects.filter(recorded_by_agency__agency_type=AgencyType.SCHOOL)
    ehc = at_school.filter(kind=NeedKind.EHC_PLAN)
    assert set(ehc.values_list("child_id", flat=True)) == {
        c for c, s in truth.items() if s == SendStatus.EHC_PLAN
    }
    current_support = at_school.filter(kind=NeedKind.SEN_SUPPORT, end_date__isnull=True)
    assert set(current_support.values_list("child_id", flat=True)) == {
        c for c, s in truth.items() if s == SendStatus.SEN_SUPPORT
    }
    for need in at_school.filter(kind__in=(NeedKind.EHC_PLAN, NeedKind.SEN_SUPPORT)):
        assert need.sen_type in SEN_TYPE_OF_NEED
    everyone = {pk for pk, years in ages().items() if years >= 5}
    in_cohort = cohort()
    others = everyone - in_cohort

    def with_need(*kinds) -> set:
        return set(Need.objects.filter(kind__in=kinds).values_list("child_id", flat=True))

    diagnosed = with_need(NeedKind.NEURODEVELOPMENTAL)
    assert 0.1 <= share(diagnosed, in_cohort) <= 0.5
    assert share(diagnosed, in_cohort) > 2 * share(diagnosed, others)
    mental_health = with_need(NeedKind.MENTAL_HEALTH)
    assert share(mental_health, in_cohort) > 2 * share(mental_health, others)
    assert with_need(NeedKind.SLCN) & in_cohort
    assert with_need(NeedKind.LEARNING_DISABILITY)
    for need in Need.objects.all():
        assert need.start_date is not None
        assert need.start_date < REFERENCE_DATE
        assert need.end_date is None or need.start_date <= need.end_date < REFERENCE_DATE
    # Social care holds a record of many children with a diagnosis or EHC plan known elsewhere,
    # but has noted few of them itself.
    significant = (
        NeedKind.EHC_PLAN,
        NeedKind.NEURODEVELOPMENTAL,
        NeedKind.SLCN,
        NeedKind.LEARNING_DISABILITY,
    )
    csc = holders(rv.CSC)
    elsewhere = (
        set(
            Need.objects.filter(kind__in=significant)
            .exclude(recorded_by_agency__code=rv.CSC)
            .values_list("child_id", flat=True)
        )
        & csc
    )
    noted = set(
        Need.objects.filter(kind__in=significant, recorded_by_agency__code=rv.CSC).values_list(
            "child_id", flat=True
        )
    )
    assert len(elsewhere) >= 5
    assert len(elsewhere & noted) <= 0.5 * len(elsewhere)


def test_assessment_waits_are_long_and_mostly_in_the_cohort(records):
    in_cohort = cohort()
    others = set(ages()) - in_cohort
    assessed = set(Assessment.objects.values_list("child_id", flat=True))
    assert 0.15 <= share(assessed, in_cohort) <= 0.45
    assert share(assessed, others) <= 0.08
    statuses = Counter(Assessment.objects.values_list("status", flat=True))
    assert statuses[AssessmentStatus.WAITING] >= 0.6 * sum(statuses.values())
    assert statuses[AssessmentStatus.COMPLETED] > 0
    for assessment in Assessment.objects.all():
        waited = (REFERENCE_DATE - assessment.referred_on).days
        assert 30 <= waited <= 3 * 365 + 5
        if assessment.status == AssessmentStatus.WAITING:
            assert assessment.completed_on is None
            assert not assessment.outcome
        else:
            assert assessment.completed_on is not None
            assert assessment.referred_on <= assessment.completed_on < REFERENCE_DATE
            assert assessment.outcome
    waiting = Assessment.objects.filter(status=AssessmentStatus.WAITING)
    over_two_years = [a for a in waiting if (REFERENCE_DATE - a.referred_on).days > 730]
    assert len(over_two_years) >= 0.1 * waiting.count()


def test_every_school_age_child_has_an_education_history(records):
    children_ages = ages()
    episodes: dict = {}
    for episode in EducationEpisode.objects.select_related("setting"):
        episodes.setdefault(episode.child_id, []).append(episode)
    assert set(episodes) == {pk for pk, years in children_ages.items() if years >= 5}
    current: dict = {}
    for child_id, history in episodes.items():
        history.sort(key=lambda e: (e.start_date, e.end_date or REFERENCE_DATE))
        open_now = [e for e in history if e.end_date is None]
        assert len(open_now) == 1
        assert history[-1] is open_now[0]
        for before, after in itertools.pairwise(history):
            # Each episode ends when the next begins (or the day before, between schools).
            assert before.end_date in (after.start_date, after.start_date - dt.timedelta(days=1))
        current[child_id] = open_now[0]
        for episode in history:
            assert episode.start_date < REFERENCE_DATE
            assert episode.attendance_percent is None or 0 <= episode.attendance_percent <= 100
            if episode.status == EducationStatus.ALTERNATIVE_PROVISION:
                assert episode.setting.code == AP_SCHOOL_CODE
            if episode.status in (
                EducationStatus.NOT_IN_EDUCATION,
                EducationStatus.ELECTIVE_HOME_EDUCATION,
            ):
                assert episode.setting is None
                assert episode.setting_name
            else:
                assert episode.setting.agency_type == AgencyType.SCHOOL
    in_cohort = cohort()
    others = set(current) - in_cohort
    not_full_time = {c for c, e in current.items() if e.status != EducationStatus.FULL_TIME}
    assert 0.1 <= share(not_full_time, in_cohort) <= 0.45
    assert share(not_full_time, others) < share(not_full_time, in_cohort) / 2
    too_long = {
        e.status
        for e in current.values()
        if (e.status == EducationStatus.REDUCED_TIMETABLE and days_since(e.start_date) > 42)
        or (e.status == EducationStatus.ALTERNATIVE_PROVISION and days_since(e.start_date) > 84)
    }
    assert too_long == {EducationStatus.REDUCED_TIMETABLE, EducationStatus.ALTERNATIVE_PROVISION}
    full_time = [e for e in current.values() if e.status == EducationStatus.FULL_TIME]

    def mean_attendance(ids: set) -> float:
        values = [e.attendance_percent for e in full_time if e.child_id in ids]
        return sum(values) / len(values)

    assert mean_attendance(in_cohort) < mean_attendance(others) - 3
    assert 88 <= mean_attendance(others) <= 98


def days_since(day: dt.date) -> int:
    return (REFERENCE_DATE - day).days


def test_profiles_and_voice_are_for_the_children_agencies_work_with(records):
    profiled = set(ChildProfile.objects.values_list("child_id", flat=True))
    working_with = known()
    children_ages = ages()
    others = {pk for pk, years in children_ages.items() if years >= 5} - working_with
    assert 0.65 <= share(profiled, working_with) <= 0.95
    assert share(profiled, others) <= 0.2
    assert all(children_ages[pk] >= 5 for pk in profiled)
    for profile in ChildProfile.objects.all():
        assert profile.strengths
        assert profile.interests
    disabled = set(
        Need.objects.filter(kind=NeedKind.LEARNING_DISABILITY).values_list("child_id", flat=True)
    )
    for profile in ChildProfile.objects.filter(child_id__in=disabled):
        assert "year-old" in profile.developmental_age_notes
        assert profile.communication
    voices = Counter(VoiceEntry.objects.values_list("child_id", flat=True))
    assert set(voices) == working_with
    assert set(voices.values()) <= {1, 2, 3, 4, 5}
    assert len(set(voices.values())) >= 3
    personal = {
        (child, staff)
        for child, staff in WorkingRelationship.objects.filter(staff__isnull=False).values_list(
            "child_id", "staff_id"
        )
    }
    held = {
        (child, agency)
        for child, agency in WorkingRelationship.objects.filter(agency__isnull=False).values_list(
            "child_id", "agency_id"
        )
    }
    lead = Staff.objects.get(email=LEAD_PRACTITIONER.email)
    for entry in VoiceEntry.objects.select_related("recorded_by"):
        assert entry.said_on < REFERENCE_DATE
        assert entry.words
        assert entry.setting
        assert (
            (entry.child_id, entry.recorded_by_id) in personal
            or (
                entry.child_id,
                entry.recorded_by_agency_id,
            )
            in held
            or entry.recorded_by == lead
        )
    words = list(VoiceEntry.objects.values_list("words", flat=True))
    assert len(set(words)) >= 30
    for said in words:  # in the first person, as the child said it
        assert re.search(r"\b(I|I'm|I'd|I've|me|my|we)\b", said, re.IGNORECASE), said


def test_plans_have_actions_in_the_childs_order_and_some_history(records):
    in_cohort = cohort()
    eligible = (
        holders(rv.CSC)
        | set(
            WorkingRelationship.objects.filter(kind=RelationshipKind.OPEN_REFERRAL).values_list(
                "child_id", flat=True
            )
        )
    ) & in_cohort
    social_care = set(
        Plan.objects.exclude(plan_type=PlanType.YOUTH_JUSTICE).values_list("child_id", flat=True)
    )
    lead_children = {
        r.child_id for r in personal(LEAD_PRACTITIONER.email, RelationshipKind.LEAD_PRACTITIONER)
    }
    # About 40% (0.40 at 2,000 children); a few dozen children here, so the bounds are wide.
    assert 0.08 <= share(social_care, eligible - lead_children) <= 0.85
    assert social_care <= eligible | lead_children
    youth_justice = set(
        Plan.objects.filter(plan_type=PlanType.YOUTH_JUSTICE).values_list("child_id", flat=True)
    )
    assert youth_justice
    assert youth_justice <= holders(rv.YJS)
    plans = list(Plan.objects.prefetch_related("actions", "reviews"))
    closed = [p for p in plans if p.closed_on]
    assert 0.04 <= len(closed) / len(plans) <= 0.45  # 21% at 2,000 children
    types = Counter(p.plan_type for p in plans)
    assert set(types) <= set(PlanType.values) - {PlanType.TRANSITION}
    assert {PlanType.RISK_OUTSIDE_THE_HOME, PlanType.YOUTH_JUSTICE} <= set(types)
    assert len(types) >= 4
    overdue = done = 0
    for plan in plans:
        assert plan.outcomes
        assert plan.started_on < REFERENCE_DATE
        if plan.closed_on:
            assert plan.started_on < plan.closed_on < REFERENCE_DATE
            assert plan.review_due is None
        else:
            assert plan.review_due is not None
        if plan.plan_type == PlanType.RISK_OUTSIDE_THE_HOME:
            assert plan.parents_as_partners  # parents as partners against harm outside the home
        else:
            assert not plan.parents_as_partners
        actions = sorted(plan.actions.all(), key=lambda a: a.sequence)
        assert 2 <= len(actions) <= 6
        assert [a.sequence for a in actions] == list(range(1, len(actions) + 1))
        chosen = [a.sequence for a in actions if a.chosen_by_child]
        assert chosen in ([], [1], [1, 2])
        for action in actions:
            assert action.due_on is not None
            assert action.owner_agency_id is not None
            assert action.owner_name
            overdue += action.status == ActionStatus.OPEN and action.due_on < REFERENCE_DATE
            done += action.status == ActionStatus.DONE
        reviews = list(plan.reviews.all())
        assert len(reviews) <= 2
        for review in reviews:
            assert plan.started_on < review.held_on < (plan.closed_on or REFERENCE_DATE)
    assert overdue > 0
    assert done > 0
    assert any(p.reviews.all() for p in plans)
    assert any(a.chosen_by_child for p in plans for a in p.actions.all())
    formulations = list(FormulationMeeting.objects.select_related("plan"))
    planned = {p.child_id for p in plans}
    assert formulations
    assert len({f.child_id for f in formulations}) <= 0.35 * len(planned)
    for meeting in formulations:
        assert meeting.plan is not None
        assert meeting.plan.child_id == meeting.child_id
        lines = meeting.attendees.splitlines()
        assert len(lines) >= 2
        assert all(", " in line for line in lines)
        assert meeting.plan.started_on <= meeting.held_on < REFERENCE_DATE


def test_about_half_of_those_turning_18_within_a_year_have_a_transition_plan(records):
    seventeen = {pk for pk, years in ages().items() if years == 17}
    planned = set(TransitionPlan.objects.values_list("child_id", flat=True))
    assert planned <= seventeen
    assert 0.2 <= len(planned) / len(seventeen) <= 0.8  # about 20 children here
    for plan in TransitionPlan.objects.all():
        assert REFERENCE_DATE - dt.timedelta(days=365) <= plan.agreed_on < REFERENCE_DATE


@pytest.mark.parametrize(("seed", "children"), [(42, SMALL), (7, SMALL), (5, 60), (2026, 300)])
def test_the_lead_practitioners_children_have_rich_records(seed, children):
    generate(seed=seed, children=children)
    lead_children = [
        r.child
        for r in WorkingRelationship.objects.filter(
            staff__email=LEAD_PRACTITIONER.email, kind=RelationshipKind.LEAD_PRACTITIONER
        ).select_related("child")
    ]
    assert len(lead_children) == 12
    long_waits = alerts = plans = 0
    for child in lead_children:
        assert ChildProfile.objects.filter(child=child).exists()
        assert child.voice.exists()
        episodes = list(child.education.all())
        assert any(e.end_date is None for e in episodes)
        plans += child.plans.filter(closed_on__isnull=True).exists()
        long_waits += any(
            a.status == AssessmentStatus.WAITING and days_since(a.referred_on) > 730
            for a in child.assessments.all()
        )
        alerts += bool(education_alerts(episodes, REFERENCE_DATE))
    assert plans >= 9
    assert long_waits >= 3
    assert alerts >= 2
    turning_18 = [
        c
        for c in lead_children
        if REFERENCE_DATE
        < eighteenth_birthday(c.date_of_birth)
        <= REFERENCE_DATE.replace(year=REFERENCE_DATE.year + 1)
    ]
    assert turning_18


def test_no_record_blames_the_child(records):
    texts: list[str] = []
    for profile in ChildProfile.objects.all():
        texts += [
            profile.preferred_name,
            profile.communication,
            profile.what_helps,
            profile.what_to_avoid,
            profile.developmental_age_notes,
            profile.strengths,
            profile.interests,
            profile.identity_and_culture,
            profile.wishes,
            profile.preferred_professional,
        ]
    for entry in VoiceEntry.objects.all():
        texts += [
            entry.words,
            entry.setting,
            entry.shared_with_child_and_family,
            entry.child_and_family_views,
        ]
    profile_and_voice = len(texts)
    texts += list(Plan.objects.values_list("outcomes", flat=True))
    texts += list(Plan.objects.values_list("parents_as_partners", flat=True))
    texts += list(PlanAction.objects.values_list("description", flat=True))
    texts += list(PlanReview.objects.values_list("summary", flat=True))
    texts += list(FormulationMeeting.objects.values_list("summary", flat=True))
    texts += list(Need.objects.values_list("description", flat=True))
    assert profile_and_voice > 500
    for words in texts:
        lowered = words.lower()
        for phrase in VICTIM_BLAMING:
            assert phrase not in lowered, words


@pytest.mark.django_db
def test_replacing_the_demo_clears_its_person_index():
    from harbour.identity.models import Person, PersonRecord, SourceRecord

    generate(seed=8, children=40)
    record = SourceRecord.objects.earliest("pk")
    person = Person.objects.create(number=1, child=Child.objects.earliest("pk"))
    PersonRecord.objects.create(source_record=record, person=person, method="batch")
    generate(seed=8, children=40, replace=True)
    assert not Person.objects.exists()
    assert SourceRecord.objects.exists()


def test_demo_staff_have_synthetic_work_telephone_numbers(summary):
    """Who to ring about a child (issue 12, part 7): every account the generator makes has a
    number from Ofcom's range for drama, each different."""
    phones = [s.phone for s in Staff.objects.exclude(job_title=SENCO_TITLE)]
    assert phones and all(p.startswith("01632 960 ") for p in phones)
    assert len(set(phones)) == len(phones)
