"""One rich synthetic partnership for the test that walks every page showing child data
(``test_child_data_audited``): a council with a front door, police, a hospital, a school and a
boxing club that shares nothing; agreements; children with unique synthetic names (so a name in a
page can only be there on purpose) and their aliases, siblings and family, needs, plans and
education; referrals at every stage, a strategy meeting, an audit of referrals with its findings
fed back, automated referrals; a rapid response; the person index with a review pair and held
records; agencies' events naming a child and an adult; flags, needs discrepancies and a
break-glass grant. Made with ``harbour.testing`` and the real services, as people would."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from harbour.access import services as access_services
from harbour.access.models import RelationshipKind
from harbour.children.codes import (
    AssessmentKind,
    EducationStatus,
    NameKind,
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
    VoiceEntry,
)
from harbour.frontdoor import intake, meetings, rapid, services, tokens
from harbour.frontdoor.codes import AuditQuestion, MeetingRole
from harbour.frontdoor.models import AuditedReferral, Referral
from harbour.identity import flags, needs
from harbour.identity.models import (
    EventCategory,
    EventKind,
    EventParticipant,
    EventRole,
    HeldRecord,
    Person,
    ReviewPair,
    SourceNeed,
    SourceRecord,
)
from harbour.partnership.models import Agency, AgencyType, Role, Staff, Team
from harbour.testing import (
    agency_event,
    hold_record,
    linked_record,
    make_agency,
    make_agreement,
    make_child,
    make_staff,
    relate,
)

#: The referral's answers the referrer gives on every page but the child's (no child named).
ANSWERS: dict[str, Any] = {
    "what_happened": "Stabbed in the leg near the canal path on Friday evening.",
    "concerns": ["serious_youth_violence", "knife_crime"],
    "reason": "Second serious assault in a month; older males are seen collecting him.",
    "child_voice": "I don't feel safe walking home any more.",
    "ethnicity": "white_british",
    "cultural_heritage": "The family are close to their grandmother.",
    "known_needs": ["slcn"],
    "education_setting": "Riverside Academy, reduced timetable",
    "parents_aware": "yes",
    "consent": "given",
    "actions_taken": "First aid, informed the school, child taken home by mother.",
    "urgency": "today",
}


@dataclass
class World:
    today: dt.date
    agencies: dict[str, Agency]
    staff: dict[str, Staff]
    children: dict[str, Child]
    aliases: dict[str, list[str]] = field(default_factory=dict)
    referrals: dict[str, Referral] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)
    api_secret: str = ""

    def child(self, key: str) -> Child:
        return self.children[key]

    def ids(self, *keys: str) -> frozenset[uuid.UUID]:
        return frozenset(self.children[k].pk for k in keys)


def _years_ago(today: dt.date, years: int, days: int = 0) -> dt.date:
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - years, day=28)
    return birthday - dt.timedelta(days=days)


def build_world() -> World:
    today = timezone.localdate()
    agencies = _agencies()
    staff = _staff(agencies)
    children = _children(agencies, staff, today)
    world = World(today=today, agencies=agencies, staff=staff, children=children)
    world.aliases = {
        key: [str(name) for name in child.other_names.all()] for key, child in children.items()
    }
    _records(world)
    _events_and_index(world)
    _referrals(world)
    _rapid(world)
    _alerts(world)
    world.objects["grant"] = access_services.break_glass_grant(
        actor=staff["teacher"],
        child=children["perpetua"],
        reason="Perpetua Vandersloot arrived at school injured; checking for a plan",
    )
    return world


def _agencies() -> dict[str, Agency]:
    council = make_agency("council", AgencyType.CHILDRENS_SOCIAL_CARE, name="Riverside Council")
    police = make_agency("police", AgencyType.POLICE, name="Riverside Police")
    hospital = make_agency("hospital", AgencyType.NHS_TRUST, name="Riverside Hospital")
    school = make_agency("school", AgencyType.SCHOOL, name="Riverside Academy")
    club = make_agency("club", AgencyType.VCSE, name="Riverside Boxing Club")  # shares nothing
    both = ["safeguarding", "prevention"]
    make_agreement(
        council,
        police,
        purposes=both,
        categories=["identity", "family", "criminal", "social_care", "education"],
    )
    make_agreement(council, hospital, purposes=both, categories=["identity", "family", "health"])
    make_agreement(council, school, purposes=both, categories=["identity", "family", "education"])
    return {
        "council": council,
        "police": police,
        "hospital": hospital,
        "school": school,
        "club": club,
    }


def _staff(a: dict[str, Agency]) -> dict[str, Staff]:
    front_door = Team.objects.create(
        agency=a["council"], name="Front Door (MASH)", is_front_door=True
    )
    hub = Team.objects.create(agency=a["police"], name="Safeguarding Hub")

    def person(agency: str, role: str, first: str, last: str, **extra: Any) -> Staff:
        return make_staff(a[agency], role, first_name=first, last_name=last, **extra)

    return {
        "officer": person("police", Role.REFERRER, "Pat", "Constable", team=hub),
        "colleague": person("police", Role.REFERRER, "Sam", "Sergeant", team=hub),
        "practitioner": person(
            "council", Role.FRONT_DOOR_PRACTITIONER, "Fola", "Triage", team=front_door
        ),
        "manager": person("council", Role.FRONT_DOOR_MANAGER, "Mo", "Manager", team=front_door),
        "lead": person("council", Role.LEAD_PRACTITIONER, "Grace", "Lead"),
        "panel": person("council", Role.PANEL_CHAIR, "Pem", "Chair"),
        "dpo": person("council", Role.DATA_PROTECTION_OFFICER, "Dee", "Officer"),
        "analyst": person("council", Role.ANALYST, "Ana", "Lyst"),
        "leader": person("council", Role.STRATEGIC_LEADER, "Lee", "Leader"),
        "admin": person("council", Role.ADMINISTRATOR, "Ad", "Min"),
        "teacher": person("school", Role.REFERRER, "Tess", "Teacher"),
        "nurse": person("hospital", Role.REFERRER, "Nia", "Nurse"),
    }


def _children(a: dict[str, Agency], s: dict[str, Staff], today: dt.date) -> dict[str, Child]:
    def child(key: str, given: str, family: str, born: dt.date, *held_by: str) -> Child:
        made = make_child(
            a["council"], given_name=given, family_name=family, date_of_birth=born, sex="M"
        )
        for agency in held_by:
            hold_record(made, a[agency])
        return made

    c = {
        # The child at the centre: stabbed yesterday, with a lead practitioner and a panel.
        "quillon": child(
            "quillon",
            "Quillon",
            "Marchetti-Oyelaran",
            _years_ago(today, 15, 40),
            "council",
            "police",
            "hospital",
        ),
        # Quillon's sister, at the school.
        "zephyrine": child(
            "zephyrine",
            "Zephyrine",
            "Marchetti-Oyelaran",
            _years_ago(today, 13, 90),
            "council",
            "school",
        ),
        # A cousin with the same last name: a choice in the sibling list, a referral's candidate.
        "octavian": child(
            "octavian", "Octavian", "Marchetti-Oyelaran", _years_ago(today, 12, 10), "council"
        ),
        # The suspect in the stabbing.
        "thaddeus": child(
            "thaddeus",
            "Thaddeus",
            "Brightwater-Nkemelu",
            _years_ago(today, 16, 5),
            "council",
            "police",
        ),
        # Named with Quillon in a robbery in the spring; turns 18 within the year.
        "ysolde": child(
            "ysolde",
            "Ysolde",
            "Featherstonehaugh",
            _years_ago(today, 17, 100),
            "council",
            "police",
        ),
        # Known only to the boxing club, which shares nothing: another child, to everyone else.
        "ambrose": child(
            "ambrose", "Ambrose", "Okonkwo-Lindqvist", _years_ago(today, 15, 200), "club"
        ),
        # Opened by the school's teacher under break-glass; her brother Leopold.
        "perpetua": child(
            "perpetua", "Perpetua", "Vandersloot", _years_ago(today, 14, 30), "council", "police"
        ),
        "leopold": child("leopold", "Leopold", "Vandersloot", _years_ago(today, 11, 3), "council"),
    }
    for key, given, kind in (
        ("quillon", "Quilly", NameKind.NICKNAME),
        ("zephyrine", "Zephy", NameKind.PREFERRED),
        ("thaddeus", "Tadzio", NameKind.ALIAS),
        ("ambrose", "Brosky", NameKind.NICKNAME),
        ("perpetua", "Petrushka", NameKind.PREFERRED),
    ):
        ChildName.objects.create(child=c[key], given_name=given, kind=kind)
    relate(c["quillon"], s["lead"], kind=RelationshipKind.LEAD_PRACTITIONER)
    relate(c["thaddeus"], s["lead"], kind=RelationshipKind.TEAM_AROUND_CHILD)
    relate(c["quillon"], s["panel"], kind=RelationshipKind.PANEL_MEMBERSHIP)
    for older, younger, surname in (
        ("quillon", "zephyrine", "Marchetti-Oyelaran"),
        ("perpetua", "leopold", "Vandersloot"),
    ):
        for child_key, sibling_key in ((older, younger), (younger, older)):
            FamilyMember.objects.create(
                child=c[child_key],
                relationship=Relationship.SIBLING,
                given_name=c[sibling_key].given_name,
                family_name=surname,
                related_child=c[sibling_key],
            )
        FamilyMember.objects.create(
            child=c[older],
            relationship=Relationship.MOTHER,
            given_name="Rosalind",
            family_name=surname,
            has_parental_responsibility=True,
            lives_with_child=True,
        )
    return c


def _records(w: World) -> None:
    """The record's sections, written as the council's practitioners would."""
    council, today, lead = w.agencies["council"], w.today, w.staff["lead"]
    quillon = w.child("quillon")
    recorded = {"recorded_by": lead, "recorded_by_agency": council}
    ChildProfile.objects.create(
        child=quillon,
        communication="Short sentences; check he has understood.",
        strengths="Loyal to his friends; good at boxing.",
        **recorded,
    )
    Need.objects.create(
        child=quillon,
        kind=NeedKind.SLCN,
        description="Speech and language needs",
        start_date=today - dt.timedelta(days=900),
        **recorded,
    )
    Assessment.objects.create(
        child=quillon,
        kind=AssessmentKind.CAMHS,
        referred_on=today - dt.timedelta(days=700),
        **recorded,
    )
    EducationEpisode.objects.create(
        child=quillon,
        setting=w.agencies["school"],
        status=EducationStatus.REDUCED_TIMETABLE,
        start_date=today - dt.timedelta(days=200),
        **recorded,
    )
    VoiceEntry.objects.create(
        child=quillon,
        said_on=today - dt.timedelta(days=20),
        words="I just want to go back to boxing.",
        **recorded,
    )
    plan = Plan.objects.create(
        child=quillon,
        plan_type=PlanType.RISK_OUTSIDE_THE_HOME,
        outcomes="Safe to walk home; back at school full-time.",
        started_on=today - dt.timedelta(days=60),
        **recorded,
    )
    action = PlanAction.objects.create(
        plan=plan,
        sequence=1,
        description="Boxing club sessions twice a week",
        owner_agency=council,
    )
    PlanReview.objects.create(
        plan=plan,
        held_on=today - dt.timedelta(days=10),
        summary="Going to sessions; still scared on the canal path.",
        **recorded,
    )
    FormulationMeeting.objects.create(
        child=quillon,
        held_on=today - dt.timedelta(days=30),
        attendees="Grace Lead, Riverside Council",
        summary="Fear of the older group drives his carrying.",
        plan=plan,
        **recorded,
    )
    w.objects.update(
        plan=plan,
        action=action,
        need=Need.objects.get(child=quillon),
        assessment=Assessment.objects.get(child=quillon),
    )


def _events_and_index(w: World) -> None:
    """Each agency's records of the children, linked in the person index, and what the
    agencies' records say happened (naming one another and an adult who poses a risk)."""
    a, c, today = w.agencies, w.children, w.today
    police = {
        key: linked_record(c[key], a["police"], f"P-{key}")
        for key in ("quillon", "thaddeus", "ysolde", "ambrose", "perpetua")
    }
    hospital_quillon = linked_record(c["quillon"], a["hospital"], "H-quillon")
    # The stabbing yesterday: the police record of Quillon (harmed) names the suspect and an
    # adult; the suspect's own record of it names another boy known only to the boxing club.
    stabbing = agency_event(
        police["quillon"],
        today - dt.timedelta(days=1),
        "OCC-STAB",
        category=EventCategory.WEAPON,
        severity=4,
        summary="Quillon Marchetti-Oyelaran was stabbed in the thigh near the canal path.",
        named=(police["thaddeus"],),
    )
    EventParticipant.objects.create(
        event=stabbing,
        name="Dorian Blackwood-Sterne",
        approximate_age=24,
        is_adult=True,
        poses_risk=True,
        role=EventRole.SUSPECT,
    )
    agency_event(
        police["thaddeus"],
        today - dt.timedelta(days=1),
        "OCC-STAB",
        role=EventRole.SUSPECT,
        category=EventCategory.WEAPON,
        severity=4,
        summary="Thaddeus Brightwater-Nkemelu was arrested near the canal path.",
        named=(police["ambrose"],),
    )
    # A robbery in the spring, on Ysolde's record, naming Quillon: Ysolde is his associate.
    agency_event(
        police["ysolde"],
        today - dt.timedelta(days=200),
        "OCC-ROB",
        category=EventCategory.ROBBERY,
        severity=2,
        summary="Ysolde Featherstonehaugh reported her phone taken at knifepoint.",
        named=(police["quillon"],),
    )
    # Perpetua, in an assault naming the suspect.
    agency_event(
        police["perpetua"],
        today - dt.timedelta(days=40),
        "OCC-PERP",
        category=EventCategory.ASSAULT,
        severity=2,
        summary="Perpetua Vandersloot was pushed over outside the shops.",
        named=(police["thaddeus"],),
    )
    # Ambrose's own serious incident three days ago: the police share it with the front door,
    # but nobody there may know who Ambrose is.
    w.objects["ambrose_incident"] = agency_event(
        police["ambrose"],
        today - dt.timedelta(days=3),
        "OCC-AMB",
        category=EventCategory.VIOLENCE_WITH_INJURY,
        severity=3,
        summary="Ambrose Okonkwo-Lindqvist was punched and kicked by three older boys.",
    )
    # A missing episode with a new adult who poses a risk, and an assault seen only by the ED.
    missing = agency_event(
        police["quillon"],
        today - dt.timedelta(days=50),
        "MIS-1",
        kind=EventKind.MISSING,
        category=EventCategory.MISSING,
        role=EventRole.MISSING_PERSON,
        severity=2,
        summary="Quillon Marchetti-Oyelaran missing overnight; found at a flat in town.",
    )
    EventParticipant.objects.create(
        event=missing,
        name="Dorian Blackwood-Sterne",
        approximate_age=24,
        is_adult=True,
        poses_risk=True,
        role=EventRole.ASSOCIATE,
    )
    agency_event(
        hospital_quillon,
        today - dt.timedelta(days=80),
        "ATT-1",
        kind=EventKind.ED_ATTENDANCE,
        category=EventCategory.ASSAULT,
        role=EventRole.PATIENT,
        severity=3,
        summary="Quillon Marchetti-Oyelaran attended with facial bruising after an assault.",
    )
    SourceNeed.objects.create(
        source_record=hospital_quillon,
        kind="neurodevelopmental",
        detail="ADHD diagnosed by the community paediatrician",
        recorded_on=today - dt.timedelta(days=300),
    )
    w.objects["stabbing"] = stabbing
    # The school's own record of Quillon, not yet linked, with another date of birth: a pair
    # for the front door to review.
    school_quillon = SourceRecord.objects.create(
        agency=a["school"],
        source_system="sims",
        source_id="S-quillon",
        given_name="Quillon",
        family_name="Marchetti-Oyelaran",
        date_of_birth=c["quillon"].date_of_birth - dt.timedelta(days=31),
        as_of=today,
    )
    left, right = sorted([police["quillon"], school_quillon], key=lambda r: r.pk)
    w.objects["pair"] = ReviewPair.objects.create(
        record_l=left, record_r=right, match_probability=0.62, match_weight=1.2
    )
    w.objects["person"] = Person.objects.get(child=c["quillon"])
    # Held records: the hospital's record of Zephyrine with no date of birth (already linked to
    # her person), and a nameless police record.
    held_zephyrine = linked_record(c["zephyrine"], a["hospital"], "H-zephyrine")
    held_zephyrine.date_of_birth = None
    held_zephyrine.save(update_fields=["date_of_birth"])
    w.objects["held_known"] = HeldRecord.objects.create(
        source_record=held_zephyrine, reason="No date of birth or NHS number"
    )
    nameless = SourceRecord.objects.create(
        agency=a["police"], source_system="niche", source_id="P-unknown", as_of=today
    )
    w.objects["held_unknown"] = HeldRecord.objects.create(
        source_record=nameless, reason="No usable name"
    )


