"""Writes at the front door. Each checks the policy, writes, and records its audit event in the
same transaction. Referrals made on the form and referrals that arrive from other systems meet the
same completeness rules; only the form refuses to send an incomplete one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from harbour.access import policy
from harbour.access import services as access_services
from harbour.access.audit import audit_record
from harbour.access.models import RelationshipKind, WorkingRelationship
from harbour.children.codes import Ethnicity
from harbour.children.models import Child
from harbour.frontdoor import clocks, completeness, messages, presenters
from harbour.frontdoor.codes import (
    HOURS_ONLY_CLOCKS,
    OPEN_STATUSES,
    Outcome,
    Rag,
    ServiceClock,
    Source,
    Status,
    Step,
    Unit,
)
from harbour.frontdoor.models import (
    BankHoliday,
    CompletenessRule,
    DecisionState,
    Escalation,
    Notification,
    Referral,
    ReferralDecision,
    ReferralWordingFinding,
    ServiceLevel,
    SourceTask,
    WorkingHours,
)
from harbour.frontdoor.working_time import WorkingTime
from harbour.language import selectors as language_selectors
from harbour.language import services as language_services
from harbour.language.checker import Checker
from harbour.partnership.models import Agency, Staff, Team, ThresholdGuidance

# Outcomes after which the front door's agency goes on working with the child and so keeps a
# record of them; after the others its sight of the child ends with the referral.
CONTINUING_OUTCOMES = frozenset(
    {
        Outcome.EARLY_HELP,
        Outcome.CHILD_IN_NEED,
        Outcome.CHILD_PROTECTION,
        Outcome.RISK_OUTSIDE_THE_HOME,
    }
)
MIN_RATIONALE = 20


def front_door_agency() -> Agency | None:
    """The agency whose front-door (MASH) team receives the partnership's referrals."""
    team = (
        Team.objects.filter(is_front_door=True, agency__is_active=True)
        .select_related("agency")
        .order_by("pk")
        .first()
    )
    return team.agency if team else None


def rules() -> list[CompletenessRule]:
    return list(CompletenessRule.objects.all())


def assess(referral: Referral) -> completeness.Completeness:
    return completeness.assess(referral, rules())


@dataclass(frozen=True)
class IntakeRules:
    """What receiving a referral reads besides the referral: the front door it goes to, the
    completeness rules, the service levels of every clock and the front door's working time.
    Read once for a batch (a bulk file's rows) and passed to each, rather than read again for
    every referral."""

    front_door: Agency | None
    completeness_rules: tuple[CompletenessRule, ...]
    service_levels: clocks.Levels
    working: WorkingTime
    checker: Checker  # the partnership's language rules, for the text as it arrives


def intake_rules() -> IntakeRules:
    return IntakeRules(
        front_door=front_door_agency(),
        completeness_rules=tuple(rules()),
        service_levels=clocks.service_levels(),
        working=clocks.working_time(),
        checker=language_selectors.partnership_checker(),
    )


#: The referral's free text that the language checker reads: the answers the referral form
#: asks in a checked textarea (a test holds the two lists together).
CHECKED_TEXT_FIELDS = (
    "what_happened",
    "others_involved",
    "reason",
    "child_voice",
    "child_voice_absent_reason",
    "cultural_heritage",
    "needs_detail",
    "consent_reason",
    "actions_taken",
)


def referral_wording_check(referral: Referral, *, checker: Checker | None = None) -> int:
    """Check the text of a referral that arrived from another system and keep what the checker
    found beside it (ADR 0030); the text stays as sent. Returns how many findings."""
    found = language_services.stored_findings_for(
        ReferralWordingFinding,
        texts={name: getattr(referral, name) for name in CHECKED_TEXT_FIELDS},
        checker=checker,
        referral=referral,
    )
    ReferralWordingFinding.objects.bulk_create(found)
    return len(found)


