"""Pages for a rapid response after a serious incident (issue 3, part 9; ADR 0016). The reads and
writes are in ``frontdoor.rapid``; these pages only show them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from harbour.access import policy
from harbour.frontdoor import forms, rapid
from harbour.frontdoor.codes import RapidStatus
from harbour.partnership.http import AuthenticatedHttpRequest
from harbour.web import lists
from harbour.web.formpages import FormPage, form_page
from harbour.web.responses import policy_errors


def _is_manager(request: AuthenticatedHttpRequest) -> bool:
    return policy.can(request.user, policy.Action.FRONT_DOOR_COUNTERSIGN)


@login_required
@policy_errors
def rapid_responses(request: AuthenticatedHttpRequest) -> HttpResponse:
    incidents = rapid.serious_incidents(request.user)
    form = forms.RapidResponseFilterForm(request.GET)
    page = lists.paginate(rapid.responses(request.user, **form.values()), request.GET.get("page"))
    return render(
        request,
        "frontdoor/rapid_list.html",
        {
            "incidents": incidents,
            "form": form,
            **lists.page_context(page),
            "responses": list(page),
            "recent_days": rapid.RECENT_DAYS,
            "is_manager": _is_manager(request),
        },
    )


@login_required
@policy_errors
def rapid_incident(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    incident = rapid.incident_for_actor(request.user, event_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            response = rapid.rapid_response_open(actor=request.user, incident=incident)
        except ValidationError as error:
            errors = list(error.messages)
        else:
            messages.success(request, f"Rapid response {response.reference} opened")
            return redirect("frontdoor:rapid-response", response.pk)
    existing = getattr(incident, "rapid_response", None)
    return render(
        request,
        "frontdoor/rapid_incident.html",
        {
            "incident": incident,
            "children": rapid.incident_links(request.user, incident),
            "account": rapid.incident_account(request.user, incident),
            "existing": existing,
            "errors": errors,
            "associate_days": rapid.ASSOCIATE_DAYS,
        },
        status=400 if errors else 200,
    )


def _detail(request: AuthenticatedHttpRequest, response_id: int, errors: list[str]) -> HttpResponse:
    view = rapid.response_for_actor(request.user, response_id)
    return render(
        request,
        "frontdoor/rapid_response.html",
        {
            "view": view,
            "response": view.response,
            "errors": errors,
            "is_open": view.response.status != RapidStatus.CLOSED,
        },
        status=400 if errors else 200,
    )


@login_required
@policy_errors
def rapid_response(request: AuthenticatedHttpRequest, response_id: int) -> HttpResponse:
    return _detail(request, response_id, [])


@login_required
@policy_errors
def rapid_response_contact(
    request: AuthenticatedHttpRequest, response_id: int, row_id: int
) -> HttpResponse:
    view = rapid.response_for_actor(request.user, response_id)
    shown = next((c for c in view.children if c.row is not None and c.row.pk == row_id), None)
    if shown is None or shown.row is None:
        raise policy.NotFound(row_id)
    row = shown.row
    back = reverse("frontdoor:rapid-response", args=[response_id])

    def save(data: dict[str, Any]) -> Any:
        return rapid.rapid_response_name_contact(
            actor=request.user, response=view.response, row=row, contact=data["contact"]
        )

    return form_page(
        request,
        form_class=forms.RapidContactForm,
        instance=None,
        save=save,
        done=lambda r: (f"{r.contact.get_full_name()} named as the contact", back),
        page=FormPage(
            title="Name a contact for the child",
            caption=f"{view.response.reference}: {shown.label}",
            back_url=back,
            submit="Name this person",
            intro="The contact makes sure someone who knows the child reaches them and their "
            "family after the incident. Naming them here does not open the child's record to "
            "them: that comes from joining the team around the child.",
        ),
        form_kwargs={"people": rapid.contact_choices(request.user)},
    )


@login_required
@policy_errors
def rapid_response_record(request: AuthenticatedHttpRequest, response_id: int) -> HttpResponse:
    view = rapid.response_for_actor(request.user, response_id)
    back = reverse("frontdoor:rapid-response", args=[response_id])
    return form_page(
        request,
        form_class=forms.RapidRecordForm,
        instance=None,
        save=lambda data: rapid.rapid_response_record(
            actor=request.user,
            response=view.response,
            convened_at=data["convened_at"],
            agencies=list(data["agencies"]),
            decisions=data["decisions"],
        ),
        done=lambda r: ("Rapid response meeting recorded" + (" (late)" if r.late else ""), back),
        page=FormPage(
            title="Record the rapid response meeting",
            caption=view.response.reference,
            back_url=back,
            submit="Save",
        ),
    )


@require_POST
@login_required
@policy_errors
def rapid_response_close(request: AuthenticatedHttpRequest, response_id: int) -> HttpResponse:
    view = rapid.response_for_actor(request.user, response_id)
    try:
        rapid.rapid_response_close(actor=request.user, response=view.response)
    except ValidationError as error:
        return _detail(request, response_id, list(error.messages))
    messages.success(request, f"Rapid response {view.response.reference} closed")
    return redirect("frontdoor:rapid-response", response_id)
