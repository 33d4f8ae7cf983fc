"""Writes for the partnership: agencies, teams, staff, information-sharing agreements and
threshold guidance. Each write checks the administrator's capability and records its audit event
in the same transaction; a rule that the data breaks raises ``ValidationError`` keyed by field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.partnership.models import (
    Agency,
    AgencyType,
    InformationSharingAgreement,
    Staff,
    StaffChangeRequest,
    StaffChangeStatus,
    Team,
    ThresholdGuidance,
)

# Shared with the forms, so the same rule reads the same wherever it is caught.
SCHOOL_URN_REQUIRED = "Enter the school's URN"
SCHOOL_URN_FORMAT = "School URN must be 6 digits, like 123456"
TEAM_NOT_IN_AGENCY = "Select a team in the agency you selected, or no team"
CANNOT_DEACTIVATE_SELF = policy.OWN_ACCOUNT_REFUSALS["is_active"]
TOO_FEW_PARTIES = "Select at least two parties"
END_BEFORE_START = "End date must be the same as or after the start date"


def school_urn_problem(agency_type: str, school_urn: str) -> str:
    """What is wrong with a school's URN, or ''. Only schools have one."""
    if agency_type != AgencyType.SCHOOL:
        return ""
    if not school_urn:
        return SCHOOL_URN_REQUIRED
    if not (school_urn.isdigit() and len(school_urn) == 6):
        return SCHOOL_URN_FORMAT
    return ""


def _require_manage(actor: Staff) -> None:
    policy.require_capability(actor, policy.Action.PARTNERSHIP_MANAGE)


def _apply(instance: models.Model, values: dict[str, Any]) -> list[str]:
    """Set the values on the instance and name the fields that changed."""
    changed = []
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _refuse_duplicate(
    queryset: models.QuerySet[Any], instance: models.Model, field: str, message: str
) -> None:
    if queryset.exclude(pk=instance.pk).exists():
        raise ValidationError({field: message})


def _save(instance: models.Model) -> None:
    # The models' own validation (lengths, choices, unique constraints) is the last line.
    instance.full_clean()
    instance.save()


# Agencies -------------------------------------------------------------------------------------


def _agency_check(agency: Agency) -> None:
    problem = school_urn_problem(agency.agency_type, agency.school_urn)
    if problem:
        raise ValidationError({"school_urn": problem})
    _refuse_duplicate(
        Agency.objects.filter(name__iexact=agency.name),
        agency,
        "name",
        "An agency with this name already exists",
    )
    _refuse_duplicate(
        Agency.objects.filter(code__iexact=agency.code),
        agency,
        "code",
        "An agency with this short code already exists",
    )


def _agency_values(
    *, name: str, code: str, agency_type: str, school_urn: str, is_active: bool
) -> dict[str, Any]:
    return {
        "name": name.strip(),
        "code": code.strip(),
        "agency_type": agency_type,
        # Only schools have a URN; a type changed away from school drops it.
        "school_urn": school_urn.strip() if agency_type == AgencyType.SCHOOL else "",
        "is_active": is_active,
    }


@transaction.atomic
def agency_create(
    *,
    actor: Staff,
    name: str,
    code: str,
    agency_type: str,
    school_urn: str = "",
    is_active: bool = True,
) -> Agency:
    _require_manage(actor)
    agency = Agency()
    changed = _apply(
        agency,
        _agency_values(
            name=name,
            code=code,
            agency_type=agency_type,
            school_urn=school_urn,
            is_active=is_active,
        ),
    )
    _agency_check(agency)
    _save(agency)
    audit_record(actor=actor, event="agency.created", subject=agency, detail={"fields": changed})
    return agency


@transaction.atomic
def agency_update(
    *,
    actor: Staff,
    agency: Agency,
    name: str,
    code: str,
    agency_type: str,
    school_urn: str = "",
    is_active: bool = True,
) -> Agency:
    _require_manage(actor)
    changed = _apply(
        agency,
        _agency_values(
            name=name,
            code=code,
            agency_type=agency_type,
            school_urn=school_urn,
            is_active=is_active,
        ),
    )
    if changed:
        _agency_check(agency)
        _save(agency)
        audit_record(
            actor=actor, event="agency.updated", subject=agency, detail={"changed": changed}
        )
    return agency


# Teams ----------------------------------------------------------------------------------------


def _team_check(team: Team) -> None:
    _refuse_duplicate(
        Team.objects.filter(agency_id=team.agency_id, name__iexact=team.name),
        team,
        "name",
        "This agency already has a team with this name",
    )