class ReferralIncomplete(ValidationError):
    """A draft refused because items the rules require are missing, one message per item (its
    code the item's key). It carries the assessment, so the page that shows the refusal does not
    assess the referral again."""

    def __init__(self, assessment: completeness.Completeness) -> None:
        super().__init__(
            [
                ValidationError(f"Add {item.label[0].lower()}{item.label[1:]}", code=item.key)
                for item in assessment.blocking
            ]
        )
        self.assessment = assessment


def audit_referral(
    actor: Staff | None,
    event: str,
    referral: Referral,
    *,
    system_actor: str = "",
    subject: Any = None,
    **detail: Any,
) -> None:
    """One audit event about a referral (its child, its reference), for the front door's
    writes; ``subject`` is what was written when it is not the referral itself."""
    audit_record(
        actor=actor,
        system_actor=system_actor,
        event=event,
        child_id=referral.child_id,
        purpose="safeguarding",
        subject=subject if subject is not None else referral,
        detail={"reference": referral.reference or "", **detail},
    )


def start_clock(
    referral: Referral,
    start: dt.datetime,
    *,
    levels: clocks.Levels,
    working: WorkingTime,
    escalation: bool = True,
) -> None:
    """Put the referral on its clock from ``start`` (ADR 0019): which clock its urgency and the
    hour call for, and when its rating, decision and (unless ``escalation`` is False) its
    referrer's escalation fall due, by the partnership's service ``levels`` and ``working``
    time. The demo's history sets its referrals' clocks with it too."""
    timed = clocks.referral_clock(
        urgency=referral.urgency, received=start, levels=levels, working=working
    )
    referral.service_clock = timed.clock
    referral.received_out_of_hours = timed.out_of_hours
    referral.rag_due_at = timed.rag_due_at
    referral.decision_due_at = timed.decision_due_at
    if escalation:
        referral.escalation_from = timed.escalation_from
    referral.rating_overdue_notified_at = None


def _start_clock(
    referral: Referral,
    start: dt.datetime,
    *,
    rules: IntakeRules | None = None,
    escalation: bool = True,
) -> None:
    """``start_clock`` by the levels and working time in ``rules``, or read now."""
    start_clock(
        referral,
        start,
        levels=rules.service_levels if rules else clocks.service_levels(),
        working=rules.working if rules else clocks.working_time(),
        escalation=escalation,
    )


def record_completeness(referral: Referral, result: completeness.Completeness) -> None:
    """Keep on the referral how complete it was as received, by the partnership's rules."""
    referral.completeness_score = result.score
    referral.completeness_missing = [item.key for item in result.missing]


def _notify(recipients: Any, referral: Referral, message: str) -> None:
    Notification.objects.bulk_create(
        Notification(recipient=r, referral=referral, message=message) for r in recipients
    )


def _front_door_managers(agency_id: int) -> Any:
    front_door = Agency.objects.get(pk=agency_id)
    return policy.front_door_managers(front_door, Staff.objects.all())


# Making a referral on the form ------------------------------------------------------------------


@transaction.atomic
def referral_start(*, actor: Staff) -> Referral:
    """A new draft for the actor to fill in, one question at a time."""
    policy.require_capability(actor, policy.Action.REFERRAL_MAKE)
    front_door = front_door_agency()
    if front_door is None:
        raise ValidationError("The partnership has not set up a front door to receive referrals")
    referral = Referral.objects.create(
        front_door=front_door,
        referring_agency=policy.agency_of(actor),
        referring_team=actor.team,
        referrer=actor,
        referrer_name=actor.get_full_name(),
        referrer_contact=actor.email,
    )
    audit_referral(actor, "referral.started", referral)
    return referral


def _draft(actor: Staff, referral: Referral) -> None:
    policy.decide_referral(actor, policy.Action.REFERRAL_MAKE, referral)
    if referral.status != Status.DRAFT:
        raise ValidationError("This referral has already been sent")


@transaction.atomic
def referral_answer(*, actor: Staff, referral: Referral, answers: Mapping[str, Any]) -> Referral:
    """Save one question page's answers on the actor's own draft."""
    _draft(actor, referral)
    for field, value in answers.items():
        setattr(referral, field, value)
    referral.full_clean(exclude=["child", "front_door", "referring_agency", "referrer"])
    referral.save()
    audit_referral(actor, "referral.draft_saved", referral, fields=sorted(answers))
    return referral


