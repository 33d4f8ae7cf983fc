"""Thin views for running the partnership: parse, call a selector or service, render.

Every role with ``PARTNERSHIP_VIEW`` may read these pages; only ``PARTNERSHIP_MANAGE``
(administrators) may open or submit a form, and every other role gets 403 for both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from harbour.access import policy
from harbour.partnership import forms, selectors, services
from harbour.partnership.http import AuthenticatedHttpRequest
from harbour.partnership.models import Staff, StaffChangeRequest
from harbour.partnership.presenters import (
    AgreementPresenter,
    StaffChangePresenter,
    ThresholdGuidancePresenter,
)
from harbour.web import lists
from harbour.web.formpages import FormPage, add_service_errors, form_page
from harbour.web.responses import policy_errors

M = TypeVar("M", bound=Model)

STAFF_PER_PAGE = 50


def _can_manage(request: AuthenticatedHttpRequest) -> bool:
    return policy.can(request.user, policy.Action.PARTNERSHIP_MANAGE)


def _require_manage(request: AuthenticatedHttpRequest) -> None:
    policy.require_capability(request.user, policy.Action.PARTNERSHIP_MANAGE)


@login_required
@policy_errors
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.PARTNERSHIP_VIEW)
    actor = request.user
    return render(
        request,
        "partnership/home.html",
        {
            "agency_count": selectors.agency_list(actor=actor).count(),
            "staff_count": selectors.staff_list(actor=actor).count(),
            "agreement_count": selectors.agreement_list(actor=actor).count(),
            "threshold_count": selectors.threshold_guidance_list(actor=actor).count(),
            "can_manage": _can_manage(request),
            "may_read_staff_changes": policy.may_read_staff_changes(actor),
            "staff_changes_waiting": selectors.staff_changes_waiting(actor=actor).count(),
        },
    )


# Agencies and their teams ---------------------------------------------------------------------


@login_required
@policy_errors
def agency_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.PARTNERSHIP_VIEW)
    return render(
        request,
        "partnership/agency_list.html",
        {"agencies": selectors.agency_list(actor=request.user), "can_manage": _can_manage(request)},
    )


@login_required
@policy_errors
def agency_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agency = selectors.agency_get(actor=request.user, pk=pk)
    return render(
        request,
        "partnership/agency_detail.html",
        {
            "agency": agency,
            "agreements": [
                AgreementPresenter.for_today(agreement)
                for agreement in agency.sharing_agreements.all()
            ],
            "can_manage": _can_manage(request),
        },
    )


def _agency_done(verb: str) -> Callable[[Any], tuple[str, str]]:
    return lambda agency: (
        f"{agency.name} {verb}",
        reverse("partnership:agency-detail", args=[agency.pk]),
    )


@login_required
@policy_errors
def agency_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manage(request)
    return form_page(
        request,
        form_class=forms.AgencyForm,
        instance=None,
        save=lambda data: services.agency_create(actor=request.user, **data),
        done=_agency_done("added"),
        page=FormPage(
            title="Add an agency",
            back_url=reverse("partnership:agency-list"),
            submit="Add agency",
        ),
    )


@login_required
@policy_errors
def agency_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    agency = selectors.agency_get(actor=request.user, pk=pk)
    return form_page(
        request,
        form_class=forms.AgencyForm,
        instance=agency,
        save=lambda data: services.agency_update(actor=request.user, agency=agency, **data),
        done=_agency_done("updated"),
        page=FormPage(
            title=f"Change {agency.name}",
            back_url=reverse("partnership:agency-detail", args=[agency.pk]),
        ),
    )


def _team_done(verb: str) -> Callable[[Any], tuple[str, str]]:
    return lambda team: (
        f"{team.name} {verb}",
        reverse("partnership:agency-detail", args=[team.agency_id]),
    )


@login_required
@policy_errors
def team_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a team to the agency ``pk``."""
    _require_manage(request)
    agency = selectors.agency_get(actor=request.user, pk=pk)
    return form_page(
        request,
        form_class=forms.TeamForm,
        instance=None,
        save=lambda data: services.team_create(actor=request.user, agency=agency, **data),
        done=_team_done("added"),
        page=FormPage(
            title="Add a team",
            caption=agency.name,
            back_url=reverse("partnership:agency-detail", args=[agency.pk]),
            submit="Add team",
        ),
    )


@login_required
@policy_errors
def team_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    team = selectors.team_get(actor=request.user, pk=pk)
    return form_page(
        request,
        form_class=forms.TeamForm,
        instance=team,
        save=lambda data: services.team_update(actor=request.user, team=team, **data),
        done=_team_done("updated"),
        page=FormPage(
            title=f"Change {team.name}",
            caption=team.agency.name,
            back_url=reverse("partnership:agency-detail", args=[team.agency_id]),
        ),
    )


# Staff ----------------------------------------------------------------------------------------