@transaction.atomic
def team_create(*, actor: Staff, agency: Agency, name: str, is_front_door: bool = False) -> Team:
    _require_manage(actor)
    team = Team(agency=agency)
    changed = _apply(team, {"name": name.strip(), "is_front_door": is_front_door})
    _team_check(team)
    _save(team)
    audit_record(
        actor=actor,
        event="team.created",
        subject=team,
        detail={"fields": changed, "agency": agency.code},
    )
    return team


@transaction.atomic
def team_update(*, actor: Staff, team: Team, name: str, is_front_door: bool = False) -> Team:
    _require_manage(actor)
    changed = _apply(team, {"name": name.strip(), "is_front_door": is_front_door})
    if changed:
        _team_check(team)
        _save(team)
        audit_record(actor=actor, event="team.updated", subject=team, detail={"changed": changed})
    return team


# Staff ----------------------------------------------------------------------------------------
#
# Separation of duties (ADR 0018): nobody changes their own role, agency or team; a change that
# gives an account access to children's data (or makes it an administrator) is kept as a
# ``StaffChangeRequest`` and applies only when a different administrator approves it; a change
# that takes access away applies at once. The rules are the policy's; these services keep them
# whoever calls them.

PENDING_ALREADY = (
    "A change to {name}'s access is already waiting for approval. Approve, refuse or withdraw it "
    "before asking for another"
)
CHANGE_STALE = (
    "Their role, agency, team or status has changed since this was asked for. Refuse this "
    "change and ask again"
)
ALREADY_DECIDED = "This change has already been decided"
REFUSAL_REASON_REQUIRED = "Enter why you are refusing this change"
NOT_YOURS_TO_WITHDRAW = "Only the administrator who asked for this change can withdraw it"


def _staff_values(
    *,
    first_name: str,
    last_name: str,
    email: str,
    agency: Agency,
    team: Team | None,
    role: str,
    job_title: str,
    is_active: bool,
    phone: str = "",
) -> dict[str, Any]:
    email = email.strip().lower()
    return {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        # Staff sign in with their email address, so it is their username too.
        "email": email,
        "username": email,
        "agency": agency,
        "team": team,
        "role": role,
        "job_title": job_title.strip(),
        "phone": " ".join(phone.split()),
        "is_active": is_active,
    }


def _access_after(values: dict[str, Any]) -> dict[str, Any]:
    """The access fields of the submitted values, as the policy compares them."""
    return {
        "role": values["role"] or "",
        "agency": values["agency"].pk,
        "team": values["team"].pk if values["team"] is not None else None,
        "is_active": bool(values["is_active"]),
    }


def _split(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values that decide nothing about access, and those that do."""
    access = {k: v for k, v in values.items() if k in policy.STAFF_ACCESS_FIELDS}
    personal = {k: v for k, v in values.items() if k not in policy.STAFF_ACCESS_FIELDS}
    return personal, access


def _check_team(agency_id: int | None, team: Team | None) -> None:
    if team is not None and team.agency_id != agency_id:
        raise ValidationError({"team": TEAM_NOT_IN_AGENCY})


def _check_email(staff: Staff) -> None:
    _refuse_duplicate(
        Staff.objects.filter(
            models.Q(email__iexact=staff.email) | models.Q(username__iexact=staff.username)
        ),
        staff,
        "email",
        "A member of staff with this email address already exists",
    )


def _audited_names(changed: Iterable[str]) -> list[str]:
    # The username always follows the email address, so it is not a change of its own.
    return [name for name in changed if name != "username"]


def _pending_for(staff: Staff) -> StaffChangeRequest | None:
    if staff.pk is None:
        return None
    return (
        StaffChangeRequest.objects.select_for_update()
        .filter(staff=staff, status=StaffChangeStatus.PENDING)
        .first()
    )


def _change_detail(change: StaffChangeRequest, **extra: Any) -> dict[str, Any]:
    return {
        "change_request": change.pk,
        "new_account": change.new_account,
        "changed": change.changed,
        "before": change.before,
        "after": change.after,
        "requested_by": change.requested_by_id,
        **extra,
    }


def _request_change(
    *,
    actor: Staff,
    staff: Staff,
    before: dict[str, Any],
    after: dict[str, Any],
    new_account: bool,
) -> StaffChangeRequest:
    change = StaffChangeRequest.objects.create(
        staff=staff, new_account=new_account, before=before, after=after, requested_by=actor
    )
    audit_record(
        actor=actor,
        event="staff.access_change_requested",
        subject=staff,
        detail=_change_detail(change),
    )
    return change


def _access_changed(
    *,
    actor: Staff,
    staff: Staff,
    before: dict[str, Any],
    after: dict[str, Any],
    approved: StaffChangeRequest | None,
) -> None:
    """The one event for an access change that took effect: at once (it gave nothing that needs
    approval), or on a second administrator's approval."""
    changed = [name for name in policy.STAFF_ACCESS_FIELDS if before[name] != after[name]]
    ended = _end_sessions(staff) if before["is_active"] and not after["is_active"] else 0
    audit_record(
        actor=actor,
        event="staff.access_changed",
        subject=staff,
        detail={
            "changed": changed,
            "before": before,
            "after": after,
            "change_request": approved.pk if approved is not None else None,
            "requested_by": approved.requested_by_id if approved is not None else actor.pk,
            "approved_by": actor.pk if approved is not None else None,
            **({"sessions_ended": ended} if ended else {}),
        },
    )


def _end_sessions(staff: Staff) -> int:
    """Delete every session of an account being deactivated, in the same transaction (ADR 0042).
    Django already gives no user for an inactive account's session; this makes sure none is
    left to come back if the account is reactivated. Sessions carry the account's id only inside
    their signed data, so the unexpired ones are read: a partnership has hundreds, not millions."""
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(staff.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)


def _close(
    change: StaffChangeRequest, *, actor: Staff, status: StaffChangeStatus, reason: str = ""
) -> None:
    change.status = status
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.refusal_reason = reason
    change.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])