@transaction.atomic
def referral_choose_child(*, actor: Staff, referral: Referral, child: Child | None) -> Referral:
    """The referrer found the child in the person index (or says they are not there). The
    child must be one the actor may find; their recorded details fill the stated ones."""
    _draft(actor, referral)
    if child is not None:
        purpose = policy.purpose_for(actor)
        found = policy.findable_children(actor, Child.objects.filter(pk=child.pk), purpose)
        if not found.exists():
            raise policy.NotFound(child.pk)
        referral.child = child
        referral.child_given_name = child.given_name
        referral.child_family_name = child.family_name
        referral.child_date_of_birth = child.date_of_birth
        referral.child_sex = child.sex
        referral.child_postcode = child.postcode
        referral.child_address = child.address_line
        if not referral.ethnicity and child.ethnicity != Ethnicity.NOT_KNOWN:
            referral.ethnicity = child.ethnicity
    else:
        referral.child = None
    referral.save()
    audit_referral(actor, "referral.child_chosen", referral, known=child is not None)
    return referral


def _receive(
    referral: Referral,
    now: dt.datetime,
    *,
    result: completeness.Completeness | None = None,
    rules: IntakeRules | None = None,
) -> completeness.Completeness:
    """Stamp a referral as received: its reference, its completeness (``result`` when it has
    just been assessed) and its clock, under ``rules`` when given."""
    if result is None:
        result = (
            completeness.assess(referral, rules.completeness_rules) if rules else assess(referral)
        )
    referral.status = Status.RECEIVED
    referral.received_at = now
    record_completeness(referral, result)
    _start_clock(referral, now, rules=rules)
    referral.save()
    referral.reference = messages.referral_reference(now, referral.pk)
    referral.save(update_fields=["reference"])
    if referral.child_id is not None:
        _open_relationship(referral, actor=None)
    return result


def _front_door_relationship(
    referral: Referral, kind: RelationshipKind, *, note: str, actor: Staff | None
) -> None:
    """Make sure the referral's front door has a current relationship of this kind with the
    child (one, however many referrals)."""
    assert referral.child_id is not None
    exists = (
        WorkingRelationship.objects.current()
        .filter(child_id=referral.child_id, agency_id=referral.front_door_id, kind=kind)
        .exists()
    )
    if not exists:
        access_services.working_relationship_start(
            child=referral.child,
            kind=kind,
            agency=referral.front_door,
            note=note,
            actor=actor,
            system_actor="" if actor else "frontdoor",
        )


def _open_relationship(referral: Referral, *, actor: Staff | None) -> None:
    """While a referral is open, its front door works with the child (and may see them)."""
    _front_door_relationship(
        referral,
        RelationshipKind.OPEN_REFERRAL,
        note=messages.open_referral_note(referral),
        actor=actor,
    )


@transaction.atomic
def referral_submit(*, actor: Staff, referral: Referral) -> Referral:
    """Send the actor's draft. Refused, with every missing required item named, when the
    partnership's rules say it is not complete enough to send."""
    _draft(actor, referral)
    result = assess(referral)
    if result.blocking:
        raise ReferralIncomplete(result)
    _receive(referral, timezone.now(), result=result)
    audit_referral(actor, "referral.submitted", referral, score=referral.completeness_score)
    return referral


# Referrals from other systems -------------------------------------------------------------------


