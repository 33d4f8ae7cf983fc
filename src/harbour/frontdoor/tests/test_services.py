"""The front door's writes: drafts, completeness, submission, triage, decisions with the manager's
countersignature, feedback and escalation, and the partnership's rules as data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from harbour.access import policy
from harbour.access.models import AuditEvent, RelationshipKind, WorkingRelationship
from harbour.children.codes import Ethnicity
from harbour.children.models import Child
from harbour.frontdoor import selectors, services
from harbour.frontdoor.codes import Concern, Outcome, ServiceClock, Source, Status, Step, Unit
from harbour.frontdoor.models import (
    CompletenessRule,
    DecisionState,
    Notification,
    ServiceLevel,
    SourceTask,
)
from harbour.frontdoor.tests.factories import COMPLETE, confirmed, draft, sent
from harbour.partnership.models import AgencyType, Role
from harbour.testing import hold_record, make_agency, make_child, make_staff

pytestmark = pytest.mark.django_db


def test_a_draft_is_its_authors_alone(partnership):
    referral = draft(partnership)
    assert referral.status == Status.DRAFT
    assert referral.front_door == partnership["csc"]
    for other in ("other_officer", "practitioner", "manager"):
        with pytest.raises(policy.NotFound):
            policy.decide_referral(partnership[other], policy.Action.REFERRAL_MAKE, referral)
    with pytest.raises(policy.NotFound):
        services.referral_answer(actor=partnership["other_officer"], referral=referral, answers={})


def test_required_items_block_sending_and_name_what_is_missing(partnership):
    referral = draft(partnership, what_happened="Seen with older males at the station")
    with pytest.raises(ValidationError) as refused:
        services.referral_submit(actor=partnership["officer"], referral=referral)
    codes = {e.code for e in refused.value.error_list}
    assert {"reason", "child_voice", "ethnicity", "known_needs", "concerns", "urgency"} <= codes
    assert "cultural_heritage" not in codes  # counted in the score, but not required
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT and referral.reference is None


def test_a_complete_referral_is_received_scored_and_on_the_clock(partnership, clock_at):
    # In working hours (out of hours, the emergency duty team's clock applies: ADR 0019).
    before = clock_at(dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC))
    referral = sent(partnership)
    assert referral.status == Status.RECEIVED
    assert referral.reference == f"FD-{referral.received_at:%Y}-{referral.pk:06d}"
    assert referral.completeness_score == 100
    assert referral.completeness_missing == []
    assert referral.service_clock == ServiceClock.TODAY and not referral.received_out_of_hours
    assert referral.rag_due_at == referral.received_at + dt.timedelta(hours=24)
    assert referral.decision_due_at > referral.received_at
    assert referral.received_at >= before
    assert AuditEvent.objects.filter(event="referral.submitted").count() == 1


def test_ethnicity_not_known_is_an_answer_but_voice_needs_words_or_a_reason(partnership):
    referral = sent(
        partnership,
        ethnicity=Ethnicity.NOT_KNOWN,
        child_voice="",
        child_voice_absent_reason="He was in surgery; I will ask him tomorrow.",
        cultural_heritage="",
    )
    assert "ethnicity" not in referral.completeness_missing
    assert "cultural_heritage" in referral.completeness_missing
    assert 0 < referral.completeness_score < 100


def test_the_score_follows_the_partnerships_rules(partnership):
    CompletenessRule.objects.filter(item="cultural_heritage").update(weight=0)
    referral = sent(partnership, cultural_heritage="")
    assert referral.completeness_score == 100
    CompletenessRule.objects.filter(item="cultural_heritage").update(mandatory=True, weight=1)
    with pytest.raises(ValidationError):
        sent(partnership, cultural_heritage="")


def test_working_days_skip_the_weekend():
    level = ServiceLevel(step=Step.DECISION, amount=1, unit=Unit.WORKING_DAYS)
    friday = dt.datetime(2026, 11, 20, 16, 0, tzinfo=dt.UTC)
    assert level.due(friday) == dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)
    assert ServiceLevel(step=Step.RAG, amount=24, unit=Unit.HOURS).due(friday) == friday + (
        dt.timedelta(hours=24)
    )


def test_choosing_a_known_child_needs_them_to_be_findable(partnership):
    known = make_child(partnership["police"], given_name="Kai", family_name="Known")
    hold_record(known, partnership["police"])
    stranger = make_child(make_agency("elsewhere"))
    referral = draft(partnership)
    services.referral_choose_child(actor=partnership["officer"], referral=referral, child=known)
    assert referral.child == known and referral.child_given_name == "Kai"
    with pytest.raises(policy.NotFound):
        services.referral_choose_child(
            actor=partnership["officer"], referral=referral, child=stranger
        )


def test_sending_about_a_known_child_opens_the_front_doors_view_of_them(partnership):
    known = make_child(partnership["police"])
    hold_record(known, partnership["police"])
    referral = draft(partnership, **COMPLETE)
    services.referral_choose_child(actor=partnership["officer"], referral=referral, child=known)
    services.referral_submit(actor=partnership["officer"], referral=referral)
    practitioner = partnership["practitioner"]
    assert policy.relationship_basis(practitioner, known) == "agency:open_referral"


def test_the_front_door_confirms_a_new_child_from_the_referral(partnership):
    referral = sent(partnership)
    practitioner = partnership["practitioner"]
    services.referral_confirm_child(actor=practitioner, referral=referral, create=True)
    child = Child.objects.get(pk=referral.child_id)
    assert (child.given_name, child.date_of_birth) == ("Amari", dt.date(2010, 5, 4))
    assert child.ethnicity == Ethnicity.BLACK_CARIBBEAN
    assert referral.child_confirmed_by == practitioner
    assert policy.relationship_basis(practitioner, child) == "agency:open_referral"


def test_a_new_child_needs_a_name_and_date_of_birth(partnership):
    referral = sent(partnership)
    referral.child_date_of_birth = None
    referral.save()
    with pytest.raises(ValidationError, match="date of birth"):
        services.referral_confirm_child(
            actor=partnership["practitioner"], referral=referral, create=True
        )


def test_only_the_receiving_front_door_triages(partnership):
    referral = sent(partnership)
    elsewhere = make_agency("other-csc", AgencyType.CHILDRENS_SOCIAL_CARE)
    outsider = make_staff(elsewhere, Role.FRONT_DOOR_PRACTITIONER)
    with pytest.raises(policy.NotFound):
        services.referral_rate(actor=outsider, referral=referral, rag="red", rationale="x" * 30)
    with pytest.raises(policy.Forbidden):
        services.referral_rate(
            actor=partnership["officer"], referral=referral, rag="red", rationale="x" * 30
        )
    # The referrer still sees what they sent.
    assert policy.referral_basis(partnership["officer"], referral) == policy.REFERRAL_REFERRER


def test_roth_needs_parents_recorded_as_partners(partnership):
    referral = confirmed(partnership)
    with pytest.raises(ValidationError) as refused:
        services.referral_decide(
            actor=partnership["practitioner"],
            referral=referral,
            outcome=Outcome.RISK_OUTSIDE_THE_HOME,
            rationale="Harm is from exploitation by adults outside the family home.",
            feedback_to_referrer="Accepted onto the ROTH pathway.",
        )
    assert "parents_as_partners" in refused.value.message_dict


def test_a_practitioners_decision_waits_for_a_manager_then_the_referrer_is_told(partnership):
    referral = confirmed(partnership)
    decision = services.referral_decide(
        actor=partnership["practitioner"],
        referral=referral,
        outcome=Outcome.RISK_OUTSIDE_THE_HOME,
        rationale="Harm is from exploitation by adults outside the family home.",
        feedback_to_referrer="Accepted onto the ROTH pathway; a social worker will call you.",
        parents_as_partners="Mother wants help to keep him safe; she is a partner in the plan.",
    )
    referral.refresh_from_db()
    assert referral.status == Status.DECIDED
    assert Notification.objects.filter(recipient=partnership["manager"]).exists()
    assert not Notification.objects.filter(recipient=partnership["officer"]).exists()
    oversight = selectors.oversight(actor=partnership["manager"])
    assert [r.decision for r in oversight.awaiting_countersign] == [decision]

    services.decision_countersign(actor=partnership["manager"], decision=decision, agree=True)
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED and referral.closed_at is not None
    assert Notification.objects.filter(recipient=partnership["officer"], referral=referral)
    # The front door's agency goes on working with the child on the ROTH pathway.
    current = WorkingRelationship.objects.current().filter(
        child=referral.child, agency=partnership["csc"]
    )
    assert set(current.values_list("kind", flat=True)) >= {RelationshipKind.AGENCY_RECORD}
    ended = WorkingRelationship.objects.get(
        child=referral.child, kind=RelationshipKind.OPEN_REFERRAL
    )
    assert ended.ended_on == timezone.localdate()


def test_a_returned_decision_stays_in_the_history(partnership):
    referral = confirmed(partnership)
    decision = services.referral_decide(
        actor=partnership["practitioner"],
        referral=referral,
        outcome=Outcome.NO_FURTHER_ACTION,
        rationale="Police are dealing with the incident; no further concerns at home.",
        feedback_to_referrer="No further action.",
    )
    with pytest.raises(ValidationError):
        services.decision_countersign(
            actor=partnership["manager"], decision=decision, agree=False, note=""
        )
    services.decision_countersign(
        actor=partnership["manager"],
        decision=decision,
        agree=False,
        note="Second stabbing in a month: consider the ROTH pathway.",
    )
    referral.refresh_from_db()
    decision.refresh_from_db()
    assert decision.state == DecisionState.RETURNED
    assert referral.status == Status.RATED
    assert selectors.current_decision(referral) is None
    assert Notification.objects.filter(recipient=partnership["practitioner"]).exists()


def test_a_managers_own_decision_stands(partnership):
    referral = confirmed(partnership)
    decision = services.referral_decide(
        actor=partnership["manager"],
        referral=referral,
        outcome=Outcome.EARLY_HELP,
        rationale="Family are asking for help; early help team have capacity now.",
        feedback_to_referrer="Early help will contact the family this week.",
    )
    assert decision.state == DecisionState.COUNTERSIGNED
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED


def test_a_practitioner_cannot_countersign(partnership):
    referral = confirmed(partnership)
    decision = services.referral_decide(
        actor=partnership["practitioner"],
        referral=referral,
        outcome=Outcome.EARLY_HELP,
        rationale="Family are asking for help; early help team have capacity now.",
        feedback_to_referrer="Early help will contact the family this week.",
    )
    with pytest.raises(policy.Forbidden):
        services.decision_countersign(
            actor=partnership["practitioner"], decision=decision, agree=True
        )


def test_escalation_opens_only_after_the_partnerships_time(partnership):
    referral = sent(partnership)
    with pytest.raises(ValidationError):
        services.referral_escalate(actor=partnership["officer"], referral=referral)
    referral.escalation_from = timezone.now() - dt.timedelta(minutes=1)
    referral.save()
    with pytest.raises(policy.NotFound):
        services.referral_escalate(actor=partnership["other_officer"], referral=referral)
    escalation = services.referral_escalate(
        actor=partnership["officer"], referral=referral, reason="Child seen again last night."
    )
    assert Notification.objects.filter(recipient=partnership["manager"]).exists()
    with pytest.raises(ValidationError):  # one open escalation at a time
        services.referral_escalate(actor=partnership["officer"], referral=referral)
    assert selectors.oversight(actor=partnership["manager"]).escalations == [escalation]
    services.escalation_resolve(
        actor=partnership["manager"], escalation=escalation, resolution="Decided today: CIN."
    )
    assert Notification.objects.filter(
        recipient=partnership["officer"], message__contains="answered"
    ).exists()


def test_an_incomplete_automated_referral_is_accepted_with_a_task_back(partnership):
    referral, _ = services.referral_receive_automated(
        agency=partnership["police"],
        source=Source.API,
        feed="custody",
        source_system="NICHE",
        source_id="CUST-0001",
        answers={
            "child_given_name": "Jay",
            "child_family_name": "Custody-Test",
            "what_happened": "Arrested in possession of a bladed article.",
            "concerns": [Concern.KNIFE_CRIME],
        },
    )
    assert referral.status == Status.RECEIVED and referral.referrer is None
    assert "child_voice" in referral.completeness_missing
    task = SourceTask.objects.get(referral=referral)
    assert task.agency == partnership["police"] and "reason" in task.missing
    event = AuditEvent.objects.get(event="referral.received")
    assert event.actor_username == "api:police"


def test_the_queue_puts_immediate_first_then_the_clock(partnership):
    later = sent(partnership, urgency="routine")
    urgent = sent(partnership, urgency="immediate")
    overdue = sent(partnership, urgency="today")
    overdue.rag_due_at = timezone.now() - dt.timedelta(hours=1)
    overdue.save()
    rows = selectors.front_door_queue(actor=partnership["practitioner"])
    assert [r.referral for r in rows] == [urgent, overdue, later]
    assert rows[1].clock.overdue
    shown = AuditEvent.objects.filter(event="referral.viewed", section="front_door_queue")
    assert shown.count() == 3


def test_rules_are_changed_only_by_an_administrator_and_audited(partnership):
    rule = CompletenessRule.objects.get(item="education_setting")
    with pytest.raises(policy.Forbidden):
        services.completeness_rule_update(
            actor=partnership["manager"], rule=rule, weight=5, mandatory=True
        )
    admin = make_staff(partnership["csc"], Role.ADMINISTRATOR)
    services.completeness_rule_update(actor=admin, rule=rule, weight=5, mandatory=True)
    rule.refresh_from_db()
    assert (rule.weight, rule.mandatory) == (5, True)
    assert AuditEvent.objects.filter(event="frontdoor.rule_changed").exists()


def test_the_childs_chronology_shows_the_referral_and_its_decision(partnership):
    from harbour.children.chronology import Chronology, EntryType, child_chronology

    referral = confirmed(partnership)
    services.referral_decide(
        actor=partnership["manager"],
        referral=referral,
        outcome=Outcome.CHILD_IN_NEED,
        rationale="Needs assessment of the family's capacity to keep him safe.",
        feedback_to_referrer="A child in need assessment has started.",
    )
    chronology = child_chronology(actor=partnership["manager"], child_id=referral.child_id)
    assert isinstance(chronology, Chronology)
    titles = [e.title for e in chronology.entries if e.entry_type == EntryType.REFERRAL]
    assert f"Referral {referral.reference} to the front door" in titles
    assert f"Decision on {referral.reference}: Child in need assessment (section 17)" in titles


def _closed(p):
    referral = confirmed(p)
    services.referral_decide(
        actor=p["manager"],
        referral=referral,
        outcome=Outcome.NO_FURTHER_ACTION,
        rationale="Police are dealing with it; school support is already in place.",
        feedback_to_referrer="No further action; advice given on what to watch for.",
    )
    referral.refresh_from_db()
    return referral


def test_a_manager_reopens_a_closed_referral_with_a_new_clock(partnership):
    referral = _closed(partnership)
    assert referral.status == Status.CLOSED
    with pytest.raises(policy.Forbidden):
        services.referral_reopen(
            actor=partnership["practitioner"], referral=referral, reason="x" * 30
        )
    with pytest.raises(ValidationError):
        services.referral_reopen(actor=partnership["manager"], referral=referral, reason="")
    services.referral_reopen(
        actor=partnership["manager"],
        referral=referral,
        reason="He was stabbed again last night: the decision no longer holds.",
    )
    referral.refresh_from_db()
    assert referral.status == Status.RATED and referral.closed_at is None
    assert referral.decision_due_at > timezone.now()
    assert selectors.current_decision(referral) is None
    assert referral.decisions.get().state == DecisionState.REOPENED
    assert policy.relationship_basis(partnership["practitioner"], referral.child) == (
        "agency:open_referral"
    )
    # and it can be decided again
    services.referral_decide(
        actor=partnership["manager"],
        referral=referral,
        outcome=Outcome.CHILD_PROTECTION,
        rationale="Second stabbing: reasonable cause to suspect significant harm.",
        feedback_to_referrer="A section 47 enquiry has started.",
    )
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED


def test_illegal_transitions_are_refused(partnership):
    p = partnership
    sent_referral = sent(p)
    with pytest.raises(ValidationError):  # sending twice
        services.referral_submit(actor=p["officer"], referral=sent_referral)
    with pytest.raises(ValidationError):  # deciding before the child is confirmed
        services.referral_decide(
            actor=p["practitioner"],
            referral=sent_referral,
            outcome=Outcome.EARLY_HELP,
            rationale="x" * 30,
            feedback_to_referrer="x",
        )
    with pytest.raises(ValidationError):  # reopening an open referral
        services.referral_reopen(actor=p["manager"], referral=sent_referral, reason="x" * 30)
    waiting = confirmed(p)
    decision = services.referral_decide(
        actor=p["practitioner"],
        referral=waiting,
        outcome=Outcome.EARLY_HELP,
        rationale="Family ask for help; early help have capacity now.",
        feedback_to_referrer="Early help will call.",
    )
    with pytest.raises(ValidationError):  # a second decision while one waits
        services.referral_decide(
            actor=p["practitioner"],
            referral=waiting,
            outcome=Outcome.VOLUNTARY_SECTOR,
            rationale="x" * 30,
            feedback_to_referrer="x",
        )
    services.decision_countersign(actor=p["manager"], decision=decision, agree=True)
    with pytest.raises(ValidationError):  # countersigning twice
        services.decision_countersign(actor=p["manager"], decision=decision, agree=True)
    waiting.refresh_from_db()
    for change in (
        lambda: services.referral_rate(
            actor=p["practitioner"], referral=waiting, rag="red", rationale="x" * 30
        ),
        lambda: services.referral_confirm_child(
            actor=p["practitioner"], referral=waiting, create=True
        ),
        lambda: services.referral_decide(
            actor=p["practitioner"],
            referral=waiting,
            outcome=Outcome.EARLY_HELP,
            rationale="x" * 30,
            feedback_to_referrer="x",
        ),
    ):
        with pytest.raises(ValidationError, match="closed"):
            change()
    waiting.escalation_from = timezone.now() - dt.timedelta(days=1)
    waiting.save()
    with pytest.raises(ValidationError):  # escalating a referral that has its outcome
        services.referral_escalate(actor=p["officer"], referral=waiting)
