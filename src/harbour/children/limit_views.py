"""The partnership's education limits, as pages: everyone with the partnership's pages reads them,
administrators change them. The limits are this app's (``limits.py``), so their pages are too
(ADR 0020); people find them among the partnership's pages, so the root URL conf keeps them under
``/partnership/education-limits/`` (``limit_urls.py``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from harbour.access import policy
from harbour.children import forms, limits
from harbour.partnership.http import AuthenticatedHttpRequest
from harbour.web.formpages import FormPage, form_page
from harbour.web.responses import policy_errors


@login_required
@policy_errors
def education_limit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "children/education_limit_list.html",
        {
            "limits": limits.education_limits(actor=request.user),
            "can_manage": policy.can(request.user, policy.Action.PARTNERSHIP_MANAGE),
        },
    )


@login_required
@policy_errors
def education_limit_edit(request: AuthenticatedHttpRequest, status: str) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.PARTNERSHIP_MANAGE)
    limit = limits.education_limit_for_edit(actor=request.user, status=status)
    label = limit.get_status_display()
    return form_page(
        request,
        form_class=forms.EducationLimitForm,
        instance=limit,
        save=lambda data: limits.education_limit_set(
            actor=request.user, status=status, max_days=data["max_days"]
        ),
        done=lambda saved: (
            f"Limit for {label.lower()} set to {limits.limit_text(saved.max_days)}",
            reverse("limits:education-limit-list"),
        ),
        page=FormPage(
            title=f"Change the limit for {label.lower()}"
            if limit.pk
            else f"Set a limit for {label.lower()}",
            caption="Education limits",
            back_url=reverse("limits:education-limit-list"),
            intro=(
                "A child whose current education has had this status for longer than the limit "
                "is shown on their record with an alert and listed for their workers to look "
                "again. A change applies straight away."
            ),
        ),
    )
