"""The notification centre (ADR 0028): the actor's notices, marked read as they are opened, and
their choice of email at once or a daily digest. A notice names no child; opening one goes to
the child's record, which the record's own view authorises and audits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from harbour.notices import forms, selectors, services
from harbour.partnership.http import AuthenticatedHttpRequest
from harbour.web import lists
from harbour.web.responses import policy_errors


@login_required
@policy_errors
@require_http_methods(["GET", "POST"])
def notice_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The actor's notices, newest first, unread ones tagged; POST marks them all as read."""
    if request.method == "POST":
        marked = services.notices_mark_all_read(actor=request.user)
        messages.success(request, f"{marked} notice{'s' if marked != 1 else ''} marked as read")
        return redirect("notices:list")
    form = forms.NoticeFilterForm(request.GET)
    notices = selectors.notices_for(actor=request.user, **form.values())
    page = lists.paginate(notices.select_related("event__agency"), request.GET.get("page"))
    return render(
        request,
        "notices/list.html",
        {
            "form": form,
            **lists.page_context(page),
            "delivery": selectors.delivery_for(actor=request.user),
        },
    )


@login_required
@policy_errors
@require_http_methods(["GET"])
def notice_open(request: AuthenticatedHttpRequest, notice_id: int) -> HttpResponse:
    """Mark the notice read and go to the child's record (which checks and audits the access)."""
    notice = services.notice_open(actor=request.user, notice_id=notice_id)
    if notice.link:  # not about a child: an alert's page, which checks and audits its own access
        return redirect(notice.link)
    return redirect(reverse("children:summary", args=[notice.child_id]))


@login_required
@policy_errors
@require_http_methods(["GET", "POST"])
def notice_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The actor's choice: an email for each notice at once, or one a day listing them."""
    form = forms.DeliveryForm(
        request.POST if request.method == "POST" else None,
        initial={"delivery": selectors.delivery_for(actor=request.user)},
    )
    if request.method == "POST" and form.is_valid():
        chosen = services.notice_preference_set(
            actor=request.user, delivery=form.cleaned_data["delivery"]
        )
        messages.success(request, f"Emails about notices: {chosen.get_delivery_display()}")
        return redirect("notices:list")
    return render(
        request, "notices/settings.html", {"form": form}, status=400 if form.errors else 200
    )
