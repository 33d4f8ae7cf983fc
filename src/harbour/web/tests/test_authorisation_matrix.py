"""Every URL x every role (plus anonymous and a deactivated account), requested against the
synthetic partnership and checked against ONE table of expected outcomes. A URL without an entry
fails the suite, so nothing new ships unchecked."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from harbour.access import policy
from harbour.access.models import (
    AccessAlert,
    AuditEvent,
    BreakGlassGrant,
    RelationshipKind,
    WorkingRelationship,
)
from harbour.children.models import Assessment, Child, Need, Plan, PlanAction
from harbour.demo.generator import generate
from harbour.demo.signins import DEMO_SIGN_INS
from harbour.frontdoor import meetings as frontdoor_meetings
from harbour.frontdoor import services as frontdoor_services
from harbour.frontdoor.codes import MEETING_ROLE_AGENCY_TYPES, REQUIRED_MEETING_ROLES
from harbour.frontdoor.models import BankHoliday, RapidResponse, RapidResponseChild
from harbour.identity.models import (
    AgencyEvent,
    EventImport,
    FlagRule,
    HeldRecord,
    Person,
    PersonRecord,
    ReviewPair,
    SourceRecord,
)
from harbour.insight.models import Alert, AlertCheck, AlertMeasure, SourceImport
from harbour.language.models import LanguageRule
from harbour.notices.models import Notice
from harbour.partnership.models import (
    Agency,
    InformationSharingAgreement,
    Role,
    Staff,
    StaffChangeRequest,
    Team,
    ThresholdGuidance,
)

ANONYMOUS = "anonymous"
DEACTIVATED = "deactivated"
PRINCIPALS = [role.value for role in Role] + [ANONYMOUS, DEACTIVATED]
CASEWORK = {
    Role.REFERRER,
    Role.FRONT_DOOR_PRACTITIONER,
    Role.FRONT_DOOR_MANAGER,
    Role.LEAD_PRACTITIONER,
    Role.PANEL_CHAIR,
}
SIGNED_IN = [role.value for role in Role]

OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 403, 404, 405
LOGIN = "login"  # redirected to the sign-in page
CHILD_RECORD = "child's record"  # redirected to a child's record (which decides for itself)
HOME = "home"  # redirected to the home page


def outcomes(default: Any, *, anonymous: Any = LOGIN, **by_role: Any) -> dict[str, Any]:
    table = {p: default for p in SIGNED_IN}
    table.update(by_role)
    table[ANONYMOUS] = anonymous
    table[DEACTIVATED] = anonymous
    return table


def only(roles: Iterable[str], allowed: Any = OK, others: Any = FORBIDDEN) -> dict[str, Any]:
    return outcomes(others, **{str(r): allowed for r in roles})


# url name -> (how to build its arguments, expected outcome per principal)
MATRIX: dict[str, tuple[str, dict[str, Any]]] = {
    "pages:home": ("none", outcomes(OK)),
    "web:sign-in": ("none", outcomes(HOME, anonymous=OK)),
    "web:sign-out": ("none", outcomes(NOT_ALLOWED, anonymous=NOT_ALLOWED)),
    "web:accessibility": ("none", outcomes(OK, anonymous=OK)),
    # Password reset (ADR 0042): open to anyone; a link that is not valid says so (200).
    "web:password-reset": ("none", outcomes(OK, anonymous=OK)),
    "web:password-reset-sent": ("none", outcomes(OK, anonymous=OK)),
    "web:password-reset-confirm": ("reset_link", outcomes(OK, anonymous=OK)),
    "web:password-reset-complete": ("none", outcomes(OK, anonymous=OK)),
    "web:privacy": ("none", outcomes(OK, anonymous=OK)),
    "children:search": ("none", only(CASEWORK)),
    "children:attention": ("none", only(CASEWORK)),
    "children:cohort-report": (
        "none",
        only({Role.STRATEGIC_LEADER, Role.ANALYST, Role.FRONT_DOOR_MANAGER}),
    ),
    "children:summary": ("visible_child", only(CASEWORK)),
    "children:chronology": ("visible_child", only(CASEWORK)),
    "children:break-glass": ("findable_child", only(CASEWORK)),
    "children:record-change": ("visible_child_need", only(CASEWORK)),
    "children:plan-action-add": ("visible_child_plan", only(CASEWORK)),
    "children:plan-review-add": ("visible_child_plan", only(CASEWORK)),
    "children:plan-action-change": ("visible_child_plan_action", only(CASEWORK)),
    "children:need-end": ("visible_child_need_row", only(CASEWORK)),
    "children:assessment-close": ("visible_child_assessment", only(CASEWORK)),
    # POST only: a GET is refused before anything else is looked at.
    "children:plan-action-status": (
        "visible_child_action",
        outcomes(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    ),
    "pages:child-access-log": (
        "access_log_child",
        only({Role.LEAD_PRACTITIONER, Role.DATA_PROTECTION_OFFICER}),
    ),
    "access:break-glass-queue": ("none", only({Role.DATA_PROTECTION_OFFICER})),
    "access:break-glass-review": ("grant", only({Role.DATA_PROTECTION_OFFICER})),
    "access:access-alert": ("access_alert", only({Role.DATA_PROTECTION_OFFICER})),
    "access:audit-trail": ("none", only({Role.DATA_PROTECTION_OFFICER})),
    "access:audit-trail-csv": ("none", only({Role.DATA_PROTECTION_OFFICER})),
    # POST only.
    "access:audit-chain-check": ("none", outcomes(NOT_ALLOWED)),
    # Language: anyone may check their own wording; the check and the rule switch take POST only.
    "language:home": ("none", outcomes(OK)),
    "language:check": ("none", outcomes(NOT_ALLOWED)),
    "language:report": ("none", only({Role.STRATEGIC_LEADER, Role.ANALYST})),
    "language:report-csv": ("none", only({Role.STRATEGIC_LEADER, Role.ANALYST})),
    "language:rules": ("none", only({Role.ADMINISTRATOR})),
    "language:rule-add": ("none", only({Role.ADMINISTRATOR})),
    "language:rule-switch": ("none", outcomes(NOT_ALLOWED)),
    "language:rule-edit": ("language_rule", only({Role.ADMINISTRATOR})),
    "language:rule-delete": ("language_rule", only({Role.ADMINISTRATOR})),
}
# The front door. Referrals are seen by the person who sent them and by the front door they went
# to; anyone else with the capability gets 404, as for a child outside their reach.
REFERRAL_MAKERS = CASEWORK
FRONT_DOOR = {Role.FRONT_DOOR_PRACTITIONER, Role.FRONT_DOOR_MANAGER}
NOT_THEIRS = {Role.LEAD_PRACTITIONER: NOT_FOUND, Role.PANEL_CHAIR: NOT_FOUND}
REPORT_READERS = {Role.STRATEGIC_LEADER, Role.ANALYST, Role.FRONT_DOOR_MANAGER}
AUTHOR_ONLY = outcomes(
    FORBIDDEN, **{str(r): (OK if r == Role.REFERRER else NOT_FOUND) for r in CASEWORK}
)
MATRIX.update(
    {
        "frontdoor:home": ("none", only(REFERRAL_MAKERS)),
        "frontdoor:start": ("none", only(REFERRAL_MAKERS)),
        "frontdoor:notifications": ("none", outcomes(OK)),
        # A draft is its author's alone (the demo referrer wrote it).
        "frontdoor:find-child": (
            "draft",
            AUTHOR_ONLY,
        ),
        "frontdoor:question": (
            "draft_question",
            AUTHOR_ONLY,
        ),
        "frontdoor:check": (
            "draft",
            AUTHOR_ONLY,
        ),
        "frontdoor:choose-child": ("draft", outcomes(NOT_ALLOWED, anonymous=NOT_ALLOWED)),
        # A sent referral: its referrer and the front door see it.
        "frontdoor:detail": ("sent", only(REFERRAL_MAKERS, others=FORBIDDEN) | NOT_THEIRS),
        "frontdoor:sent": ("sent", only(REFERRAL_MAKERS, others=FORBIDDEN) | NOT_THEIRS),
        # Only the referrer escalates.
        "frontdoor:escalate": (
            "sent",
            AUTHOR_ONLY,
        ),
        "frontdoor:queue": ("none", only(FRONT_DOOR)),
        # POST only.
        "frontdoor:allocate": ("sent", outcomes(NOT_ALLOWED)),
        "frontdoor:oversight": ("none", only({Role.FRONT_DOOR_MANAGER})),
        "frontdoor:confirm-child": ("sent", only(FRONT_DOOR)),
        "frontdoor:rate": ("sent", only(FRONT_DOOR)),
        "frontdoor:decide": ("sent", only(FRONT_DOOR)),
        "frontdoor:reopen": ("sent", only({Role.FRONT_DOOR_MANAGER})),
        "frontdoor:countersign": ("decision", only({Role.FRONT_DOOR_MANAGER})),
        "frontdoor:resolve-escalation": ("escalation", only({Role.FRONT_DOOR_MANAGER})),
        "frontdoor:meeting-convene": ("sent", only(FRONT_DOOR)),
        "frontdoor:meeting": ("meeting", only(FRONT_DOOR)),
        "frontdoor:meeting-record": ("meeting", only(FRONT_DOOR)),
        "frontdoor:meeting-action-add": ("meeting", only(FRONT_DOOR)),
        "frontdoor:rapid-responses": ("none", only(FRONT_DOOR)),
        "frontdoor:rapid-incident": ("serious_incident", only(FRONT_DOOR)),
        "frontdoor:rapid-response": ("rapid_response", only(FRONT_DOOR)),
        "frontdoor:rapid-response-contact": ("rapid_response_child", only(FRONT_DOOR)),
        "frontdoor:rapid-response-record": ("rapid_response", only(FRONT_DOOR)),
        # POST only.
        "frontdoor:rapid-response-close": (
            "rapid_response",
            outcomes(NOT_ALLOWED, anonymous=NOT_ALLOWED),
        ),
        "frontdoor:audits": ("none", only({Role.FRONT_DOOR_MANAGER})),
        "frontdoor:audit-add": ("none", only({Role.FRONT_DOOR_MANAGER})),
        "frontdoor:audit": ("audit", only({Role.FRONT_DOOR_MANAGER})),
        "frontdoor:audit-case": ("audit_case", only({Role.FRONT_DOOR_MANAGER})),
        "frontdoor:report": ("none", only(REPORT_READERS)),
        "frontdoor:report-csv": ("report_table", only(REPORT_READERS)),
        "frontdoor:rules": ("none", only({Role.ADMINISTRATOR})),
        "frontdoor:rule-edit": ("rule", only({Role.ADMINISTRATOR})),
        "frontdoor:service-level-edit": ("service_level", only({Role.ADMINISTRATOR})),
        # Clocks by urgency (ADR 0019): the partnership's levels, hours and bank holidays.
        "frontdoor:clock-level-edit": ("clock_level", only({Role.ADMINISTRATOR})),
        "frontdoor:working-hours-edit": ("none", only({Role.ADMINISTRATOR})),
        "frontdoor:bank-holiday-add": ("none", only({Role.ADMINISTRATOR})),
        "frontdoor:bank-holiday-remove": ("bank_holiday", only({Role.ADMINISTRATOR})),
    }
)
# The person index (ADR 0014): the front door reviews pairs and reads people; only its managers
# merge and split people by hand.
MATRIX.update(
    {
        "identity:review-queue": ("none", only(FRONT_DOOR)),
        "identity:review-pair": ("review_pair", only(FRONT_DOOR)),
        "identity:person": ("person", only(FRONT_DOOR)),
        "identity:person-merge": ("person", only({Role.FRONT_DOOR_MANAGER})),
        "identity:person-split": ("person", only({Role.FRONT_DOOR_MANAGER})),
        # Records held back from matching: the front door decides about them, as about pairs.
        "identity:held": ("none", only(FRONT_DOOR)),
        "identity:held-record": ("held_record", only(FRONT_DOOR)),
        # POST only: taking or giving a flag, pair or held record (ADR 0031).
        "identity:allocate": ("worked_item", outcomes(NOT_ALLOWED)),
        "identity:import": ("none", only({Role.ADMINISTRATOR})),
        "identity:events-import": ("none", only({Role.ADMINISTRATOR})),
        "identity:events-import-run": ("events_import", only({Role.ADMINISTRATOR})),
        # The event forms (ADR 0030): the first demo sign-in of each role is the police's referrer
        # (whose system sends events) and the council's lead practitioner (who records missing
        # episodes); the school's designated safeguarding lead is checked in the form's tests.
        "identity:record-start": ("none", only({Role.LEAD_PRACTITIONER})),
        "identity:record-form": ("event_form", only({Role.LEAD_PRACTITIONER})),
        # Nothing typed yet: check your answers goes back to the form, the confirmation to the
        # list of forms.
        "identity:record-check": (
            "event_form",
            only({Role.LEAD_PRACTITIONER}, allowed="302 to /identity/record/missing/"),
        ),
        "identity:record-done": (
            "event_form",
            only({Role.LEAD_PRACTITIONER}, allowed="302 to /identity/record/"),
        ),
        # Who a child has been involved with in agency events: casework, as the chronology.
        "identity:associates": ("visible_child", only(CASEWORK)),
    }
)
ALERTS = {Role.FRONT_DOOR_PRACTITIONER, Role.FRONT_DOOR_MANAGER, Role.LEAD_PRACTITIONER}
MATRIX.update(
    {
        "identity:needs": ("none", only(ALERTS)),
        "identity:flags": ("none", only(ALERTS)),
        "identity:child-needs": ("worked_child", only(ALERTS)),
        "identity:child-flags": ("worked_child", only(ALERTS)),
        "identity:flag-rules": ("none", only({Role.ADMINISTRATOR})),
        "identity:flag-rule-edit": ("flag_rule", only({Role.ADMINISTRATOR})),
        "identity:flag-rule-switch": ("flag_rule", only({Role.ADMINISTRATOR})),
    }
)
# Notices (ADR 0028): everyone signed in has their own; a notice opens only for its recipient
# (here the lead practitioner's), who is sent on to the child's record.
MATRIX.update(
    {
        "notices:list": ("none", outcomes(OK)),
        "notices:settings": ("none", outcomes(OK)),
        "notices:open": (
            "lead_notice",
            outcomes(NOT_FOUND, **{str(Role.LEAD_PRACTITIONER): CHILD_RECORD}),
        ),
    }
)
# The insight store (issue 13; ADR 0022): analysts import and read it, leaders read it.
INSIGHT_READERS = {Role.ANALYST, Role.STRATEGIC_LEADER}
MATRIX.update(
    {
        "insight:store": ("none", only(INSIGHT_READERS)),
        "insight:store-csv": ("none", only(INSIGHT_READERS)),
        "insight:needs": ("none", only(INSIGHT_READERS)),
        "insight:disproportionality": ("none", only(INSIGHT_READERS)),
        "insight:hidden-harm": ("none", only(INSIGHT_READERS)),
        "insight:board-report": ("none", only(INSIGHT_READERS)),
        "insight:board-report-pdf": ("none", only(INSIGHT_READERS)),
        "insight:import": ("none", only({Role.ANALYST})),
        "insight:import-run": ("insight_import", only({Role.ANALYST})),
        # Emerging-pattern alerts (ADR 0034): readers see them; leaders record actions (POST).
        "insight:alerts": ("none", only(INSIGHT_READERS)),
        "insight:alert": ("insight_alert", only(INSIGHT_READERS)),
        # What the check watches: readers see the settings, leaders change them.
        "insight:alert-measures": ("none", only(INSIGHT_READERS)),
        "insight:alert-measure": ("insight_measure", only({Role.STRATEGIC_LEADER})),
    }
)
PARTNERSHIP_VIEWERS = {r for r in Role if policy.ROLE_ACTIONS[r] & {policy.Action.PARTNERSHIP_VIEW}}
PARTNERSHIP_ADMINS = {Role.ADMINISTRATOR}
for name, args in {
    "partnership:home": "none",
    "partnership:agency-list": "none",
    "partnership:agency-detail": "agency",
    "partnership:staff-list": "none",
    "partnership:agreement-list": "none",
    "partnership:agreement-detail": "agreement",
    "partnership:threshold-list": "none",
    "partnership:threshold-detail": "threshold",
    "limits:education-limit-list": "none",
}.items():
    MATRIX[name] = (args, only(PARTNERSHIP_VIEWERS))
for name, args in {
    "partnership:agency-add": "none",
    "partnership:agency-edit": "agency",
    "partnership:team-add": "agency",
    "partnership:team-edit": "team",
    "partnership:staff-add": "none",
    "partnership:staff-edit": "staff",
    "partnership:agreement-add": "none",
    "partnership:agreement-edit": "agreement",
    "partnership:threshold-add": "none",
    "partnership:threshold-edit": "threshold",
    "limits:education-limit-edit": "education_limit",
}.items():
    MATRIX[name] = (args, only(PARTNERSHIP_ADMINS))
# Changes to who can see children (ADR 0018): administrators decide them, the data protection
# officer reads them; withdrawing one takes POST only.
STAFF_CHANGE_READERS = {Role.ADMINISTRATOR, Role.DATA_PROTECTION_OFFICER}
MATRIX.update(
    {
        "partnership:staff-change-list": ("none", only(STAFF_CHANGE_READERS)),
        "partnership:staff-change-detail": ("staff_change", only(STAFF_CHANGE_READERS)),
        "partnership:staff-change-withdraw": (
            "staff_change",
            outcomes(NOT_ALLOWED, anonymous=NOT_ALLOWED),
        ),
    }
)

# Namespaces that guard themselves. There is no Django admin. The automated referrals API (`api`)
# is for other agencies' systems with bearer tokens, not browser sessions: a signed-in session
# counts for nothing there, and its answers to every kind of caller (no token, unknown, revoked,
# wrong agency type, another agency's referral) are tested in frontdoor/tests/test_api.py.
EXEMPT_NAMESPACES: set[str] = {"api"}


def named_urls() -> set[str]:
    found: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or ""
                if ns in EXEMPT_NAMESPACES:
                    continue
                walk(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, (
                    f"URL {pattern.pattern} has no name, so the matrix cannot hold it"
                )
                found.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return found


def test_every_url_has_an_entry_in_the_matrix():
    urls = named_urls()
    assert urls - MATRIX.keys() == set(), "add these URLs to MATRIX"
    assert MATRIX.keys() - urls == set(), "these MATRIX entries name no URL"


@pytest.fixture
def partnership(db):
    generate(seed=11, children=80)
    by_role: dict[str, Staff] = {}
    for sign_in in DEMO_SIGN_INS:
        by_role.setdefault(sign_in.role, Staff.objects.get(email=sign_in.email))
    deactivated = Staff.objects.filter(is_active=False).first()
    assert deactivated is not None
    by_role[DEACTIVATED] = deactivated
    grant = BreakGlassGrant.objects.create(
        child=Child.objects.earliest("pk"),
        staff=by_role[Role.FRONT_DOOR_PRACTITIONER],
        reason="Urgent: child found injured; checking for existing plans",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    # A child known only to the voluntary group that shares nothing with anyone.
    club = Agency.objects.get(code="vcse-no-agreement")
    unreachable = Child.objects.create(
        given_name="Robin",
        family_name="Unreachable",
        date_of_birth=dt.date(2010, 5, 4),
        sex="M",
        recorded_by=club,
    )
    WorkingRelationship.objects.create(
        child=unreachable, agency=club, kind=RelationshipKind.AGENCY_RECORD
    )
    return {
        "users": by_role,
        "grant": grant,
        "unreachable": unreachable,
        **front_door_objects(by_role),
    }


def front_door_objects(by_role: dict[str, Any]) -> dict[str, Any]:
    """A draft and two sent referrals by the demo referrer: one with a decision waiting for a
    manager, one escalated."""
    referrer = by_role[Role.REFERRER]
    complete = {
        "child_given_name": "Sam",
        "child_family_name": "Matrix",
        "child_date_of_birth": dt.date(2011, 2, 3),
        "what_happened": "Assaulted by two older males near the station.",
        "concerns": ["serious_youth_violence"],
        "reason": "Third incident this term; he is frightened to go out.",
        "child_voice": "They said they would come back for me.",
        "ethnicity": "not_known",
        "known_needs": ["not_known"],
        "urgency": "today",
    }

    def sent() -> Any:
        referral = frontdoor_services.referral_start(actor=referrer)
        frontdoor_services.referral_answer(actor=referrer, referral=referral, answers=complete)
        return frontdoor_services.referral_submit(actor=referrer, referral=referral)

    draft = frontdoor_services.referral_start(actor=referrer)
    decided = sent()
    frontdoor_services.referral_confirm_child(
        actor=by_role[Role.FRONT_DOOR_PRACTITIONER], referral=decided, create=True
    )
    decision = frontdoor_services.referral_decide(
        actor=by_role[Role.FRONT_DOOR_PRACTITIONER],
        referral=decided,
        outcome="child_protection",
        rationale="Reasonable cause to suspect significant harm from the assaults.",
        feedback_to_referrer="A section 47 enquiry has started.",
    )
    meeting = frontdoor_meetings.meeting_convene(
        actor=by_role[Role.FRONT_DOOR_PRACTITIONER],
        referral=decided,
        scheduled_for=timezone.now() + dt.timedelta(hours=3),
        agencies={
            role: [Agency.objects.filter(agency_type__in=types).earliest("pk")]
            for role, types in MEETING_ROLE_AGENCY_TYPES.items()
            if role in REQUIRED_MEETING_ROLES
        },
    )
    escalated = sent()
    escalated.escalation_from = timezone.now() - dt.timedelta(hours=1)
    escalated.save()
    escalation = frontdoor_services.referral_escalate(actor=referrer, referral=escalated)
    audit = frontdoor_meetings.audit_create(
        actor=by_role[Role.FRONT_DOOR_MANAGER],
        title="Matrix",
        sampling="random",
        sample_size=2,
        seed=1,
    )
    # A rapid response to the demo's stabbing, with the child harmed linked (the matrix has no
    # person index, so the row is written here rather than by linkage).
    stabbing = AgencyEvent.objects.filter(severity=4, weapon=True, role="victim").latest("pk")
    rapid = RapidResponse.objects.create(
        reference="RR-2026-0001",
        incident=stabbing,
        front_door=by_role[Role.FRONT_DOOR_PRACTITIONER].agency,
        opened_by=by_role[Role.FRONT_DOOR_PRACTITIONER],
        opened_at=timezone.now(),
        convene_by=timezone.now() + dt.timedelta(hours=24),
    )
    RapidResponseChild.objects.create(
        response=rapid, child=Child.objects.earliest("pk"), link="involved", reasons=[]
    )
    return {
        "rapid": rapid,
        "draft": draft,
        "sent": sent(),
        "decision": decision,
        "escalation": escalation,
        "meeting": meeting,
        "audit": audit,
    }


def build_kwargs(kind: str, user: Staff | None, data: dict[str, Any]) -> dict[str, Any]:
    any_child = Child.objects.earliest("pk")
    can_view = user is not None and user.is_active and user.role in CASEWORK
    makers: dict[str, Callable[[], dict[str, Any]]] = {
        "none": dict,
        "reset_link": lambda: {"uidb64": "MQ", "token": "not-a-token"},
        "visible_child": lambda: {
            "child_id": (
                policy.visible_children(user, Child.objects.all()).earliest("pk")
                if can_view
                else any_child
            ).pk
        },
        "visible_child_need": lambda: {
            # Through a working relationship: break-glass opens a record to read, not to change.
            "child_id": (
                policy.visible_children(
                    user, Child.objects.exclude(pk=data["grant"].child_id)
                ).earliest("pk")
                if can_view
                else any_child
            ).pk,
            "part": "need",
        },
        "visible_child_plan": lambda: plan_kwargs(user, data, can_view),
        "visible_child_action": lambda: action_kwargs(user, data, can_view),
        "visible_child_plan_action": lambda: plan_action_kwargs(user, data, can_view),
        "visible_child_need_row": lambda: need_kwargs(user, data, can_view),
        "visible_child_assessment": lambda: assessment_kwargs(user, data, can_view),
        "findable_child": lambda: {
            "child_id": (
                policy.findable_children(user, Child.objects.all(), policy.purpose_for(user))
                .exclude(pk__in=policy.visible_children(user, Child.objects.all()).values("pk"))
                .earliest("pk")
                if can_view
                else any_child
            ).pk
        },
        "access_log_child": lambda: {
            "child_id": (
                WorkingRelationship.objects.filter(
                    staff=user, kind=RelationshipKind.LEAD_PRACTITIONER
                ).first()
                or WorkingRelationship.objects.earliest("pk")
            ).child_id
        },
        "grant": lambda: {"grant_id": data["grant"].pk},
        "access_alert": lambda: {
            "alert_id": (
                AccessAlert.objects.first()
                or AccessAlert.objects.create(
                    rule="many_children",
                    key="matrix",
                    staff=Staff.objects.earliest("pk"),
                    first_seen=timezone.now(),
                    last_seen=timezone.now(),
                    children=30,
                )
            ).pk
        },
        "draft": lambda: {"referral_id": data["draft"].pk},
        "event_form": lambda: {"slug": "missing"},
        "draft_question": lambda: {"referral_id": data["draft"].pk, "slug": "reason"},
        "sent": lambda: {"referral_id": data["sent"].pk},
        "decision": lambda: {"decision_id": data["decision"].pk},
        "escalation": lambda: {"escalation_id": data["escalation"].pk},
        "meeting": lambda: {"meeting_id": data["meeting"].pk},
        "audit": lambda: {"audit_id": data["audit"].pk},
        "serious_incident": lambda: {"event_id": data["rapid"].incident_id},
        "rapid_response": lambda: {"response_id": data["rapid"].pk},
        "rapid_response_child": lambda: {
            "response_id": data["rapid"].pk,
            "row_id": data["rapid"].children.earliest("pk").pk,
        },
        "audit_case": lambda: {"case_id": data["audit"].cases.earliest("pk").pk},
        "report_table": lambda: {"table": "concerns"},
        "rule": lambda: {"item": "reason"},
        "service_level": lambda: {"step": "strategy_meeting"},
        "clock_level": lambda: {"clock": "immediate", "step": "rag"},
        "bank_holiday": lambda: {"holiday_id": BankHoliday.objects.earliest("pk").pk},
        "agency": lambda: {"pk": Agency.objects.earliest("pk").pk},
        "team": lambda: {"pk": Team.objects.earliest("pk").pk},
        "staff": lambda: {"pk": Staff.objects.earliest("pk").pk},
        # The demo leaves one change waiting for a second administrator.
        "staff_change": lambda: {"pk": StaffChangeRequest.objects.earliest("pk").pk},
        "agreement": lambda: {"pk": InformationSharingAgreement.objects.earliest("pk").pk},
        "threshold": lambda: {"pk": ThresholdGuidance.objects.earliest("pk").pk},
        "education_limit": lambda: {"status": "reduced_timetable"},
        "language_rule": language_rule_kwargs,
        "lead_notice": lambda: notice_kwargs(data),
        "review_pair": review_pair_kwargs,
        "person": person_kwargs,
        "held_record": held_record_kwargs,
        # POST only: a GET is refused before the item is looked up.
        "worked_item": lambda: {"kind": "pair", "pk": 1},
        "worked_child": lambda: {
            "child_id": (
                policy.children_worked_with(
                    user, Child.objects.exclude(pk=data["grant"].child_id)
                ).earliest("pk")
                if can_view
                and user is not None
                and policy.can(user, policy.Action.CHILD_ALERTS_VIEW)
                else any_child
            ).pk
        },
        "events_import": lambda: {
            "import_id": (
                EventImport.objects.first()
                or EventImport.objects.create(
                    agency=Agency.objects.earliest("pk"),
                    format="ed-attendance",
                    file_name="riverside-ed.csv",
                    file_hash="0" * 64,
                    started_by=Staff.objects.earliest("pk"),
                    status="rejected",
                )
            ).pk
        },
        "insight_import": lambda: {
            "import_id": (
                SourceImport.objects.first()
                or SourceImport.objects.create(
                    format="police-uk-street",
                    table="police_street",
                    file_name="2024-01-riverside-street.csv",
                    file_hash="0" * 64,
                    status="refused",
                )
            ).pk
        },
        "insight_measure": lambda: {"series": "source_volume"},
        "insight_alert": lambda: {
            "alert_id": (
                Alert.objects.first()
                or Alert.objects.create(
                    measure=AlertMeasure.objects.get_or_create(series="children_searched_share")[0],
                    check_run=AlertCheck.objects.create(month="2026-10"),
                    key="black",
                    key_label="Black, Black British, Black Welsh, Caribbean or African",
                    month="2026-10",
                    observed=19,
                    expected=7.6,
                    probability=0.0007,
                    method="poisson",
                    threshold=0.001,
                    look_back=12,
                    total=40,
                    baseline_share=0.19,
                    baseline=[{"month": "2026-09", "count": 8, "total": 40}] * 12,
                    series=[{"month": "2026-10", "count": 19, "total": 40}],
                )
            ).pk
        },
        "flag_rule": lambda: {
            "pk": (
                FlagRule.objects.filter(is_current=True).first()
                or FlagRule.objects.create(
                    code="matrix", version=1, kind="escalating_severity", title="Matrix"
                )
            ).pk
        },
    }
    return makers[kind]()


def plan_kwargs(user: Staff | None, data: dict[str, Any], can_view: bool) -> dict[str, Any]:
    """A plan of a child the user may change (made here: the matrix is about access), recorded
    by the user's agency, so that it is theirs to see whatever their relationship."""
    children = Child.objects.exclude(pk=data["grant"].child_id)
    child = (
        policy.visible_children(user, children).earliest("pk")
        if can_view
        else children.earliest("pk")
    )
    plan = Plan.objects.create(
        child=child,
        plan_type="child_in_need",
        outcomes="x",
        started_on=dt.date(2026, 1, 5),
        recorded_by_agency=user.agency if user else None,
    )
    return {"child_id": child.pk, "plan_id": plan.pk}