def _sent(w: World, child: str | None, **answers: Any) -> Referral:
    officer = w.staff["officer"]
    referral = services.referral_start(actor=officer)
    if child is not None:
        services.referral_choose_child(actor=officer, referral=referral, child=w.child(child))
    services.referral_answer(actor=officer, referral=referral, answers={**ANSWERS, **answers})
    return services.referral_submit(actor=officer, referral=referral)


def _referrals(w: World) -> None:
    officer, practitioner, manager = w.staff["officer"], w.staff["practitioner"], w.staff["manager"]
    r = w.referrals
    # Drafts: one about a child found in Harbour, one typed in.
    r["draft"] = services.referral_start(actor=officer)
    services.referral_choose_child(actor=officer, referral=r["draft"], child=w.child("quillon"))
    r["typed"] = services.referral_start(actor=officer)
    services.referral_answer(
        actor=officer,
        referral=r["typed"],
        answers={"child_given_name": "Orla", "child_family_name": "Typed-Only"},
    )
    # Sent, the child not yet confirmed: the name given is nobody in Harbour, but the last name
    # and date of birth find Octavian as a candidate.
    r["unconfirmed"] = _sent(
        w,
        None,
        child_given_name="Orrin",
        child_family_name="Marchetti-Oyelaran",
        child_date_of_birth=w.child("octavian").date_of_birth,
    )
    # Decided by a practitioner, waiting for a manager.
    r["awaiting"] = _sent(w, "thaddeus")
    services.referral_rate(
        actor=practitioner,
        referral=r["awaiting"],
        rag="amber",
        rationale="Escalating risk outside the home.",
    )
    w.objects["awaiting_decision"] = services.referral_decide(
        actor=practitioner,
        referral=r["awaiting"],
        outcome="child_in_need",
        rationale="Needs an assessment of the risks outside the home.",
        feedback_to_referrer="An assessment has started.",
    )
    # Decided and countersigned, with a strategy meeting held.
    r["decided"] = _sent(w, "quillon")
    decision = services.referral_decide(
        actor=practitioner,
        referral=r["decided"],
        outcome="child_protection",
        rationale="Reasonable cause to suspect significant harm from the stabbing.",
        feedback_to_referrer="A section 47 enquiry has started.",
    )
    services.decision_countersign(actor=manager, decision=decision, agree=True, note="Agreed.")
    meeting = meetings.meeting_convene(
        actor=practitioner,
        referral=r["decided"],
        scheduled_for=timezone.now() - dt.timedelta(hours=2),
        agencies={
            MeetingRole.POLICE: [w.agencies["police"]],
            MeetingRole.HEALTH: [w.agencies["hospital"]],
            MeetingRole.SOCIAL_CARE: [w.agencies["council"]],
            MeetingRole.EDUCATION: [w.agencies["school"]],
        },
    )
    meetings.meeting_record(
        actor=practitioner,
        meeting=meeting,
        held_at=timezone.now() - dt.timedelta(hours=1),
        attendance={invitee.pk: (True, "Someone") for invitee in meeting.agencies.all()},
        decisions="Section 47 enquiry; police to visit.",
    )
    meetings.meeting_action_add(
        actor=practitioner,
        meeting=meeting,
        description="Visit the family",
        owner_agency=w.agencies["police"],
        due_on=w.today + dt.timedelta(days=2),
    )
    w.objects["meeting"] = meeting
    # Escalated by the referrer after the time for an outcome passed.
    r["escalated"] = _sent(w, "ysolde")
    Referral.objects.filter(pk=r["escalated"].pk).update(
        escalation_from=timezone.now() - dt.timedelta(hours=1)
    )
    r["escalated"].refresh_from_db()
    w.objects["escalation"] = services.referral_escalate(
        actor=officer, referral=r["escalated"], reason="No outcome after three days."
    )
    # An automated referral from the police's custody system, decided by a manager.
    secret = tokens.token_create(
        agency=w.agencies["police"], name="custody", system_actor="test"
    ).secret
    w.api_secret = secret
    answer = intake.referral_receive(
        agency=w.agencies["police"],
        feed="custody",
        source_system="niche",
        source_id="CUST-1",
        answers={
            **ANSWERS,
            "child_given_name": "Thaddeus",
            "child_family_name": "Brightwater-Nkemelu",
            "child_date_of_birth": w.child("thaddeus").date_of_birth,
            "referrer_name": "Custody sergeant 1234",
            "referrer_contact": "custody@police.test",
        },
    )
    assert answer.referral is not None
    r["automated"] = Referral.objects.get(pk=answer.referral.pk)
    services.referral_confirm_child(
        actor=manager, referral=r["automated"], child=w.child("thaddeus")
    )
    services.referral_decide(
        actor=manager,
        referral=r["automated"],
        outcome="early_help",
        rationale="Early help through youth work, with the family agreeing.",
        feedback_to_referrer="Thaddeus Brightwater-Nkemelu is offered early help.",
    )
    # An audit of every referral sent, the decided one scored and fed back to the officer's
    # team: the findings name the child.
    audit = meetings.audit_create(
        actor=manager, title="Knife crime referrals", sampling="random", sample_size=50, seed=1
    )
    case = AuditedReferral.objects.get(audit=audit, referral=r["decided"])
    case.referral = Referral.objects.get(pk=r["decided"].pk)
    meetings.audit_score(
        actor=manager,
        case=case,
        scores={q: 3 for q in AuditQuestion},
        findings="Quillon Marchetti-Oyelaran's own words were recorded well; say more about "
        "his culture.",
    )
    meetings.audit_feed_back(actor=manager, case=case)
    w.objects["audit"] = audit
    w.objects["audit_case"] = case
    for key in r:
        r[key] = Referral.objects.get(pk=r[key].pk)


def _rapid(w: World) -> None:
    practitioner = w.staff["practitioner"]
    response = rapid.rapid_response_open(actor=practitioner, incident=w.objects["stabbing"])
    row = response.children.get(child=w.child("zephyrine"))
    rapid.rapid_response_name_contact(
        actor=practitioner, response=response, row=row, contact=w.staff["officer"]
    )
    w.objects["rapid"] = response
    w.objects["rapid_row"] = row
    w.objects["rapid_hidden_row"] = response.children.get(child=w.child("ambrose"))


def _alerts(w: World) -> None:
    """Cumulative-harm flags and needs discrepancies, raised by the real runs."""
    flags.raise_flags()
    needs.reconcile()
