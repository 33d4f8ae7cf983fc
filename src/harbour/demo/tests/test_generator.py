"""The synthetic partnership generator: deterministic, complete, and shaped as the rest of the
suite (and the demo) relies on."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone

from harbour.access import policy
from harbour.access.models import AuditEvent, RelationshipKind, WorkingRelationship
from harbour.children.codes import ONS_TO_DFE, SIBLING_RELATIONSHIPS, Relationship
from harbour.children.models import Child, ChildName, FamilyMember
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
from harbour.demo.signins import (
    DEACTIVATED_EMAIL,
    DEMO_PASSWORD,
    DEMO_SIGN_INS,
    LEAD_PRACTITIONER,
    NO_AGREEMENT_YOUTH_WORKER,
    PANEL_CHAIR,
    REFERRER,
)
from harbour.identity.models import SourceRecord
from harbour.partnership.models import (
    Agency,
    AgencyType,
    DataCategory,
    InformationSharingAgreement,
    Role,
    Staff,
    Team,
    ThresholdGuidance,
    ThresholdLevel,
)

pytestmark = pytest.mark.django_db

SMALL = 120
SCHOOL_PHASE = {s.code: s.phase for s in rv.SCHOOLS}


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
    total_before = AuditEvent.objects.count()
    generate(seed=43, children=SMALL, replace=True)
    assert AuditEvent.objects.count() == total_before + 1
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
        ["identity", "family", "ethnicity", "health", "education"]
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
    assert {r: n for r, n in roles.items() if n != 1} == {Role.REFERRER: 4}
    emails = [s.email for s in DEMO_SIGN_INS]
    assert len(set(emails)) == len(emails)
    assert "dsl@school-990201.demo.harbour.test" in emails
    assert "youthworker@vcse-no-agreement.demo.harbour.test" in emails
    assert "nurse@riverside-ed.demo.harbour.test" in emails


def test_each_demo_sign_in_authenticates_with_the_demo_password(summary):
    for sign_in in DEMO_SIGN_INS:
        user = authenticate(username=sign_in.email, password=DEMO_PASSWORD)
        assert isinstance(user, Staff), sign_in.email
        assert user.is_active
        assert user.role == sign_in.role
        assert user.agency is not None
        assert user.agency.code == sign_in.agency_code
        assert (user.team.name if user.team else "") == sign_in.team_name
        assert user.first_name
        assert user.last_name
        assert authenticate(username=sign_in.email, password="not-the-password") is None
    school = Agency.objects.get(code=rv.FIRST_SECONDARY_CODE)
    assert SCHOOL_PHASE[school.code] == rv.SECONDARY


def test_the_deactivated_account_cannot_sign_in(summary):
    former = Staff.objects.get(email=DEACTIVATED_EMAIL)
    assert former.email == "former.officer@riverside-police.demo.harbour.test"
    assert not former.is_active
    assert former.role == Role.REFERRER
    assert former.agency is not None
    assert former.agency.code == rv.POLICE
    assert authenticate(username=former.email, password=DEMO_PASSWORD) is None


def test_other_staff_have_named_emails_in_their_agency(summary):
    staff = list(Staff.objects.select_related("agency"))
    assert 36 <= len(staff) <= 45
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
    ended = WorkingRelationship.objects.filter(ended_on__isnull=False).get()
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
