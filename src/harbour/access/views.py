from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from harbour.access import policy, selectors, services
from harbour.access.forms import BreakGlassReviewForm
from harbour.access.presenters import GrantChildPresenter
from harbour.partnership.http import AuthenticatedHttpRequest
from harbour.web.responses import policy_errors


@login_required
@policy_errors
def break_glass_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.BREAK_GLASS_REVIEW)
    return render(
        request,
        "access/break_glass_queue.html",
        {
            "waiting": list(selectors.break_glass_queue(actor=request.user)),
            "reviewed": list(selectors.break_glass_queue(actor=request.user, reviewed=True)[:50]),
        },
    )


@login_required
@policy_errors
def break_glass_review(request: AuthenticatedHttpRequest, grant_id: uuid.UUID) -> HttpResponse:
    grant = selectors.break_glass_for_review(actor=request.user, grant_id=grant_id)
    form = BreakGlassReviewForm(request.POST or None)
    if request.method == "POST" and grant.reviewed_at is None and form.is_valid():
        try:
            services.break_glass_review(
                actor=request.user,
                grant=grant,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, "Review recorded")
            return redirect("access:break-glass-queue")
    return render(
        request,
        "access/break_glass_review.html",
        {"grant": grant, "child": GrantChildPresenter(grant), "form": form},
    )


@login_required
@policy_errors
def audit_trail(request: AuthenticatedHttpRequest) -> HttpResponse:
    before_raw = request.GET.get("before", "")
    before = int(before_raw) if before_raw.isdigit() else None
    events = selectors.audit_events_page(actor=request.user, before=before)
    return render(
        request,
        "access/audit_trail.html",
        {"events": events, "next_before": events[-1].sequence if len(events) == 100 else None},
    )