@transaction.atomic
def referral_receive_automated(
    *,
    agency: Agency,
    source: str,
    feed: str,
    source_system: str,
    source_id: str,
    answers: Mapping[str, Any],
    rules: IntakeRules | None = None,
) -> tuple[Referral, completeness.Completeness]:
    """A referral from a custody, ambulance or ED system. It is never refused for being
    incomplete: it lands at the front door flagged, and the source agency gets a task naming what
    is missing. Validation of the answers' shape belongs to the caller (API schema, file schema).
    A caller receiving many passes ``rules`` (``intake_rules()``) read once for all of them."""
    if source not in (Source.API, Source.BULK):
        raise ValueError(source)
    if rules is None:
        rules = intake_rules()
    front_door = rules.front_door
    if front_door is None:
        raise ValidationError("The partnership has not set up a front door to receive referrals")
    referral = Referral(
        front_door=front_door,
        referring_agency=agency,
        source=source,
        feed=feed,
        source_system=source_system,
        source_id=source_id,
        **answers,
    )
    referral.full_clean(exclude=["child", "front_door", "referring_agency", "referrer"])
    referral.save()
    result = _receive(referral, timezone.now(), rules=rules)
    wording = referral_wording_check(referral, checker=rules.checker)
    if result.missing:
        SourceTask.objects.create(
            referral=referral, agency=agency, missing=[item.key for item in result.missing]
        )
    audit_referral(
        None,
        "referral.received",
        referral,
        system_actor=f"{source}:{agency.code}",
        feed=feed,
        score=referral.completeness_score,
        wording_findings=wording,
    )
    return referral, result


# At the front door ------------------------------------------------------------------------------


def _front_door(actor: Staff, referral: Referral, action: policy.Action) -> None:
    policy.decide_referral(actor, action, referral)
    if not referral.is_open:
        raise ValidationError("This referral has been closed")


@transaction.atomic
def referral_confirm_child(
    *, actor: Staff, referral: Referral, child: Child | None = None, create: bool = False
) -> Referral:
    """Confirm who the referral is about: a child Harbour already knows (one the front door may
    find), or — when nobody matches — a new child from the details the referrer gave."""
    _front_door(actor, referral, policy.Action.FRONT_DOOR_TRIAGE)
    if child is None and not create:
        raise ValidationError({"child": "Select the child, or record a new child"})
    if child is not None:
        purpose = policy.purpose_for(actor)
        found = policy.findable_children(actor, Child.objects.filter(pk=child.pk), purpose)
        if not found.exists():
            raise policy.NotFound(child.pk)
    else:
        missing = [
            label
            for label, value in (
                ("first name", referral.child_given_name),
                ("last name", referral.child_family_name),
                ("date of birth", referral.child_date_of_birth),
            )
            if not value
        ]
        if missing:
            raise ValidationError(
                f"The referral does not give the child's {' or '.join(missing)}: ask the "
                "referrer before recording a new child"
            )
        assert referral.child_date_of_birth is not None
        child = Child(
            given_name=referral.child_given_name,
            family_name=referral.child_family_name,
            date_of_birth=referral.child_date_of_birth,
            sex=referral.child_sex or "U",
            ethnicity=referral.ethnicity or Ethnicity.NOT_KNOWN,
            postcode=referral.child_postcode,
            address_line=referral.child_address,
            nhs_number=referral.child_nhs_number,
            recorded_by=referral.front_door,
        )
        child.full_clean()
        child.save()
        audit_record(
            actor=actor, event="child.created", child=child, purpose="safeguarding", subject=child
        )
    referral.child = child
    referral.child_confirmed_at = timezone.now()
    referral.child_confirmed_by = actor
    referral.save(update_fields=["child", "child_confirmed_at", "child_confirmed_by"])
    _open_relationship(referral, actor=actor)
    audit_referral(actor, "referral.child_confirmed", referral, created=create)
    return referral


@transaction.atomic
def referral_allocate(*, actor: Staff, referral: Referral, to: Staff | None) -> Referral:
    """Allocate an open referral to someone at its front door ("assign to me"), or to no one.
    Audited with who had it before."""
    _front_door(actor, referral, policy.Action.FRONT_DOOR_TRIAGE)
    if not referral.is_open:
        raise ValidationError("This referral has been closed")
    refusal = policy.allocation_refusal(actor, referral, to)
    if refusal:
        raise ValidationError({"allocated_to": refusal})
    before = referral.allocated_to.get_username() if referral.allocated_to else ""
    referral.allocated_to = to
    referral.allocated_at = timezone.now() if to is not None else None
    referral.save(update_fields=["allocated_to", "allocated_at"])
    audit_referral(
        actor,
        "referral.allocated",
        referral,
        to=to.get_username() if to else "",
        before=before,
    )
    return referral