@transaction.atomic
def staff_create(
    *,
    actor: Staff,
    first_name: str,
    last_name: str,
    email: str,
    agency: Agency,
    team: Team | None = None,
    role: str,
    job_title: str = "",
    phone: str = "",
    is_active: bool = True,
) -> Staff:
    """Add a member of staff. They have no password until an administrator issues a one-time
    password through the sign-in reset process. An account whose role would read children's data
    (or run the partnership) is added without a role, able to do nothing, and the role waits for
    a second administrator's approval."""
    _require_manage(actor)
    values = _staff_values(
        first_name=first_name,
        last_name=last_name,
        email=email,
        agency=agency,
        team=team,
        role=role,
        job_title=job_title,
        phone=phone,
        is_active=is_active,
    )
    after = _access_after(values)
    before = {**after, "role": ""}
    waits = policy.staff_change_needs_approval(before, after)
    _check_team(agency.pk, team)
    staff = Staff()
    changed = _apply(staff, {**values, "role": before["role"] if waits else values["role"]})
    staff.set_unusable_password()
    _check_email(staff)
    _save(staff)
    audit_record(
        actor=actor,
        event="staff.created",
        subject=staff,
        detail={
            "fields": _audited_names(changed),
            "role": staff.role,
            "agency": agency.code,
            "waiting_for_approval": waits,
        },
    )
    if waits:
        _request_change(actor=actor, staff=staff, before=before, after=after, new_account=True)
    return staff


@transaction.atomic
def staff_update(
    *,
    actor: Staff,
    staff: Staff,
    first_name: str,
    last_name: str,
    email: str,
    agency: Agency,
    team: Team | None = None,
    role: str,
    job_title: str = "",
    phone: str = "",
    is_active: bool = True,
) -> Staff:
    """Change a member of staff. Staff are deactivated, never deleted, so the audit trail keeps
    naming them. Nobody changes their own role, agency or team, or deactivates themselves.

    Names, email and job title apply at once. So does a change of access that gives nothing
    needing approval (a role with less access, deactivation); it withdraws any change still
    waiting for the account, which no longer describes it. A change that needs approval is kept
    as a request, and the account's access stays as it is until another administrator approves."""
    _require_manage(actor)
    values = _staff_values(
        first_name=first_name,
        last_name=last_name,
        email=email,
        agency=agency,
        team=team,
        role=role,
        job_title=job_title,
        phone=phone,
        is_active=is_active,
    )
    after = _access_after(values)
    refused = policy.staff_change_refusal(actor, staff, after)
    if refused:
        raise ValidationError(refused)
    _check_team(agency.pk, team)
    before = policy.staff_access_values(staff)
    waits = before != after and policy.staff_change_needs_approval(before, after)
    pending = _pending_for(staff)
    if waits and pending is not None:
        raise ValidationError(PENDING_ALREADY.format(name=staff.get_full_name() or staff.email))
    personal, access = _split(values)
    changed = _apply(staff, personal)
    changed_access = [] if waits else _apply(staff, access)
    if changed or changed_access:
        _check_email(staff)
        _save(staff)
    if _audited_names(changed):
        audit_record(
            actor=actor,
            event="staff.updated",
            subject=staff,
            detail={"changed": _audited_names(changed)},
        )
    if changed_access:
        _access_changed(actor=actor, staff=staff, before=before, after=after, approved=None)
        if pending is not None:
            _close(pending, actor=actor, status=StaffChangeStatus.WITHDRAWN)
            audit_record(
                actor=actor,
                event="staff.access_change_withdrawn",
                subject=staff,
                detail=_change_detail(pending, superseded=True),
            )
    if waits:
        _request_change(actor=actor, staff=staff, before=before, after=after, new_account=False)
    return staff


