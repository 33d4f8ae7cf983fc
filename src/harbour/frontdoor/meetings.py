"""Strategy meetings and multi-agency audits of referrals: the writes, each checked by the policy
and audited in the same transaction (the reads are in ``frontdoor.selectors``)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.frontdoor import clocks, messages
from harbour.frontdoor.codes import (
    MEETING_ROLE_AGENCY_TYPES,
    REQUIRED_MEETING_ROLES,
    AuditGrade,
    AuditQuestion,
    MeetingRole,
    MeetingStatus,
    Outcome,
    Sampling,
    Step,
)
from harbour.frontdoor.models import (
    AuditedReferral,
    MeetingAction,
    MeetingAgency,
    Notification,
    Referral,
    ReferralAudit,
    ServiceLevel,
    StrategyMeeting,
)
from harbour.frontdoor.services import audit_referral
from harbour.frontdoor.working_time import WorkingTime
from harbour.partnership.models import Agency, Staff

# Decisions that call for a strategy meeting.
MEETING_OUTCOMES = frozenset({Outcome.CHILD_PROTECTION, Outcome.RISK_OUTSIDE_THE_HOME})
MAX_SAMPLE = 50


def is_out_of_hours(when: dt.datetime, working: WorkingTime | None = None) -> bool:
    """Outside the front door's working hours (the partnership's, with its bank holidays: the
    same definition that puts a referral on the out-of-hours clock, ADR 0019)."""
    return (working or clocks.working_time()).out_of_hours(when)


def _audit(actor: Staff, event: str, referral: Referral, subject: Any, **detail: Any) -> None:
    audit_referral(actor, event, referral, subject=subject, **detail)


def meeting_decision(referral: Referral) -> Any:
    """The standing (or waiting) decision that calls for a strategy meeting, if any."""
    decision = referral.current_decision()
    return decision if decision is not None and decision.outcome in MEETING_OUTCOMES else None


@transaction.atomic
def meeting_convene(
    *,
    actor: Staff,
    referral: Referral,
    scheduled_for: dt.datetime,
    agencies: Mapping[str, Iterable[Agency]],
) -> StrategyMeeting:
    """Convene a strategy meeting from a decision for a child protection enquiry or the risk
    outside the home pathway, inviting at least police, health, social care and education."""
    policy.decide_referral(actor, policy.Action.FRONT_DOOR_TRIAGE, referral)
    decision = meeting_decision(referral)
    errors: dict[str, list[str]] = {}
    if decision is None or referral.child_id is None:
        raise ValidationError(
            "A strategy meeting is convened from a decision for a child protection enquiry or "
            "the risk outside the home pathway"
        )
    invited: list[tuple[str, Agency]] = []
    for role in MeetingRole:
        chosen = list(agencies.get(role, []))
        allowed = MEETING_ROLE_AGENCY_TYPES[role]
        for agency in chosen:
            if agency.agency_type not in allowed or not agency.is_active:
                errors.setdefault(f"agencies_{role}", []).append(
                    f"{agency} cannot attend as {role.label.lower()}"
                )
            invited.append((role, agency))
        if role in REQUIRED_MEETING_ROLES and not chosen:
            errors.setdefault(f"agencies_{role}", []).append(
                f"Invite {role.label.lower()}: a strategy meeting needs them"
            )
    if scheduled_for < timezone.now() - dt.timedelta(days=7):
        errors.setdefault("scheduled_for", []).append("The meeting date must be this week or later")
    if errors:
        raise ValidationError(errors)
    level = ServiceLevel.objects.filter(step=Step.STRATEGY_MEETING, clock="").first()
    working = clocks.working_time()
    meeting = StrategyMeeting.objects.create(
        referral=referral,
        child_id=referral.child_id,
        convened_by=actor,
        convened_at=timezone.now(),
        scheduled_for=scheduled_for,
        due_by=level.due(decision.decided_at, working) if level else None,
        out_of_hours=is_out_of_hours(scheduled_for, working),
        status=MeetingStatus.PLANNED,
    )
    MeetingAgency.objects.bulk_create(
        MeetingAgency(meeting=meeting, role=role, agency=agency) for role, agency in invited
    )
    _audit(actor, "strategy_meeting.convened", referral, meeting)
    return meeting


@transaction.atomic
def meeting_record(
    *,
    actor: Staff,
    meeting: StrategyMeeting,
    held_at: dt.datetime,
    attendance: Mapping[int, tuple[bool, str]],
    decisions: str,
) -> StrategyMeeting:
    """Record that the meeting was held: when, which invited agencies came (and who), and what
    was decided. Every invited agency is marked as attending or not."""
    policy.decide_referral(actor, policy.Action.FRONT_DOOR_TRIAGE, meeting.referral)
    errors: dict[str, str] = {}
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError("This meeting has already been recorded")
    if held_at > timezone.now():
        errors["held_at"] = "The meeting must have been held: the time cannot be in the future"
    if not decisions.strip():
        errors["decisions"] = "Enter what the meeting decided"
    invited = list(meeting.agencies.all())
    for invitee in invited:
        if invitee.pk not in attendance:
            errors[f"attended_{invitee.pk}"] = f"Say whether {invitee.agency} attended"
    if errors:
        raise ValidationError(errors)
    for invitee in invited:
        invitee.attended, invitee.attendee = attendance[invitee.pk]
        invitee.save(update_fields=["attended", "attendee"])
    meeting.status = MeetingStatus.HELD
    meeting.held_at = held_at
    meeting.recorded_by = actor
    meeting.decisions = decisions.strip()
    meeting.out_of_hours = is_out_of_hours(held_at)
    meeting.save()
    _audit(actor, "strategy_meeting.recorded", meeting.referral, meeting)
    return meeting


@transaction.atomic
def meeting_action_add(
    *,
    actor: Staff,
    meeting: StrategyMeeting,
    description: str,
    owner_agency: Agency,
    due_on: dt.date,
    owner_name: str = "",
) -> MeetingAction:
    policy.decide_referral(actor, policy.Action.FRONT_DOOR_TRIAGE, meeting.referral)
    action = MeetingAction(
        meeting=meeting,
        description=description.strip(),
        owner_agency=owner_agency,
        owner_name=owner_name.strip(),
        due_on=due_on,
    )
    action.full_clean()
    action.save()
    _audit(actor, "strategy_meeting.action_added", meeting.referral, action)
    return action


# Audits of referrals ----------------------------------------------------------------------------


def _sample_pool(actor: Staff, criteria: Mapping[str, Any]) -> Any:
    pool = policy.front_door_referrals(actor, Referral.objects.all())
    if criteria.get("agency"):
        pool = pool.filter(referring_agency_id=criteria["agency"])
    if criteria.get("received_from"):
        pool = pool.filter(received_at__date__gte=criteria["received_from"])
    if criteria.get("received_to"):
        pool = pool.filter(received_at__date__lte=criteria["received_to"])
    if criteria.get("completeness_below") is not None:
        pool = pool.filter(completeness_score__lt=criteria["completeness_below"])
    if criteria.get("concern"):
        # JSON containment differs between SQLite and PostgreSQL; filter in Python instead.
        wanted = criteria["concern"]
        ids = [pk for pk, concerns in pool.values_list("pk", "concerns") if wanted in concerns]
        pool = pool.filter(pk__in=ids)
    return pool.order_by("pk")


def _criteria_for_people(criteria: Mapping[str, Any]) -> dict[str, str]:
    """The criteria as the audit page shows them: names, not ids."""
    shown: dict[str, str] = {}
    for key, value in criteria.items():
        if value in (None, ""):
            continue
        if key == "agency":
            agency = Agency.objects.filter(pk=value).first()
            shown["agency"] = agency.name if agency else str(value)
        elif key == "completeness_below":
            shown[key] = f"{value}%"
        else:
            shown[key] = str(value)
    return shown


@transaction.atomic
def audit_create(
    *,
    actor: Staff,
    title: str,
    sampling: str,
    sample_size: int,
    criteria: Mapping[str, Any] | None = None,
    seed: int | None = None,
) -> ReferralAudit:
    """Draw a sample of the front door's referrals for a multi-agency audit: at random from all
    of them, or from those matching the criteria (an agency, a window, a concern, or referrals
    less complete than a score). The seed is kept, so the sample can be drawn again."""
    policy.require_capability(actor, policy.Action.REFERRAL_AUDIT)
    criteria = dict(criteria or {})
    if sampling not in Sampling.values:
        raise ValidationError({"sampling": "Select how to sample"})
    if not 1 <= sample_size <= MAX_SAMPLE:
        raise ValidationError({"sample_size": f"Sample between 1 and {MAX_SAMPLE} referrals"})
    if sampling == Sampling.TARGETED and not any(v not in (None, "") for v in criteria.values()):
        raise ValidationError({"sampling": "A targeted sample needs at least one criterion"})
    seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31)
    pool = list(
        _sample_pool(actor, criteria if sampling == Sampling.TARGETED else {}).values_list(
            "pk", flat=True
        )
    )
    if not pool:
        raise ValidationError("No referrals match: change the criteria")
    # Seeded on purpose, so that the sample can be drawn again; not a security use.
    chosen = random.Random(seed).sample(pool, min(sample_size, len(pool)))  # noqa: S311
    audit = ReferralAudit.objects.create(
        title=title.strip() or "Referral audit",
        sampling=sampling,
        criteria=_criteria_for_people(criteria),
        sample_size=len(chosen),
        seed=seed,
        created_by=actor,
        front_door=policy.agency_of(actor),
    )
    AuditedReferral.objects.bulk_create(
        AuditedReferral(audit=audit, referral_id=pk) for pk in sorted(chosen)
    )
    audit_record(
        actor=actor,
        event="referral_audit.created",
        subject=audit,
        detail={"sampling": sampling, "size": len(chosen), "seed": seed},
    )
    return audit


@transaction.atomic
def audit_score(
    *, actor: Staff, case: AuditedReferral, scores: Mapping[str, int], findings: str
) -> AuditedReferral:
    policy.decide_referral(actor, policy.Action.REFERRAL_AUDIT, case.referral)
    errors: dict[str, str] = {}
    for question in AuditQuestion:
        if scores.get(question) not in AuditGrade.values:
            errors[f"score_{question}"] = f"Select a grade for: {question.label}"
    if not findings.strip():
        errors["findings"] = "Enter the findings to feed back to the referring team"
    if errors:
        raise ValidationError(errors)
    case.scores = {str(q): int(scores[q]) for q in AuditQuestion}
    case.findings = findings.strip()
    case.audited_by = actor
    case.audited_at = timezone.now()
    case.save()
    _audit(actor, "referral_audit.scored", case.referral, case)
    return case


@transaction.atomic
def audit_feed_back(*, actor: Staff, case: AuditedReferral) -> AuditedReferral:
    """Send the findings to the person who referred and to their team."""
    policy.decide_referral(actor, policy.Action.REFERRAL_AUDIT, case.referral)
    if case.audited_at is None:
        raise ValidationError("Score the referral before feeding back")
    if case.fed_back_at is not None:
        raise ValidationError("The findings have already been fed back")
    referral = case.referral
    recipients = {s.pk: s for s in policy.audit_findings_recipients(referral, Staff.objects.all())}
    if not recipients:
        raise ValidationError(
            f"This referral came from {referral.referring_agency}'s system: nobody in Harbour "
            f"referred it. Share the findings with {referral.referring_agency} directly."
        )
    Notification.objects.bulk_create(
        Notification(
            recipient=r,
            # Every message names its referral, so reading it is audited for the child (the
            # findings are about them); only those who may see the referral can open it.
            referral=referral,
            message=messages.audit_findings(referral, case.findings),
        )
        for r in recipients.values()
    )
    case.fed_back_at = timezone.now()
    case.save(update_fields=["fed_back_at"])
    _audit(actor, "referral_audit.fed_back", referral, case, recipients=len(recipients))
    return case