@transaction.atomic
def referral_rate(*, actor: Staff, referral: Referral, rag: str, rationale: str) -> Referral:
    _front_door(actor, referral, policy.Action.FRONT_DOOR_TRIAGE)
    if rag not in Rag.values:
        raise ValidationError({"rag": "Select red, amber or green"})
    if len(rationale.strip()) < MIN_RATIONALE:
        raise ValidationError(
            {"rag_rationale": f"Explain the rating in at least {MIN_RATIONALE} characters"}
        )
    referral.rag = rag
    referral.rag_rationale = rationale.strip()
    referral.rag_at = timezone.now()
    referral.rag_by = actor
    if referral.status == Status.RECEIVED:
        referral.status = Status.RATED
    referral.save()
    audit_referral(actor, "referral.rated", referral, rag=rag)
    return referral


@transaction.atomic
def referral_decide(
    *,
    actor: Staff,
    referral: Referral,
    outcome: str,
    rationale: str,
    feedback_to_referrer: str,
    threshold: ThresholdGuidance | None = None,
    parents_as_partners: str = "",
) -> ReferralDecision:
    """Record a decision. A manager's own decision stands at once; a practitioner's waits for a
    manager to countersign it before the referral closes and the referrer is told."""
    _front_door(actor, referral, policy.Action.FRONT_DOOR_TRIAGE)
    errors: dict[str, str] = {}
    if referral.child_id is None:
        errors["outcome"] = "Confirm who the child is before deciding"
    if referral.status == Status.DECIDED:
        errors["outcome"] = "A decision is already waiting for a manager"
    if outcome not in Outcome.values:
        errors["outcome"] = "Select the decision"
    if len(rationale.strip()) < MIN_RATIONALE:
        errors["rationale"] = f"Explain the decision in at least {MIN_RATIONALE} characters"
    if not feedback_to_referrer.strip():
        errors["feedback_to_referrer"] = "Enter what the referrer will be told"
    if outcome == Outcome.RISK_OUTSIDE_THE_HOME and not parents_as_partners.strip():
        errors["parents_as_partners"] = (
            "On the risk outside the home pathway, say how parents and carers will be worked "
            "with as partners in keeping the child safe"
        )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    decision = ReferralDecision.objects.create(
        referral=referral,
        outcome=outcome,
        rationale=rationale.strip(),
        threshold=threshold,
        parents_as_partners=parents_as_partners.strip(),
        feedback_to_referrer=feedback_to_referrer.strip(),
        decided_by=actor,
        decided_at=now,
    )
    referral.status = Status.DECIDED
    referral.save(update_fields=["status"])
    audit_referral(actor, "referral.decided", referral, outcome=outcome)
    if policy.can(actor, policy.Action.FRONT_DOOR_COUNTERSIGN):
        _countersign(actor, decision, note="Decided by a manager", at=now)
    else:
        _notify(
            _front_door_managers(referral.front_door_id),
            referral,
            messages.countersignature_waiting(referral),
        )
    return decision


def _countersign(actor: Staff, decision: ReferralDecision, *, note: str, at: dt.datetime) -> None:
    referral = decision.referral
    decision.state = DecisionState.COUNTERSIGNED
    decision.countersigned_by = actor
    decision.countersigned_at = at
    decision.manager_note = note
    decision.save()
    referral.status = Status.CLOSED
    referral.closed_at = at
    referral.save(update_fields=["status", "closed_at"])
    _close_relationship(referral, actor=actor, outcome=decision.outcome)
    if referral.referrer_id is not None:
        _notify(
            [referral.referrer],
            referral,
            messages.decided(referral),
        )
    audit_referral(actor, "referral.countersigned", referral, outcome=decision.outcome)