def _open_for_decision(actor: Staff, change: StaffChangeRequest) -> StaffChangeRequest:
    """The request, locked against a second decision at the same moment, if still waiting."""
    _require_manage(actor)
    locked = (
        StaffChangeRequest.objects.select_for_update()
        .select_related("staff", "requested_by")
        .get(pk=change.pk)
    )
    if not locked.is_pending:
        raise ValidationError(ALREADY_DECIDED)
    return locked


@transaction.atomic
def staff_change_approve(*, actor: Staff, change: StaffChangeRequest) -> StaffChangeRequest:
    """A second administrator approves a change: it applies, in this transaction, if the account
    is still as it was when the change was asked for."""
    change = _open_for_decision(actor, change)
    refusal = policy.staff_change_decision_refusal(actor, change)
    if refusal:
        raise ValidationError(refusal)
    staff = Staff.objects.select_for_update().get(pk=change.staff_id)
    if policy.staff_access_values(staff) != change.before:
        raise ValidationError(CHANGE_STALE)
    after = change.after
    _check_team(after["agency"], Team.objects.filter(pk=after["team"]).first())
    staff.role = after["role"]
    staff.agency_id = after["agency"]
    staff.team_id = after["team"]
    staff.is_active = after["is_active"]
    _save(staff)
    _close(change, actor=actor, status=StaffChangeStatus.APPROVED)
    audit_record(
        actor=actor,
        event="staff.access_change_approved",
        subject=staff,
        detail=_change_detail(change),
    )
    _access_changed(actor=actor, staff=staff, before=change.before, after=after, approved=change)
    return change


@transaction.atomic
def staff_change_refuse(
    *, actor: Staff, change: StaffChangeRequest, reason: str
) -> StaffChangeRequest:
    """A second administrator refuses a change, saying why. Nothing about the account changes
    (an account added for the change keeps no role)."""
    change = _open_for_decision(actor, change)
    refusal = policy.staff_change_decision_refusal(actor, change)
    if refusal:
        raise ValidationError(refusal)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REFUSAL_REASON_REQUIRED})
    _close(change, actor=actor, status=StaffChangeStatus.REFUSED, reason=reason)
    audit_record(
        actor=actor,
        event="staff.access_change_refused",
        subject=change.staff,
        detail=_change_detail(change, reason=reason),
    )
    return change


@transaction.atomic
def staff_change_withdraw(*, actor: Staff, change: StaffChangeRequest) -> StaffChangeRequest:
    """The administrator who asked for a change takes it back before anyone decides."""
    change = _open_for_decision(actor, change)
    if not policy.may_withdraw_staff_change(actor, change):
        raise ValidationError(NOT_YOURS_TO_WITHDRAW)
    _close(change, actor=actor, status=StaffChangeStatus.WITHDRAWN)
    audit_record(
        actor=actor,
        event="staff.access_change_withdrawn",
        subject=change.staff,
        detail=_change_detail(change, superseded=False),
    )
    return change


# Information-sharing agreements ---------------------------------------------------------------


def _agreement_check(agreement: InformationSharingAgreement, parties: list[Agency]) -> None:
    errors: dict[str, str] = {}
    if len(parties) < 2:
        errors["parties"] = TOO_FEW_PARTIES
    if agreement.end_date is not None and agreement.end_date < agreement.start_date:
        errors["end_date"] = END_BEFORE_START
    if errors:
        raise ValidationError(errors)
    _refuse_duplicate(
        InformationSharingAgreement.objects.filter(reference__iexact=agreement.reference),
        agreement,
        "reference",
        "An agreement with this reference already exists",
    )


def _agreement_save(
    agreement: InformationSharingAgreement, values: dict[str, Any], parties: Iterable[Agency]
) -> list[str]:
    """Apply, check and save an agreement; name the fields that changed."""
    chosen = sorted(set(parties), key=lambda agency: agency.pk)
    before = (
        sorted(agreement.parties.values_list("pk", flat=True)) if agreement.pk is not None else []
    )
    is_new = agreement.pk is None
    changed = _apply(agreement, values)
    if before != [agency.pk for agency in chosen]:
        changed.append("parties")
    if changed or is_new:
        _agreement_check(agreement, chosen)
        _save(agreement)
        agreement.parties.set(chosen)
    return changed


