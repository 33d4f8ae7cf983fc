"""Writes to the child's record. Each checks the policy for the section's data category and
records its audit event in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.access.models import RelationshipKind, WorkingRelationship
from harbour.access.services import working_relationship_start
from harbour.children.codes import AssessmentStatus
from harbour.children.models import (
    Assessment,
    Child,
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
from harbour.children.sections import PROFILE_FIELDS, SECTION_CATEGORY
from harbour.partnership.models import Agency, DataCategory, Staff


def require_record_edit(
    *, actor: Staff, child: Child, category: str, entry: Any = None
) -> policy.Decision:
    """May the actor change this part of the child's record? Needs a working relationship (not
    break-glass): adding an entry adds the actor's own agency's data, in any section. Changing
    an ``entry`` already there needs sight of it (``policy.record_entry_shown``); one the actor
    may not see does not exist for them."""
    decision = policy.decide_child(
        actor, policy.Action.CHILD_RECORD_EDIT, child, policy.purpose_for(actor)
    )
    if not decision.allowed:
        # Found only through an agreement: there is nothing here for them to change.
        raise policy.NotFound(child.pk)
    if entry is not None:
        agency_id = getattr(entry, "recorded_by_agency_id", None) or child.recorded_by_id
        if not policy.record_entry_shown(decision, agency_id, category):
            raise policy.NotFound(entry.pk)
    return decision


def _save(*, actor: Staff, obj: Model, child: Child, event: str, section: str, basis: str) -> None:
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        event=event,
        child=child,
        section=section,
        purpose=policy.purpose_for(actor),
        basis=basis,
        subject=obj,
    )


def _recorded(actor: Staff) -> dict[str, Any]:
    return {"recorded_by": actor, "recorded_by_agency": actor.agency}


@transaction.atomic
def child_profile_update(*, actor: Staff, child: Child, part: str, **fields: str) -> ChildProfile:
    """Change one part of the child's profile (how to communicate with them; strengths,
    interests and wishes; faith, heritage and culture), each in its own data category."""
    names = PROFILE_FIELDS.get(part)
    if names is None or not set(fields) <= set(names):
        raise ValueError(f"Not fields of the profile's {part!r} part: {sorted(fields)}")
    category = SECTION_CATEGORY[part]
    existing = ChildProfile.objects.filter(child=child).first()
    decision = require_record_edit(actor=actor, child=child, category=category, entry=existing)
    profile = existing or ChildProfile(child=child, **_recorded(actor))
    for name, value in fields.items():
        setattr(profile, name, value.strip())
    _save(
        actor=actor,
        obj=profile,
        child=child,
        event="child.profile_updated",
        section=part,
        basis=decision.basis,
    )
    return profile


@transaction.atomic
def need_add(
    *,
    actor: Staff,
    child: Child,
    kind: str,
    description: str,
    sen_type: str = "",
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> Need:
    decision = require_record_edit(actor=actor, child=child, category=DataCategory.HEALTH)
    need = Need(
        child=child,
        kind=kind,
        description=description.strip(),
        sen_type=sen_type,
        start_date=start_date,
        end_date=end_date,
        **_recorded(actor),
    )
    _save(
        actor=actor,
        obj=need,
        child=child,
        event="child.need_added",
        section="needs",
        basis=decision.basis,
    )
    return need


@transaction.atomic
def assessment_add(
    *,
    actor: Staff,
    child: Child,
    kind: str,
    referred_on: dt.date,
    status: str,
    provider: str = "",
    completed_on: dt.date | None = None,
    outcome: str = "",
) -> Assessment:
    decision = require_record_edit(actor=actor, child=child, category=DataCategory.HEALTH)
    assessment = Assessment(
        child=child,
        kind=kind,
        provider=provider.strip(),
        referred_on=referred_on,
        status=status,
        completed_on=completed_on,
        outcome=outcome.strip(),
        **_recorded(actor),
    )
    _save(
        actor=actor,
        obj=assessment,
        child=child,
        event="child.assessment_added",
        section="needs",
        basis=decision.basis,
    )
    return assessment


def _not_in_future(field: str, value: dt.date, label: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: f"{label} must be today or in the past"})


@transaction.atomic
def need_end(*, actor: Staff, child: Child, need_id: int, end_date: dt.date) -> Need:
    """The need has ended (met, resolved or no longer relevant). The row stays in the record,
    with the date it ended."""
    need = Need.objects.select_for_update().filter(pk=need_id, child=child).first()
    if need is None:
        raise policy.NotFound(need_id)
    decision = require_record_edit(
        actor=actor, child=child, category=DataCategory.HEALTH, entry=need
    )
    if need.end_date is not None:
        raise ValidationError(f"This need already ended on {need.end_date:%-d %B %Y}")
    _not_in_future("end_date", end_date, "The date the need ended")
    if need.start_date is not None and end_date < need.start_date:
        raise ValidationError(
            {
                "end_date": "The date the need ended must be the same as or after it started, "
                f"{need.start_date:%-d %B %Y}"
            }
        )
    need.end_date = end_date
    _save(
        actor=actor,
        obj=need,
        child=child,
        event="child.need_ended",
        section="needs",
        basis=decision.basis,
    )
    return need


@transaction.atomic
def assessment_close(
    *,
    actor: Staff,
    child: Child,
    assessment_id: int,
    status: str,
    completed_on: dt.date,
    outcome: str = "",
) -> Assessment:
    """A pending assessment is completed (with its outcome) or withdrawn: the wait ends on
    ``completed_on`` and the child leaves the waiting lists and counts."""
    assessment = (
        Assessment.objects.select_for_update().filter(pk=assessment_id, child=child).first()
    )
    if assessment is None:
        raise policy.NotFound(assessment_id)
    decision = require_record_edit(
        actor=actor, child=child, category=DataCategory.HEALTH, entry=assessment
    )
    if assessment.status != AssessmentStatus.WAITING:
        raise ValidationError(
            f"This assessment is already {assessment.get_status_display().lower()}"
        )
    if status not in (AssessmentStatus.COMPLETED, AssessmentStatus.WITHDRAWN):
        raise ValidationError(
            {"status": "Select whether the assessment was completed or withdrawn"}
        )
    outcome = outcome.strip()
    if status == AssessmentStatus.COMPLETED and not outcome:
        raise ValidationError({"outcome": "Enter the outcome of the assessment"})
    _not_in_future("completed_on", completed_on, "The date completed or withdrawn")
    if completed_on < assessment.referred_on:
        raise ValidationError(
            {
                "completed_on": "The date completed or withdrawn must be the same as or after "
                f"the date referred, {assessment.referred_on:%-d %B %Y}"
            }
        )
    assessment.status = status
    assessment.completed_on = completed_on
    assessment.outcome = outcome
    _save(
        actor=actor,
        obj=assessment,
        child=child,
        event=f"child.assessment_{status}",
        section="needs",
        basis=decision.basis,
    )
    return assessment


@transaction.atomic
def voice_entry_add(
    *,
    actor: Staff,
    child: Child,
    said_on: dt.date,
    words: str,
    setting: str = "",
    shared_with_child_and_family: str = "",
    child_and_family_views: str = "",
) -> VoiceEntry:
    decision = require_record_edit(actor=actor, child=child, category=DataCategory.SOCIAL_CARE)
    entry = VoiceEntry(
        child=child,
        said_on=said_on,
        words=words.strip(),
        setting=setting.strip(),
        shared_with_child_and_family=shared_with_child_and_family.strip(),
        child_and_family_views=child_and_family_views.strip(),
        **_recorded(actor),
    )
    _save(
        actor=actor,
        obj=entry,
        child=child,
        event="child.voice_recorded",
        section="voice",
        basis=decision.basis,
    )
    return entry


@transaction.atomic
def education_episode_add(
    *,
    actor: Staff,
    child: Child,
    status: str,
    start_date: dt.date,
    setting: Agency | None = None,
    setting_name: str = "",
    end_date: dt.date | None = None,
    hours_per_week: Decimal | None = None,
    attendance_percent: int | None = None,
) -> EducationEpisode:
    decision = require_record_edit(actor=actor, child=child, category=DataCategory.EDUCATION)
    episode = EducationEpisode(
        child=child,
        status=status,
        start_date=start_date,
        end_date=end_date,
        setting=setting,
        setting_name=setting_name.strip(),
        hours_per_week=hours_per_week,
        attendance_percent=attendance_percent,
        **_recorded(actor),
    )
    _save(
        actor=actor,
        obj=episode,
        child=child,
        event="child.education_added",
        section="education",
        basis=decision.basis,
    )
    return episode


@transaction.atomic
def family_member_add(
    *,
    actor: Staff,
    child: Child,
    relationship: str,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None = None,
    related_child: Child | None = None,
    has_parental_responsibility: bool = False,
    lives_with_child: bool = False,
) -> FamilyMember:
    decision = require_record_edit(actor=actor, child=child, category=DataCategory.FAMILY)
    if related_child is not None:
        if related_child.pk == child.pk:
            raise ValidationError({"related_child": "A child cannot be their own family member"})
        if not policy.visible_children(actor, Child.objects.filter(pk=related_child.pk)).exists():
            raise ValidationError({"related_child": "Select a child from the list"})
    member = FamilyMember(
        child=child,
        relationship=relationship,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        date_of_birth=date_of_birth,
        related_child=related_child,
        has_parental_responsibility=has_parental_responsibility,
        lives_with_child=lives_with_child,
    )
    _save(
        actor=actor,
        obj=member,
        child=child,
        event="child.family_member_added",
        section="family",
        basis=decision.basis,
    )
    return member


@transaction.atomic
def plan_add(
    *,
    actor: Staff,
    child: Child,
    plan_type: str,
    outcomes: str,
    started_on: dt.date,
    review_due: dt.date | None = None,
    parents_as_partners: str = "",
) -> Plan:
    decision = require_record_edit(actor=actor, child=child, category=DataCategory.SOCIAL_CARE)
    plan = Plan(
        child=child,
        plan_type=plan_type,
        outcomes=outcomes.strip(),
        started_on=started_on,
        review_due=review_due,
        parents_as_partners=parents_as_partners.strip(),
        **_recorded(actor),
    )
    _save(
        actor=actor,
        obj=plan,
        child=child,
        event="child.plan_added",
        section="plans",
        basis=decision.basis,
    )
    return plan


@transaction.atomic
def plan_action_add(
    *,
    actor: Staff,
    child: Child,
    plan: Plan,
    sequence: int,
    description: str,
    owner_agency: Agency,
    owner_name: str = "",
    due_on: dt.date | None = None,
    chosen_by_child: bool = False,
) -> PlanAction:
    if plan.child_id != child.pk:
        raise policy.NotFound(plan.pk)
    decision = require_record_edit(
        actor=actor, child=child, category=DataCategory.SOCIAL_CARE, entry=plan
    )
    if plan.closed_on is not None:
        raise ValidationError("This plan is closed: add actions to the current plan")
    _make_room(plan, sequence)
    action = PlanAction(
        plan=plan,
        sequence=sequence,
        description=description.strip(),
        owner_agency=owner_agency,
        owner_name=owner_name.strip(),
        due_on=due_on,
        chosen_by_child=chosen_by_child,
    )
    _save(
        actor=actor,
        obj=action,
        child=child,
        event="child.plan_action_added",
        section="plans",
        basis=decision.basis,
    )
    _renumber(plan)
    action.refresh_from_db()
    return action


def _make_room(plan: Plan, sequence: int, *, moving: PlanAction | None = None) -> None:
    """Put an action at ``sequence`` by moving the ones at and after it down one: the child's
    order is kept and no two actions share a place (the database refuses that too). Updated one
    at a time, last first, so the unique constraint holds at every step."""
    later = plan.actions.filter(sequence__gte=sequence).order_by("-sequence")
    if moving is not None:
        later = later.exclude(pk=moving.pk)
    for action in later:
        PlanAction.objects.filter(pk=action.pk).update(sequence=action.sequence + 1)


def _renumber(plan: Plan) -> None:
    """Close the gaps: 1, 2, 3 … in the same order."""
    actions = list(plan.actions.order_by("sequence", "pk"))
    if [a.sequence for a in actions] == list(range(1, len(actions) + 1)):
        return
    top = max(a.sequence for a in actions) + 1
    for offset, action in enumerate(actions):  # out of the way first, then into place
        PlanAction.objects.filter(pk=action.pk).update(sequence=top + offset)
    for place, action in enumerate(actions, start=1):
        PlanAction.objects.filter(pk=action.pk).update(sequence=place)


@transaction.atomic
def plan_action_change(
    *,
    actor: Staff,
    child: Child,
    action_id: int,
    sequence: int,
    description: str,
    owner_agency: Agency,
    owner_name: str = "",
    due_on: dt.date | None = None,
    chosen_by_child: bool = False,
) -> PlanAction:
    """Change an action, its place in the child's order included (the others move to make
    room, then the order is closed up)."""
    action = (
        PlanAction.objects.select_related("plan").filter(pk=action_id, plan__child=child).first()
    )
    if action is None:
        raise policy.NotFound(action_id)
    plan = action.plan
    decision = require_record_edit(
        actor=actor, child=child, category=DataCategory.SOCIAL_CARE, entry=plan
    )
    if plan.closed_on is not None:
        raise ValidationError("This plan is closed")
    if sequence != action.sequence:
        PlanAction.objects.filter(pk=action.pk).update(sequence=0)  # out of the way
        _make_room(plan, sequence, moving=action)
    action.sequence = sequence
    action.description = description.strip()
    action.owner_agency = owner_agency
    action.owner_name = owner_name.strip()
    action.due_on = due_on
    action.chosen_by_child = chosen_by_child
    _save(
        actor=actor,
        obj=action,
        child=child,
        event="child.plan_action_updated",
        section="plans",
        basis=decision.basis,
    )
    _renumber(plan)
    action.refresh_from_db()
    return action


@transaction.atomic
def transition_plan_save(
    *,
    actor: Staff,
    child: Child,
    agreed_on: dt.date,
    adult_services: str = "",
    probation: str = "",
    housing: str = "",
    health: str = "",
) -> TransitionPlan:
    existing = TransitionPlan.objects.filter(child=child).first()
    decision = require_record_edit(
        actor=actor, child=child, category=DataCategory.SOCIAL_CARE, entry=existing
    )
    plan = existing or TransitionPlan(child=child, agreed_on=agreed_on, **_recorded(actor))
    plan.agreed_on = agreed_on
    plan.adult_services, plan.probation = adult_services.strip(), probation.strip()
    plan.housing, plan.health = housing.strip(), health.strip()
    _save(
        actor=actor,
        obj=plan,
        child=child,
        event="child.transition_plan_saved",
        section="transition",
        basis=decision.basis,
    )
    return plan


@transaction.atomic
def formulation_add(
    *, actor: Staff, child: Child, held_on: dt.date, attendees: str, summary: str
) -> FormulationMeeting:
    decision = require_record_edit(actor=actor, child=child, category=DataCategory.SOCIAL_CARE)
    current = child.plans.filter(closed_on__isnull=True).order_by("-started_on").first()
    meeting = FormulationMeeting(
        child=child,
        held_on=held_on,
        attendees=attendees.strip(),
        summary=summary.strip(),
        plan=current,
        **_recorded(actor),
    )
    _save(
        actor=actor,
        obj=meeting,
        child=child,
        event="child.formulation_added",
        section="formulation",
        basis=decision.basis,
    )
    return meeting


@transaction.atomic
def team_member_add(*, actor: Staff, child: Child, staff: Any, kind: str) -> WorkingRelationship:
    """Someone joins the team around the child: from now on the policy lets them see the record."""
    require_record_edit(actor=actor, child=child, category=DataCategory.SOCIAL_CARE)
    try:
        policy.decide_team_appointment(actor, child, staff, kind)
    except policy.AppointmentRefused as refusal:
        raise ValidationError({"staff": str(refusal)}) from None
    if WorkingRelationship.objects.current().filter(child=child, staff=staff, kind=kind).exists():
        raise ValidationError({"staff": f"{staff.get_full_name()} already has this part"})
    return working_relationship_start(
        actor=actor,
        child=child,
        kind=RelationshipKind(kind),
        staff=staff,
        note=f"Added by {actor.get_full_name()}",
    )


@transaction.atomic
def plan_review_add(
    *,
    actor: Staff,
    child: Child,
    plan: Plan,
    held_on: dt.date,
    summary: str,
    child_views: str = "",
    close_plan: bool = False,
    next_review_due: dt.date | None = None,
) -> PlanReview:
    """A review, and when the plan is next reviewed (required unless the review closes it)."""
    if plan.child_id != child.pk:
        raise policy.NotFound(plan.pk)
    decision = require_record_edit(
        actor=actor, child=child, category=DataCategory.SOCIAL_CARE, entry=plan
    )
    if plan.closed_on is not None:
        raise ValidationError("This plan is closed")
    if held_on < plan.started_on:
        raise ValidationError(
            {"held_on": "Date of the review must be on or after the plan started"}
        )
    if not close_plan and next_review_due is None:
        raise ValidationError(
            {"next_review_due": "Enter when the plan will next be reviewed, or close the plan"}
        )
    if not close_plan and next_review_due is not None and next_review_due <= held_on:
        raise ValidationError(
            {"next_review_due": "The next review must be after the date of this review"}
        )
    review = PlanReview(
        plan=plan,
        held_on=held_on,
        summary=summary.strip(),
        child_views=child_views.strip(),
        **_recorded(actor),
    )
    _save(
        actor=actor,
        obj=review,
        child=child,
        event="child.plan_reviewed",
        section="plans",
        basis=decision.basis,
    )
    if close_plan:
        plan.closed_on = held_on
        _save(
            actor=actor,
            obj=plan,
            child=child,
            event="child.plan_closed",
            section="plans",
            basis=decision.basis,
        )
    else:
        plan.review_due = next_review_due
        _save(
            actor=actor,
            obj=plan,
            child=child,
            event="child.plan_review_due_set",
            section="plans",
            basis=decision.basis,
        )
    return review


@transaction.atomic
def plan_action_set_status(
    *, actor: Staff, child: Child, action_id: int, status: str
) -> PlanAction:
    action = (
        PlanAction.objects.select_related("plan").filter(pk=action_id, plan__child=child).first()
    )
    if action is None:
        raise policy.NotFound(action_id)
    decision = require_record_edit(
        actor=actor, child=child, category=DataCategory.SOCIAL_CARE, entry=action.plan
    )
    if action.plan.closed_on is not None:
        raise ValidationError("This plan is closed")
    action.status = status
    _save(
        actor=actor,
        obj=action,
        child=child,
        event="child.plan_action_updated",
        section="plans",
        basis=decision.basis,
    )
    return action