def need_kwargs(user: Staff | None, data: dict[str, Any], can_view: bool) -> dict[str, Any]:
    """An open need of a child the user may change (made here: the matrix is about access)."""
    child_id = plan_kwargs(user, data, can_view)["child_id"]
    need = Need.objects.create(
        child_id=child_id,
        kind="other",
        description="x",
        recorded_by_agency=user.agency if user else None,
    )
    return {"child_id": child_id, "need_id": need.pk}


def assessment_kwargs(user: Staff | None, data: dict[str, Any], can_view: bool) -> dict[str, Any]:
    child_id = plan_kwargs(user, data, can_view)["child_id"]
    assessment = Assessment.objects.create(
        child_id=child_id,
        kind="camhs",
        referred_on=dt.date(2025, 1, 6),
        recorded_by_agency=user.agency if user else None,
    )
    return {"child_id": child_id, "assessment_id": assessment.pk}


def language_rule_kwargs() -> dict[str, Any]:
    """One of the partnership's own language rules (made here: the matrix is about access)."""
    rule, _ = LanguageRule.objects.get_or_create(
        rule_id="local-matrix",
        defaults={
            "pattern": ["sell", "REFLEXIVE"],
            "suggestion": "x",
            "reason": "x",
            "example": "She sold herself.",
            "added_by": Staff.objects.earliest("pk"),
        },
    )
    return {"rule_id": rule.rule_id}


