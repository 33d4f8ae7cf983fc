"""Pages that bring several apps together, above them all in the layers (ADR 0020): the home
page (the children you work with, your messages, what you can do; for leaders, analysts and
panel chairs their headline figures and what changed since they last looked, ADR 0035) and
"who has viewed this record" (the access app's audit log about one of the children app's
children)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from harbour.access import policy, trail
from harbour.access.presenters import AuditEventPresenter
from harbour.children import selectors as children_selectors
from harbour.children.presenters import ChildPresenter
from harbour.frontdoor import selectors as frontdoor_selectors
from harbour.pages import headlines, selectors
from harbour.partnership.http import AuthenticatedHttpRequest
from harbour.web.navigation import navigation_for
from harbour.web.responses import policy_errors


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    # Leaders, analysts and panel chairs see their headline figures first, and what changed
    # since they last looked (ADR 0035); everyone else's home is their own work.
    figures = None
    if policy.may_see_headlines(user):
        figures = headlines.look(user, headlines.figures(user))
    return render(
        request,
        "pages/home.html",
        {
            "headlines": figures,
            "has_role": policy.is_active_actor(user),
            "tasks": [item for item in navigation_for(user, "") if item["url"] != "/"],
            "children": [
                (item, ChildPresenter(item.child))
                for item in children_selectors.children_worked_with(actor=user)
            ],
            "children_limit": children_selectors.MAX_CHILDREN_WORKED_WITH,
            "unread": frontdoor_selectors.unread_count(actor=user),
        },
    )


@login_required
@policy_errors
def child_access_log(request: AuthenticatedHttpRequest, child_id: uuid.UUID) -> HttpResponse:
    child, events, _ = selectors.child_access_log(actor=request.user, child_id=child_id)
    return render(
        request,
        "pages/child_access_log.html",
        {
            "child": ChildPresenter(child),
            "child_id": child.pk,
            "events": [
                (AuditEventPresenter(event), row)
                for event, row in zip(events, trail.rows(events), strict=True)
            ],
        },
    )
