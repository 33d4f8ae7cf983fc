from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from harbour.access import policy, selectors, services, trail
from harbour.access.forms import (
    AccessAlertForm,
    AuditTrailFilterForm,
    BreakGlassFilterForm,
    BreakGlassReviewForm,
)
from harbour.access.presenters import GrantChildPresenter
from harbour.partnership.http import AuthenticatedHttpRequest
from harbour.web import lists
from harbour.web.responses import csv_response, policy_errors


@login_required
@policy_errors
def break_glass_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.BREAK_GLASS_REVIEW)
    form = BreakGlassFilterForm(request.GET)
    waiting = selectors.break_glass_queue(actor=request.user, **form.values())
    page = lists.paginate(waiting, request.GET.get("page"))
    return render(
        request,
        "access/break_glass_queue.html",
        {
            "form": form,
            **lists.page_context(page),
            "waiting": list(page),
            "reviewed": list(selectors.break_glass_queue(actor=request.user, reviewed=True)[:50]),
            # Suspicious-access alerts from the audit stream (ADR 0041), on the same page.
            "alerts": list(selectors.access_alerts(actor=request.user)[:100]),
            "alerts_looked_at": list(
                selectors.access_alerts(actor=request.user, looked_at=True)[:20]
            ),
        },
    )


@login_required
@policy_errors
def access_alert(request: AuthenticatedHttpRequest, alert_id: int) -> HttpResponse:
    alert, events = selectors.access_alert(actor=request.user, alert_id=alert_id)
    form = AccessAlertForm(request.POST or None)
    if request.method == "POST" and alert.looked_at is None and form.is_valid():
        try:
            services.access_alert_looked_at(
                actor=request.user, alert=alert, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, "What you found is recorded")
            return redirect("access:break-glass-queue")
    return render(
        request,
        "access/access_alert.html",
        {"alert": alert, "events": events, "form": form},
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
    policy.require_capability(request.user, policy.Action.AUDIT_TRAIL_VIEW)
    form = AuditTrailFilterForm(request.GET)
    filters = form.filters() if form.is_valid() else trail.TrailFilters()
    events = trail.trail_events(actor=request.user, filters=filters)
    page = lists.paginate(events, request.GET.get("page"), trail.PER_PAGE)
    return render(
        request,
        "access/audit_trail.html",
        {
            "form": form,
            "filters": filters,
            **lists.page_context(page),
            "rows": trail.rows(page),
            "chain": trail.chain_status(),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@policy_errors
def audit_trail_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.AUDIT_TRAIL_VIEW)
    form = AuditTrailFilterForm(request.GET)
    if not form.is_valid():
        return redirect(f"{reverse('access:audit-trail')}?{request.GET.urlencode()}")
    rows = trail.export(actor=request.user, filters=form.filters())
    stamp = timezone.localdate().isoformat()
    return csv_response(f"audit-trail-{stamp}.csv", trail.CSV_HEADER, rows)


@login_required
@policy_errors
@require_POST
def audit_chain_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    report = trail.chain_check(actor=request.user)
    if report.ok:
        messages.success(
            request, f"The audit trail is unbroken: {report.events_checked:,} events checked"
        )
    else:
        messages.error(
            request,
            f"The audit trail is broken at {report.problem}. Tell the system administrators "
            "now: they can name the event with harbour audit verify.",
        )
    return redirect("access:audit-trail")