def _front_door_records() -> list[SourceRecord]:
    """Two source records held by the demo front door's own agency."""
    front_door = Staff.objects.get(
        email=next(s.email for s in DEMO_SIGN_INS if s.role == Role.FRONT_DOOR_PRACTITIONER)
    )
    return list(SourceRecord.objects.filter(agency=front_door.agency).order_by("pk")[:2])


def review_pair_kwargs() -> dict[str, Any]:
    """A pair of the front door's own records for review (made here: the matrix is about
    access)."""
    left, right = _front_door_records()
    pair, _ = ReviewPair.objects.get_or_create(record_l=left, record_r=right)
    return {"pair_id": pair.pk}


def person_kwargs() -> dict[str, Any]:
    """A person holding one of the front door's own records."""
    record = _front_door_records()[0]
    person, _ = Person.objects.get_or_create(number=1)
    PersonRecord.objects.get_or_create(
        source_record=record, defaults={"person": person, "method": "manual"}
    )
    return {"number": person.number}


def held_record_kwargs() -> dict[str, Any]:
    """A nameless record of the front door's own agency, held back from matching."""
    agency = _front_door_records()[0].agency
    record, _ = SourceRecord.objects.get_or_create(
        agency=agency,
        source_system="matrix",
        source_id="held",
        defaults={"as_of": dt.date(2026, 1, 5)},
    )
    held, _ = HeldRecord.objects.get_or_create(source_record=record, defaults={"reason": "x"})
    return {"held_id": held.pk}


