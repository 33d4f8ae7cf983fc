"""Thin views for running the partnership: parse, call a selector or service, render.

Every role with ``PARTNERSHIP_VIEW`` may read these pages; only ``PARTNERSHIP_MANAGE``
(administrators) may open or submit a form, and every other role gets 403 for both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from harbour.access import policy
from harbour.partnership import forms, selectors, services
from harbour.partnership.presenters import AgreementPresenter, ThresholdGuidancePresenter
from harbour.web.formpages import FormPage, form_page
from harbour.web.responses import policy_errors

M = TypeVar("M", bound=Model)

STAFF_PER_PAGE = 50


def _can_manage(request: HttpRequest) -> bool:
    return policy.can(request.user, policy.Action.PARTNERSHIP_MANAGE)


def _require_manage(request: HttpRequest) -> None:
    policy.require_capability(request.user, policy.Action.PARTNERSHIP_MANAGE)


@login_required
@policy_errors
def home(request: HttpRequest) -> HttpResponse:
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
        },
    )


# Agencies and their teams ---------------------------------------------------------------------


@login_required
@policy_errors
def agency_list(request: HttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.PARTNERSHIP_VIEW)
    return render(
        request,
        "partnership/agency_list.html",
        {"agencies": selectors.agency_list(actor=request.user), "can_manage": _can_manage(request)},
    )


@login_required
@policy_errors
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
def agency_add(request: HttpRequest) -> HttpResponse:
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
def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
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
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
def staff_list(request: HttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.PARTNERSHIP_VIEW)
    form = forms.StaffFilterForm(request.GET)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {"agency": form.cleaned_data["agency"], "role": form.cleaned_data["role"]}
    staff = selectors.staff_list(actor=request.user, **filters)
    page = Paginator(staff, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "partnership/staff_list.html",
        {
            "form": form,
            "filtered": any(filters.values()),
            "page_obj": page,
            "page_range": list(
                page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
            ),
            "can_manage": _can_manage(request),
        },
    )


def _staff_done(verb: str) -> Callable[[Any], tuple[str, str]]:
    return lambda staff: (f"{staff.get_full_name()} {verb}", reverse("partnership:staff-list"))


@login_required
@policy_errors
def staff_add(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    return form_page(
        request,
        form_class=forms.StaffForm,
        instance=None,
        save=lambda data: services.staff_create(actor=request.user, **data),
        done=lambda staff: (
            f"{staff.get_full_name()} added. An administrator will issue them a one-time "
            "password so that they can sign in",
            reverse("partnership:staff-list"),
        ),
        page=FormPage(
            title="Add a member of staff",
            back_url=reverse("partnership:staff-list"),
            submit="Add member of staff",
            intro=(
                "They will not have a password. An administrator issues them a one-time password "
                "through the sign-in reset process, and they choose their own when they first "
                "sign in."
            ),
        ),
    )


@login_required
@policy_errors
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    staff = selectors.staff_get(actor=request.user, pk=pk)
    return form_page(
        request,
        form_class=forms.StaffForm,
        instance=staff,
        save=lambda data: services.staff_update(actor=request.user, staff=staff, **data),
        done=_staff_done("updated"),
        page=FormPage(
            title=f"Change {staff.get_full_name() or staff.email}",
            back_url=reverse("partnership:staff-list"),
        ),
    )


# Information-sharing agreements ---------------------------------------------------------------


@login_required
@policy_errors
def agreement_list(request: HttpRequest) -> HttpResponse:
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
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
def agreement_add(request: HttpRequest) -> HttpResponse:
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
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
def threshold_list(request: HttpRequest) -> HttpResponse:
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
def threshold_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
def threshold_add(request: HttpRequest) -> HttpResponse:
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
def threshold_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
