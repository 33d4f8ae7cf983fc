"""Reads for the partnership. None of it identifies a child, so the whole partnership is visible
to every role with ``PARTNERSHIP_VIEW`` and to nobody else: lists are empty without it, and a
single record raises ``policy.Forbidden``."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Case, Count, IntegerField, Model, Prefetch, QuerySet, Value, When

from harbour.access import policy
from harbour.partnership.models import (
    Agency,
    InformationSharingAgreement,
    Staff,
    StaffChangeRequest,
    StaffChangeStatus,
    Team,
    ThresholdGuidance,
    ThresholdLevel,
)

M = TypeVar("M", bound=Model)


def _visible(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    if not policy.can(actor, policy.Action.PARTNERSHIP_VIEW):
        return queryset.none()
    return queryset


def _one(actor: Staff, queryset: QuerySet[M], pk: int) -> M:
    policy.require_capability(actor, policy.Action.PARTNERSHIP_VIEW)
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise policy.NotFound(pk)
    return found


def agency_list(*, actor: Staff) -> QuerySet[Agency]:
    return _visible(
        actor,
        Agency.objects.annotate(
            staff_count=Count("staff", distinct=True), team_count=Count("teams", distinct=True)
        ).order_by("name"),
    )


def agency_get(*, actor: Staff, pk: int) -> Agency:
    """One agency with its teams and staff."""
    return _one(
        actor,
        Agency.objects.prefetch_related(
            Prefetch("teams", queryset=Team.objects.order_by("name")),
            Prefetch("staff", queryset=Staff.objects.select_related("team")),
            Prefetch(
                "sharing_agreements", queryset=InformationSharingAgreement.objects.order_by("title")
            ),
        ),
        pk,
    )


def team_get(*, actor: Staff, pk: int) -> Team:
    return _one(actor, Team.objects.select_related("agency"), pk)


def staff_list(*, actor: Staff, agency: Agency | None = None, role: str = "") -> QuerySet[Staff]:
    staff = Staff.objects.select_related("agency", "team")
    if agency is not None:
        staff = staff.filter(agency=agency)
    if role:
        staff = staff.filter(role=role)
    return _visible(actor, staff.order_by("last_name", "first_name", "pk"))


def staff_get(*, actor: Staff, pk: int) -> Staff:
    return _one(actor, Staff.objects.select_related("agency", "team"), pk)


def agreement_list(*, actor: Staff) -> QuerySet[InformationSharingAgreement]:
    return _visible(
        actor, InformationSharingAgreement.objects.prefetch_related("parties").order_by("title")
    )


def agreement_get(*, actor: Staff, pk: int) -> InformationSharingAgreement:
    return _one(actor, InformationSharingAgreement.objects.prefetch_related("parties"), pk)


def threshold_guidance_list(*, actor: Staff) -> QuerySet[ThresholdGuidance]:
    """Guidance from the lowest level of need to the highest, newest version first."""
    escalation = Case(
        *(When(level=level, then=Value(rank)) for rank, level in enumerate(ThresholdLevel)),
        default=Value(len(ThresholdLevel)),
        output_field=IntegerField(),
    )
    return _visible(
        actor,
        ThresholdGuidance.objects.select_related("published_by")
        .annotate(escalation=escalation)
        .order_by("escalation", "-effective_from", "title"),
    )


def threshold_guidance_get(*, actor: Staff, pk: int) -> ThresholdGuidance:
    return _one(actor, ThresholdGuidance.objects.select_related("published_by"), pk)


# Changes to who can see children (ADR 0018) ---------------------------------------------------

RECENT_STAFF_CHANGES = 50


def _staff_changes(actor: Staff) -> QuerySet[StaffChangeRequest]:
    changes = StaffChangeRequest.objects.select_related(
        "staff", "staff__agency", "requested_by", "decided_by"
    )
    if not policy.may_read_staff_changes(actor):
        return changes.none()
    return changes


def staff_changes_waiting(*, actor: Staff) -> QuerySet[StaffChangeRequest]:
    """Changes waiting for a second administrator, oldest first: for the administrators who
    decide them and the data protection officer who oversees them; nobody else."""
    return _staff_changes(actor).filter(status=StaffChangeStatus.PENDING).order_by("requested_at")


def staff_changes_decided(*, actor: Staff) -> QuerySet[StaffChangeRequest]:
    """The most recently decided (or withdrawn) changes, newest first."""
    return (
        _staff_changes(actor)
        .exclude(status=StaffChangeStatus.PENDING)
        .order_by("-decided_at", "-pk")[:RECENT_STAFF_CHANGES]
    )


def staff_change_get(*, actor: Staff, pk: int) -> StaffChangeRequest:
    if not policy.may_read_staff_changes(actor):
        raise policy.Forbidden(policy.Action.PARTNERSHIP_MANAGE)
    return _one(actor, _staff_changes(actor), pk)


def staff_changes_waiting_by_staff(*, actor: Staff, staff_ids: list[int]) -> dict[int, int]:
    """For each of these accounts with a change waiting, the change's id."""
    return dict(
        staff_changes_waiting(actor=actor)
        .filter(staff_id__in=staff_ids)
        .values_list("staff_id", "pk")
    )


def access_names(changes: list[StaffChangeRequest]) -> tuple[dict[int, str], dict[int, str]]:
    """The names of the agencies and teams these changes mention, by id, in two queries."""
    agency_ids: set[int] = set()
    team_ids: set[int] = set()
    for change in changes:
        for values in (change.before, change.after):
            if isinstance(values.get("agency"), int):
                agency_ids.add(values["agency"])
            if isinstance(values.get("team"), int):
                team_ids.add(values["team"])
    return (
        dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name")),
        dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name")),
    )


def front_door_colleagues(*, actor: Staff) -> list[Staff]:
    """Whom a front-door manager may give work to (a referral, a flag, a record pair, a held
    record): everyone who works their front door; nobody for anyone else (ADR 0027, ADR 0031)."""
    if not policy.may_see_workload(actor):
        return []
    return list(
        policy.front_door_staff(actor, Staff.objects.all()).order_by("first_name", "last_name")
    )


def allocation_choice(*, actor: Staff, wanted: str) -> Staff | None:
    """Whom an allocation form chose: "me" is the actor, a colleague's id that colleague (only a
    manager has any), anything else no one."""
    if wanted == "me":
        return actor
    return next((s for s in front_door_colleagues(actor=actor) if str(s.pk) == wanted), None)


def allocation_who(*, actor: Staff, to: Staff | None) -> str:
    """Whom an allocation gave the work to, as the message after it says: "you", their name, or
    "no one"."""
    if to is None:
        return "no one"
    return "you" if to == actor else to.get_full_name() or to.email