def action_kwargs(user: Staff | None, data: dict[str, Any], can_view: bool) -> dict[str, Any]:
    plan = plan_kwargs(user, data, can_view)
    action = PlanAction.objects.create(
        plan_id=plan["plan_id"],
        sequence=1,
        description="x",
        owner_agency=Agency.objects.earliest("pk"),
    )
    return {"child_id": plan["child_id"], "action_id": action.pk}


def plan_action_kwargs(user: Staff | None, data: dict[str, Any], can_view: bool) -> dict[str, Any]:
    plan = plan_kwargs(user, data, can_view)
    action = PlanAction.objects.create(
        plan_id=plan["plan_id"],
        sequence=1,
        description="x",
        owner_agency=Agency.objects.earliest("pk"),
    )
    return {**plan, "action_id": action.pk}


def notice_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    """A notice to the lead practitioner about the stabbing, for a child they lead on."""
    lead = data["users"][Role.LEAD_PRACTITIONER]
    relationship = WorkingRelationship.objects.filter(
        staff=lead, kind=RelationshipKind.LEAD_PRACTITIONER
    ).earliest("pk")
    notice, _ = Notice.objects.get_or_create(
        recipient=lead,
        event=data["rapid"].incident,
        defaults={"child_id": relationship.child_id, "text": "Riverside Police has recorded"},
    )
    return {"notice_id": notice.pk}


