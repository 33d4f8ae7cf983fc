"""Thin views: parse, call a selector or service, render. No child model is queried here."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from harbour.access import policy
from harbour.access import services as access_services
from harbour.access.forms import BreakGlassForm
from harbour.children import record, selectors
from harbour.children.forms import ChildSearchForm
from harbour.children.presenters import ChildPresenter
from harbour.web.responses import policy_errors


@login_required
@policy_errors
def search(request: HttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.CHILD_SEARCH)
    form = ChildSearchForm(request.GET or None)
    results: list[selectors.SearchResult] = []
    more = False
    searched = False
    if form.is_bound and form.is_valid():
        searched = True
        results, more = selectors.child_search(
            actor=request.user,
            search=selectors.ChildSearch(
                name=form.cleaned_data["name"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                postcode=form.cleaned_data["postcode"],
            ),
        )
    rows = [(r, ChildPresenter(r.child)) for r in results]
    return render(
        request,
        "children/search.html",
        {
            "form": form,
            "rows": rows,
            "more": more,
            "searched": searched,
            "limit": selectors.MAX_SEARCH_RESULTS,
        },
    )


@login_required
@policy_errors
def summary(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    result = record.child_record(actor=request.user, child_id=child_id)
    if isinstance(result, policy.Decision):
        return redirect("children:break-glass", child_id=child_id)
    return render(
        request,
        "children/record.html",
        {
            "record": result,
            "child": ChildPresenter(result.child),
            "hidden_labels": [record.SECTION_LABELS[s] for s in sorted(result.hidden)],
        },
    )


@login_required
@policy_errors
def break_glass(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    child, decision = selectors.child_find_for_actor(
        actor=request.user, child_id=child_id, action=policy.Action.CHILD_BREAK_GLASS
    )
    if not decision.allowed:
        return redirect("children:summary", child_id=child_id)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access_services.break_glass_grant(
                actor=request.user, child=child, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error.messages[0])
        else:
            return redirect("children:summary", child_id=child_id)
    return render(request, "children/break_glass.html", {"form": form, "child_id": child_id})
