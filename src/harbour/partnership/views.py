from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from harbour.access import policy
from harbour.partnership import selectors
from harbour.web.responses import policy_errors


@login_required
@policy_errors
def home(request: HttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.PARTNERSHIP_VIEW)
    return render(
        request,
        "partnership/home.html",
        {
            "agencies": selectors.agency_list(),
            "agreements": selectors.agreement_list(),
            "can_manage": policy.can(request.user, policy.Action.PARTNERSHIP_MANAGE),
        },
    )