def observed(response: Any) -> Any:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("web:sign-in")):
            return LOGIN
        if location == reverse("pages:home"):
            return HOME
        if re.fullmatch(r"/children/[0-9a-f-]{36}/", location):
            return CHILD_RECORD
        return f"302 to {location}"
    return response.status_code


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_each_url_answers_each_principal_as_the_matrix_says(client, partnership, principal):
    user = partnership["users"].get(principal)
    if principal != ANONYMOUS:
        client.force_login(user)
    mismatches = []
    for name in sorted(named_urls()):
        kind, expected = MATRIX[name]
        url = reverse(name, kwargs=build_kwargs(kind, user, partnership))
        got = observed(client.get(url))
        if got != expected[principal]:
            mismatches.append(f"{name} {url}: expected {expected[principal]}, got {got}")
    assert mismatches == []


@pytest.mark.parametrize("role", sorted(CASEWORK))
def test_a_child_outside_every_agreement_is_404_and_the_attempt_is_audited(
    client, partnership, role
):
    user = partnership["users"][role]
    out_of_reach = partnership["unreachable"]
    client.force_login(user)
    for name in ("children:summary", "children:break-glass"):
        before = AuditEvent.objects.count()
        response = client.get(reverse(name, args=[out_of_reach.pk]))
        assert response.status_code == NOT_FOUND
        assert out_of_reach.family_name not in response.content.decode()
        # The user's own events: a front-door page may also tell the managers of an immediate
        # referral past its clock (ADR 0019), a system event.
        denial = AuditEvent.objects.filter(sequence__gt=before, actor_id=user.pk).get()
        assert denial.event == "child.access_denied"
        assert denial.outcome == "denied"
        assert denial.child_id == out_of_reach.pk
        assert denial.actor_id == user.pk