def _close_relationship(referral: Referral, *, actor: Staff, outcome: str) -> None:
    assert referral.child_id is not None  # a decision needs a confirmed child
    open_referrals = WorkingRelationship.objects.current().filter(
        child_id=referral.child_id,
        agency_id=referral.front_door_id,
        kind=RelationshipKind.OPEN_REFERRAL,
    )
    others_open = (
        Referral.objects.filter(child_id=referral.child_id, front_door_id=referral.front_door_id)
        .exclude(pk=referral.pk)
        .filter(status__in=OPEN_STATUSES)
        .exists()
    )
    if not others_open:
        for relationship in open_referrals:
            access_services.working_relationship_end(relationship=relationship, actor=actor)
    if outcome in CONTINUING_OUTCOMES:
        _front_door_relationship(
            referral,
            RelationshipKind.AGENCY_RECORD,
            note=f"After referral {referral.reference}",
            actor=actor,
        )


@transaction.atomic
def decision_countersign(
    *, actor: Staff, decision: ReferralDecision, agree: bool, note: str = ""
) -> ReferralDecision:
    """A manager countersigns a practitioner's decision (the referral closes and the referrer is
    told) or returns it with a note saying what to reconsider."""
    referral = decision.referral
    _front_door(actor, referral, policy.Action.FRONT_DOOR_COUNTERSIGN)
    if decision.state != DecisionState.AWAITING_COUNTERSIGN:
        raise ValidationError("This decision is not waiting for a countersignature")
    if agree:
        _countersign(actor, decision, note=note.strip(), at=timezone.now())
        return decision
    if not note.strip():
        raise ValidationError({"note": "Say what the practitioner should reconsider"})
    decision.state = DecisionState.RETURNED
    decision.manager_note = note.strip()
    decision.countersigned_by = actor
    decision.countersigned_at = timezone.now()
    decision.save()
    referral.status = Status.RATED if referral.rag else Status.RECEIVED
    referral.save(update_fields=["status"])
    _notify(
        [decision.decided_by],
        referral,
        messages.decision_returned(referral),
    )
    audit_referral(actor, "referral.decision_returned", referral)
    return decision


@transaction.atomic
def referral_reopen(*, actor: Staff, referral: Referral, reason: str) -> Referral:
    """A manager reopens a closed referral (new information, or a decision that did not hold).
    The decision stays in the history, set aside; the referral goes back on the queue with a new
    clock, and the front door works with the child again."""
    policy.decide_referral(actor, policy.Action.FRONT_DOOR_COUNTERSIGN, referral)
    if referral.status != Status.CLOSED:
        raise ValidationError("Only a closed referral can be reopened")
    if len(reason.strip()) < MIN_RATIONALE:
        raise ValidationError(
            {"reason": f"Explain why it is reopened in at least {MIN_RATIONALE} characters"}
        )
    now = timezone.now()
    referral.decisions.filter(state=DecisionState.COUNTERSIGNED).update(
        state=DecisionState.REOPENED
    )
    referral.status = Status.RATED if referral.rag else Status.RECEIVED
    referral.closed_at = None
    # A new clock from now (immediate, or out of hours if it is reopened in the night); the
    # referrer's time to escalate stays as it was.
    _start_clock(referral, now, escalation=False)
    referral.save()
    if referral.child_id is not None:
        _open_relationship(referral, actor=actor)
    if referral.referrer_id is not None:
        _notify(
            [referral.referrer],
            referral,
            messages.reopened(referral),
        )
    audit_referral(actor, "referral.reopened", referral, reason=reason.strip())
    return referral


# Feedback and escalation ------------------------------------------------------------------------


def may_escalate(referral: Referral, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        referral.is_open
        and referral.escalation_from is not None
        and now >= referral.escalation_from
        and not any(e.resolved_at is None for e in referral.escalations.all())
    )


@transaction.atomic
def referral_escalate(*, actor: Staff, referral: Referral, reason: str = "") -> Escalation:
    """The referrer has had no outcome within the partnership's time: raise it with the front
    door's managers, who must resolve it."""
    policy.decide_referral_escalation(actor, referral)
    if not may_escalate(referral):
        raise ValidationError(
            "You can escalate a referral once the partnership's time for an outcome has passed "
            "and it is still open"
        )
    escalation = Escalation.objects.create(
        referral=referral, raised_by=actor, raised_at=timezone.now(), reason=reason.strip()
    )
    _notify(
        _front_door_managers(referral.front_door_id),
        referral,
        messages.escalated(referral),
    )
    audit_referral(actor, "referral.escalated", referral)
    return escalation