@login_required
@policy_errors
def staff_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.PARTNERSHIP_VIEW)
    form = forms.StaffFilterForm(request.GET)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {"agency": form.cleaned_data["agency"], "role": form.cleaned_data["role"]}
    staff = selectors.staff_list(actor=request.user, **filters)
    page = lists.paginate(staff, request.GET.get("page"), STAFF_PER_PAGE)
    waiting = selectors.staff_changes_waiting_by_staff(
        actor=request.user, staff_ids=[member.pk for member in page]
    )
    return render(
        request,
        "partnership/staff_list.html",
        {
            "form": form,
            "filtered": any(filters.values()),
            **lists.page_context(page),
            "members": [(member, waiting.get(member.pk)) for member in page],
            "may_read_staff_changes": policy.may_read_staff_changes(request.user),
            "staff_changes_waiting": selectors.staff_changes_waiting(actor=request.user).count(),
            "can_manage": _can_manage(request),
        },
    )


def _staff_done(request: AuthenticatedHttpRequest, verb: str) -> Callable[[Staff], tuple[str, str]]:
    """Where to go after saving a member of staff, and what to say: a change to their access
    that waits for a second administrator is said to wait."""

    def done(staff: Staff) -> tuple[str, str]:
        name = staff.get_full_name() or staff.email
        message = f"{name} {verb}"
        if verb == "added":
            message += (
                ". An administrator will issue them a one-time password so that they can sign in"
            )
        if selectors.staff_changes_waiting_by_staff(actor=request.user, staff_ids=[staff.pk]):
            message += (
                f". The change to {name}'s access is waiting for another administrator to "
                "approve it"
            )
        return message, reverse("partnership:staff-list")

    return done


@login_required
@policy_errors
def staff_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manage(request)
    return form_page(
        request,
        form_class=forms.StaffForm,
        instance=None,
        save=lambda data: services.staff_create(actor=request.user, **data),
        done=_staff_done(request, "added"),
        page=FormPage(
            title="Add a member of staff",
            back_url=reverse("partnership:staff-list"),
            submit="Add member of staff",
            intro=(
                "They will not have a password. An administrator issues them a one-time password "
                "through the sign-in reset process, and they choose their own when they first "
                "sign in. A role that can see children's data, or the administrator role, waits "
                "for another administrator to approve it."
            ),
        ),
    )


def _staff_edit_intro(request: AuthenticatedHttpRequest, staff: Staff) -> str:
    if policy.is_own_account(request.user, staff):
        return (
            "This is your own account. You can change your name, email address and job title. "
            "Another administrator must change your role, agency or team."
        )
    waiting = selectors.staff_changes_waiting_by_staff(actor=request.user, staff_ids=[staff.pk])
    if waiting:
        return (
            "A change to their access is waiting for another administrator's approval: see "
            "Changes to who can see children. You cannot ask for another until it is decided."
        )
    return (
        "A change that lets them see children's data, moves them to another agency or team, "
        "reactivates them or makes them an administrator waits for another administrator to "
        "approve it. A change that takes access away applies straight away."
    )


@login_required
@policy_errors
def staff_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    staff = selectors.staff_get(actor=request.user, pk=pk)
    return form_page(
        request,
        form_class=forms.StaffForm,
        instance=staff,
        save=lambda data: services.staff_update(actor=request.user, staff=staff, **data),
        done=_staff_done(request, "updated"),
        page=FormPage(
            title=f"Change {staff.get_full_name() or staff.email}",
            back_url=reverse("partnership:staff-list"),
            intro=_staff_edit_intro(request, staff),
        ),
        form_kwargs={"editing_self": policy.is_own_account(request.user, staff)},
    )


# Changes to who can see children (ADR 0018) ---------------------------------------------------


def _presented(changes: list[StaffChangeRequest]) -> list[StaffChangePresenter]:
    agencies, teams = selectors.access_names(changes)
    return [StaffChangePresenter(change, agencies, teams) for change in changes]


@login_required
@policy_errors
def staff_change_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Changes to who can see children: those waiting for a second administrator and those
    decided lately. Administrators decide them; the data protection officer reads them."""
    if not policy.may_read_staff_changes(request.user):
        raise policy.Forbidden(policy.Action.PARTNERSHIP_MANAGE)
    waiting = list(selectors.staff_changes_waiting(actor=request.user))
    decided = list(selectors.staff_changes_decided(actor=request.user))
    presented = _presented(waiting + decided)
    return render(
        request,
        "partnership/staff_change_list.html",
        {
            "waiting": presented[: len(waiting)],
            "decided": presented[len(waiting) :],
            "can_manage": _can_manage(request),
        },
    )


@login_required
@policy_errors
def staff_change_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One change: what it changes, who asked and when; a second administrator approves or
    refuses it here, and the one who asked may withdraw it."""
    change = selectors.staff_change_get(actor=request.user, pk=pk)
    form = forms.StaffChangeDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _require_manage(request)
        if form.is_valid():
            # The service decides who may approve or refuse (never the one who asked, nor the
            # account changed) and that the change still waits; its refusal shows in the summary.
            try:
                if form.cleaned_data["decision"] == "approve":
                    services.staff_change_approve(actor=request.user, change=change)
                    done = "Change approved. It applies now"
                else:
                    services.staff_change_refuse(
                        actor=request.user, change=change, reason=form.cleaned_data["reason"]
                    )
                    done = "Change refused. Nothing has changed"
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, done)
                return redirect("partnership:staff-change-list")
    return render(
        request,
        "partnership/staff_change_detail.html",
        {
            "change": _presented([change])[0],
            "form": form,
            "may_decide": change.is_pending
            and policy.may_decide_staff_change(request.user, change),
            "cannot_decide": policy.staff_change_decision_refusal(request.user, change)
            if change.is_pending and _can_manage(request)
            else "",
            "may_withdraw": change.is_pending
            and policy.may_withdraw_staff_change(request.user, change),
        },
    )