def _agreement_values(
    *,
    title: str,
    reference: str,
    purposes: list[str],
    data_categories: list[str],
    lawful_basis: str,
    special_category_condition: str,
    start_date: dt.date,
    end_date: dt.date | None,
    summary: str,
) -> dict[str, Any]:
    return {
        "title": title.strip(),
        "reference": reference.strip(),
        "purposes": sorted(purposes),
        "data_categories": sorted(data_categories),
        "lawful_basis": lawful_basis,
        "special_category_condition": special_category_condition.strip(),
        "start_date": start_date,
        "end_date": end_date,
        "summary": summary.strip(),
    }


@transaction.atomic
def agreement_create(
    *,
    actor: Staff,
    title: str,
    reference: str,
    parties: Iterable[Agency],
    purposes: list[str],
    data_categories: list[str],
    lawful_basis: str,
    special_category_condition: str = "",
    start_date: dt.date,
    end_date: dt.date | None = None,
    summary: str = "",
) -> InformationSharingAgreement:
    _require_manage(actor)
    agreement = InformationSharingAgreement()
    changed = _agreement_save(
        agreement,
        _agreement_values(
            title=title,
            reference=reference,
            purposes=purposes,
            data_categories=data_categories,
            lawful_basis=lawful_basis,
            special_category_condition=special_category_condition,
            start_date=start_date,
            end_date=end_date,
            summary=summary,
        ),
        parties,
    )
    audit_record(
        actor=actor, event="agreement.created", subject=agreement, detail={"fields": changed}
    )
    return agreement


@transaction.atomic
def agreement_update(
    *,
    actor: Staff,
    agreement: InformationSharingAgreement,
    title: str,
    reference: str,
    parties: Iterable[Agency],
    purposes: list[str],
    data_categories: list[str],
    lawful_basis: str,
    special_category_condition: str = "",
    start_date: dt.date,
    end_date: dt.date | None = None,
    summary: str = "",
) -> InformationSharingAgreement:
    _require_manage(actor)
    changed = _agreement_save(
        agreement,
        _agreement_values(
            title=title,
            reference=reference,
            purposes=purposes,
            data_categories=data_categories,
            lawful_basis=lawful_basis,
            special_category_condition=special_category_condition,
            start_date=start_date,
            end_date=end_date,
            summary=summary,
        ),
        parties,
    )
    if changed:
        audit_record(
            actor=actor, event="agreement.updated", subject=agreement, detail={"changed": changed}
        )
    return agreement


# Threshold guidance ---------------------------------------------------------------------------


def _threshold_values(
    *,
    title: str,
    level: str,
    version: str,
    body: str,
    indicators: str,
    effective_from: dt.date,
    published_by: Agency | None,
) -> dict[str, Any]:
    return {
        "title": title.strip(),
        "level": level,
        "version": version.strip(),
        "body": body.strip(),
        "indicators": "\n".join(line.strip() for line in indicators.splitlines() if line.strip()),
        "effective_from": effective_from,
        "published_by": published_by,
    }


@transaction.atomic
def threshold_guidance_create(
    *,
    actor: Staff,
    title: str,
    level: str,
    version: str,
    body: str,
    indicators: str = "",
    effective_from: dt.date,
    published_by: Agency | None = None,
) -> ThresholdGuidance:
    _require_manage(actor)
    guidance = ThresholdGuidance()
    changed = _apply(
        guidance,
        _threshold_values(
            title=title,
            level=level,
            version=version,
            body=body,
            indicators=indicators,
            effective_from=effective_from,
            published_by=published_by,
        ),
    )
    _save(guidance)
    audit_record(
        actor=actor,
        event="threshold_guidance.created",
        subject=guidance,
        detail={"fields": changed},
    )
    return guidance


@transaction.atomic
def threshold_guidance_update(
    *,
    actor: Staff,
    guidance: ThresholdGuidance,
    title: str,
    level: str,
    version: str,
    body: str,
    indicators: str = "",
    effective_from: dt.date,
    published_by: Agency | None = None,
) -> ThresholdGuidance:
    _require_manage(actor)
    changed = _apply(
        guidance,
        _threshold_values(
            title=title,
            level=level,
            version=version,
            body=body,
            indicators=indicators,
            effective_from=effective_from,
            published_by=published_by,
        ),
    )
    if changed:
        _save(guidance)
        audit_record(
            actor=actor,
            event="threshold_guidance.updated",
            subject=guidance,
            detail={"changed": changed},
        )
    return guidance