@transaction.atomic
def escalation_resolve(*, actor: Staff, escalation: Escalation, resolution: str) -> Escalation:
    referral = escalation.referral
    policy.decide_referral(actor, policy.Action.FRONT_DOOR_COUNTERSIGN, referral)
    if escalation.resolved_at is not None:
        raise ValidationError("This escalation has already been resolved")
    if not resolution.strip():
        raise ValidationError({"resolution": "Say how the escalation was resolved"})
    escalation.resolved_at = timezone.now()
    escalation.resolved_by = actor
    escalation.resolution = resolution.strip()
    escalation.save()
    _notify(
        [escalation.raised_by],
        referral,
        messages.escalation_answered(referral),
    )
    audit_referral(actor, "referral.escalation_resolved", referral)
    return escalation


# Clocks by urgency: telling the managers (ADR 0019) -----------------------------------------


def rating_overdue_message(referral: Referral) -> str:
    assert referral.rag_due_at is not None and referral.received_at is not None
    allowed = presenters.duration_in_words(referral.rag_due_at - referral.received_at)
    due = timezone.localtime(referral.rag_due_at)
    return (
        f"Immediate referral {referral.reference} was not rated within {allowed}: it was due "
        f"at {due:%H:%M} on {due:%A %-d %B}"
    )


@transaction.atomic
def clock_alerts_notify(
    *, now: dt.datetime | None = None, referral_ids: list[int] | None = None
) -> int:
    """Tell the managers of its front door, once, of each immediate referral not rated within
    its clock: a notification each and an audit event (the banner on their pages says so from
    the moment the clock passes; this is what stays in their messages). Runs when a front-door
    page is drawn (for the referrals in its banner, ``referral_ids``) and from
    ``harbour frontdoor clocks`` for every front door.
    A referral is claimed by a conditional update before anyone is told, so two requests at
    once tell the managers once. Returns how many referrals the managers were told about."""
    now = now or timezone.now()
    overdue = Referral.objects.filter(
        service_clock=ServiceClock.IMMEDIATE,
        status=Status.RECEIVED,
        rag="",
        rag_due_at__lt=now,
        rating_overdue_notified_at__isnull=True,
    ).select_related("front_door")
    if referral_ids is not None:
        overdue = overdue.filter(pk__in=referral_ids)
    told = 0
    for referral in overdue.order_by("rag_due_at", "pk"):
        claimed = Referral.objects.filter(
            pk=referral.pk, rating_overdue_notified_at__isnull=True
        ).update(rating_overdue_notified_at=now)
        if not claimed:
            continue
        recipients = list(policy.front_door_managers(referral.front_door, Staff.objects.all()))
        _notify(recipients, referral, rating_overdue_message(referral))
        audit_referral(
            None,
            "referral.rating_overdue",
            referral,
            system_actor="frontdoor:clocks",
            due=referral.rag_due_at.isoformat() if referral.rag_due_at else "",
            told=len(recipients),
        )
        told += 1
    return told


@transaction.atomic
def notifications_mark_read(*, actor: Staff) -> int:
    unread = Notification.objects.filter(read_at__isnull=True)
    return policy.own_messages(actor, unread).update(read_at=timezone.now())


# The partnership's rules ------------------------------------------------------------------------


@transaction.atomic
def completeness_rule_update(
    *, actor: Staff, rule: CompletenessRule, weight: int, mandatory: bool
) -> CompletenessRule:
    policy.require_capability(actor, policy.Action.FRONT_DOOR_RULES_MANAGE)
    rule.weight = weight
    rule.mandatory = mandatory
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        event="frontdoor.rule_changed",
        subject=rule,
        detail={"item": rule.item, "weight": weight, "mandatory": mandatory},
    )
    return rule