@require_POST
@login_required
@policy_errors
def staff_change_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    change = selectors.staff_change_get(actor=request.user, pk=pk)
    try:
        services.staff_change_withdraw(actor=request.user, change=change)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("partnership:staff-change-detail", pk=change.pk)
    messages.success(request, "Change withdrawn. Nothing has changed")
    return redirect("partnership:staff-change-list")


# Information-sharing agreements ---------------------------------------------------------------


@login_required
@policy_errors
def agreement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.PARTNERSHIP_VIEW)
    return render(
        request,
        "partnership/agreement_list.html",
        {
            "agreements": [
                AgreementPresenter.for_today(agreement)
                for agreement in selectors.agreement_list(actor=request.user)
            ],
            "can_manage": _can_manage(request),
        },
    )


@login_required
@policy_errors
def agreement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(actor=request.user, pk=pk)
    return render(
        request,
        "partnership/agreement_detail.html",
        {"agreement": AgreementPresenter.for_today(agreement), "can_manage": _can_manage(request)},
    )


def _agreement_done(verb: str) -> Callable[[Any], tuple[str, str]]:
    return lambda agreement: (
        f"{agreement.title} {verb}",
        reverse("partnership:agreement-detail", args=[agreement.pk]),
    )


@login_required
@policy_errors
def agreement_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manage(request)
    return form_page(
        request,
        form_class=forms.AgreementForm,
        instance=None,
        save=lambda data: services.agreement_create(actor=request.user, **data),
        done=_agreement_done("added"),
        page=FormPage(
            title="Add an information-sharing agreement",
            back_url=reverse("partnership:agreement-list"),
            submit="Add agreement",
        ),
    )


@login_required
@policy_errors
def agreement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    agreement = selectors.agreement_get(actor=request.user, pk=pk)
    return form_page(
        request,
        form_class=forms.AgreementForm,
        instance=agreement,
        save=lambda data: services.agreement_update(
            actor=request.user, agreement=agreement, **data
        ),
        done=_agreement_done("updated"),
        page=FormPage(
            title=f"Change {agreement.title}",
            caption=agreement.reference,
            back_url=reverse("partnership:agreement-detail", args=[agreement.pk]),
        ),
    )


# Threshold guidance ---------------------------------------------------------------------------


@login_required
@policy_errors
def threshold_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.PARTNERSHIP_VIEW)
    return render(
        request,
        "partnership/threshold_list.html",
        {
            "guidance_list": [
                ThresholdGuidancePresenter(guidance)
                for guidance in selectors.threshold_guidance_list(actor=request.user)
            ],
            "can_manage": _can_manage(request),
        },
    )


@login_required
@policy_errors
def threshold_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    guidance = selectors.threshold_guidance_get(actor=request.user, pk=pk)
    return render(
        request,
        "partnership/threshold_detail.html",
        {"guidance": ThresholdGuidancePresenter(guidance), "can_manage": _can_manage(request)},
    )


def _threshold_done(verb: str) -> Callable[[Any], tuple[str, str]]:
    return lambda guidance: (
        f"{guidance.title} {verb}",
        reverse("partnership:threshold-detail", args=[guidance.pk]),
    )


@login_required
@policy_errors
def threshold_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manage(request)
    return form_page(
        request,
        form_class=forms.ThresholdGuidanceForm,
        instance=None,
        save=lambda data: services.threshold_guidance_create(actor=request.user, **data),
        done=_threshold_done("added"),
        page=FormPage(
            title="Add threshold guidance",
            back_url=reverse("partnership:threshold-list"),
            submit="Add guidance",
        ),
    )


@login_required
@policy_errors
def threshold_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    guidance = selectors.threshold_guidance_get(actor=request.user, pk=pk)
    return form_page(
        request,
        form_class=forms.ThresholdGuidanceForm,
        instance=guidance,
        save=lambda data: services.threshold_guidance_update(
            actor=request.user, guidance=guidance, **data
        ),
        done=_threshold_done("updated"),
        page=FormPage(
            title=f"Change {guidance.title}",
            caption=f"Version {guidance.version}",
            back_url=reverse("partnership:threshold-detail", args=[guidance.pk]),
        ),
    )