def _service_level_errors(level: ServiceLevel, amount: int, unit: str) -> dict[str, str]:
    """What is wrong with this time for this level, beyond its shape (the form checks that)."""
    if level.clock in HOURS_ONLY_CLOCKS and unit != Unit.HOURS:
        clock = ServiceClock(level.clock).label.lower()
        return {
            "unit": f"The {clock} clock runs in hours, through evenings and weekends: choose "
            "hours, or a referral received on a Friday evening would wait for Monday"
        }
    if level.clock and level.step in (Step.RAG, Step.DECISION) and unit == Unit.HOURS:
        # On one clock the rating cannot be due after the decision it leads to.
        other_step = Step.DECISION if level.step == Step.RAG else Step.RAG
        other = ServiceLevel.objects.filter(
            step=other_step, clock=level.clock, unit=Unit.HOURS
        ).first()
        if other is not None and level.step == Step.RAG and amount > other.amount:
            return {
                "amount": f"The rating must be due no later than the decision, which on this "
                f"clock is due within {other.in_words}"
            }
        if other is not None and level.step == Step.DECISION and amount < other.amount:
            return {
                "amount": f"The decision cannot be due before the rating, which on this clock "
                f"is due within {other.in_words}"
            }
    return {}


@transaction.atomic
def service_level_update(
    *, actor: Staff, level: ServiceLevel, amount: int, unit: str
) -> ServiceLevel:
    """Change the time the front door has for a step on one clock. Referrals keep the clock they
    were received on; the change times the ones received from now on."""
    policy.require_capability(actor, policy.Action.FRONT_DOOR_RULES_MANAGE)
    errors = _service_level_errors(level, amount, unit)
    if errors:
        raise ValidationError(errors)
    level.amount = amount
    level.unit = unit
    level.full_clean()
    level.save()
    audit_record(
        actor=actor,
        event="frontdoor.service_level_changed",
        subject=level,
        detail={"step": level.step, "clock": level.clock, "amount": amount, "unit": unit},
    )
    return level


@transaction.atomic
def working_hours_update(*, actor: Staff, opens_at: dt.time, closes_at: dt.time) -> WorkingHours:
    """Change when the front door's office is open (outside it, referrals are out of hours)."""
    policy.require_capability(actor, policy.Action.FRONT_DOOR_RULES_MANAGE)
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": "The office must close later in the day than it opens"})
    hours = WorkingHours.objects.order_by("pk").first() or WorkingHours()
    hours.opens_at, hours.closes_at = opens_at, closes_at
    hours.full_clean()
    hours.save()
    audit_record(
        actor=actor,
        event="frontdoor.working_hours_changed",
        subject=hours,
        detail={"opens_at": f"{opens_at:%H:%M}", "closes_at": f"{closes_at:%H:%M}"},
    )
    return hours


@transaction.atomic
def bank_holiday_add(*, actor: Staff, day: dt.date, name: str) -> BankHoliday:
    policy.require_capability(actor, policy.Action.FRONT_DOOR_RULES_MANAGE)
    existing = BankHoliday.objects.filter(day=day).first()
    if existing is not None:
        raise ValidationError(
            {"day": f"{day:%-d %B %Y} is already in the list, as {existing.name}"}
        )
    if day.weekday() >= 5:
        raise ValidationError(
            {
                "day": f"{day:%-d %B %Y} is a {day:%A}: weekends are never working days. Add "
                "the weekday the bank holiday moves to (the substitute day)"
            }
        )
    holiday = BankHoliday(day=day, name=name.strip())
    holiday.full_clean()
    holiday.save()
    audit_record(
        actor=actor,
        event="frontdoor.bank_holiday_added",
        subject=holiday,
        detail={"day": day.isoformat(), "name": holiday.name},
    )
    return holiday


@transaction.atomic
def bank_holiday_remove(*, actor: Staff, holiday: BankHoliday) -> BankHoliday:
    policy.require_capability(actor, policy.Action.FRONT_DOOR_RULES_MANAGE)
    audit_record(
        actor=actor,
        event="frontdoor.bank_holiday_removed",
        subject=holiday,
        detail={"day": holiday.day.isoformat(), "name": holiday.name},
    )
    holiday.delete()
    return holiday
